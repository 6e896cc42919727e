"""Indicator progress and budgets for a report's measures — the same numbers on the dashboard, in the PDF
and in the XLSX.

`results_numbers(numbers)` works on the measures a `ReportNumbers` holds, in five queries whatever
their number: the indicators, their approved values up to the report's moment, the planned budget
lines, the money approved updates report as spent, and who answers for the money planned. Amounts are
added per currency, never across.

`results_numbers(numbers, detail=False)` gives the same counts and sums without each indicator's
readings, as the dashboard shows them: the budget is summed by the database, and the indicators are
read as bare values rather than model objects (at 10,000 measures the detailed form builds some
160,000 objects, seconds of work and a cached copy that takes half a second to unpickle).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery, Sum

from measures.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorValue,
    MeasureAgency,
    Spending,
    StatusUpdate,
)
from measures.results import (
    BudgetRow,
    IndicatorProgress,
    budget_rows,
    budget_totals,
    indicator_progress,
    share_of_target,
    total_of,
)
from nap_tracker.models import Agency


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
        self.count(reported=bool(item.readings), share=item.share)

    def count(self, *, reported: bool, share: int | None):
        self.total += 1
        self.reported += reported
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


def results_numbers(numbers, *, detail: bool = True) -> ResultNumbers:
    """The indicators and budgets of the measures `numbers` covers (a `ReportNumbers` or the dashboard's
    `DashboardNumbers`), grouped as its sections are: by area, or by pillar in the annual summary.
    `detail=False`: the counts and sums only (each area's `items` left empty), at a fraction of the cost."""
    in_scope = numbers.measures_in_scope().values("pk")
    approved = StatusUpdate.State.APPROVED
    moment = {} if numbers.current else {"update__period__end__lte": numbers.as_of}
    by_pillar = numbers.scope.kind == "annual"
    if not detail:
        return _summary(numbers, in_scope, moment, "area__pillar" if by_pillar else "area_id")

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


class _IndicatorTerms:
    """What `share_of_target` and `total_of` read of an indicator, from a row of bare values."""

    __slots__ = ("unit", "categories", "baseline_value", "target_value")

    def __init__(self, unit, breakdown, baseline_value, target_value):
        self.unit = unit
        self.categories = Indicator.CATEGORIES.get(breakdown, ())
        self.baseline_value = baseline_value
        self.target_value = target_value


def _summary(numbers, in_scope, moment: dict, section: str) -> ResultNumbers:
    """`results_numbers` without the readings: six queries, the budget summed by the database.

    The counts follow the detailed form exactly (a test compares the two): an indicator is reported
    when an approved update gave it a value; its share of target is read from its latest reading — the
    latest period, then the latest approval — with the same `total_of` and `share_of_target`."""
    approved = StatusUpdate.State.APPROVED
    # Query 1: the indicators, as bare values.
    indicators = {
        pk: (key, _IndicatorTerms(unit, breakdown, baseline, target))
        for pk, key, unit, breakdown, baseline, target in Indicator.objects.filter(measure__in=in_scope)
        .order_by()
        .values_list("pk", f"measure__{section}", "unit", "breakdown", "baseline_value", "target_value")
    }
    # Query 2: their approved values, each indicator's readings in order, so the last update read is its
    # latest reading (the latest period, then the latest approval).
    latest: dict = {}  # indicator id -> (update id, {category: value}) of its latest reading
    for indicator_id, update_id, category, value in (
        IndicatorValue.objects.filter(indicator__measure__in=in_scope, update__state=approved, **moment)
        .order_by("indicator_id", "update__period__start", "update__reviewed_at", "update_id")
        .values_list("indicator_id", "update_id", "category", "value")
    ):
        known = latest.get(indicator_id)
        if known is None or known[0] != update_id:
            latest[indicator_id] = known = (update_id, {})
        known[1][category] = value
    counts = defaultdict(IndicatorCounts)
    overall = IndicatorCounts()
    for pk, (key, terms) in indicators.items():
        reading = latest.get(pk)
        share = share_of_target(terms, total_of(terms, reading[1])) if reading else None
        counts[key].count(reported=reading is not None, share=share)
        overall.count(reported=reading is not None, share=share)

    # Query 3: money planned, summed per section, funding source, currency and the body answering for it
    # (the measure's lead body, or its first responsible one); query 4: money spent, summed per section,
    # source, currency and the body whose approved update reports it.
    owner = (
        MeasureAgency.objects.filter(measure_id=OuterRef("measure_id"), part__in=MeasureAgency.RESPONSIBLE_PARTS)
        .order_by("-is_lead", "part", "agency__name_en")
        .values("agency_id")[:1]
    )
    planned = list(
        BudgetLine.objects.filter(measure__in=in_scope)
        .annotate(owner=Subquery(owner))
        .values_list(f"measure__{section}", "source_id", "currency", "owner")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    spent = list(
        Spending.objects.filter(update__measure__in=in_scope, update__state=approved, **moment)
        .values_list(f"update__measure__{section}", "source_id", "currency", "update__agency_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    # Queries 5 and 6: the funding sources and bodies named (always asked, so the page's query count does not
    # depend on whether a plan has money: `in_bulk` of no ids would skip its query).
    named_sources = {row[1] for row in planned + spent if row[1] is not None}
    named_bodies = {row[3] for row in planned + spent if row[3] is not None}
    sources = {source.pk: source for source in FundingSource.objects.filter(pk__in=[0, *named_sources])}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=[0, *named_bodies])}

    def rows(planned_sums, spent_sums) -> list[BudgetRow]:
        found: dict = {}
        for source_id, currency, amount in planned_sums:
            row = found.setdefault((source_id, currency), BudgetRow(sources.get(source_id), currency))
            row.planned += amount
        for source_id, currency, amount in spent_sums:
            row = found.setdefault((source_id, currency), BudgetRow(sources.get(source_id), currency))
            row.spent += amount
        return sorted(found.values(), key=lambda row: (row.currency, row.source is None, str(row.source or "")))

    planned_in, spent_in = defaultdict(list), defaultdict(list)  # per section
    planned_by, spent_by = defaultdict(list), defaultdict(list)  # per body
    for key, source_id, currency, body, amount in planned:
        planned_in[key].append((source_id, currency, amount))
        if body is not None:
            planned_by[body].append((source_id, currency, amount))
    for key, source_id, currency, body, amount in spent:
        spent_in[key].append((source_id, currency, amount))
        spent_by[body].append((source_id, currency, amount))
    areas = []
    for section_ in numbers.sections:
        area = AreaResults(code=section_.code, title=section_.title)
        area.indicators = counts.get(section_.key, IndicatorCounts())
        area.budget = budget_totals(rows(planned_in.get(section_.key, ()), spent_in.get(section_.key, ())))
        areas.append(area)
    by_source = rows(
        [row for found in planned_in.values() for row in found], [row for found in spent_in.values() for row in found]
    )
    by_agency = [
        (agencies[pk], budget_totals(rows(planned_by.get(pk, ()), spent_by.get(pk, ()))))
        for pk in sorted(planned_by.keys() | spent_by.keys(), key=lambda pk: str(agencies[pk].name))
    ]
    return ResultNumbers(
        areas=areas,
        indicators=overall,
        by_source=by_source,
        by_agency=[(agency, found) for agency, found in by_agency if found],
        totals=budget_totals(by_source),
    )


__all__ = ["AreaResults", "BudgetRow", "IndicatorCounts", "ResultNumbers", "results_numbers"]
