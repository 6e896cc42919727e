"""The preview: what importing a file would do, row by row, and why. Writes nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from measures.importing.agencies import AgencyIndex
from measures.importing.columns import COLUMNS_BY_KEY
from measures.importing.headers import area_header_language, column_letter, find_header, is_column_numbering
from measures.importing.outcomes import Action, ImportPreview, Problem
from measures.importing.read import FileProblem, read_table
from measures.importing.recommendations import RecommendationIndex
from measures.importing.results import SourceIndex
from measures.importing.rows import RowReader
from measures.models import Edition, Pillar


def import_preview(*, edition: Edition, filename: str, content: bytes) -> ImportPreview:
    """What importing the file would do, row by row. Writes nothing. A fixed number of queries."""
    preview = ImportPreview(edition=edition, filename=filename)
    try:
        rows = read_table(filename=filename, content=content)
        header_position, mapping, header_cells = find_header(rows)
    except FileProblem as problem:
        preview.file_problems.append(Problem(str(problem)))
        return preview

    seen_keys: dict[str, int] = {}
    for index, column in sorted(mapping.items()):
        if column.key in seen_keys:
            preview.file_problems.append(
                Problem(
                    _(
                        "Columns %(a)s and %(b)s are both read as “%(label)s”. Rename or remove one of them "
                        "(texts in other languages: add (az) or (ru) to the header)."
                    )
                    % {"a": column_letter(seen_keys[column.key]), "b": column_letter(index), "label": column.header}
                )
            )
        seen_keys[column.key] = index
    for index, cell in enumerate(header_cells):
        if cell and index not in mapping:
            preview.notices.append(
                _("Column %(letter)s “%(header)s” is not one the import reads; it is left out.")
                % {"letter": column_letter(index), "header": cell}
            )
    concepts = {column.concept for column in mapping.values()}
    missing = []
    if "number" not in concepts:
        missing.append("No.")
    if "title" not in concepts:
        missing.append(_("Measure"))
    if not concepts & {"executing", "recommended"}:
        missing.append(_("Executing bodies"))
    if "period" not in concepts:
        missing.append(_("Implementation period"))
    if missing:
        found = ", ".join(f"“{cell}”" for cell in header_cells if cell) or "—"
        preview.file_problems.append(
            Problem(
                _(
                    "The file has no column for %(missing)s. The header row (row %(row)s) reads: %(found)s. "
                    "Name the columns as in the template, in English, Azerbaijani or Russian."
                )
                % {
                    # Quoted like the headers found, so "No." cannot run into the sentence's full stop.
                    "missing": ", ".join(f"“{name}”" for name in missing),
                    "row": rows[header_position][0],
                    "found": found,
                }
            )
        )
    if preview.file_problems:
        return preview
    preview.columns = [mapping[index] for index in sorted(mapping)]

    by_key = {column.key: index for index, column in mapping.items()}
    area_language = area_header_language(header_cells[by_key["area"]]) if "area" in by_key else "en"
    title_language = next(c.language for c in preview.columns if c.concept == "title")

    agencies = AgencyIndex(edition.country_id)
    existing_areas = {area.code: area for area in edition.areas.all()}
    with_recommendations = "recommendations" in by_key
    measures = {
        measure.number: measure
        for measure in edition.measures.select_related("area").prefetch_related(
            "assignments__agency",
            "indicator_set",
            "budget_lines",
            *(["recommendations"] if with_recommendations else []),
        )
    }
    context = RowReader(
        edition=edition,
        preview=preview,
        by_key=by_key,
        agencies=agencies,
        areas=existing_areas,
        area_language=area_language,
        title_language=title_language,
        sources=SourceIndex() if "budget" in by_key else None,
        recommendations=RecommendationIndex() if with_recommendations else None,
    )

    numbers_seen: dict[str, int] = {}
    for row_number, cells in rows[header_position + 1 :]:
        cells = cells + [""] * (len(header_cells) - len(cells))
        if not any(cells) or is_column_numbering(cells):
            continue  # empty rows are skipped, not errors
        outcome = context.read_row(row_number, cells)
        if outcome is None:
            continue
        preview.rows.append(outcome)
        if outcome.parsed:
            number = outcome.parsed.number
            if number in numbers_seen:
                outcome.problems.append(
                    Problem(
                        _(
                            "measure %(number)s is also on row %(other)s — each number may appear once; "
                            "correct the number or remove one of the rows."
                        )
                        % {"number": number, "other": numbers_seen[number]},
                        row_number,
                        str(COLUMNS_BY_KEY["number"].label),
                    )
                )
            else:
                numbers_seen[number] = row_number
            if not outcome.problems:
                context.compare(outcome, measures.get(number))
        if outcome.problems:
            outcome.action = Action.ERROR
    if not any(row.parsed for row in preview.rows) and not preview.file_problems:
        preview.file_problems.append(
            Problem(_("The file has a header row but no measures under it. Add one row per measure."))
        )
    for area in preview.new_areas.values():
        if not area.pillar_given:
            preview.notices.append(
                _(
                    "Area %(code)s is new; no pillar is given, so it is filed under “%(pillar)s”. Add a Pillar "
                    "column, or change it under Areas after the import."
                )
                % {"code": area.code, "pillar": Pillar(area.pillar).label}
            )
    return preview
