"""The numbers behind every report and the dashboard — one module, one source of truth.

`report_numbers(scope)` loads what a report needs in a fixed number of queries, whatever the
size of the plan: the measures with their areas and the measures they continue (1), their
agencies (1), the plan's reporting periods (1), the approved updates of those measures (1), their
deadline revisions (1), the files of the updates the report quotes (1) and the progress across
periods (1, counted by the database). The rest is counted in Python from those rows: a document lists
every measure anyway.

`dashboard_numbers(edition)` counts the same things for the plan as it stands today in the database,
never loading every measure: the dashboard must stay fast at 10,000 measures. It reads the status in
force the measure row keeps, and applies the same rules (`overdue_condition`, `measures.assessments`);
a test holds it to `report_numbers` for a report "as of now", so the dashboard and the documents cannot
disagree.

A measure is judged against the deadline in force at the moment of the report: its revised
deadline, or, for a report that looks back, the date in force then (a revision made later does not
excuse a measure that was overdue at the time).

Whose update sets a measure's status, and which NGO assessment stands beside it, is decided by
`measures.assessments` — the rule the measure page and the service that stores the status use.
Restricted details and files are read only when `include_restricted` is asked for (the caller asks
`permissions.may_see_restricted_in_reports` about the person the report is for).

Texts (titles, names, status labels) are read when they are shown, so the caller decides the
language with `translation.override`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from measures import assessments
from measures.models import (
    Area,
    DeadlineRevision,
    Edition,
    Evidence,
    Measure,
    MeasureAgency,
    Pillar,
    ReportingPeriod,
    Status,
    StatusUpdate,
    overdue_condition,
)
from nap_tracker.models import Agency

KINDS = ("edition", "area", "agency", "overdue", "annual")
STATUS_LABELS = dict(Status.choices)
PILLAR_LABELS = dict(Pillar.choices)


@dataclass(frozen=True)
class Scope:
    """What a report covers. `period` fixes the moment: the end of that period, or today when empty."""

    kind: str
    edition: Edition
    period: ReportingPeriod | None = None
    agency: Agency | None = None
    area: Area | None = None


@dataclass
class StatusCounts:
    """Measures counted by status, with shares, in the vocabulary's order."""

    counts: Counter = field(default_factory=Counter)
    progress_sum: int = 0
    overdue: int = 0
    # Measures whose deadline was revised, and the revisions made, up to the moment of the report.
    revised: int = 0
    revisions: int = 0

    def add(self, row: "MeasureRow"):
        self.counts[row.status] += 1
        self.progress_sum += row.progress
        self.overdue += row.overdue
        self.revised += bool(row.revisions)
        self.revisions += len(row.revisions)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completed(self) -> int:
        return self.counts[Status.COMPLETED]

    @property
    def average_progress(self) -> int:
        return round(self.progress_sum / self.total) if self.total else 0

    def share(self, status: str) -> int:
        return round(100 * self.counts[status] / self.total) if self.total else 0

    @property
    def rows(self):
        """(status value, label, count, percent) for every status, zeros included."""
        return [(value, label, self.counts[value], self.share(value)) for value, label in Status.choices]


@dataclass
class Assessment:
    """An NGO partner's approved update, shown beside the status in force (`measures.assessments`)."""

    agency: Agency
    status: str
    progress: int
    narrative: str
    period: str
    disagrees: bool = False
    # The language the narrative is written in; empty when the update does not say.
    language: str = ""

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class MeasureRow:
    measure: Measure
    status: str
    progress: int
    overdue: bool
    assignments: list
    # The responsible bodies' approved update that sets (or, under a consolidated status, would set) the status.
    narrative: str = ""
    narrative_period: str = ""
    narrative_agency: object = None
    # The language the narrative is written in; empty when the update does not say.
    narrative_language: str = ""
    # Who in the coordinator's office approved that report, and when.
    approved_by: str = ""
    approved_on: object = None
    # The deadline in force at the moment of the report, the plan's original one, and the revisions
    # made up to that moment (oldest first).
    deadline: date | None = None
    original_deadline: date | None = None
    revisions: list = field(default_factory=list)
    # The coordinator's office set the status itself, with this note.
    consolidated: bool = False
    consolidated_note: str = ""
    consolidated_on: object = None
    assessment: Assessment | None = None
    # The file names of the quoted update; its restricted part only in reports that may show it.
    files: list = field(default_factory=list)
    restricted_details: str = ""
    restricted_files: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def disagrees(self) -> bool:
        return bool(self.assessment and self.assessment.disagrees)

    @property
    def has_restricted(self) -> bool:
        return bool(self.restricted_details or self.restricted_files)

    @property
    def responsible(self):
        return [a for a in self.assignments if a.part != MeasureAgency.Part.PARTNER]

    @property
    def partners(self):
        return [a for a in self.assignments if a.part == MeasureAgency.Part.PARTNER]


