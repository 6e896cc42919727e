"""Turning the numbers into documents: PDF (WeasyPrint), XLSX (openpyxl) and CSV.

Each renderer is a pure function: the numbers in, a `RenderedReport` (file name, content
type, bytes) out. None of them touches the database; the caller decides the language with
`translation.override` before it computes the numbers and renders.
"""

import csv
import io
import mimetypes
import os
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from measures.models import Status
from nap_tracker.i18n import language_name
from nap_tracker.spreadsheets import safe_cell
from reporting import charts
from reporting.numbers import ReportNumbers
from reporting.results import results_numbers

# The PDF's links to the project's own static files resolve against this made-up origin;
# the fetcher below answers for it and for nothing else.
STATIC_ORIGIN = "https://static.nap-tracker.invalid"
# The issuing body's logo (settings.REPORT_ISSUER_LOGO) is the one file from outside the static folders.
ISSUER_LOGO_PATH = "/issuer-logo"
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}


@dataclass(frozen=True)
class RenderedReport:
    filename: str
    content_type: str
    content: bytes


def report_title(numbers: ReportNumbers) -> str:
    scope = numbers.scope
    if scope.kind == "area":
        return _("Progress report: area %(code)s") % {"code": scope.area.code}
    if scope.kind == "agency":
        return _("Progress report: measures of %(agency)s") % {"agency": scope.agency.name}
    if scope.kind == "overdue":
        return _("Overdue measures")
    if scope.kind == "annual":
        return _("Annual report of the National Coordinator for %(year)s") % {"year": numbers.as_of.year}
    if scope.kind == "summary":
        return _("Progress report: summary edition")
    return _("Progress report")


def report_filename(numbers: ReportNumbers, extension: str) -> str:
    scope = numbers.scope
    parts = [scope.edition.code, scope.kind]
    if scope.agency:
        parts.append(scope.agency.code)
    if scope.area:
        parts.append(f"area-{scope.area.code}")
    if scope.kind == "annual":
        parts.append(str(numbers.as_of.year))
    elif scope.period:
        parts.append(scope.period.label)
    parts.append(get_language() or "en")
    if numbers.has_restricted:
        # Whoever finds the file on a disk or in a mailbox sees at once that it is not for sharing.
        parts.append("restricted")
    return slugify("-".join(parts)) + "." + extension


def chart_set(numbers: ReportNumbers) -> dict:
    """Every chart of a report or the dashboard, drawn from the numbers."""
    sections = [(f"{s.code} {s.title}".strip(), s.counts) for s in numbers.sections]
    return {
        "status": charts.status_donut(numbers.totals, title=_("Measures by status")),
        "status_ring": charts.status_donut(numbers.totals, title=_("Measures by status"), legend=False),
        "by_pillar": charts.status_bars(
            [(label, counts) for _value, label, counts in numbers.by_pillar], title=_("Status by pillar")
        ),
        "by_area": charts.status_bars(sections, title=_("Status by area")),
        "progress": charts.progress_lines(
            numbers.series, total=numbers.totals.total, title=_("Progress across reporting periods")
        ),
    }


def restricted_notice() -> str:
    return _(
        "This report contains restricted details that could identify victims or cases. It is for the national "
        "coordinator's office only: do not forward, publish or print it for others."
    )


def issuer_name(language: str) -> str:
    """The body that issues the report, as this installation names it in the report's language."""
    return settings.REPORT_ISSUER_NAMES.get(language) or _("National coordinator's office")


def issuer_logo_url() -> str:
    logo = settings.REPORT_ISSUER_LOGO
    return f"{STATIC_ORIGIN}{ISSUER_LOGO_PATH}{os.path.splitext(logo)[1].lower()}" if logo else ""


