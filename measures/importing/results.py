"""Reading and writing a measure's indicators and planned budget in the plan's spreadsheet.

A measure's cell holds one indicator (or one budget line) per line; the columns line up:

    Indicator name            | Unit    | Baseline    | Target
    Victims trained           | number  | 12 (2019)   | 120 (2024)
    Employed after a year     | percent | 20% (2019)  | 60% (2024)

    Planned budget            | Funding source
    450000 AZN                | STATE
    60000 USD                 | IOM
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from measures.importing.headers import normalize
from measures.models import FundingSource, Indicator

Unit = Indicator.Unit
UNIT_WORDS = {
    Unit.NUMBER: ["number", "count", "say", "ədəd", "число", "количество", "кол-во"],
    Unit.PERCENT: ["percent", "percentage", "%", "faiz", "процент", "проценты", "%-lə"],
    Unit.YES_NO: ["yes/no", "yes / no", "yes-no", "bəli/xeyr", "bəli / xeyr", "да/нет", "да / нет"],
    Unit.TEXT: ["text", "mətn", "текст"],
}
UNITS = {normalize(word): unit for unit, words in UNIT_WORDS.items() for word in words}
YES = {normalize(w) for w in ["yes", "bəli", "hə", "да", "1"]}
NO = {normalize(w) for w in ["no", "xeyr", "yox", "нет", "0"]}
VALUE_WITH_YEAR = re.compile(r"^(?P<value>.*?)\s*\(\s*(?P<year>(19|20|21)\d{2})\s*\)\s*$")
AMOUNT = re.compile(r"^(?P<amount>[\d\s.,\u00a0\u202f]+?)\s*(?P<currency>[A-Za-z]{3})$")


@dataclass
class IndicatorSpec:
    names: dict  # language → name
    unit: str
    baseline_value: Decimal | None = None
    baseline_text: str = ""
    baseline_year: int | None = None
    target_value: Decimal | None = None
    target_text: str = ""
    target_year: int | None = None

    def fields(self) -> dict:
        return {
            "unit": self.unit,
            "baseline_value": self.baseline_value,
            "baseline_text": self.baseline_text,
            "baseline_year": self.baseline_year,
            "target_value": self.target_value,
            "target_text": self.target_text,
            "target_year": self.target_year,
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]


def _number(text: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0\u202f%]", "", text)
    if cleaned.count(",") and not cleaned.count("."):
        cleaned = cleaned.replace(",", ".") if len(cleaned.rsplit(",", 1)[1]) != 3 else cleaned.replace(",", "")
    cleaned = cleaned.replace(",", "")
    return Decimal(cleaned)


def _value(text: str, unit: str, what: str) -> tuple[Decimal | None, str, int | None]:
    """'12 (2019)' → (12, '', 2019); a yes/no as 1 or 0; a text as it is."""
    year = None
    if match := VALUE_WITH_YEAR.match(text):
        text, year = match["value"].strip(), int(match["year"])
    if not text:
        return None, "", year
    if unit == Unit.TEXT:
        return None, text[:300], year
    if unit == Unit.YES_NO:
        word = normalize(text)
        if word in YES:
            return Decimal(1), "", year
        if word in NO:
            return Decimal(0), "", year
        raise ValueError(_("%(what)s “%(text)s” is not yes or no.") % {"what": what, "text": text})
    try:
        value = _number(text)
    except InvalidOperation:
        raise ValueError(_("%(what)s “%(text)s” is not a number.") % {"what": what, "text": text}) from None
    if value < 0 or (unit == Unit.PERCENT and value > 100) or value >= Decimal("1e14"):
        raise ValueError(_("%(what)s %(text)s is out of range for its unit.") % {"what": what, "text": text})
    return value, "", year


def parse_indicators(names: dict, units: str, baselines: str, targets: str) -> tuple[list[IndicatorSpec], list[str]]:
    """The indicators of one measure's row, one per line; problems as messages."""
    name_lines = {language: _lines(text) for language, text in names.items() if text}
    count = max((len(lines) for lines in name_lines.values()), default=0)
    unit_lines, baseline_lines, target_lines = _lines(units), _lines(baselines), _lines(targets)
    specs, problems = [], []
    for index in range(count):
        spec_names = {language: lines[index] for language, lines in name_lines.items() if index < len(lines)}
        if not any(spec_names.values()):
            continue
        label = next(name for name in spec_names.values() if name)
        unit_text = unit_lines[index] if index < len(unit_lines) else ""
        unit = UNITS.get(normalize(unit_text)) if unit_text else Unit.NUMBER
        if unit is None:
            problems.append(
                _("the unit “%(unit)s” of “%(name)s” is not one of number, percent, yes/no, text.")
                % {"unit": unit_text, "name": label}
            )
            continue
        spec = IndicatorSpec(names=spec_names, unit=unit)
        try:
            baseline = baseline_lines[index] if index < len(baseline_lines) else ""
            spec.baseline_value, spec.baseline_text, spec.baseline_year = _value(baseline, unit, _("the baseline"))
            target = target_lines[index] if index < len(target_lines) else ""
            spec.target_value, spec.target_text, spec.target_year = _value(target, unit, _("the target"))
        except ValueError as problem:
            problems.append(f"“{label}”: {problem}")
            continue
        specs.append(spec)
    return specs, problems