@dataclass
class Section:
    """A group of measure rows: an area of the plan, or a pillar in the annual summary."""

    code: str
    title: str
    pillar: str
    is_illustrative: bool = False
    rows: list = field(default_factory=list)
    counts: StatusCounts = field(default_factory=StatusCounts)
    key: object = None  # the area's id, or the pillar in the annual summary

    @property
    def pillar_label(self):
        return PILLAR_LABELS.get(self.pillar, "")


@dataclass
class AgencyLine:
    agency: Agency
    counts: StatusCounts = field(default_factory=StatusCounts)
    leads: int = 0


@dataclass
class PeriodPoint:
    label: str
    average_progress: int
    completed: int
    reported: int


@dataclass
class CarriedPair:
    earlier: Measure
    later: MeasureRow


class _Shares:
    """Shares both the dashboard's and a report's numbers print: needs `due`, `completed_of_due`, `totals`."""

    @property
    def completed_of_due_share(self) -> int:
        return round(100 * self.completed_of_due / self.due) if self.due else 0

    @property
    def overdue_share(self) -> int:
        return round(100 * self.totals.overdue / self.totals.total) if self.totals.total else 0


@dataclass
class ReportNumbers(_Shares):
    scope: Scope
    as_of: date
    current: bool
    sections: list
    by_pillar: list
    by_agency: list
    series: list
    carried: list
    totals: StatusCounts
    due: int
    completed_of_due: int
    include_restricted: bool = False
    # The measures of the rows, as a queryset, for other numbers to read theirs (reporting.results).
    in_scope: object = None

    @property
    def edition(self):
        return self.scope.edition

    def measures_in_scope(self):
        return self.in_scope

    @property
    def has_restricted(self) -> bool:
        """The report quotes restricted details or names restricted files: it is marked restricted."""
        return any(row.has_restricted for row in self.rows)

    @property
    def assessed(self) -> int:
        return sum(1 for row in self.rows if row.assessment)

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.rows if row.disagrees)

    @property
    def rows(self):
        return [row for section in self.sections for row in section.rows]

    @property
    def overdue_rows(self):
        return sorted((row for row in self.rows if row.overdue), key=lambda row: row.measure.sort_key)

    @property
    def revised_rows(self):
        """The rows whose deadline was revised by the moment of the report, in the plan's order."""
        return [row for row in self.rows if row.revisions]

    @property
    def carried_earlier(self) -> StatusCounts:
        """How the measures carried over from the earlier plan ended there."""
        counts = StatusCounts()
        for pair in self.carried:
            counts.counts[pair.earlier.status] += 1
            counts.progress_sum += pair.earlier.progress
        return counts

    @property
    def carried_later(self) -> StatusCounts:
        counts = StatusCounts()
        for pair in self.carried:
            counts.add(pair.later)
        return counts

    @property
    def carried_comparison(self):
        """(status value, label, how many ended the earlier plan so, how many stand so now)."""
        earlier, later = self.carried_earlier, self.carried_later
        return [(value, label, earlier.counts[value], later.counts[value]) for value, label in Status.choices]

    @property
    def earlier_edition_codes(self):
        return sorted({pair.earlier.edition.code for pair in self.carried})


