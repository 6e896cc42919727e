"""Exporting an edition in the columns the import reads, and the empty template that explains them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from measures.importing.columns import BUDGET_CONCEPTS, COLUMNS, LANGUAGE_NAMES, PART_FOR_CONCEPT, RESULT_CONCEPTS
from measures.importing.recommendations import recommendations_cell
from measures.importing.results import budget_cell, unit_cell, value_cell
from measures.models import Edition
from nap_tracker.spreadsheets import safe_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def _agency_cell(assignments) -> str:
    names = []
    for assignment in sorted(assignments, key=lambda a: (not a.is_lead, a.agency.name_en or a.agency.code)):
        agency = assignment.agency
        names.append((agency.name_en or agency.code) + ("*" if assignment.is_lead else ""))
    return "; ".join(names)


def _results_cell(measure, column) -> str:
    indicators = list(measure.indicator_set.all())
    lines = list(measure.budget_lines.all())
    if column.concept == "indicator_name":
        cells = [getattr(i, f"name_{column.language}") for i in indicators]
    elif column.concept == "indicator_unit":
        cells = [unit_cell(i.unit) for i in indicators]
    elif column.concept == "baseline":
        cells = [value_cell(i.baseline_value, i.baseline_text, i.baseline_year, i.unit) for i in indicators]
    elif column.concept == "target":
        cells = [value_cell(i.target_value, i.target_text, i.target_year, i.unit) for i in indicators]
    elif column.concept == "budget":
        cells = [budget_cell(line) for line in lines]
    else:
        cells = [line.source.code if line.source else "" for line in lines]
    return "\n".join(cells) if any(cells) else ""


def edition_rows(edition: Edition) -> list[list[str]]:
    """The edition's measures as rows of COLUMNS. Seven queries (recommendations and their sources add two)."""
    rows = []
    measures = (
        edition.measures.select_related("area")
        .prefetch_related("assignments__agency", "indicator_set", "budget_lines__source", "recommendations__source")
        .order_by("sort_key")
    )
    for measure in measures:
        by_part = defaultdict(list)
        for assignment in measure.assignments.all():
            by_part[assignment.part].append(assignment)
        row = []
        for column in COLUMNS:
            if column.concept == "number":
                row.append(measure.number)
            elif column.concept == "area":
                row.append(f"{measure.area.code} {measure.area.title_en}".strip())
            elif column.concept == "pillar":
                row.append(measure.area.pillar)
            elif column.concept in PART_FOR_CONCEPT:
                row.append(_agency_cell(by_part[PART_FOR_CONCEPT[column.concept]]))
            elif column.concept == "recommendations":
                row.append(recommendations_cell(measure.recommendations.all()))
            elif column.concept in RESULT_CONCEPTS or column.concept in BUDGET_CONCEPTS:
                row.append(_results_cell(measure, column))
            else:
                row.append(getattr(measure, column.key) or "")
        rows.append(row)
    return rows


def _workbook(rows: list[list[str]], *, with_help: bool):
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Measures"
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for index, column in enumerate(COLUMNS, start=1):
        width = 12 if column.concept in ("number", "pillar") else 40 if column.concept == "title" else 28
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Numbers such as 4.10 must stay text, not become the number 4.1.
    for (cell,) in sheet.iter_rows(min_row=1, min_col=1, max_col=1):
        cell.number_format = "@"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    if with_help:
        guide = workbook.create_sheet("Columns")
        guide.append([str(_("Column")), str(_("What to write")), str(_("Example"))])
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for column in COLUMNS:
            explanation = str(column.help)
            if column.language and column.language != "en":
                explanation = str(_("The same, in %(language)s.") % {"language": LANGUAGE_NAMES[column.language]})
            guide.append([column.header, explanation, column.example])
        guide.append([])
        for note in (
            _(
                "Only the first sheet is read. Headers may also be written in Azerbaijani or Russian (e.g. “Tədbirin adı”, “İcraçı orqanlar”, “İcra müddəti”)."
            ),
            _(
                "Empty rows are skipped. A row with a number and a title but no bodies or period (e.g. “4.1 Legal base”) starts a new area."
            ),
            _("Columns left out of the file are left as they are; a column that is present replaces what is stored."),
            _("Nothing is imported until the whole file is correct; the preview lists every problem with its row."),
        ):
            guide.append([str(note)])
        guide.column_dimensions["A"].width = 28
        guide.column_dimensions["B"].width = 90
        guide.column_dimensions["C"].width = 40
        for row in guide.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_edition(*, edition: Edition, file_format: str = "xlsx") -> ExportFile:
    """The edition's measures in the columns the import reads (XLSX or CSV)."""
    rows = edition_rows(edition)
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.header for column in COLUMNS])
        writer.writerows([safe_cell(value) for value in row] for row in rows)
        # With a byte-order mark, Excel opens UTF-8 correctly.
        return ExportFile(f"{edition.code}-measures.csv", "text/csv", ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return ExportFile(f"{edition.code}-measures.xlsx", XLSX_CONTENT_TYPE, _workbook(rows, with_help=True))


def import_template() -> ExportFile:
    """An empty table with every column, and a second sheet explaining each one."""
    return ExportFile("nap-measures-template.xlsx", XLSX_CONTENT_TYPE, _workbook([], with_help=True))
