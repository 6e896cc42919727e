"""Reading one row below the header: an area heading or a measure, and how it differs from what is stored."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from measures.importing.agencies import AgencyIndex, parse_agencies
from measures.importing.columns import (
    COLUMNS,
    COLUMNS_BY_KEY,
    CONTENT_LANGUAGES,
    MAX_LENGTHS,
    PART_FOR_CONCEPT,
    PILLAR_WORDS,
    TEXT_CONCEPTS,
)
from measures.importing.headers import normalize
from measures.importing.outcomes import Action, ImportPreview, NewArea, ParsedMeasure, Problem, RowOutcome
from measures.importing.periods import PeriodProblem, parse_period
from measures.importing.recommendations import RecommendationIndex, parse_recommendations
from measures.importing.results import SourceIndex, parse_budget, parse_indicators
from measures.models import Area, Edition, Measure, MeasureAgency, Pillar

NUMBER = re.compile(r"^\d+(\.\d+)*[a-z]?$", re.IGNORECASE)  # 4.1.1, 13.2.3, 4.1.1a
HEADING = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+(\S.*)$", re.DOTALL)
FIELD_LABELS = {column.key: column.label for column in COLUMNS}
# Looked up by the normalised text, so the words must be normalised too ("tərəfdaşlıq" → "tərəfdaşliq").
PILLARS = {normalize(word): pillar for word, pillar in PILLAR_WORDS.items()}


def _clean_number(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(".")


@dataclass
class RowReader:
    edition: Edition
    preview: ImportPreview
    by_key: dict[str, int]
    agencies: AgencyIndex
    areas: dict[str, Area]
    area_language: str
    title_language: str
    heading_area: str = ""
    sources: SourceIndex | None = None
    recommendations: RecommendationIndex | None = None

    def cell(self, cells, key) -> str:
        index = self.by_key.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def label(self, key) -> str:
        return str(COLUMNS_BY_KEY[key].label)

    # A row without agencies or period is an area heading ("4.1 Improving the legal base"), which
    # the official annex writes across the whole table.
    def read_row(self, row: int, cells: list[str]) -> RowOutcome | None:
        number_text = self.cell(cells, "number")
        texts = {c.key: self.cell(cells, c.key) for c in self.preview.columns}
        has_work = any(
            texts.get(key)
            for key in ("executing", "recommended", "partners", "period_text_en", "period_text_az", "period_text_ru")
        )
        if not has_work:
            return self.read_heading(row, cells, number_text)
        return self.read_measure(row, cells, number_text)

    def read_heading(self, row, cells, number_text) -> RowOutcome | None:
        filled = [cell for cell in cells if cell]
        title = next(
            (self.cell(cells, c.key) for c in self.preview.columns if c.concept == "title" and self.cell(cells, c.key)),
            "",
        )
        code = _clean_number(number_text) if NUMBER.match(_clean_number(number_text) or "-") else ""
        if not code and (match := HEADING.match(filled[0])) and NUMBER.match(_clean_number(match[1])):
            code, title = match[1], title or match[2].strip()
        elif code and not title and len(filled) > 1:
            title = filled[1]
        if not code:
            self.preview.notices.append(
                _("Row %(row)s (“%(text)s”) is read as a heading without an area number; it is left out.")
                % {"row": row, "text": filled[0][:80]}
            )
            return None
        outcome = RowOutcome(row=row, action=Action.HEADING, number=code, title=title, area=code)
        if code in self.areas or code in self.preview.new_areas:
            self.heading_area = code
            return outcome
        if not title:
            outcome.problems.append(
                Problem(
                    _(
                        "“%(code)s” has no measure text, executing bodies or period. If it is a measure, fill them in; "
                        "if it is a new area, write its title beside the number."
                    )
                    % {"code": code},
                    row,
                )
            )
            return outcome
        self._add_area(code, title, self.title_language, "", row, outcome)
        self.heading_area = code
        return outcome

    def _add_area(self, code, title, language, pillar_text, row, outcome):
        if (
            len(code) > Area._meta.get_field("code").max_length
            or len(title) > Area._meta.get_field("title_en").max_length
        ):
            outcome.problems.append(
                Problem(
                    _(
                        "the area “%(code)s” has a number longer than 20 characters or a title longer than 300 — shorten it."
                    )
                    % {"code": code[:30]},
                    row,
                    self.label("area"),
                )
            )
            return
        pillar, given = Pillar.COORDINATION, False
        if pillar_text:
            pillar = PILLARS.get(normalize(pillar_text))
            if pillar is None:
                outcome.problems.append(
                    Problem(
                        _("unknown pillar “%(text)s” — write one of: %(choices)s.")
                        % {"text": pillar_text, "choices": ", ".join(value for value, _label in Pillar.choices)},
                        row,
                        self.label("pillar"),
                    )
                )
                return
            given = True
        self.preview.new_areas[code] = NewArea(code, title, language, pillar, given, row)

    def read_measure(self, row: int, cells: list[str], number_text: str) -> RowOutcome:
        number = _clean_number(number_text)
        outcome = RowOutcome(row=row, action=Action.NEW, number=number)
        problems = outcome.problems
        if not number:
            problems.append(
                Problem(_("empty — every measure needs its number, e.g. 4.1.1."), row, self.label("number"))
            )
        elif not NUMBER.match(number) or len(number) > 20:
            problems.append(
                Problem(
                    _("“%(text)s” is not a measure number — write numbers separated by dots, e.g. 4.1.1.")
                    % {"text": number_text},
                    row,
                    self.label("number"),
                )
            )
        parsed = ParsedMeasure(number=number)

        # Texts, in every language the file has a column for.
        for column in self.preview.columns:
            if column.concept in TEXT_CONCEPTS:
                value = self.cell(cells, column.key)
                base = column.key.rsplit("_", 1)[0]
                limit = MAX_LENGTHS.get(base)
                if limit and len(value) > limit:
                    problems.append(
                        Problem(
                            _("%(n)s characters; at most %(max)s fit — shorten it.") % {"n": len(value), "max": limit},
                            row,
                            str(column.label),
                        )
                    )
                parsed.values[column.key] = value
        titles = [parsed.values.get(f"title_{language}", "") for language in CONTENT_LANGUAGES]
        outcome.title = next((t for t in (parsed.values.get(f"title_{self.title_language}", ""), *titles) if t), "")
        if not any(titles):
            problems.append(Problem(_("empty — write the measure as the plan words it."), row, self.label("title_en")))

        # Period: the wording is kept as written; the dates come from the first language filled in.
        period_keys = [key for key in ("period_text_en", "period_text_az", "period_text_ru") if key in parsed.values]
        parsed.period_fields = period_keys
        wording = next((parsed.values[key] for key in period_keys if parsed.values[key]), "")
        period_column = next((key for key in period_keys if parsed.values[key]), period_keys[0] if period_keys else "")
        if not wording:
            problems.append(
                Problem(
                    _("empty — write the years, e.g. 2020–2022, or “permanent”."),
                    row,
                    self.label(period_column or "period_text_en"),
                )
            )
        else:
            try:
                parsed.period = parse_period(wording, self.edition)
            except PeriodProblem as problem:
                problems.append(Problem(str(problem), row, self.label(period_column)))

        # Agencies and their parts.
        placed: dict[int, str] = {}
        for concept, part in PART_FOR_CONCEPT.items():
            if concept not in self.by_key:
                continue
            found, errors = parse_agencies(self.cell(cells, concept), self.agencies)
            problems.extend(Problem(message, row, self.label(concept)) for message in errors)
            for agency_id, is_lead in found:
                if agency_id in placed:
                    problems.append(
                        Problem(
                            _("%(agency)s is also listed under %(other)s — an agency has one part in a measure.")
                            % {"agency": self.agencies.label(agency_id), "other": self.label(placed[agency_id])},
                            row,
                            self.label(concept),
                        )
                    )
                    continue
                if is_lead and part != MeasureAgency.Part.EXECUTING:
                    problems.append(
                        Problem(
                            _("only an executing body can lead a measure — remove the * after %(agency)s.")
                            % {"agency": self.agencies.label(agency_id)},
                            row,
                            self.label(concept),
                        )
                    )
                placed[agency_id] = concept
            parsed.assignments[part] = [(agency_id, lead) for agency_id, lead in found]
        responsible = parsed.assignments.get(MeasureAgency.Part.EXECUTING, []) + parsed.assignments.get(
            MeasureAgency.Part.RECOMMENDED, []
        )
        if not responsible and not any(
            p.column in (self.label("executing"), self.label("recommended")) for p in problems
        ):
            problems.append(
                Problem(_("empty — name at least one body that carries out the measure."), row, self.label("executing"))
            )

        # Indicators and the planned budget, when the file has their columns.
        if any(key.startswith("indicator_name_") for key in self.by_key):
            names = {language: self.cell(cells, f"indicator_name_{language}") for language in CONTENT_LANGUAGES}
            parsed.indicators, errors = parse_indicators(
                names, self.cell(cells, "indicator_unit"), self.cell(cells, "baseline"), self.cell(cells, "target")
            )
            problems.extend(Problem(message, row, self.label("indicator_name_en")) for message in errors)
        if "budget" in self.by_key:
            parsed.budget, errors = parse_budget(
                self.cell(cells, "budget"), self.cell(cells, "funding_source"), self.sources
            )
            problems.extend(Problem(message, row, self.label("budget")) for message in errors)
        if "recommendations" in self.by_key:
            parsed.recommendations, errors = parse_recommendations(
                self.cell(cells, "recommendations"), self.recommendations
            )
            problems.extend(Problem(message, row, self.label("recommendations")) for message in errors)

        # Area: the area column, else the heading above, else the number's first part.
        area_text = self.cell(cells, "area")
        if area_text:
            match = HEADING.match(area_text)
            code = _clean_number(match[1]) if match else _clean_number(area_text)
            title = match[2].strip() if match else ""
            if not NUMBER.match(code or "-"):
                problems.append(
                    Problem(
                        _("“%(text)s” does not start with the area's number — write e.g. “4.1 Legal base”.")
                        % {"text": area_text},
                        row,
                        self.label("area"),
                    )
                )
            elif code not in self.areas and code not in self.preview.new_areas:
                if not title:
                    problems.append(
                        Problem(
                            _("area %(code)s is not in this plan yet — write its title after the number to add it.")
                            % {"code": code},
                            row,
                            self.label("area"),
                        )
                    )
                else:
                    self._add_area(code, title, self.area_language, self.cell(cells, "pillar"), row, outcome)
            parsed.area_code, parsed.area_explicit = code, True
        elif self.heading_area and number.startswith(self.heading_area + "."):
            # A heading covers the measures numbered under it; 4.1.1 below heading 4.6 is not in 4.6.
            parsed.area_code, parsed.area_explicit = self.heading_area, True
        elif number:
            known = set(self.areas) | set(self.preview.new_areas)
            prefixes = [number.rsplit(".", depth)[0] for depth in range(1, number.count(".") + 1)]
            parsed.area_code = next((prefix for prefix in prefixes if prefix in known), "")
        outcome.area = parsed.area_code
        outcome.parsed = parsed
        return outcome

    def compare(self, outcome: RowOutcome, measure: Measure | None):
        parsed = outcome.parsed
        if measure is None:
            outcome.action = Action.NEW
            if not parsed.area_code:
                outcome.problems.append(
                    Problem(
                        _(
                            "no area for measure %(number)s — add an Area column, a heading row such as “4.1 Title” "
                            "above it, or add the area to the plan first."
                        )
                        % {"number": parsed.number},
                        outcome.row,
                        self.label("area"),
                    )
                )
            return
        outcome.measure_id = measure.pk
        if not parsed.area_explicit:
            parsed.area_code = measure.area.code
            outcome.area = measure.area.code
        changes = []
        if parsed.area_code != measure.area.code:
            changes.append(str(self.label("area")))
        for key, value in parsed.values.items():
            if _same_text(getattr(measure, key), value):
                continue
            changes.append(str(FIELD_LABELS[key]))
        final_titles = [
            parsed.values.get(f"title_{language}", getattr(measure, f"title_{language}"))
            for language in CONTENT_LANGUAGES
        ]
        if not any(t.strip() for t in final_titles):
            outcome.problems.append(
                Problem(_("empty — write the measure as the plan words it."), outcome.row, self.label("title_en"))
            )
        if period_changes(measure, parsed) and parsed.period != (measure.start_date, measure.deadline):
            changes.append(str(_("start and deadline")))
        current = _current_assignments(measure, parsed.assignments)
        for part, wanted in parsed.assignments.items():
            if current.get(part, set()) != set(wanted):
                changes.append(str(self.label({v: k for k, v in PART_FOR_CONCEPT.items()}[part])))
        if parsed.indicators is not None and indicators_change(measure, parsed.indicators):
            changes.append(str(_("indicators")))
        if parsed.budget is not None and budget_changes(measure, parsed.budget):
            changes.append(str(self.label("budget")))
        if parsed.recommendations is not None and recommendations_change(measure, parsed.recommendations):
            changes.append(str(self.label("recommendations")))
        outcome.changes = changes
        outcome.action = Action.CHANGED if changes else Action.UNCHANGED


def matching_indicator(measure: Measure, spec):
    """The stored indicator a line of the file names: the same name in any language it gives."""
    for indicator in measure.indicator_set.all():
        if any(
            name and normalize(getattr(indicator, f"name_{language}")) == normalize(name)
            for language, name in spec.names.items()
        ):
            return indicator
    return None


def indicators_change(measure: Measure, specs) -> bool:
    for spec in specs:
        indicator = matching_indicator(measure, spec)
        if indicator is None:
            return True
        wanted = spec.fields() | {f"name_{language}": name for language, name in spec.names.items()}
        if any(getattr(indicator, key) != value for key, value in wanted.items()):
            return True
    return False


def recommendations_change(measure: Measure, wanted: list[int]) -> bool:
    return {r.pk for r in measure.recommendations.all()} != set(wanted)


def budget_changes(measure: Measure, lines) -> bool:
    stored = sorted((line.source_id or 0, line.amount, line.currency) for line in measure.budget_lines.all())
    return stored != sorted((source or 0, amount, currency) for source, amount, currency in lines)


def _same_text(stored, value) -> bool:
    return (stored or "").replace("\r\n", "\n").strip() == value


def period_changes(measure: Measure, parsed: ParsedMeasure) -> bool:
    """Dates follow the wording: they are set when the wording changes or none are set yet.

    While the plan's wording stays the same, dates refined by hand in the admin are kept.
    """
    if parsed.period is None:
        return False
    if measure.start_date is None or measure.deadline is None:
        return True
    return any(not _same_text(getattr(measure, key), parsed.values[key]) for key in parsed.period_fields)


def _current_assignments(measure: Measure, wanted: dict) -> dict[str, set[tuple[int, bool]]]:
    current: dict[str, set[tuple[int, bool]]] = defaultdict(set)
    for assignment in measure.assignments.all():
        current[assignment.part].add((assignment.agency_id, assignment.is_lead))
    return current