def _annual_period(scope: Scope, periods: list, today: date):
    """The last period of the year the annual summary covers: the chosen period's year, or the last year
    whose periods have all ended."""
    if scope.period:
        year = scope.period.end.year
    else:
        ended_years = {p.end.year for p in periods if p.end < today} - {p.end.year for p in periods if p.end >= today}
        year = max(ended_years) if ended_years else today.year
    in_year = [p for p in periods if p.end.year == year]
    return in_year[-1] if in_year else scope.period


def _deadlines(measure: Measure, revisions: list, as_of: date | None) -> tuple:
    """(deadline in force on `as_of`, the plan's original deadline, the revisions made by then).
    `as_of` None: now, the deadline in force being the measure's own, as "overdue" reads it."""
    if not revisions:
        return measure.deadline, measure.deadline, []
    made = [r for r in revisions if as_of is None or timezone.localdate(r.revised_at) <= as_of]
    later = revisions[len(made)] if len(made) < len(revisions) else None
    return (later.old_deadline if later else measure.deadline), revisions[0].old_deadline, made


def _consolidated_by(measure: Measure, moment: date) -> bool:
    """Whether the measure's consolidated status was in force on that day (set on or before it)."""
    return bool(measure.consolidated_status) and timezone.localdate(measure.consolidated_at) <= moment


def _reviewer_name(update) -> str:
    if update is None or update.reviewer is None:
        return ""
    return update.reviewer.get_full_name() or update.reviewer.username


def _measures_in_scope(scope: Scope, *, current: bool, today: date):
    """The measures a report covers, as a queryset (an overdue report that looks back filters them later)."""
    measures = Measure.objects.filter(edition=scope.edition)
    if scope.kind == "area":
        measures = measures.filter(area=scope.area)
    if scope.kind == "agency":
        measures = measures.filter(assignments__agency=scope.agency)
    if scope.kind == "overdue" and current:
        measures = measures.filter(overdue_condition(today))
    return measures


