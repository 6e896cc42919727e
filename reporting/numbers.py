"""The numbers behind every report and the dashboard — one module, one source of truth.

`report_numbers(scope)` loads what a report needs in a fixed number of queries, whatever the
size of the plan: the measures with their areas and the measures they continue (1), their
agencies (1), the plan's reporting periods (1), the approved updates (1), the deadline
revisions (1) and the files of the updates the report quotes (1). Everything else is counted in
Python from those rows, so the dashboard and the documents cannot disagree.

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

from django.db.models import BooleanField, ExpressionWrapper, Prefetch
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


@dataclass
class ReportNumbers:
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

    @property
    def edition(self):
        return self.scope.edition

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
    def completed_of_due_share(self) -> int:
        return round(100 * self.completed_of_due / self.due) if self.due else 0

    @property
    def overdue_share(self) -> int:
        return round(100 * self.totals.overdue / self.totals.total) if self.totals.total else 0

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


def report_numbers(scope: Scope, *, today: date | None = None, include_restricted: bool = False) -> ReportNumbers:
    """Everything a report or the dashboard shows about `scope`, in six queries.

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

    # Query 2: the measures in scope with their area and the measure they continue;
    # Query 3: every measure's agencies (prefetched).
    measures = (
        Measure.objects.filter(edition=edition)
        .select_related("area", "continues", "continues__edition")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=MeasureAgency.objects.select_related("agency").order_by("-is_lead", "part", "agency__name_en"),
            )
        )
        .annotate(overdue_today=ExpressionWrapper(overdue_condition(today), output_field=BooleanField()))
        .order_by("area__order", "area__code", "sort_key")
    )
    if scope.kind == "area":
        measures = measures.filter(area=scope.area)
    if scope.kind == "agency":
        measures = measures.filter(assignments__agency=scope.agency)
    if scope.kind == "overdue" and current:
        measures = measures.filter(overdue_condition(today))
    measures = list(measures)

    # Query 4: approved updates of the plan up to the moment of the report. Which of them sets each
    # measure's status, and which is its NGO assessment, `measures.assessments` decides.
    fields = [
        "measure_id",
        "agency_id",
        "status",
        "progress",
        "narrative",
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
        StatusUpdate.objects.filter(measure__edition=edition, state=StatusUpdate.State.APPROVED)
        .select_related("period", "reviewer", "agency")
        .only(*fields)
        .order_by("period__start", "reviewed_at", "pk")
    )
    if not current:
        updates = updates.filter(period__start__lte=as_of_period.start)
    wanted = {m.pk for m in measures}

    # Query 5: the plan's deadline revisions, oldest first.
    revisions = defaultdict(list)
    for revision in (
        DeadlineRevision.objects.filter(measure__edition=edition)
        .only("measure_id", "old_deadline", "new_deadline", "reason", "revised_at")
        .order_by("revised_at", "pk")
    ):
        if revision.measure_id in wanted:
            revisions[revision.measure_id].append(revision)

    by_period = defaultdict(list)
    by_measure = defaultdict(list)
    for update in updates:
        if update.measure_id in wanted:
            by_period[update.period_id].append(update)
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
            # The same rule as overdue_condition(), applied to the status and the deadline of that moment.
            overdue = bool(deadline and deadline < as_of and status != Status.COMPLETED)
        if scope.kind == "overdue" and not overdue:
            continue
        assessment = None
        if ngo is not None:
            assessment = Assessment(
                agency=ngo.agency,
                status=ngo.status,
                progress=ngo.progress,
                narrative=ngo.narrative,
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
                pillar=measure.area.pillar, is_illustrative=measure.area.is_illustrative, **section_args
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
        # "Due" and "overdue" share one rule: the deadline has passed (see measures.models.overdue_condition).
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
        series=_series(periods, by_period, [row.measure for row in rows], as_of),
        carried=carried,
        totals=totals,
        due=due,
        completed_of_due=completed_of_due,
        include_restricted=include_restricted,
    )


def _series(periods, by_period, measures, as_of) -> list[PeriodPoint]:
    """Average progress and completed measures at the end of each period: each measure as the rule of
    `measures.assessments` read it then (its responsible bodies' latest approved update up to that
    period, or the consolidated status once it was set), carried forward."""
    seen = defaultdict(list)
    points = []
    total = len(measures)
    for period in periods:
        if period.start > as_of:
            break
        for update in by_period.get(period.pk, ()):
            seen[update.measure_id].append(update)
        known = []
        for measure in measures:
            if _consolidated_by(measure, min(period.end, as_of)):
                known.append((measure.consolidated_status, measure.consolidated_progress))
                continue
            report = assessments.self_report(seen[measure.pk], measure.assignments.all())
            if report is not None:
                known.append((report.status, report.progress))
        points.append(
            PeriodPoint(
                label=period.label,
                average_progress=round(sum(progress for _s, progress in known) / total) if total else 0,
                completed=sum(1 for status, _p in known if status == Status.COMPLETED),
                reported=len(known),
            )
        )
    return points