def report_context(numbers: ReportNumbers, *, generated_at: datetime) -> dict:
    language = get_language() or "en"
    return {
        "issuer_name": issuer_name(language),
        "issuer_logo_url": issuer_logo_url(),
        "numbers": numbers,
        "results": results_numbers(numbers),
        "scope": numbers.scope,
        "edition": numbers.scope.edition,
        "title": report_title(numbers),
        "charts": chart_set(numbers),
        "generated_at": generated_at,
        "language_code": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
        "stylesheet_url": pdf_static_url("reporting/report.css"),
        "restricted_notice": restricted_notice() if numbers.has_restricted else "",
        "as_of": numbers.as_of,
        "cover_note": _(
            "The status and progress of each measure are those of its responsible bodies' latest update approved by the national coordinator's office — the lead body's, when it has reported — unless the coordinator's office has set a consolidated status, which is then shown with its note. An NGO partner's approved update is shown beside it as an independent assessment, marked where the two differ by more than one status step or 25 points of progress. A measure is overdue when, while its plan runs, its deadline has passed and it is neither completed nor ongoing (continuous). Measures marked “illustrative” use example wording, not the official text of the plan."
        ),
    }


def pdf_static_url(path: str) -> str:
    """The URL of a static file for the PDF: its source name, not the hashed one `{% static %}` gives
    in production, since the fetcher reads the project's static folders (no collectstatic needed)."""
    return f"{STATIC_ORIGIN}{settings.STATIC_URL}{path}"


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher: serves the project's static files and refuses every other URL.

    Report texts come from users; a `file:`, `http:` or `data:` URL in them must never be read.
    The templates escape user text, so no such URL reaches WeasyPrint in the first place; this
    fetcher is the second lock. It never opens a network connection.
    """

    def fetch(self, url, headers=None):
        return fetch_static(url)


def fetch_static(url: str) -> URLFetcherResponse:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if settings.REPORT_ISSUER_LOGO and url == issuer_logo_url():
        return _file_response(url, settings.REPORT_ISSUER_LOGO)
    if origin != STATIC_ORIGIN or not parts.path.startswith(settings.STATIC_URL) or parts.query:
        raise ValueError(f"Reports may only use the project's own static files, not {url!r}")
    relative = unquote(parts.path[len(settings.STATIC_URL) :])
    try:
        path = finders.find(relative)
    except Exception as error:  # SuspiciousFileOperation for '..' and absolute paths
        raise ValueError(f"Refused static path {relative!r}: {error}") from None
    if not path:
        raise ValueError(f"No such static file: {relative!r}")
    return _file_response(url, path)


def _file_response(url: str, path: str) -> URLFetcherResponse:
    with open(path, "rb") as handle:
        body = handle.read()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


def html_for_pdf(numbers: ReportNumbers, *, generated_at: datetime) -> str:
    return render_to_string("reporting/pdf/report.html", report_context(numbers, generated_at=generated_at))


def write_pdf(html: str) -> bytes:
    """WeasyPrint alone: the HTML of a report to PDF bytes, fetching only static files."""
    # PDF/UA-1: tagged (headings, tables, lists, reading order) for screen readers, in the language of
    # <html lang>, with the title shown and the headings as bookmarks.
    return HTML(string=html, base_url=STATIC_ORIGIN + "/", url_fetcher=StaticFilesFetcher()).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def render_pdf(numbers: ReportNumbers, *, generated_at: datetime) -> RenderedReport:
    html = html_for_pdf(numbers, generated_at=generated_at)
    return RenderedReport(report_filename(numbers, "pdf"), "application/pdf", write_pdf(html))


# --- Tables ----------------------------------------------------------------------------------


def _agencies_text(assignments) -> str:
    names = []
    for assignment in assignments:
        name = str(assignment.agency.name)
        if assignment.is_lead:
            name += " " + _("(lead)")
        elif assignment.part == "partner":
            name += " " + _("(partner)")
        names.append(name)
    return "; ".join(names)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _revisions_text(revisions) -> str:
    """Each revision as "2022-12-31 → 2024-06-30 (2023-03-12): reason", ISO dates, in the order made."""
    return "; ".join(
        f"{_date(r.old_deadline) or '—'} → {_date(r.new_deadline)} ({_date(timezone.localdate(r.revised_at))}): {r.reason}"
        for r in revisions
    )


def restricted_cell(text: str) -> str:
    """A restricted text as a report prints it: marked, so the mark travels with a copied cell."""
    return _("RESTRICTED: %(text)s") % {"text": text} if text else ""


def measure_table(numbers: ReportNumbers, rows=None) -> tuple[list[str], list[list]]:
    header = [
        _("No."),
        _("Area"),
        _("Measure"),
        _("Agencies"),
        _("Status"),
        _("Progress %"),
        _("Deadline"),
        _("Original deadline"),
        _("Deadline revisions"),
        _("Overdue"),
        _("Illustrative wording"),
        _("Consolidated by the coordinator's office"),
        _("Latest approved report"),
        _("Written in"),
        _("Reported by"),
        _("Period of that report"),
        _("Approved by"),
        _("Approved on"),
        _("Evidence files"),
        _("Independent assessment by"),
        _("Assessed status"),
        _("Assessed progress %"),
        _("Assessment period"),
        _("Assessment"),
        _("Assessment written in"),
        _("Disagrees"),
    ]
    if numbers.include_restricted:
        header += [_("Restricted details"), _("Restricted files")]
    body = []
    for row in numbers.rows if rows is None else rows:
        m = row.measure
        assessment = row.assessment
        line = [
            m.number,
            m.area.code,
            str(m.title),
            _agencies_text(row.assignments),
            str(row.status_label),
            row.progress,
            # Dates stay dates: a spreadsheet sorts and filters them; CSV writes them as 2024-12-31.
            row.deadline or "",
            (row.original_deadline or "") if row.revisions else "",
            _revisions_text(row.revisions),
            _("yes") if row.overdue else _("no"),
            _("yes") if m.is_illustrative else _("no"),
            _("%(date)s: %(note)s") % {"date": _date(row.consolidated_on), "note": row.consolidated_note}
            if row.consolidated
            else "",
            row.narrative,
            language_name(row.narrative_language) if row.narrative else "",
            str(row.narrative_agency.name) if row.narrative_agency else "",
            row.narrative_period,
            row.approved_by,
            row.approved_on or "",
            "; ".join(row.files),
            str(assessment.agency.name) if assessment else "",
            str(assessment.status_label) if assessment else "",
            assessment.progress if assessment else "",
            assessment.period if assessment else "",
            assessment.narrative if assessment else "",
            language_name(assessment.language) if assessment and assessment.narrative else "",
            _("yes") if row.disagrees else "",
        ]
        if numbers.include_restricted:
            line += [restricted_cell(row.restricted_details), restricted_cell("; ".join(row.restricted_files))]
        body.append(line)
    return header, body


def measure_table_widths(numbers: ReportNumbers) -> list[int]:
    widths = [9, 8, 60, 40, 18, 11, 12, 12, 50, 10, 12, 40, 70, 14, 30, 12, 24, 12, 30, 30, 18, 11, 12, 60, 14, 10]
    return widths + ([60, 30] if numbers.include_restricted else [])


def render_csv(numbers: ReportNumbers) -> RenderedReport:
    header, body = measure_table(numbers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in line] for line in body)
    # The byte-order mark lets spreadsheet programs recognise UTF-8 (ə, ş, ğ…).
    return RenderedReport(
        report_filename(numbers, "csv"), "text/csv; charset=utf-8", out.getvalue().encode("utf-8-sig")
    )


def write_sheet(workbook, title, header, rows, widths=None, first=False, wrap=False):
    """One sheet of a report's workbook, as every XLSX report writes it: a bold, shaded header row that
    stays in view and filters every column; real dates and numbers; text never taken for a formula."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DFE4EA")
    ws = workbook.active if first else workbook.create_sheet()
    ws.title = title[:31]
    ws.append([str(h) for h in header])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = head_fill
    for line in rows:
        ws.append([_xlsx_value(v) for v in line])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    # The header row stays in view and filters every column.
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(ws.max_column, len(header)))}{max(ws.max_row, 1)}"
    for index, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    return ws