def report_numbers(scope: Scope, *, today: date | None = None, include_restricted: bool = False) -> ReportNumbers:
    """Everything a report shows about `scope`, in seven queries.

    `include_restricted` adds the restricted details and files of the quoted updates: only for a
    report the coordinator's office asked for (`permissions.may_see_restricted_in_reports`).
    """
    today = today or timezone.localdate()
    edition = scope.edition

    # Query 1: the plan's reporting periods, in order.
    periods = list(ReportingPeriod.objects.filter(edition=edition).order_by("start"))
    as_of_period = _annual_period(scope, periods, today) if scope.kind == "annual" else scope.period
    current = as_of_period is None
    # A report is never dated in the future: for a period still running, measures are judged as of today.
    as_of = today if current else min(as_of_period.end, today)

    # The measures in scope, for the queries below to read only theirs (an area's report, not the plan's).
    in_scope = _measures_in_scope(scope, current=current, today=today)
    # Query 2: the measures in scope with their area and the measure they continue;
    # Query 3: every measure's agencies (prefetched).
    measures = (
        in_scope.select_related("area", "continues", "continues__edition")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=MeasureAgency.objects.select_related("agency").order_by("-is_lead", "part", "agency__name_en"),
            )
        )
        .annotate(overdue_today=ExpressionWrapper(overdue_condition(today), output_field=BooleanField()))
        .order_by("area__order", "area__code", "sort_key")
    )
    measures = list(measures)

    # Query 4: approved updates of the plan up to the moment of the report. Which of them sets each
    # measure's status, and which is its NGO assessment, `measures.assessments` decides.
    fields = [
        "measure_id",
        "agency_id",
        "status",
        "progress",
        "narrative",
        "language",
        "reviewed_at",
        "period__label",
        "period__start",
        "reviewer__first_name",
        "reviewer__last_name",
        "reviewer__username",
        "agency__code",
        "agency__kind",
        "agency__name_en",
        "agency__name_az",
        "agency__name_ru",
    ]
    if include_restricted:
        fields.append("restricted_details")
    updates = (
        StatusUpdate.objects.filter(measure__in=in_scope.values("pk"), state=StatusUpdate.State.APPROVED)
        .select_related("period", "reviewer", "agency")
        .only(*fields)
        .order_by("period__start", "reviewed_at", "pk")
    )
    if not current:
        updates = updates.filter(period__start__lte=as_of_period.start)

    # Query 5: the plan's deadline revisions, oldest first.
    revisions = defaultdict(list)
    for revision in (
        DeadlineRevision.objects.filter(measure__in=in_scope.values("pk"))
        .only("measure_id", "old_deadline", "new_deadline", "reason", "revised_at")
        .order_by("revised_at", "pk")
    ):
        revisions[revision.measure_id].append(revision)

    by_measure = defaultdict(list)
    for update in updates:
        by_measure[update.measure_id].append(update)

    quoted = {}
    for measure in measures:
        assignments = list(measure.assignments.all())
        quoted[measure.pk] = (
            assessments.self_report(by_measure[measure.pk], assignments),
            assessments.ngo_assessment(by_measure[measure.pk], assignments),
        )

    # Query 6: the names of the files of the updates the report quotes; restricted ones only when asked for.
    files, restricted_files = defaultdict(list), defaultdict(list)
    quoted_ids = [update.pk for pair in quoted.values() for update in pair if update is not None]
    evidence = Evidence.objects.filter(update_id__in=quoted_ids).order_by("uploaded_at", "pk")
    if not include_restricted:
        evidence = evidence.filter(restricted=False)
    for update_id, name, restricted in evidence.values_list("update_id", "original_name", "restricted"):
        (restricted_files if restricted else files)[update_id].append(name)

    rows = []
    for measure in measures:
        report, ngo = quoted[measure.pk]
        deadline, original_deadline, revisions_made = _deadlines(
            measure, revisions[measure.pk], None if current else as_of
        )
        if current:
            status, progress, overdue = measure.status, measure.progress, measure.overdue_today
            consolidated = measure.is_consolidated
        else:
            consolidated = _consolidated_by(measure, as_of)
            if consolidated:
                status, progress = measure.consolidated_status, measure.consolidated_progress
            else:
                status = report.status if report else Status.NOT_STARTED
                progress = report.progress if report else 0
            # The rule of overdue_condition(), applied to the status and the deadline of that moment. The plan's
            # state at that moment is not kept; a plan is reported on while it runs, so a report looking back at
            # one of its periods judges it as running then, even if it has closed since (it was overdue at the
            # time); only a plan still in draft has nothing overdue.
            overdue = bool(
                deadline
                and deadline < as_of
                and status not in (Status.COMPLETED, Status.ONGOING)
                and edition.state != Edition.State.DRAFT
            )
        if scope.kind == "overdue" and not overdue:
            continue
        assessment = None
        if ngo is not None:
            assessment = Assessment(
                agency=ngo.agency,
                status=ngo.status,
                progress=ngo.progress,
                narrative=ngo.narrative,
                language=ngo.language,
                period=ngo.period.label,
                disagrees=assessments.disagree(status, progress, ngo.status, ngo.progress),
            )
        rows.append(
            MeasureRow(
                measure=measure,
                status=status,
                progress=progress,
                overdue=overdue,
                assignments=list(measure.assignments.all()),
                narrative=report.narrative if report else "",
                narrative_period=report.period.label if report else "",
                narrative_agency=report.agency if report else None,
                narrative_language=report.language if report else "",
                approved_by=_reviewer_name(report),
                approved_on=timezone.localtime(report.reviewed_at).date() if report and report.reviewed_at else None,
                consolidated=consolidated,
                consolidated_note=measure.consolidated_note if consolidated else "",
                consolidated_on=timezone.localdate(measure.consolidated_at) if consolidated else None,
                assessment=assessment,
                files=files[report.pk] if report else [],
                restricted_details=(report.restricted_details if report and include_restricted else ""),
                restricted_files=restricted_files[report.pk] if report else [],
                deadline=deadline,
                original_deadline=original_deadline,
                revisions=revisions_made,
            )
        )

    if len(rows) < len(measures):
        # A report that looks back at overdue measures judged them here: its rows are its scope.
        in_scope = Measure.objects.filter(pk__in=[row.measure.pk for row in rows])

    totals = StatusCounts()
    sections: dict = {}
    pillars = {value: StatusCounts() for value, _label in Pillar.choices}
    agencies: dict = {}
    carried = []
    due = completed_of_due = 0
    for row in rows:
        measure = row.measure
        totals.add(row)
        pillars[measure.area.pillar].add(row)
        if scope.kind == "annual":
            key, section_args = measure.area.pillar, {"code": "", "title": PILLAR_LABELS[measure.area.pillar]}
        else:
            key, section_args = measure.area_id, {"code": measure.area.code, "title": measure.area.title}
        section = sections.get(key)
        if section is None:
            section = sections[key] = Section(
                pillar=measure.area.pillar, is_illustrative=measure.area.is_illustrative, key=key, **section_args
            )
        section.rows.append(row)
        section.counts.add(row)
        for assignment in row.assignments:
            if scope.kind == "agency" and assignment.agency_id != scope.agency.pk:
                continue
            line = agencies.get(assignment.agency_id)
            if line is None:
                line = agencies[assignment.agency_id] = AgencyLine(agency=assignment.agency)
            line.counts.add(row)
            line.leads += assignment.is_lead
        # "Due" reads the deadline as "overdue" does (it has passed: measures.models.overdue_condition), but
        # counts every measure whatever its status or plan's state: "completed of those due" is the share done.
        if row.deadline and row.deadline < as_of:
            due += 1
            completed_of_due += row.status == Status.COMPLETED
        if measure.continues_id:
            carried.append(CarriedPair(earlier=measure.continues, later=row))

    if scope.kind == "annual":
        order = [value for value, _label in Pillar.choices]
        section_list = sorted(sections.values(), key=lambda s: order.index(s.pillar))
    else:
        section_list = list(sections.values())

    return ReportNumbers(
        scope=scope,
        as_of=as_of,
        current=current,
        sections=section_list,
        by_pillar=[(value, label, pillars[value]) for value, label in Pillar.choices if pillars[value].total],
        by_agency=sorted(agencies.values(), key=lambda line: (-line.counts.total, str(line.agency.name))),
        # Query 7: the progress across the periods, counted by the database.
        series=_series(periods, in_scope, len(rows), as_of),
        carried=carried,
        totals=totals,
        due=due,
        completed_of_due=completed_of_due,
        include_restricted=include_restricted,
        in_scope=in_scope,
    )