class SourceIndex:
    """Funding sources by code or name in any language."""

    def __init__(self):
        self.by_word = {}
        for source in FundingSource.objects.all():
            for word in (source.code, source.name_en, source.name_az, source.name_ru):
                if word:
                    self.by_word.setdefault(normalize(word), source.pk)

    def find(self, text: str) -> int | None:
        return self.by_word.get(normalize(text))


def parse_budget(amounts: str, sources: str, index: SourceIndex) -> tuple[list[tuple], list[str]]:
    """Planned lines, one per line: [(source id or None, amount, currency)]."""
    lines, problems = [], []
    source_lines = _lines(sources)
    for position, text in enumerate(_lines(amounts)):
        if not text:
            continue
        match = AMOUNT.match(text)
        if not match:
            problems.append(_("“%(text)s” is not an amount with its currency, e.g. 50000 AZN.") % {"text": text})
            continue
        try:
            amount = _number(match["amount"])
        except InvalidOperation:
            problems.append(_("“%(text)s” is not an amount with its currency, e.g. 50000 AZN.") % {"text": text})
            continue
        source_text = source_lines[position] if position < len(source_lines) else ""
        source = index.find(source_text) if source_text else None
        if source_text and source is None:
            problems.append(
                _("the funding source “%(source)s” is not known — use a code such as STATE, USAID, EU or IOM.")
                % {"source": source_text}
            )
            continue
        lines.append((source, amount, match["currency"].upper()))
    return lines, problems


def value_cell(value: Decimal | None, text: str, year: int | None, unit: str) -> str:
    if unit == Unit.TEXT:
        shown = text
    elif unit == Unit.YES_NO:
        shown = "" if value is None else ("yes" if value else "no")
    else:
        shown = "" if value is None else format(value.normalize(), "f")
        shown += "%" if shown and unit == Unit.PERCENT else ""
    return f"{shown} ({year})" if year and shown else shown


def unit_cell(unit: str) -> str:
    return {Unit.NUMBER: "number", Unit.PERCENT: "percent", Unit.YES_NO: "yes/no", Unit.TEXT: "text"}[unit]


def budget_cell(line) -> str:
    return f"{format(line.amount.normalize(), 'f')} {line.currency}"


__all__ = [
    "IndicatorSpec",
    "SourceIndex",
    "budget_cell",
    "parse_budget",
    "parse_indicators",
    "unit_cell",
    "value_cell",
]
