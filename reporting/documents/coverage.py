"""The coverage report: one recommendation source (GRETA, US TIP, SDG 8.7…) and the measures answering each
of its recommendations, those nobody is really working on first — as PDF, XLSX and CSV.

The numbers come from `measures.coverage.source_coverage`, which the coverage page also shows, so the page
and the documents say the same. The renderers are pure functions of that result; the caller chooses the
language with `translation.override`.
"""

import csv
import io
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from measures.coverage import SourceCoverage, source_coverage
from nap_tracker.spreadsheets import safe_cell
from reporting.rendering import (
    LANGUAGE_NAMES,
    RenderedReport,
    issuer_logo_url,
    issuer_name,
    pdf_static_url,
    restricted_cell,
    restricted_notice,
    write_pdf,
    write_sheet,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def coverage_render(*, source, edition, format: str, generated_at: datetime, include_restricted: bool):
    """Read the coverage and render it. `include_restricted`: whoever asked may see restricted details in
    reports (`permissions.may_see_restricted_in_reports`); otherwise none goes in."""
    result = source_coverage(
        source,
        edition=edition,
        today=timezone.localdate(generated_at),
        show_restricted=lambda update: include_restricted,
    )
    if format == "xlsx":
        return render_coverage_xlsx(result, generated_at=generated_at)
    if format == "csv":
        return render_coverage_csv(result)
    return render_coverage_pdf(result, generated_at=generated_at)


def coverage_title() -> str:
    return _("Recommendations and the measures answering them")


def coverage_filename(result: SourceCoverage, extension: str) -> str:
    parts = [result.source.reference, "coverage"]
    if result.edition is not None:
        parts.append(result.edition.code)
    parts.append(get_language() or "en")
    if result.has_restricted:
        # As the progress reports: whoever finds the file sees at once that it is not for sharing.
        parts.append("restricted")
    return slugify("-".join(parts)) + "." + extension


# --- PDF ---------------------------------------------------------------------------------------


def coverage_context(result: SourceCoverage, *, generated_at: datetime) -> dict:
    language = get_language() or "en"
    return {
        "coverage": result,
        "source": result.source,
        "edition": result.edition,
        "title": coverage_title(),
        "issuer_name": issuer_name(language),
        "issuer_logo_url": issuer_logo_url(),
        "generated_at": generated_at,
        "language_code": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
        "stylesheet_url": pdf_static_url("reporting/report.css"),
        "coverage_stylesheet_url": pdf_static_url("reporting/coverage-report.css"),
        "restricted_notice": restricted_notice() if result.has_restricted else "",
    }


def render_coverage_pdf(result: SourceCoverage, *, generated_at: datetime) -> RenderedReport:
    html = render_to_string("reporting/pdf/coverage.html", coverage_context(result, generated_at=generated_at))
    return RenderedReport(coverage_filename(result, "pdf"), "application/pdf", write_pdf(html))


# --- Tables: one row per recommendation, and one per recommendation and measure ------------------


def _agencies(answer) -> str:
    names = []
    for assignment in answer.responsible:
        name = str(assignment.agency.name)
        names.append(name + " " + _("(lead)") if assignment.is_lead else name)
    return "; ".join(names)


def recommendation_table(result: SourceCoverage) -> tuple[list[str], list[list]]:
    header = [
        _("No."),
        _("Recommendation"),
        _("Priority"),
        _("Illustrative wording"),
        _("Coverage"),
        _("Measures answering it"),
        _("Measures"),
    ]
    body = [
        [
            row.recommendation.number,
            str(row.recommendation.text),
            str(row.recommendation.get_priority_display()) if row.recommendation.priority else "",
            _("yes") if row.recommendation.is_illustrative else _("no"),
            str(row.flag_label),
            len(row.answers),
            "; ".join(f"{a.measure.edition.code} {a.measure.number}" for a in row.answers),
        ]
        for row in result.rows
    ]
    return header, body


def answer_table(result: SourceCoverage) -> tuple[list[str], list[list]]:
    """Every recommendation with every measure answering it; a recommendation no measure answers has one
    row with the measure's cells empty, so the list is complete on its own."""
    header = [
        _("No."),
        _("Recommendation"),
        _("Coverage"),
        _("Action plan"),
        _("Measure No."),
        _("Measure"),
        _("Illustrative wording"),
        _("Agencies"),
        _("Status"),
        _("Progress %"),
        _("Deadline"),
        _("Overdue"),
        _("Consolidated by the coordinator's office"),
        _("Period of that report"),
        _("Reported by"),
        _("Latest approved report"),
        _("Approved on"),
    ]
    include_restricted = result.has_restricted
    if include_restricted:
        header.append(_("Restricted details"))
    body = []
    for row in result.rows:
        start = [row.recommendation.number, str(row.recommendation.text), str(row.flag_label)]
        if not row.answers:
            body.append(start + [""] * (len(header) - len(start)))
            continue
        for answer in row.answers:
            measure, report = answer.measure, answer.report
            line = start + [
                measure.edition.code,
                measure.number,
                str(measure.title),
                _("yes") if measure.is_illustrative else _("no"),
                _agencies(answer),
                str(answer.status_label),
                answer.progress,
                measure.deadline or "",
                _("yes") if answer.overdue else _("no"),
                measure.consolidated_note if answer.consolidated else "",
                report.period.label if report else "",
                str(report.agency.name) if report else "",
                report.narrative if report else "",
                timezone.localdate(report.reviewed_at) if report and report.reviewed_at else "",
            ]
            if include_restricted:
                line.append(restricted_cell(answer.restricted_details))
            body.append(line)
    return header, body


# --- XLSX and CSV ------------------------------------------------------------------------------


def render_coverage_xlsx(result: SourceCoverage, *, generated_at: datetime) -> RenderedReport:
    from functools import partial

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = partial(write_sheet, workbook)

    source = result.source
    notice = [[_("RESTRICTED"), restricted_notice()], []] if result.has_restricted else []
    summary = sheet(
        _("Summary"),
        [_("Item"), _("Value")],
        [
            *notice,
            [_("Report"), coverage_title()],
            [_("Source"), source.reference],
            [_("Title"), str(source.title)],
            [_("Kind"), str(source.get_kind_display())],
            [_("Evaluation round"), source.evaluation_round or ""],
            [_("Year"), source.year or ""],
            [_("Illustrative"), _("yes") if source.is_illustrative else _("no")],
            [_("Measures of"), result.edition.code if result.edition else _("every action plan")],
            [_("State as of"), result.today],
            [_("Generated"), generated_at],
            [_("Recommendations"), len(result.rows)],
            *[[str(label), count] for _flag, label, count in result.counts],
        ],
        widths=[40, 80],
        first=True,
    )
    if notice:
        red = Font(bold=True, color="B42318")
        summary["A2"].font = summary["B2"].font = red
    sheet(_("Recommendations"), *recommendation_table(result), widths=[10, 80, 22, 12, 40, 12, 40], wrap=True)
    header, body = answer_table(result)
    widths = [10, 60, 34, 16, 10, 50, 12, 40, 18, 11, 12, 10, 40, 12, 30, 80, 12]
    sheet(_("Measures"), header, body, widths=widths + ([60] if result.has_restricted else []), wrap=True)
    out = io.BytesIO()
    workbook.save(out)
    return RenderedReport(coverage_filename(result, "xlsx"), XLSX_TYPE, out.getvalue())


def render_coverage_csv(result: SourceCoverage) -> RenderedReport:
    header, body = answer_table(result)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in line] for line in body)
    # The byte-order mark lets spreadsheet programs recognise UTF-8 (ə, ş, ğ…).
    return RenderedReport(
        coverage_filename(result, "csv"), "text/csv; charset=utf-8", out.getvalue().encode("utf-8-sig")
    )