def render_xlsx(numbers: ReportNumbers, *, generated_at: datetime) -> RenderedReport:
    from functools import partial

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = partial(write_sheet, workbook)

    totals = numbers.totals
    notice = [[_("RESTRICTED"), restricted_notice()], []] if numbers.has_restricted else []
    summary = sheet(
        _("Summary"),
        [_("Item"), _("Value")],
        [
            *notice,
            [_("Action plan"), str(numbers.edition.title)],
            [_("Report"), report_title(numbers)],
            [_("State as of"), numbers.as_of],
            [_("Generated"), generated_at],
            [_("Measures"), totals.total],
            [_("Average progress %"), totals.average_progress],
            [_("Completed"), totals.completed],
            [_("Due by this date"), numbers.due],
            [_("Completed of those due"), numbers.completed_of_due],
            [_("Overdue"), totals.overdue],
            [_("Measures with a revised deadline"), totals.revised],
            [_("Deadline revisions"), totals.revisions],
            [_("Measures with an NGO assessment"), numbers.assessed],
            [_("NGO assessments that disagree"), numbers.disagreements],
            [],
            [_("Status"), _("Measures"), _("Share %")],
            *[[str(label), count, share] for _v, label, count, share in totals.rows],
        ],
        widths=[34, 60, 12],
        first=True,
    )
    summary[f"A{17 + len(notice)}"].font = bold
    if notice:
        red = Font(bold=True, color="B42318")
        summary["A2"].font = summary["B2"].font = red
    header, body = measure_table(numbers)
    widths = measure_table_widths(numbers)
    measures = sheet(_("Measures"), header, body, widths=widths)
    for line in measures.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet(_("Overdue"), *measure_table(numbers, numbers.overdue_rows), widths=widths)
    status_header = [str(label) for _v, label in Status.choices]
    sheet(
        _("By area"),
        [
            _("Area"),
            _("Title"),
            _("Pillar"),
            _("Measures"),
            *status_header,
            _("Average progress %"),
            _("Overdue"),
            _("Measures with a revised deadline"),
            _("Deadline revisions"),
        ],
        [
            [
                s.code,
                str(s.title),
                str(s.pillar_label),
                s.counts.total,
                *_status_values(s.counts),
                s.counts.average_progress,
                s.counts.overdue,
                s.counts.revised,
                s.counts.revisions,
            ]
            for s in numbers.sections
        ],
        widths=[8, 50, 24, 10],
    )
    sheet(
        _("By agency"),
        [_("Code"), _("Agency"), _("Measures"), _("Leads"), *status_header, _("Average progress %"), _("Overdue")],
        [
            [
                a.agency.code,
                str(a.agency.name),
                a.counts.total,
                a.leads,
                *_status_values(a.counts),
                a.counts.average_progress,
                a.counts.overdue,
            ]
            for a in numbers.by_agency
        ],
        widths=[16, 60, 10, 8],
    )
    sheet(
        _("Across periods"),
        [_("Period"), _("Average progress %"), _("Completed"), _("Measures with an approved report")],
        [[p.label, p.average_progress, p.completed, p.reported] for p in numbers.series],
        widths=[14, 20, 12, 32],
    )
    if numbers.carried:
        sheet(
            _("Carried over"),
            [
                _("Earlier No."),
                _("Earlier status"),
                _("Earlier progress %"),
                _("No."),
                _("Measure"),
                _("Status"),
                _("Progress %"),
            ],
            [
                [
                    p.earlier.number,
                    str(p.earlier.get_status_display()),
                    p.earlier.progress,
                    p.later.measure.number,
                    str(p.later.measure.title),
                    str(p.later.status_label),
                    p.later.progress,
                ]
                for p in numbers.carried
            ],
            widths=[12, 20, 12, 10, 60, 20, 12],
        )
    _results_sheets(sheet, results_numbers(numbers))
    out = io.BytesIO()
    workbook.save(out)
    return RenderedReport(
        report_filename(numbers, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        out.getvalue(),
    )


def _results_sheets(sheet, results):
    """Indicators (by area, then each one) and the budget (by area, source and agency, per currency)."""

    def share(value):
        return value if value is not None else ""

    if results.indicators.total:
        sheet(
            _("Indicators by area"),
            [
                _("Area"),
                _("Title"),
                _("Indicators"),
                _("With an approved value"),
                _("Target reached"),
                _("Average share of target %"),
            ],
            [
                [
                    a.code,
                    str(a.title),
                    a.indicators.total,
                    a.indicators.reported,
                    a.indicators.reached,
                    share(a.indicators.average_share),
                ]
                for a in results.areas
                if a.indicators.total
            ],
            widths=[8, 50, 12, 22, 16, 24],
        )
        sheet(
            _("Indicators"),
            [
                _("No."),
                _("Indicator"),
                _("Unit"),
                _("Baseline"),
                _("Baseline year"),
                _("Latest approved value"),
                _("Period"),
                _("Target"),
                _("Target year"),
                _("Share of target %"),
            ],
            [
                [
                    measure.number,
                    str(item.indicator.name),
                    str(item.indicator.get_unit_display()),
                    _indicator_value(item.indicator, item.indicator.baseline_value, item.indicator.baseline_text),
                    item.indicator.baseline_year or "",
                    _indicator_value(item.indicator, item.latest.total, item.latest.text) if item.latest else "",
                    item.latest.period if item.latest else "",
                    _indicator_value(item.indicator, item.indicator.target_value, item.indicator.target_text),
                    item.indicator.target_year or "",
                    share(item.share),
                ]
                for area in results.areas
                for measure, item in area.items
            ],
            widths=[9, 60, 12, 14, 10, 20, 10, 14, 10, 16],
        )
    if results.has_budget:
        header = [_("Currency"), _("Planned"), _("Spent"), _("Share spent %")]

        def money_cells(row):
            return [row.currency, row.planned, row.spent, share(row.share_spent)]

        sheet(
            _("Budget by area"),
            [_("Area"), _("Title"), *header],
            [[a.code, str(a.title), *money_cells(row)] for a in results.areas for row in a.budget],
            widths=[8, 50, 10, 16, 16, 14],
        )
        sheet(
            _("Budget by source"),
            [_("Funding source"), *header],
            [
                [str(row.source.name) if row.source else str(_("Not stated")), *money_cells(row)]
                for row in results.by_source
            ],
            widths=[40, 10, 16, 16, 14],
        )
        sheet(
            _("Budget by agency"),
            [_("Agency"), _("Currency"), _("Planned (as lead)"), _("Spent")],
            [
                [str(agency.name), row.currency, row.planned, row.spent]
                for agency, rows in results.by_agency
                for row in rows
            ],
            widths=[60, 10, 16, 16],
        )


def _xlsx_value(value):
    """A cell's value as a spreadsheet should hold it: text made safe, a moment in the installation's time
    zone (the PDF's), without the zone Excel cannot store."""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _indicator_value(indicator, value, text):
    """An indicator's value for a spreadsheet: a number where it is one, else its words."""
    from measures.models import Indicator

    if indicator.unit == Indicator.Unit.TEXT:
        return text
    if indicator.unit == Indicator.Unit.YES_NO:
        return "" if value is None else (_("Yes") if value else _("No"))
    return value if value is not None else ""


def _status_values(counts):
    return [counts.counts[value] for value, _label in Status.choices]