# The series in one query. Each measure's status in force is followed from period to period by the rule of
# `measures.assessments` (the consolidated status once it was set; else the lead's latest approved update up
# to that period; else the latest of any responsible body's), and only its changes are summed: the
# database returns one row per period in which something changed, however many measures and updates.
_SERIES_SQL = """
WITH scope AS ({scope}),
ranked AS (
    SELECT u.measure_id, p.start AS pstart, u.status, u.progress,
           CASE WHEN ma.is_lead THEN 1 ELSE 0 END AS lead,
           ROW_NUMBER() OVER (
               PARTITION BY u.measure_id, p.start, ma.is_lead
               ORDER BY CASE WHEN u.reviewed_at IS NULL THEN 0 ELSE 1 END DESC, u.reviewed_at DESC, u.id DESC
           ) AS newest
    FROM {update} u
    JOIN scope s ON s.id = u.measure_id
    JOIN {period} p ON p.id = u.period_id
    JOIN {assignment} ma ON ma.measure_id = u.measure_id AND ma.agency_id = u.agency_id
    WHERE u.state = %s AND ma.part IN (%s, %s) AND p.start <= %s
      AND (s.consolidated_from IS NULL OR p.start < s.consolidated_from)
),
moments AS (
    SELECT measure_id, pstart,
           MAX(CASE WHEN lead = 1 THEN status END) AS lead_status,
           MAX(CASE WHEN lead = 1 THEN progress END) AS lead_progress,
           MAX(CASE WHEN lead = 0 THEN status END) AS other_status,
           MAX(CASE WHEN lead = 0 THEN progress END) AS other_progress
    FROM ranked WHERE newest = 1
    GROUP BY measure_id, pstart
    UNION ALL
    SELECT id, consolidated_from, consolidated_status, consolidated_progress, NULL, NULL
    FROM scope WHERE consolidated_from IS NOT NULL
),
leads AS (
    SELECT moments.*,
           COUNT(lead_status) OVER (PARTITION BY measure_id ORDER BY pstart ROWS UNBOUNDED PRECEDING) AS lead_run
    FROM moments
),
in_force AS (
    SELECT measure_id, pstart,
           CASE WHEN lead_run > 0 THEN MAX(lead_status) OVER (PARTITION BY measure_id, lead_run)
                ELSE other_status END AS status,
           CASE WHEN lead_run > 0 THEN MAX(lead_progress) OVER (PARTITION BY measure_id, lead_run)
                ELSE other_progress END AS progress
    FROM leads
),
changes AS (
    SELECT pstart,
           progress - COALESCE(LAG(progress) OVER w, 0) AS progress_change,
           CASE WHEN status = %s THEN 1 ELSE 0 END
               - COALESCE(LAG(CASE WHEN status = %s THEN 1 ELSE 0 END) OVER w, 0) AS completed_change,
           CASE WHEN ROW_NUMBER() OVER w = 1 THEN 1 ELSE 0 END AS reported_change
    FROM in_force
    WINDOW w AS (PARTITION BY measure_id ORDER BY pstart)
)
SELECT pstart, SUM(progress_change), SUM(completed_change), SUM(reported_change)
FROM changes GROUP BY pstart
"""


