"""The annual report of the National Coordinator: compiled once, written twice (PDF and DOCX).

`annual_report(...)` gathers what the coordinator's office puts in its yearly report from the accounts of
central and local authorities: the plan as it stood at the end of the year (`reporting.numbers`), each
area's updates approved for the periods of that year with their indicator values, the bodies with a
responsible part in the plan that reported that year and those that did not, and how far the plan answers
each source's recommendations. `reporting.documents.annual_pdf` and `annual_docx` render the same object,
so the two files can never disagree.

Queries, whatever the plan's size: those of `report_numbers` (seven), the year's periods (1), the updates of the year (1),
their indicator values (1), the files of those updates (1), the responsible bodies counted (1) and loaded
(1), the recommendation sources (1), the recommendations counted per source (1) and the unanswered ones (1).

A year's periods are those ending in it, as `reporting.numbers._annual_period` reads the year.
Restricted details come in only when `include_restricted` is asked for (the caller asks
`permissions.may_see_restricted_in_reports` about the person the report is for).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from measures.models import (
    Area,
    Edition,
    Evidence,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAgency,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    Status,
    StatusUpdate,
)
from measures.results import Reading, indicator_progress, show_value
from nap_tracker.models import Agency
from reporting.numbers import STATUS_LABELS, ReportNumbers, Scope, StatusCounts, report_numbers


@dataclass
class UpdateLine:
    """One approved update of the year, as the report quotes it."""

    measure: Measure
    agency: Agency
    period: str
    status: str
    progress: int
    narrative: str
    reviewed_on: date | None
    # The language the body wrote the update in (empty for updates written before it was recorded).
    language: str = ""
    # The part the body plays in the measure: an NGO partner's update is an independent assessment.
    is_partner: bool = False
    is_lead: bool = False
    files: list = field(default_factory=list)
    restricted_details: str = ""
    restricted_files: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def has_restricted(self) -> bool:
        return bool(self.restricted_details or self.restricted_files)


@dataclass
class IndicatorLine:
    """A value an approved update of the year reported for an indicator."""

    measure: Measure
    indicator: Indicator
    reading: Reading

    @property
    def value(self) -> str:
        return show_value(self.indicator, self.reading.total, self.reading.text)

    @property
    def categories(self) -> str:
        return "; ".join(f"{label}: {shown}" for label, shown in self.reading.by_category)


@dataclass
class AreaYear:
    area: Area
    counts: StatusCounts = field(default_factory=StatusCounts)
    updates: list = field(default_factory=list)
    indicators: list = field(default_factory=list)


@dataclass
class BodyLine:
    """A body with a responsible part in the plan, and what it reported in the year."""

    agency: Agency
    measures: int
    leads: int
    updates: int
    measures_reported: int

    @property
    def reported(self) -> bool:
        return self.updates > 0


@dataclass
class SourceCoverage:
    """How a source's recommendations are answered by the plan's measures at the end of the year."""

    source: RecommendationSource
    total: int
    answered: int  # by at least one measure under way, completed or ongoing
    stalled: int  # only by measures overdue or not started
    unanswered: int  # by no measure of the plan


@dataclass
class AnnualReport:
    edition: Edition
    year: int
    periods: list
    numbers: ReportNumbers
    areas: list
    bodies: list
    coverage: list
    unanswered: list
    include_restricted: bool = False

    @property
    def as_of(self) -> date:
        return self.numbers.as_of

    @property
    def scope(self) -> Scope:
        return self.numbers.scope

    @property
    def totals(self) -> StatusCounts:
        return self.numbers.totals

    @property
    def updates(self) -> list:
        return [line for area in self.areas for line in area.updates]

    @property
    def indicator_lines(self) -> list:
        return [line for area in self.areas for line in area.indicators]

    @property
    def reported_bodies(self) -> list:
        return [body for body in self.bodies if body.reported]

    @property
    def silent_bodies(self) -> list:
        return [body for body in self.bodies if not body.reported]

    @property
    def measures_reported(self) -> int:
        return len({line.measure.pk for line in self.updates})

    @property
    def has_restricted(self) -> bool:
        return any(line.has_restricted for line in self.updates)

    @property
    def recommendations(self) -> int:
        return sum(source.total for source in self.coverage)


def _year_of(scope: Scope, numbers: ReportNumbers) -> int:
    # The year `report_numbers` settled on for the annual kind: the one its moment falls in.
    return scope.period.end.year if scope.period else numbers.as_of.year


def annual_report(
    *,
    edition: Edition,
    period: ReportingPeriod | None = None,
    today: date | None = None,
    include_restricted: bool = False,
) -> AnnualReport:
    """The annual report for the year of `period` (or, without one, the last year whose periods have all
    ended), for the coordinator's office when `include_restricted`, else for anyone."""
    scope = Scope(kind="annual", edition=edition, period=period)
    numbers = report_numbers(scope, today=today, include_restricted=include_restricted)
    year = _year_of(scope, numbers)
    periods = list(
        ReportingPeriod.objects.filter(edition=edition, end__year=year).order_by("start")
    )  # one query: the year's periods
    period_ids = [p.pk for p in periods]

    # The parts bodies play in each measure, from the rows `report_numbers` loaded (no query).
    parts = {(a.measure_id, a.agency_id): a for row in numbers.rows for a in row.assignments}

    # The updates approved for the periods of the year, in the plan's order.
    updates = (
        StatusUpdate.objects.filter(
            measure__edition=edition, state=StatusUpdate.State.APPROVED, period_id__in=period_ids
        )
        .select_related("measure__area", "agency", "period")
        .order_by(
            "measure__area__order", "measure__area__code", "measure__sort_key", "period__start", "agency__name_en"
        )
    )
    if not include_restricted:
        updates = updates.defer("restricted_details")
    updates = list(updates)

    files, restricted_files = defaultdict(list), defaultdict(list)
    evidence = Evidence.objects.filter(update_id__in=[u.pk for u in updates]).order_by("uploaded_at", "pk")
    if not include_restricted:
        evidence = evidence.filter(restricted=False)
    for update_id, name, restricted in evidence.values_list("update_id", "original_name", "restricted"):
        (restricted_files if restricted else files)[update_id].append(name)

    areas: dict = {}

    def area_year(area):
        if area.pk not in areas:
            areas[area.pk] = AreaYear(area=area)
        return areas[area.pk]

    for row in numbers.rows:
        area_year(row.measure.area).counts.add(row)
    for update in updates:
        assignment = parts.get((update.measure_id, update.agency_id))
        area_year(update.measure.area).updates.append(
            UpdateLine(
                measure=update.measure,
                agency=update.agency,
                period=update.period.label,
                status=update.status,
                progress=update.progress,
                narrative=update.narrative,
                language=update.language,
                reviewed_on=timezone.localdate(update.reviewed_at) if update.reviewed_at else None,
                is_partner=bool(assignment and assignment.part == MeasureAgency.Part.PARTNER),
                is_lead=bool(assignment and assignment.is_lead),
                files=files[update.pk],
                restricted_details=update.restricted_details if include_restricted else "",
                restricted_files=restricted_files[update.pk] if include_restricted else [],
            )
        )

    # The indicator values those updates reported, each indicator's readings in period order.
    values = list(
        IndicatorValue.objects.filter(update_id__in=[u.pk for u in updates]).select_related(
            "indicator__measure__area", "update__period", "update__agency"
        )
    )
    indicators = sorted(
        {value.indicator_id: value.indicator for value in values}.values(),
        key=lambda i: (i.measure.area.order, i.measure.area.code, i.measure.sort_key, i.order, i.pk),
    )
    for progress in indicator_progress(indicators, values):
        measure = progress.indicator.measure
        for reading in progress.readings:
            area_year(measure.area).indicators.append(
                IndicatorLine(measure=measure, indicator=progress.indicator, reading=reading)
            )

    return AnnualReport(
        edition=edition,
        year=year,
        periods=periods,
        numbers=numbers,
        areas=sorted(areas.values(), key=lambda a: (a.area.order, a.area.code)),
        bodies=_bodies(edition, period_ids),
        coverage=(coverage := _coverage(edition, year, numbers)),
        unanswered=_unanswered(edition, [line.source.pk for line in coverage]),
        include_restricted=include_restricted,
    )


