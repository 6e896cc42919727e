"""The words and tables of the annual report, once, for both writers.

`annual_layout(report)` turns the compiled `AnnualReport` into headings, paragraphs and tables of plain
text in the active language; the PDF template and the DOCX writer only lay them out. So the two files hold
the same numbers and the same sentences, and a translator sees each sentence once. No queries here.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from measures.models import Pillar
from measures.results import baseline_display, target_display
from nap_tracker.i18n import differs_from_reader, written_in
from reporting.documents.annual import AnnualReport
from reporting.rendering import LANGUAGE_NAMES, issuer_name, restricted_cell, restricted_notice


@dataclass(frozen=True)
class Line:
    """One line of a table cell. `style`: "" (plain), "muted", "strong" or "restricted"."""

    text: str
    style: str = ""


@dataclass
class Table:
    caption: str
    header: list
    rows: list  # each row a list of cells, each cell a list of Line
    widths: list  # per column, in percent of the text width
    numeric: frozenset = frozenset()  # the columns that hold numbers (right-aligned)
    css: str = ""

    def is_numeric(self, index: int) -> bool:
        return index in self.numeric


@dataclass
class AreaBlock:
    area: object
    heading: str
    meta: str
    tables: list = field(default_factory=list)
    empty: str = ""


def cell(*texts, style: str = "") -> list[Line]:
    return [Line(str(text), style) for text in texts if text not in (None, "")]


def marked(text) -> str:
    """A text shown in another language than the report's carries that language's code, as on the pages."""
    if getattr(text, "is_fallback", False) and str(text):
        return f"{text} [{text.language.upper()}]"
    return str(text)


def annual_title(year: int) -> str:
    return _("Annual report of the National Coordinator for %(year)s") % {"year": year}


def annual_filename_parts(report: AnnualReport) -> list[str]:
    parts = [report.edition.code, "annual", str(report.year), get_language() or "en"]
    if report.has_restricted:
        # Whoever finds the file on a disk or in a mailbox sees at once that it is not for sharing.
        parts.append("restricted")
    return parts


def _date(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _percent(value) -> str:
    return f"{value}%"


def cover_facts(report: AnnualReport, *, generated_at: datetime) -> list[tuple[str, str]]:
    edition = report.edition
    language = get_language() or "en"
    # The plan's title and code are the cover's subtitle and first line.
    facts = [(_("Issued by"), issuer_name(language))]
    if edition.legal_basis:
        facts.append((_("Legal basis"), marked(edition.legal_basis)))
    if edition.approved_on:
        facts.append((_("Plan approved on"), _date(edition.approved_on)))
    facts += [
        (_("Plan period"), edition.period_label),
        (_("Year covered"), str(report.year)),
        (_("Reporting periods of the year"), ", ".join(p.label for p in report.periods) or "—"),
        (_("State as of"), _date(report.as_of)),
        (_("Language"), LANGUAGE_NAMES.get(language, language)),
        (_("Date of issue"), date_format(timezone.localtime(generated_at), "DATETIME_FORMAT")),
    ]
    return facts


def method_note() -> str:
    return _(
        "Compiled from the updates of central and local authorities approved by the national coordinator's "
        "office for the reporting periods that end in the year. The status and progress of each measure at the "
        "end of the year are those of its responsible bodies' latest approved update, or the consolidated "
        "status the coordinator's office set. A measure is overdue when, while its plan runs, its deadline has "
        "passed and it is neither completed nor ongoing (continuous). An NGO partner's update is an independent assessment. Measures and recommendations marked "
        "“illustrative” use example wording, not the official text."
    )


def headings() -> dict:
    return {
        "summary": _("Summary of the year"),
        "areas": _("Progress by area"),
        "bodies": _("Reporting by the responsible bodies"),
        "recommendations": _("Recommendations answered by the plan"),
    }


def summary_paragraphs(report: AnnualReport) -> list[str]:
    totals = report.totals
    updates = len(report.updates)
    return [
        ngettext(
            "At the end of %(year)s the plan had %(total)s measure: %(completed)s completed, %(overdue)s overdue, "
            "average progress %(progress)s%%.",
            "At the end of %(year)s the plan had %(total)s measures: %(completed)s completed, %(overdue)s overdue, "
            "average progress %(progress)s%%.",
            totals.total,
        )
        % {
            "year": report.year,
            "total": totals.total,
            "completed": totals.completed,
            "overdue": totals.overdue,
            "progress": totals.average_progress,
        },
        ngettext(
            "%(updates)s update for the periods of the year was approved, on %(measures)s measures; it reported "
            "%(values)s indicator values.",
            "%(updates)s updates for the periods of the year were approved, on %(measures)s measures; they "
            "reported %(values)s indicator values.",
            updates,
        )
        % {"updates": updates, "measures": report.measures_reported, "values": len(report.indicator_lines)},
        ngettext(
            "%(reported)s of the %(bodies)s body with a responsible part in the plan reported in the year; "
            "%(silent)s did not.",
            "%(reported)s of the %(bodies)s bodies with a responsible part in the plan reported in the year; "
            "%(silent)s did not.",
            len(report.bodies),
        )
        % {"reported": len(report.reported_bodies), "bodies": len(report.bodies), "silent": len(report.silent_bodies)},
    ]


def summary_tables(report: AnnualReport) -> list[Table]:
    totals = report.totals
    status = Table(
        caption=_("Measures by status at the end of the year"),
        header=[_("Status"), _("Measures"), _("Share")],
        rows=[[cell(label), cell(count), cell(_percent(share))] for _v, label, count, share in totals.rows]
        + [
            [
                cell(_("Total"), style="strong"),
                cell(totals.total, style="strong"),
                cell("100%" if totals.total else "—"),
            ]
        ],
        widths=[60, 20, 20],
        numeric=frozenset({1, 2}),
    )
    pillars = Table(
        caption=_("Measures by pillar at the end of the year"),
        header=[_("Pillar"), _("Measures"), _("Completed"), _("Overdue"), _("Average progress")],
        rows=[
            [
                cell(label),
                cell(counts.total),
                cell(counts.completed),
                cell(counts.overdue),
                cell(_percent(counts.average_progress)),
            ]
            for _value, label, counts in report.numbers.by_pillar
        ],
        widths=[40, 15, 15, 15, 15],
        numeric=frozenset({1, 2, 3, 4}),
    )
    return [status, pillars]


def _body_name(line) -> list[Line]:
    name = marked(line.agency.name)
    if line.is_lead:
        return [Line(name), Line(_("(lead)"), "muted")]
    if line.is_partner:
        return [Line(name), Line(_("(partner)"), "muted")]
    return cell(name)


def _account(line, include_restricted: bool) -> list[Line]:
    lines = []
    if line.is_partner:
        lines.append(Line(_("Independent assessment by an NGO partner"), "muted"))
    if line.narrative and differs_from_reader(line.language):
        # Never translated silently: the reader is told the account is quoted in the language it was written in.
        lines.append(Line(written_in(line.language), "muted"))
    lines.append(Line(line.narrative or _("(no account written)"), "" if line.narrative else "muted"))
    if line.files:
        lines.append(Line(_("Files: %(names)s") % {"names": "; ".join(line.files)}, "muted"))
    if include_restricted and line.restricted_details:
        lines.append(Line(restricted_cell(line.restricted_details), "restricted"))
    if include_restricted and line.restricted_files:
        lines.append(
            Line(restricted_cell(_("Files: %(names)s") % {"names": "; ".join(line.restricted_files)}), "restricted")
        )
    return lines


def area_blocks(report: AnnualReport) -> list[AreaBlock]:
    blocks = []
    for item in report.areas:
        counts = item.counts
        meta = ngettext(
            "%(pillar)s · %(total)s measure at the end of the year, %(completed)s completed, %(overdue)s overdue, "
            "average progress %(progress)s%% · %(updates)s approved updates in the year",
            "%(pillar)s · %(total)s measures at the end of the year, %(completed)s completed, %(overdue)s overdue, "
            "average progress %(progress)s%% · %(updates)s approved updates in the year",
            counts.total,
        ) % {
            "pillar": dict(Pillar.choices).get(item.area.pillar, ""),
            "total": counts.total,
            "completed": counts.completed,
            "overdue": counts.overdue,
            "progress": counts.average_progress,
            "updates": len(item.updates),
        }
        block = AreaBlock(
            area=item.area,
            heading=f"{item.area.code} {marked(item.area.title)}".strip(),
            meta=meta,
            empty=_("No update on this area's measures was approved for the year."),
        )
        if item.updates:
            block.tables.append(
                Table(
                    caption=_("Approved updates of the year"),
                    header=[
                        _("No."),
                        _("Measure"),
                        _("Body"),
                        _("Period"),
                        _("Status"),
                        _("Progress"),
                        _("What was done"),
                    ],
                    rows=[
                        [
                            cell(line.measure.number),
                            [
                                Line(marked(line.measure.title)),
                                *cell(_("illustrative") if line.measure.is_illustrative else "", style="muted"),
                            ],
                            _body_name(line),
                            cell(line.period),
                            cell(line.status_label),
                            cell(_percent(line.progress)),
                            _account(line, report.include_restricted),
                        ]
                        for line in item.updates
                    ],
                    widths=[6, 19, 15, 8, 13, 12, 27],
                    numeric=frozenset({5}),
                    css="annual-updates",
                )
            )
        if item.indicators:
            block.tables.append(
                Table(
                    caption=_("Indicator values reported in the year"),
                    header=[_("No."), _("Indicator"), _("Period"), _("Body"), _("Value"), _("Baseline"), _("Target")],
                    rows=[
                        [
                            cell(line.measure.number),
                            cell(marked(line.indicator.name)),
                            cell(line.reading.period),
                            cell(marked(line.reading.agency.name)),
                            [Line(line.value, "strong"), *cell(line.categories, style="muted")],
                            cell(baseline_display(line.indicator)),
                            cell(target_display(line.indicator)),
                        ]
                        for line in item.indicators
                    ],
                    widths=[7, 29, 8, 18, 14, 12, 12],
                    css="annual-indicators",
                )
            )
        blocks.append(block)
    return blocks


def bodies_lead(report: AnnualReport) -> str:
    return _(
        "Every body with a responsible part in the plan (executing body or recommended institution), and the "
        "updates on its measures approved for the periods of %(year)s."
    ) % {"year": report.year}


def body_tables(report: AnnualReport) -> list[Table]:
    reported = Table(
        caption=_("Bodies that reported in the year (%(count)s)") % {"count": len(report.reported_bodies)},
        header=[_("Body"), _("Kind"), _("Measures"), _("Leads"), _("Measures reported on"), _("Approved updates")],
        rows=[
            [
                cell(marked(line.agency.name)),
                cell(line.agency.get_kind_display()),
                cell(line.measures),
                cell(line.leads),
                cell(line.measures_reported),
                cell(line.updates),
            ]
            for line in report.reported_bodies
        ],
        widths=[40, 16, 11, 9, 12, 12],
        numeric=frozenset({2, 3, 4, 5}),
    )
    silent = Table(
        caption=_("Bodies that did not report in the year (%(count)s)") % {"count": len(report.silent_bodies)},
        header=[_("Body"), _("Kind"), _("Measures"), _("Leads")],
        rows=[
            [
                cell(marked(line.agency.name)),
                cell(line.agency.get_kind_display()),
                cell(line.measures),
                cell(line.leads),
            ]
            for line in report.silent_bodies
        ],
        widths=[52, 24, 12, 12],
        numeric=frozenset({2, 3}),
    )
    return [table for table in (reported, silent) if table.rows]


def coverage_lead(report: AnnualReport) -> str:
    return _(
        "For each source published by %(year)s: how many of its recommendations measures of the plan answer "
        "(at least one of them under way, ongoing or completed at the end of the year), how many are answered "
        "only by measures overdue or not started, and how many by no measure. The recommendations no measure "
        "answers are listed after the table."
    ) % {"year": report.year}


def coverage_tables(report: AnnualReport) -> list[Table]:
    if not report.coverage:
        return []
    tables = [
        Table(
            caption=_("Recommendations by source"),
            header=[
                _("Source"),
                _("Recommendations"),
                _("Answered"),
                _("Only by overdue or not started measures"),
                _("Not answered"),
            ],
            rows=[
                [
                    [
                        Line(line.source.reference, "strong"),
                        *cell(marked(line.source.title)),
                        *cell(_("illustrative") if line.source.is_illustrative else "", style="muted"),
                    ],
                    cell(line.total),
                    cell(line.answered),
                    cell(line.stalled),
                    cell(line.unanswered),
                ]
                for line in report.coverage
            ],
            widths=[36, 18, 13, 20, 13],
            numeric=frozenset({1, 2, 3, 4}),
        )
    ]
    if report.unanswered:
        tables.append(
            Table(
                caption=_("Recommendations no measure of the plan answers (%(count)s)")
                % {"count": len(report.unanswered)},
                header=[_("Source"), _("No."), _("Recommendation")],
                rows=[
                    [
                        cell(recommendation.source.reference),
                        cell(recommendation.number),
                        [
                            Line(marked(recommendation.text)),
                            *cell(_("illustrative") if recommendation.is_illustrative else "", style="muted"),
                        ],
                    ]
                    for recommendation in report.unanswered
                ],
                widths=[20, 10, 70],
            )
        )
    return tables


def annual_layout(report: AnnualReport, *, generated_at: datetime) -> dict:
    """Everything both writers print, in the active language."""
    language = get_language() or "en"
    return {
        "report": report,
        "edition": report.edition,
        "title": annual_title(report.year),
        "issuer_name": issuer_name(language),
        "language_code": language,
        "generated_at": generated_at,
        "cover_facts": cover_facts(report, generated_at=generated_at),
        "method_note": method_note(),
        "restricted_notice": restricted_notice() if report.has_restricted else "",
        "headings": headings(),
        "summary_paragraphs": summary_paragraphs(report),
        "summary_tables": summary_tables(report),
        "area_blocks": area_blocks(report),
        "bodies_lead": bodies_lead(report),
        "body_tables": body_tables(report),
        "coverage_lead": coverage_lead(report),
        "coverage_tables": coverage_tables(report),
    }
