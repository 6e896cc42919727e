"""Results a measure can be held to: indicator values against baseline and target, money planned and spent.

Pure functions over rows already loaded (see `selectors.measure_results` and reporting.results): no
queries here, so pages and reports built on them keep their fixed query counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from measures.models import Category, Indicator

Unit = Indicator.Unit
CATEGORY_LABELS = dict(Category.choices)


def show_number(value: Decimal | None, unit: str = Unit.NUMBER) -> str:
    """A value as a reader expects it: no trailing ".00", grouped thousands, a % for percentages."""
    if value is None:
        return "—"
    value = Decimal(value)
    whole = value == value.to_integral_value()
    text = number_format(int(value) if whole else value.normalize(), force_grouping=True)
    return f"{text} %" if unit == Unit.PERCENT else text


def show_value(indicator: Indicator, value: Decimal | None = None, text: str = "") -> str:
    if indicator.unit == Unit.TEXT:
        return text or "—"
    if indicator.unit == Unit.YES_NO:
        if value is None:
            return "—"
        return _("Yes") if value else _("No")
    return show_number(value, indicator.unit)


def baseline_display(indicator: Indicator) -> str:
    shown = show_value(indicator, indicator.baseline_value, indicator.baseline_text)
    return f"{shown} ({indicator.baseline_year})" if indicator.baseline_year and shown != "—" else shown


def target_display(indicator: Indicator) -> str:
    shown = show_value(indicator, indicator.target_value, indicator.target_text)
    return f"{shown} ({indicator.target_year})" if indicator.target_year and shown != "—" else shown


def total_of(indicator: Indicator, values: dict) -> Decimal | None:
    """The value for the whole indicator from one update's values by category: its total, or for a
    number broken down, the sum of its categories."""
    if Category.TOTAL in values and values[Category.TOTAL] is not None:
        return values[Category.TOTAL]
    if indicator.unit == Unit.NUMBER and indicator.categories:
        parts = [values.get(category) for category in indicator.categories]
        if any(part is not None for part in parts):
            return sum((part for part in parts if part is not None), Decimal(0))
    return None


def share_of_target(indicator: Indicator, latest: Decimal | None) -> int | None:
    """How far from baseline to target the latest value has come, in percent (may pass 100); None when
    it cannot be said (text, no target, no value)."""
    if latest is None or indicator.target_value is None or indicator.unit == Unit.TEXT:
        return None
    if indicator.unit == Unit.YES_NO:
        return 100 if latest == indicator.target_value else 0
    baseline = indicator.baseline_value or Decimal(0)
    if indicator.target_value == baseline:
        return 100 if latest >= indicator.target_value else 0
    share = (latest - baseline) / (indicator.target_value - baseline) * 100
    return max(0, round(share))


@dataclass
class Reading:
    """One period's value of an indicator, as approved."""

    period: str
    agency: object
    total: Decimal | None
    text: str
    by_category: list  # (label, shown value)


@dataclass
class IndicatorProgress:
    indicator: Indicator
    readings: list = field(default_factory=list)

    @property
    def latest(self) -> Reading | None:
        return self.readings[-1] if self.readings else None

    @property
    def share(self) -> int | None:
        latest = self.latest
        return share_of_target(self.indicator, latest.total if latest else None)

    @property
    def share_width(self) -> int:
        return min(100, self.share or 0)

    @property
    def reached(self) -> bool:
        return self.share is not None and self.share >= 100

    def show(self, reading: Reading) -> str:
        return show_value(self.indicator, reading.total, reading.text)


def indicator_progress(indicators, values) -> list[IndicatorProgress]:
    """Baseline → approved values period by period → target, for each indicator. `values` are
    IndicatorValue rows of approved updates with `update__period` and `update__agency` loaded."""
    grouped: dict = defaultdict(lambda: defaultdict(dict))
    texts: dict = {}
    updates: dict = {}
    for value in values:
        grouped[value.indicator_id][value.update_id][value.category] = value.value
        if value.text:
            texts[(value.indicator_id, value.update_id)] = value.text
        updates[value.update_id] = value.update
    progress = []
    for indicator in indicators:
        readings = []
        by_update = grouped.get(indicator.pk, {})
        ordered = sorted(by_update, key=lambda pk: (updates[pk].period.start, updates[pk].reviewed_at or 0, pk))
        for update_pk in ordered:
            update, by_category = updates[update_pk], by_update[update_pk]
            readings.append(
                Reading(
                    period=update.period.label,
                    agency=update.agency,
                    total=total_of(indicator, by_category),
                    text=texts.get((indicator.pk, update_pk), ""),
                    by_category=[
                        (CATEGORY_LABELS[category], show_value(indicator, by_category.get(category)))
                        for category in indicator.categories
                        if category in by_category
                    ],
                )
            )
        progress.append(IndicatorProgress(indicator, readings))
    return progress


def money(amount: Decimal, currency: str) -> str:
    return f"{show_number(amount)} {currency}"


def totals_by_currency(lines) -> list[tuple[str, Decimal]]:
    """Amounts added per currency, never across currencies: [("AZN", 1200), ("USD", 500)]."""
    sums: dict = defaultdict(Decimal)
    for line in lines:
        sums[line.currency] += line.amount
    return sorted(sums.items())


@dataclass
class BudgetRow:
    source: object  # FundingSource or None (not stated)
    currency: str
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    @property
    def share_spent(self) -> int | None:
        return round(100 * self.spent / self.planned) if self.planned else None


def budget_rows(lines, spending) -> list[BudgetRow]:
    """Planned beside spent, per funding source and currency (never across currencies)."""
    rows: dict = {}
    for line in lines:
        row = rows.setdefault((line.source_id, line.currency), BudgetRow(line.source, line.currency))
        row.planned += line.amount
    for spent in spending:
        row = rows.setdefault((spent.source_id, spent.currency), BudgetRow(spent.source, spent.currency))
        row.spent += spent.amount
    return sorted(rows.values(), key=lambda row: (row.currency, row.source is None, str(row.source or "")))


def budget_totals(rows: list[BudgetRow]) -> list[BudgetRow]:
    """One row per currency: planned and spent of every source together."""
    totals: dict = {}
    for row in rows:
        total = totals.setdefault(row.currency, BudgetRow(None, row.currency))
        total.planned += row.planned
        total.spent += row.spent
    return [totals[currency] for currency in sorted(totals)]