def _bodies(edition: Edition, period_ids: list) -> list[BodyLine]:
    """Every body with a responsible part (executing or recommended) in the plan, with the approved updates
    it gave on those measures for the year's periods — counted by the database (two queries)."""
    # An update of the body itself (not of another body of the same measure), approved, for the year.
    year_update = Q(
        measure__updates__state=StatusUpdate.State.APPROVED,
        measure__updates__period_id__in=period_ids,
        measure__updates__agency_id=F("agency_id"),
    )
    rows = list(
        MeasureAgency.objects.filter(measure__edition=edition, part__in=MeasureAgency.RESPONSIBLE_PARTS)
        .values("agency_id")
        .annotate(
            measures=Count("measure_id", distinct=True),
            leads=Count("measure_id", filter=Q(is_lead=True), distinct=True),
            updates=Count("measure__updates", filter=year_update, distinct=True),
            measures_reported=Count("measure_id", filter=year_update, distinct=True),
        )
        .order_by()
    )
    agencies = Agency.objects.in_bulk([row["agency_id"] for row in rows])
    lines = [
        BodyLine(
            agency=agencies[row["agency_id"]],
            measures=row["measures"],
            leads=row["leads"],
            updates=row["updates"],
            measures_reported=row["measures_reported"],
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: str(line.agency.name))


def _stalled(numbers: ReportNumbers) -> list[int]:
    """The measures that at the end of the year had not started or were overdue."""
    return [row.measure.pk for row in numbers.rows if row.overdue or row.status == Status.NOT_STARTED]


def _links(edition: Edition):
    return Measure.recommendations.through.objects.filter(recommendation_id=OuterRef("pk"), measure__edition=edition)


def _sources(edition: Edition, year: int):
    # The plan's country's sources only (another country's recommendations are not this plan's to answer);
    # a source published after the year could not be answered in it.
    return RecommendationSource.objects.filter(country_id=edition.country_id).filter(
        Q(year__isnull=True) | Q(year__lte=year)
    )


def _coverage(edition: Edition, year: int, numbers: ReportNumbers) -> list[SourceCoverage]:
    """Per source: its recommendations answered by the plan's measures, only by stalled ones, or by none —
    counted by the database (two queries)."""
    links = _links(edition)
    counted = {
        row["source_id"]: row
        for row in Recommendation.objects.filter(source__in=_sources(edition, year))
        .annotate(linked=Exists(links), live=Exists(links.exclude(measure_id__in=_stalled(numbers))))
        .values("source_id")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(live=True)),
            stalled=Count("pk", filter=Q(linked=True, live=False)),
            unanswered=Count("pk", filter=Q(linked=False)),
        )
        .order_by()
    }
    return [
        SourceCoverage(
            source=source,
            total=counted[source.pk]["total"],
            answered=counted[source.pk]["answered"],
            stalled=counted[source.pk]["stalled"],
            unanswered=counted[source.pk]["unanswered"],
        )
        for source in _sources(edition, year).filter(pk__in=list(counted))
    ]


def _unanswered(edition: Edition, source_ids: list) -> list[Recommendation]:
    """The recommendations of those sources that no measure of the plan answers, source by source."""
    return list(
        Recommendation.objects.filter(source_id__in=source_ids)
        .exclude(Exists(_links(edition)))
        .select_related("source")
        .order_by("source__kind", "-source__year", "source__reference", "sort_key")
    )