def _series(periods: list, measures, total: int, as_of: date) -> list[PeriodPoint]:
    """Average progress and completed measures at the end of each period up to `as_of`, for the measures of
    the queryset `measures`: each as the rule of `measures.assessments` read it then, carried forward. One
    query (none without periods)."""
    periods = [period for period in periods if period.start <= as_of]
    if not periods:
        return []
    # The first period at whose end (or at `as_of`, if sooner) the consolidated status was in force.
    set_on = TruncDate("consolidated_at")
    consolidated_from = Case(
        When(
            set_on__lte=as_of,
            then=Subquery(
                ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods], end__gte=OuterRef("set_on"))
                .order_by("start")
                .values("start")[:1]
            ),
        ),
        output_field=DateField(),
    )
    scope = (
        measures.order_by()
        .annotate(set_on=set_on)
        .annotate(consolidated_from=consolidated_from)
        .values("id", "consolidated_status", "consolidated_progress", "consolidated_from")
    )
    scope_sql, scope_params = scope.query.sql_with_params()
    sql = _SERIES_SQL.format(
        scope=scope_sql,
        update=StatusUpdate._meta.db_table,
        period=ReportingPeriod._meta.db_table,
        assignment=MeasureAgency._meta.db_table,
    )
    params = [
        *scope_params,
        StatusUpdate.State.APPROVED,
        *MeasureAgency.RESPONSIBLE_PARTS,
        periods[-1].start,
        Status.COMPLETED,
        Status.COMPLETED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        changes = {_as_date(start): (progress, completed, reported) for start, progress, completed, reported in cursor}
    points, progress_sum, completed, reported = [], 0, 0, 0
    for period in periods:
        change = changes.pop(period.start, (0, 0, 0))
        progress_sum, completed, reported = (
            progress_sum + int(change[0]),
            completed + int(change[1]),
            reported + int(change[2]),
        )
        points.append(
            PeriodPoint(
                label=period.label,
                average_progress=round(progress_sum / total) if total else 0,
                completed=completed,
                reported=reported,
            )
        )
    return points


def _as_date(value) -> date:
    # SQLite returns dates computed in a query as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


# How many measures the dashboard lists by name under "overdue" and "disagree"; the measures list shows all.
LISTED = 10


@dataclass
class ListedMeasure:
    """A measure named in one of the dashboard's short lists, with its status in force."""

    measure: Measure
    status: str
    progress: int
    revised: bool = False
    original_deadline: date | None = None
    assessment: Assessment | None = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def consolidated(self) -> bool:
        return self.measure.is_consolidated


@dataclass
class DashboardNumbers(_Shares):
    """The plan as it stands today, counted by the database: the summary, status by area, pillar and
    agency, the progress across periods, the measures carried over, and the first few overdue measures and
    disagreeing assessments. The same rules as `report_numbers` for a report "as of now" (a test holds
    them together), read from the status in force the measure row keeps (`measures.services`)."""

    scope: Scope
    as_of: date
    sections: list  # Section, with counts and no rows
    by_pillar: list
    by_agency: list
    series: list
    totals: StatusCounts
    due: int
    completed_of_due: int
    assessed: int
    disagreements: int
    carried: int  # how many measures continue one of an earlier plan
    carried_earlier: StatusCounts
    carried_later: StatusCounts
    earlier_edition_codes: list
    earlier_edition_ids: list
    overdue_rows: list  # the first LISTED, in the plan's order
    disagreement_rows: list  # the first LISTED, in the plan's order
    current: bool = True

    @property
    def edition(self):
        return self.scope.edition

    @property
    def carried_comparison(self):
        earlier, later = self.carried_earlier, self.carried_later
        return [(value, label, earlier.counts[value], later.counts[value]) for value, label in Status.choices]

    def measures_in_scope(self):
        return Measure.objects.filter(edition=self.edition)


def _counted(prefix: str = "") -> dict:
    """Measures counted by status, and their progress added up, as aggregates; `prefix` reaches the measure
    from another model (`"measure__"`, `"continues__"`)."""
    return {
        **{f"status_{value}": Count(prefix + "pk", filter=Q(**{prefix + "status": value})) for value in Status.values},
        "progress_sum": Sum(prefix + "progress"),
    }


def _status_counts(row: dict, *, overdue: int = 0, revised: int = 0, revisions: int = 0) -> StatusCounts:
    counts = Counter({value: row[f"status_{value}"] for value in Status.values if row[f"status_{value}"]})
    return StatusCounts(
        counts=counts, progress_sum=row["progress_sum"] or 0, overdue=overdue, revised=revised, revisions=revisions
    )


def _reaching(condition: Q, prefix: str) -> Q:
    """`condition` on a measure, read from a model that reaches the measure through `prefix`."""
    reached = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        reached.children.append(_reaching(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return reached


def dashboard_numbers(edition: Edition, *, today: date | None = None) -> DashboardNumbers:
    """The dashboard's numbers for `edition` today, in a fixed number of queries whatever its size."""
    today = today or timezone.localdate()
    scope = Scope(kind="edition", edition=edition)
    measures = Measure.objects.filter(edition=edition).order_by()
    overdue = overdue_condition(today)

    # Query 1: the plan's areas; query 2: its measures counted per area, by the status in force (the measure
    # row keeps it).
    areas = {area.pk: area for area in Area.objects.filter(edition=edition).order_by("order", "code")}
    per_area = {
        row["area_id"]: row
        for row in measures.values("area_id").annotate(
            **_counted(),
            overdue=Count("pk", filter=overdue),
            due=Count("pk", filter=Q(deadline__lt=today)),
            completed_of_due=Count("pk", filter=Q(deadline__lt=today, status=Status.COMPLETED)),
        )
    }
    # Query 3: the NGO assessments beside the status in force, and those that disagree, per area.
    ngo = assessments.newest_ngo_assessments().filter(measure__edition=edition)
    inner, params = ngo.values("measure__area_id", "disagrees").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT measure__area_id, COUNT(*), SUM(CASE WHEN disagrees THEN 1 ELSE 0 END) "
            f"FROM ({inner}) assessed GROUP BY measure__area_id",
            params,
        )
        ngo_per_area = {area_id: (count, int(disagreeing or 0)) for area_id, count, disagreeing in cursor}
    # Query 4: the deadline revisions per area: how many measures, how many revisions.
    revised = {
        row["measure__area_id"]: row
        for row in DeadlineRevision.objects.filter(measure__edition=edition)
        .values("measure__area_id")
        .annotate(measures=Count("measure_id", distinct=True), revisions=Count("pk"))
        .order_by()
    }
    totals, sections = StatusCounts(), []
    pillars = {value: StatusCounts() for value, _label in Pillar.choices}
    due = completed_of_due = assessed = disagreements = 0
    for area in areas.values():
        row = per_area.get(area.pk)
        if row is None:
            continue
        changes = revised.get(area.pk, {})
        counts = _status_counts(
            row, overdue=row["overdue"], revised=changes.get("measures", 0), revisions=changes.get("revisions", 0)
        )
        sections.append(
            Section(
                code=area.code,
                title=area.title,
                pillar=area.pillar,
                is_illustrative=area.is_illustrative,
                counts=counts,
                key=area.pk,
            )
        )
        for group in (totals, pillars[area.pillar]):
            group.counts.update(counts.counts)
            group.progress_sum += counts.progress_sum
            group.overdue += counts.overdue
            group.revised += counts.revised
            group.revisions += counts.revisions
        due += row["due"]
        completed_of_due += row["completed_of_due"]
        area_assessed, area_disagreeing = ngo_per_area.get(area.pk, (0, 0))
        assessed += area_assessed
        disagreements += area_disagreeing

    # Query 5: the measures counted per agency taking part; query 6: those agencies.
    per_agency = list(
        MeasureAgency.objects.filter(measure__edition=edition)
        .values("agency_id")
        .annotate(
            **_counted("measure__"),
            overdue=Count("pk", filter=_reaching(overdue, "measure__")),
            leads=Count("pk", filter=Q(is_lead=True)),
        )
        .order_by()
    )
    agencies = Agency.objects.in_bulk([row["agency_id"] for row in per_agency])
    by_agency = sorted(
        (
            AgencyLine(
                agency=agencies[row["agency_id"]],
                counts=_status_counts(row, overdue=row["overdue"]),
                leads=row["leads"],
            )
            for row in per_agency
        ),
        key=lambda line: (-line.counts.total, str(line.agency.name)),
    )

    # Query 7: the measures carried over from earlier plans, by how they ended there and how they stand now.
    carried_earlier, carried_later, earlier_codes, earlier_ids = StatusCounts(), StatusCounts(), [], []
    for row in (
        measures.filter(continues__isnull=False)
        .values("continues__edition_id", "continues__edition__code")
        .annotate(
            **_counted(),
            **{f"earlier_{key}": value for key, value in _counted("continues__").items()},
        )
    ):
        earlier_codes.append(row["continues__edition__code"])
        earlier_ids.append(row["continues__edition_id"])
        for counts, prefix in ((carried_earlier, "earlier_"), (carried_later, "")):
            part = _status_counts({key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)})
            counts.counts.update(part.counts)
            counts.progress_sum += part.progress_sum

    # Query 8: the plan's reporting periods; query 9: the progress across them.
    periods = list(ReportingPeriod.objects.filter(edition=edition).order_by("start"))
    series = _series(periods, measures, totals.total, today)

    # Query 10: the first overdue measures; query 11: the first disagreeing assessments, with their measure.
    overdue_rows = [
        ListedMeasure(
            measure=measure,
            status=measure.status,
            progress=measure.progress,
            revised=measure.deadline_revised,
            original_deadline=measure.original_deadline,
        )
        for measure in measures.filter(overdue).with_original_deadline().order_by("sort_key", "pk")[:LISTED]
    ]
    disagreement_rows = [
        ListedMeasure(
            measure=update.measure,
            status=update.measure.status,
            progress=update.measure.progress,
            assessment=Assessment(
                agency=update.agency,
                status=update.status,
                progress=update.progress,
                narrative="",
                period=update.period.label,
                disagrees=True,
            ),
        )
        for update in ngo.filter(disagrees=True)
        .select_related("measure", "agency", "period")
        .order_by("measure__area__order", "measure__area__code", "measure__sort_key")[:LISTED]
    ]

    return DashboardNumbers(
        scope=scope,
        as_of=today,
        sections=sections,
        by_pillar=[(value, label, pillars[value]) for value, label in Pillar.choices if pillars[value].total],
        by_agency=by_agency,
        series=series,
        totals=totals,
        due=due,
        completed_of_due=completed_of_due,
        assessed=assessed,
        disagreements=disagreements,
        carried=carried_later.total,
        carried_earlier=carried_earlier,
        carried_later=carried_later,
        earlier_edition_codes=sorted(earlier_codes),
        earlier_edition_ids=earlier_ids,
        overdue_rows=overdue_rows,
        disagreement_rows=disagreement_rows,
    )
