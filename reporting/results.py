"""Indicator progress and budgets for a report's measures — the same numbers on the dashboard, in the PDF
and in the XLSX.

`results_numbers(numbers)` works on the measures a `ReportNumbers` holds, in four queries whatever
their number: the indicators, their approved values up to the report's moment, the planned budget
lines, and the money approved updates report as spent. Amounts are added per currency, never across.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from measures.models import BudgetLine, Indicator, IndicatorValue, Spending, StatusUpdate
from measures.results import BudgetRow, IndicatorProgress, budget_rows, budget_totals, indicator_progress
from reporting.numbers import ReportNumbers


@dataclass
class IndicatorCounts:
    """How a group of indicators stands: how many, how many have an approved value, how many reached
    their target, and the average share of the target reached (of those that can say)."""

    total: int = 0
    reported: int = 0
    reached: int = 0
    share_sum: int = 0
    with_share: int = 0

    def add(self, item: IndicatorProgress):
        self.total += 1
        self.reported += bool(item.readings)
        share = item.share
        if share is not None:
            self.with_share += 1
            self.share_sum += min(share, 100)
            self.reached += share >= 100

    @property
    def average_share(self) -> int | None:
        return round(self.share_sum / self.with_share) if self.with_share else None

    @property
    def not_reported(self) -> int:
        return self.total - self.reported


@dataclass
class AreaResults:
    code: str
    title: str
    indicators: IndicatorCounts = field(default_factory=IndicatorCounts)
    items: list = field(default_factory=list)  # IndicatorProgress, in measure order
    budget: list = field(default_factory=list)  # BudgetRow per currency


@dataclass
class ResultNumbers:
    areas: list
    indicators: IndicatorCounts
    by_source: list  # BudgetRow per source and currency
    by_agency: list  # (agency, [BudgetRow per currency])
    totals: list  # BudgetRow per currency

    @property
    def has_budget(self) -> bool:
        return bool(self.totals)


def results_numbers(numbers: ReportNumbers) -> ResultNumbers:
    rows = numbers.rows
    measure_ids = [row.measure.pk for row in rows]
    approved = StatusUpdate.State.APPROVED
    moment = {} if numbers.current else {"update__period__end__lte": numbers.as_of}

    # Query 1: the indicators; query 2: their approved values up to the report's moment.
    indicators = list(Indicator.objects.filter(measure_id__in=measure_ids).order_by("measure_id", "order", "pk"))
    values = IndicatorValue.objects.filter(
        indicator__measure_id__in=measure_ids, update__state=approved, **moment
    ).select_related("update__period", "update__agency")
    progress = indicator_progress(indicators, values)
    by_measure = defaultdict(list)
    for item in progress:
        by_measure[item.indicator.measure_id].append(item)

    # Query 3: planned lines; query 4: money spent, as approved updates report it.
    lines = list(BudgetLine.objects.filter(measure_id__in=measure_ids).select_related("source"))
    spending = list(
        Spending.objects.filter(update__measure_id__in=measure_ids, update__state=approved, **moment).select_related(
            "source", "update__agency"
        )
    )
    lines_by_measure, spent_by_measure = defaultdict(list), defaultdict(list)
    for line in lines:
        lines_by_measure[line.measure_id].append(line)
    for spent in spending:
        spent_by_measure[spent.update.measure_id].append(spent)

    areas, overall = [], IndicatorCounts()
    planned_by_agency, spent_by_agency, agencies = defaultdict(list), defaultdict(list), {}
    for section in numbers.sections:
        area = AreaResults(code=section.code, title=section.title)
        area_lines, area_spent = [], []
        for row in section.rows:
            for item in by_measure.get(row.measure.pk, ()):
                area.items.append((row.measure, item))
                area.indicators.add(item)
                overall.add(item)
            area_lines += lines_by_measure.get(row.measure.pk, [])
            area_spent += spent_by_measure.get(row.measure.pk, [])
            # Money planned counts for the measure's lead body (or its first responsible one).
            owner = next((a for a in row.responsible if a.is_lead), row.responsible[0] if row.responsible else None)
            if owner is not None:
                agencies[owner.agency_id] = owner.agency
                planned_by_agency[owner.agency_id] += lines_by_measure.get(row.measure.pk, [])
        area.budget = budget_totals(budget_rows(area_lines, area_spent))
        areas.append(area)
    for spent in spending:
        agencies.setdefault(spent.update.agency_id, spent.update.agency)
        spent_by_agency[spent.update.agency_id].append(spent)
    by_agency = [
        (agencies[pk], budget_totals(budget_rows(planned_by_agency.get(pk, []), spent_by_agency.get(pk, []))))
        for pk in sorted(agencies, key=lambda pk: str(agencies[pk].name))
    ]
    by_source = budget_rows(lines, spending)
    return ResultNumbers(
        areas=areas,
        indicators=overall,
        by_source=by_source,
        by_agency=[(agency, rows) for agency, rows in by_agency if rows],
        totals=budget_totals(by_source),
    )


__all__ = ["AreaResults", "BudgetRow", "IndicatorCounts", "ResultNumbers", "results_numbers"]
