"""Indicator progress and budgets for a report's measures — the same numbers on the dashboard, in the PDF
and in the XLSX.

`results_numbers(numbers)` works on the measures a `ReportNumbers` holds, in five queries whatever
their number: the indicators, their approved values up to the report's moment, the planned budget
lines, the money approved updates report as spent, and who answers for the money planned. Amounts are added per currency, never across.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from measures.models import BudgetLine, Indicator, IndicatorValue, MeasureAgency, Spending, StatusUpdate
from measures.results import BudgetRow, IndicatorProgress, budget_rows, budget_totals, indicator_progress


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


def results_numbers(numbers) -> ResultNumbers:
    """The indicators and budgets of the measures `numbers` covers (a `ReportNumbers` or the dashboard's
    `DashboardNumbers`), grouped as its sections are: by area, or by pillar in the annual summary."""
    in_scope = numbers.measures_in_scope().values("pk")
    approved = StatusUpdate.State.APPROVED
    moment = {} if numbers.current else {"update__period__end__lte": numbers.as_of}
    by_pillar = numbers.scope.kind == "annual"

    def section_key(measure):
        return measure.area.pillar if by_pillar else measure.area_id

    # Query 1: the indicators with their measure, in the plan's order; query 2: their approved values up to
    # the report's moment.
    indicators = list(
        Indicator.objects.filter(measure__in=in_scope)
        .select_related("measure__area")
        .order_by("measure__area__order", "measure__area__code", "measure__sort_key", "measure_id", "order", "pk")
    )
    values = IndicatorValue.objects.filter(
        indicator__measure__in=in_scope, update__state=approved, **moment
    ).select_related("update__period", "update__agency")
    progress = indicator_progress(indicators, values)
    items_by_section = defaultdict(list)
    for item in progress:
        items_by_section[section_key(item.indicator.measure)].append((item.indicator.measure, item))

    # Query 3: planned lines; query 4: money spent, as approved updates report it.
    lines = list(BudgetLine.objects.filter(measure__in=in_scope).select_related("source", "measure__area"))
    spending = list(
        Spending.objects.filter(update__measure__in=in_scope, update__state=approved, **moment).select_related(
            "source", "update__agency", "update__measure__area"
        )
    )
    lines_by_section, spent_by_section = defaultdict(list), defaultdict(list)
    for line in lines:
        lines_by_section[section_key(line.measure)].append(line)
    for spent in spending:
        spent_by_section[section_key(spent.update.measure)].append(spent)

    # Query 5: who answers for the money planned: each measure's lead body (or its first responsible one).
    owners = {}
    for assignment in (
        MeasureAgency.objects.filter(
            measure__in=in_scope.filter(budget_lines__isnull=False), part__in=MeasureAgency.RESPONSIBLE_PARTS
        )
        .select_related("agency")
        .order_by("measure_id", "-is_lead", "part", "agency__name_en")
    ):
        owners.setdefault(assignment.measure_id, assignment)

    areas, overall = [], IndicatorCounts()
    planned_by_agency, spent_by_agency, agencies = defaultdict(list), defaultdict(list), {}
    for section in numbers.sections:
        area = AreaResults(code=section.code, title=section.title)
        for measure, item in items_by_section.get(section.key, ()):
            area.items.append((measure, item))
            area.indicators.add(item)
            overall.add(item)
        area.budget = budget_totals(
            budget_rows(lines_by_section.get(section.key, []), spent_by_section.get(section.key, []))
        )
        areas.append(area)
    for line in lines:
        owner = owners.get(line.measure_id)
        if owner is not None:
            agencies[owner.agency_id] = owner.agency
            planned_by_agency[owner.agency_id].append(line)
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
