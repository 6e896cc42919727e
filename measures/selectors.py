"""Reads that cross relations, each with a fixed number of queries whatever the data size.

Every read is scoped by country first (`nap_tracker.countries`): a list takes the country it shows
(`country`, a Country or its id — the request's `current_country_id`), a page of one object takes the
person and finds the object only among their countries (`countries_for`), so another country's object
is a 404 like one that does not exist."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import (
    Area,
    DeadlineRevision,
    Edition,
    Evidence,
    IndicatorValue,
    Measure,
    MeasureAgency,
    PeriodChange,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    Spending,
    Status,
    StatusUpdate,
    UpdateEvent,
    overdue_condition,
)
from nap_tracker.countries import countries_for, in_countries, in_country
from nap_tracker.models import Agency


@dataclass
class EditionSummary:
    edition: Edition
    total: int = 0
    overdue: int = 0
    illustrative: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def status_rows(self):
        """(status value, label, count, percent) in the vocabulary's order, zeros included."""
        rows = []
        for value, label in Status.choices:
            count = self.by_status.get(value, 0)
            share = round(100 * count / self.total) if self.total else 0
            rows.append((value, label, count, share))
        return rows


def edition_summaries(country, *, today: date | None = None) -> list[EditionSummary]:
    """Every plan of the country with its measures counted by status. Two queries: the plans, then one aggregate."""
    summaries = {edition.pk: EditionSummary(edition=edition) for edition in in_country(Edition.objects.all(), country)}
    rows = (
        in_country(Measure.objects.all(), country)
        .values("edition_id", "status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=overdue_condition(today)),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
        )
        .order_by()
    )
    for row in rows:
        summary = summaries[row["edition_id"]]
        summary.by_status[row["status"]] = row["n"]
        summary.total += row["n"]
        summary.overdue += row["overdue"]
        summary.illustrative += row["illustrative"]
    return list(summaries.values())


# --- Measures list and page -------------------------------------------------------------


def measures_for_list(country):
    """The country's measures with what a list row shows: plan, area, the agencies with their parts, and
    whether the deadline was revised (with the original date). Three queries per page."""
    return in_country(_with_list_columns(), country)


def _with_list_columns():
    return (
        Measure.objects.with_original_deadline()
        .select_related("edition", "area")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=MeasureAgency.objects.select_related("agency").order_by("-is_lead", "part", "agency__name_en"),
            )
        )
    )


# The columns a list row shows (measure_list.html): the long texts of the measure stay in the database.
LIST_ROW_FIELDS = (
    "edition__code",
    # Whether the measure is overdue, or not completed by the plan's end, depends on the plan's state.
    "edition__state",
    "area__code",
    "area__pillar",
    "number",
    "sort_key",
    "title_en",
    "title_az",
    "title_ru",
    "is_illustrative",
    "status",
    "progress",
    "deadline",
    "consolidated_status",
    # The measure of an earlier plan it continues: "Continues 4.1.1 of NAP-2014-2018".
    "continues__number",
    "continues__edition__code",
)


def measure_rows(measure_ids) -> list[Measure]:
    """The rows of one page of the list, in the order given: `measures_for_list()` for these measures
    only, with only the columns a row shows. Three queries.

    The list pages over bare ids first (`measure_list`): sorting 10,000 narrow rows and skipping
    to page 200 is cheap, while sorting whole rows (descriptions and all) spilled to disk and
    computed the original-deadline subqueries for every row skipped."""
    ids = list(measure_ids)
    # The ids come from a list already scoped to its country.
    found = _with_list_columns().select_related("continues__edition").only(*LIST_ROW_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def revisions_prefetch(prefix: str = "") -> Prefetch:
    """A measure's deadline revisions, oldest first, with who made each: one query for any number of measures."""
    return Prefetch(
        prefix + "deadline_revisions",
        queryset=DeadlineRevision.objects.select_related("revised_by").order_by("revised_at", "pk"),
    )


def measure_for_page(user, pk: int, *, with_recommendations: bool = False) -> Measure:
    """The measure with what its pages show, if it is of one of the person's countries (else 404);
    `with_recommendations` adds, in one more query, the recommendations it answers with their sources
    (the measure's own page lists them)."""
    recommendations = Prefetch(
        "recommendations",
        queryset=Recommendation.objects.select_related("source").order_by(
            "source__kind", "source__reference", "sort_key"
        ),
    )
    return get_object_or_404(
        in_countries(Measure.objects.all(), countries_for(user))
        .select_related("edition", "area", "continues__edition", "consolidated_by")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=MeasureAgency.objects.select_related("agency").order_by("-is_lead", "part", "agency__name_en"),
            ),
            Prefetch("continued_by", queryset=Measure.objects.select_related("edition")),
            revisions_prefetch(),
            *([recommendations] if with_recommendations else []),
        ),
        pk=pk,
    )


def recommendations_by_source(country) -> list[RecommendationSource]:
    """Every source of the country with its recommendations, and for each the measures answering it (with
    their plan). Three queries, whatever the number of sources, recommendations and links."""
    return list(
        in_country(RecommendationSource.objects.all(), country)
        .order_by("kind", "-year", "reference")
        .prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.order_by("sort_key").prefetch_related(
                    Prefetch(
                        "measures",
                        queryset=in_country(Measure.objects.all(), country)
                        .select_related("edition")
                        .order_by("edition", "sort_key"),
                    )
                ),
            )
        )
    )


def thread_prefetch(prefix: str = "") -> Prefetch:
    """An update's thread, oldest first, with who wrote each step and their agency: one query for any number of updates."""
    return Prefetch(
        prefix + "events",
        queryset=UpdateEvent.objects.select_related("actor__agency").order_by("created_at", "pk"),
    )


def updates_for_measure(measure: Measure, user):
    """The updates on a measure the user may see, newest period first, with their evidence, thread and
    reported results. Five queries."""
    from nap_tracker.permissions import visible_updates

    return list(
        visible_updates(user, measure.updates.all())
        .select_related("period", "agency", "author", "reviewer")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")),
            thread_prefetch(),
            *results_prefetch(),
        )
        .order_by("-period__start", "agency__name_en")
    )


def results_prefetch() -> list[Prefetch]:
    """What an update reports against the indicators and as money spent: two queries for any number of updates."""
    return [
        Prefetch(
            "indicator_values",
            queryset=IndicatorValue.objects.select_related("indicator").order_by("indicator__order", "indicator_id"),
        ),
        Prefetch("spending", queryset=Spending.objects.select_related("source").order_by("currency", "pk")),
    ]


def ngo_assessments(measure_ids) -> dict[int, StatusUpdate]:
    """For each of these measures, its independent assessment: the latest approved update of an NGO
    that is a partner in it (`measures.assessments`), with its agency and period. One query, for any
    number of measures."""
    latest = (
        StatusUpdate.objects.filter(
            measure_id=OuterRef("pk"),
            state=StatusUpdate.State.APPROVED,
            agency__kind=Agency.Kind.NGO,
            agency__assignments__measure_id=OuterRef("pk"),
            agency__assignments__part=MeasureAgency.Part.PARTNER,
        )
        .order_by("-period__start", F("reviewed_at").desc(nulls_last=True), "-pk")
        .values("pk")[:1]
    )
    chosen = Measure.objects.filter(pk__in=list(measure_ids)).annotate(assessment=Subquery(latest)).values("assessment")
    return {
        update.measure_id: update
        for update in StatusUpdate.objects.filter(pk__in=chosen).select_related("agency", "period")
    }


@dataclass
class FieldChange:
    label: str
    before: object
    after: object
    kind: str = "text"  # "text", "date" or "long" (shown without the values)


@dataclass
class Change:
    when: object
    who: object
    what: str  # "created" or "changed"
    fields: list[FieldChange]
    # The approval that moved the status, when the change was the system's doing.
    approval: object = None
    # The deadline revision that moved the deadline, with its reason.
    revision: object = None
    # "set" or "cleared" when the coordinator's office set or cleared a consolidated status.
    consolidation: str = ""
    # When the recommendations the measure answers were changed: their citations, added and removed.
    recommendations: dict | None = None


# Kept for the system's own bookkeeping, or told by the history row itself (who, when); never a
# change a reader needs to see.
HISTORY_HIDDEN_FIELDS = {"status_changed_at", "sort_key", "consolidated_by", "consolidated_at"}
LONG_TEXT = (models.TextField,)


def _readable(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    return value


@dataclass
class _Delta:
    field: str
    old: object
    new: object


def _differences(newer, older, model=Measure, hidden=HISTORY_HIDDEN_FIELDS) -> list[_Delta]:
    deltas = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in hidden or model_field.primary_key:
            continue
        old, new = getattr(older, model_field.attname, None), getattr(newer, model_field.attname, None)
        if old != new:
            deltas.append(_Delta(model_field.name, old, new))
    return deltas


def _field_changes(model, deltas: list[_Delta], labels: dict | None = None) -> list[FieldChange]:
    """Each changed field by its translated name; long texts and links said to have changed, not shown."""
    fields = []
    for delta in deltas:
        model_field = model._meta.get_field(delta.field)
        label = str((labels or {}).get(delta.field) or model_field.verbose_name)
        label = label[:1].upper() + label[1:]
        if isinstance(model_field, (*LONG_TEXT, models.ForeignKey)):
            fields.append(FieldChange(label, None, None, kind="long"))
        elif isinstance(model_field, models.DateField):
            fields.append(FieldChange(label, delta.old, delta.new, kind="date"))
        else:
            fields.append(FieldChange(label, _readable(model_field, delta.old), _readable(model_field, delta.new)))
    return fields


# What an update's own history shows: what its agency wrote. The workflow (state, reviewer, times) is
# told by its thread.
UPDATE_HISTORY_FIELDS = {"period", "status", "progress", "language", "narrative", "figures"}


def update_history(update: StatusUpdate, limit: int = 30, *, show_restricted: bool = False) -> list[Change]:
    """Who changed what the update says and when, newest first, in plain words (its period by label);
    that the restricted details changed only with `show_restricted`. Two queries: the history, and the
    periods it names."""
    shown = UPDATE_HISTORY_FIELDS | ({"restricted_details"} if show_restricted else set())
    hidden = {f.name for f in StatusUpdate._meta.concrete_fields} - shown
    records = list(
        update.history.select_related("history_user__agency").order_by("-history_date", "-history_id")[: limit + 1]
    )
    periods = dict(ReportingPeriod.objects.filter(pk__in={r.period_id for r in records}).values_list("pk", "label"))
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(changes) == limit:
            break
        if older is None:
            changes.append(Change(newer.history_date, newer.history_user, "created", []))
            continue
        deltas = _differences(newer, older, model=StatusUpdate, hidden=hidden)
        fields = []
        for delta in deltas:
            if delta.field == "period":
                label = str(StatusUpdate._meta.get_field("period").verbose_name)
                fields.append(
                    FieldChange(label[:1].upper() + label[1:], periods.get(delta.old), periods.get(delta.new))
                )
            else:
                fields += _field_changes(StatusUpdate, [delta])
        if fields:
            changes.append(Change(newer.history_date, newer.history_user, "changed", fields))
    return changes


def measure_history(measure: Measure, limit: int = 30) -> list[Change]:
    """Who changed what on the measure and when, newest first, in plain words: each changed field by
    its translated name with its old and new value. Changes made by an approval (status and progress
    copied from the approved update) say so, a revised deadline names its revision, and a consolidated
    status says it was set or cleared, a change of the recommendations it answers names those added and
    removed. One query, one more when approvals are among them, one more when changes of its
    recommendations are, and one for the revisions unless they are prefetched."""
    from measures.commitments.services import RECOMMENDATIONS_REASON
    from measures.services import (
        APPROVAL_REASON,
        CONSOLIDATION_CLEARED_REASON,
        CONSOLIDATION_SET_REASON,
        DEADLINE_REVISION_REASON,
    )

    records = list(
        measure.history.select_related("history_user__agency").order_by("-history_date", "-history_id")[: limit + 1]
    )
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(changes) == limit:
            break
        if older is None:
            changes.append(Change(newer.history_date, newer.history_user, "created", []))
            continue
        # Compared field by field here: simple-history's diff_against skips fields that are not
        # editable in forms, and status and progress (copied by approvals) are exactly those.
        fields = _field_changes(Measure, _differences(newer, older))
        reason = newer.history_change_reason or ""
        if reason == RECOMMENDATIONS_REASON:
            change = Change(newer.history_date, newer.history_user, "changed", fields)
            change.recommendations = {"newer": newer.history_id, "older": older.history_id}
            changes.append(change)
            continue
        if not fields:
            continue  # saved without a change a reader would see
        approval = int(reason.removeprefix(APPROVAL_REASON)) if reason.startswith(APPROVAL_REASON) else None
        revision = (
            int(reason.removeprefix(DEADLINE_REVISION_REASON)) if reason.startswith(DEADLINE_REVISION_REASON) else None
        )
        consolidation = {CONSOLIDATION_SET_REASON: "set", CONSOLIDATION_CLEARED_REASON: "cleared"}.get(reason, "")
        changes.append(
            Change(newer.history_date, newer.history_user, "changed", fields, approval, revision, consolidation)
        )
    approval_ids = {change.approval for change in changes if change.approval}
    if approval_ids:
        approvals = StatusUpdate.objects.select_related("agency", "period").in_bulk(approval_ids)
        for change in changes:
            change.approval = approvals.get(change.approval)
    _name_recommendation_changes([change for change in changes if change.recommendations])
    if any(change.revision for change in changes):
        revisions = {revision.pk: revision for revision in measure.deadline_revisions.all()}
        for change in changes:
            change.revision = revisions.get(change.revision)
    return changes


def _name_recommendation_changes(changes: list[Change]):
    """The recommendations each change added and removed, by citation, from the links its history record and
    the one before it kept. One query for all of them (none when there are none)."""
    if not changes:
        return
    record_ids = {change.recommendations[side] for change in changes for side in ("newer", "older")}
    kept: dict[int, dict[int, str]] = {record_id: {} for record_id in record_ids}
    links = Measure.history.model.recommendations.model.objects.filter(history_id__in=record_ids)
    for record_id, recommendation_id, reference, number in links.values_list(
        "history_id", "recommendation_id", "recommendation__source__reference", "recommendation__number"
    ):
        kept[record_id][recommendation_id] = f"{reference} {number}" if reference else "—"
    for change in changes:
        newer, older = kept[change.recommendations["newer"]], kept[change.recommendations["older"]]
        change.recommendations = {
            "added": sorted(newer[pk] for pk in newer.keys() - older.keys()),
            "removed": sorted(older[pk] for pk in older.keys() - newer.keys()),
        }


@dataclass
class MeasureResults:
    indicators: list  # results.IndicatorProgress
    budget: list  # results.BudgetRow
    budget_totals: list


def measure_results(measure: Measure) -> MeasureResults:
    """The measure's indicators with their approved values period by period, and its budget planned
    beside what approved updates report as spent. Four queries."""
    from measures import results

    indicators = list(measure.indicator_set.all())
    values = IndicatorValue.objects.filter(
        indicator__measure=measure, update__state=StatusUpdate.State.APPROVED
    ).select_related("update__period", "update__agency")
    lines = list(measure.budget_lines.select_related("source"))
    spending = Spending.objects.filter(
        update__measure=measure, update__state=StatusUpdate.State.APPROVED
    ).select_related("source")
    rows = results.budget_rows(lines, spending)
    return MeasureResults(
        indicators=results.indicator_progress(indicators, values),
        budget=rows,
        budget_totals=results.budget_totals(rows),
    )


# --- Home pages -------------------------------------------------------------------------


def current_period(edition: Edition, today: date | None = None) -> ReportingPeriod | None:
    """The period updates are being written for: the latest one that has started."""
    today = today or timezone.localdate()
    return edition.periods.filter(start__lte=today).order_by("-start").first()


def reporting_parts_for(user) -> tuple[str, ...]:
    from nap_tracker.permissions import PARTS_FOR_ROLE

    return PARTS_FOR_ROLE.get(user.role, ())


HOME_GROUP_SIZE = 10


@dataclass
class WorkGroup:
    """One kind of work on a reporting home: the first few items, how many there are in all, and the
    `work` filter of the measures list that shows them all."""

    key: str
    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class ReportingWork:
    returned: WorkGroup
    drafts: WorkGroup
    due: WorkGroup
    overdue: WorkGroup
    periods: list[ReportingPeriod]  # each running plan's current period, open or closed

    @property
    def groups(self) -> list[WorkGroup]:
        return [self.returned, self.drafts, self.due, self.overdue]


def current_periods(countries, today: date | None = None) -> dict[int, ReportingPeriod]:
    """Each running plan's current period (the latest that has started), by plan, in these countries
    (ids). One query."""
    today = today or timezone.localdate()
    periods = {}
    for period in (
        in_countries(ReportingPeriod.objects.all(), countries)
        .filter(edition__state=Edition.State.ACTIVE, start__lte=today)
        .select_related("edition")
        .order_by("edition_id", "-start")
    ):
        periods.setdefault(period.edition_id, period)
    return periods


def reporting_measures(user):
    """Measures of running plans of the person's countries in which the user's agency reports (its part
    fits the user's role)."""
    links = MeasureAgency.objects.filter(agency_id=user.agency_id, part__in=reporting_parts_for(user))
    return in_countries(Measure.objects.all(), countries_for(user)).filter(
        edition__state=Edition.State.ACTIVE, pk__in=links.values("measure_id")
    )


def open_updates(user, state: str):
    """The agency's updates in this state (draft or returned) on its measures, in periods still open:
    those it can still finish."""
    return StatusUpdate.objects.filter(
        agency_id=user.agency_id,
        state=state,
        period__closed_at__isnull=True,
        measure__in=reporting_measures(user),
    )


def due_condition(user, periods: dict[int, ReportingPeriod]) -> Q:
    """Measures owing an update for their plan's current period: it is open, the measure is not finished,
    and the agency has written nothing for that period yet."""
    condition = Q(pk__isnull=True)  # nothing, where no plan has an open current period
    for period in periods.values():
        if period.is_closed:
            continue
        written = StatusUpdate.objects.filter(measure_id=OuterRef("pk"), agency_id=user.agency_id, period=period)
        condition |= Q(edition_id=period.edition_id) & ~Q(Exists(written))
    return condition & ~Q(status__in=[Status.COMPLETED, Status.NOT_IMPLEMENTED])


def work_measures(user, work: str, today: date | None = None):
    """The measures behind one group of a reporting home (`reporting_work`), for the measures list."""
    mine = reporting_measures(user)
    if work in (StatusUpdate.State.RETURNED, StatusUpdate.State.DRAFT):
        return mine.filter(pk__in=open_updates(user, work).values("measure_id"))
    if work == "due":
        return mine.filter(due_condition(user, current_periods(countries_for(user), today)))
    if work == "overdue":
        return mine.filter(overdue_condition(today))
    return mine


def reporting_work(user, today: date | None = None, limit: int = HOME_GROUP_SIZE) -> ReportingWork:
    """What a focal point or NGO has to do: returned updates, drafts, measures due this period, overdue
    measures; the first `limit` of each and how many in all. Seven queries whatever the plan's size:
    current periods, the updates counted by state, the returned, the drafts, the measures counted,
    the due, the overdue."""
    today = today or timezone.localdate()
    periods = current_periods(countries_for(user), today)
    mine = reporting_measures(user)
    in_work = [StatusUpdate.State.RETURNED, StatusUpdate.State.DRAFT]
    update_counts = dict(
        StatusUpdate.objects.filter(
            agency_id=user.agency_id, state__in=in_work, period__closed_at__isnull=True, measure__in=mine
        )
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )

    def updates(state):
        return list(
            open_updates(user, state)
            .select_related("measure__edition", "period")
            .order_by("-period__start", "measure__sort_key")[:limit]
        )

    due = due_condition(user, periods)
    overdue = overdue_condition(today)
    measure_counts = mine.aggregate(due=Count("pk", filter=due), overdue=Count("pk", filter=overdue))
    rows = Measure.objects.with_original_deadline().select_related("edition")
    return ReportingWork(
        returned=WorkGroup("returned", updates(StatusUpdate.State.RETURNED), update_counts.get("returned", 0)),
        drafts=WorkGroup("draft", updates(StatusUpdate.State.DRAFT), update_counts.get("draft", 0)),
        due=WorkGroup(
            "due",
            list(rows.filter(pk__in=mine.filter(due).values("pk")).order_by("sort_key")[:limit]),
            measure_counts["due"],
        ),
        overdue=WorkGroup(
            "overdue",
            list(rows.filter(pk__in=mine.filter(overdue).values("pk")).order_by("deadline", "sort_key")[:limit]),
            measure_counts["overdue"],
        ),
        periods=sorted(periods.values(), key=lambda period: period.edition.code),
    )


def open_updates_by_measure(user, measure_ids) -> dict[int, StatusUpdate]:
    """The user's agency's draft or returned update on each of these measures (the latest period's, if
    several), for the buttons that lead to it; one in a closed period can no longer be finished, so it
    is left out. One query."""
    found = {}
    for update in (
        StatusUpdate.objects.filter(
            agency_id=user.agency_id,
            measure_id__in=measure_ids,
            state__in=[StatusUpdate.State.DRAFT, StatusUpdate.State.RETURNED],
            period__closed_at__isnull=True,
        )
        .select_related("period")
        .order_by("-period__start")
    ):
        found.setdefault(update.measure_id, update)
    return found


def _status_setting_updates(measure_ids):
    """For each of these measures, the approved update that sets its status: its responsible bodies'
    latest, the lead's first (`measures.assessments.self_report`), with period and reviewer. One query,
    ranking each measure's updates with a window function (PostgreSQL and SQLite alike) rather than a
    subquery per measure."""
    by_lead = MeasureAgency.objects.filter(
        measure_id=OuterRef("measure_id"),
        agency_id=OuterRef("agency_id"),
        is_lead=True,
        part__in=MeasureAgency.RESPONSIBLE_PARTS,
    )
    order = [
        Exists(by_lead).desc(),
        F("period__start").desc(),
        F("reviewed_at").desc(nulls_last=True),
        F("pk").desc(),
    ]
    return (
        StatusUpdate.objects.filter(
            measure_id__in=measure_ids,
            state=StatusUpdate.State.APPROVED,
            agency__assignments__measure_id=F("measure_id"),
            agency__assignments__part__in=MeasureAgency.RESPONSIBLE_PARTS,
        )
        .annotate(rank=Window(RowNumber(), partition_by=F("measure_id"), order_by=order))
        .filter(rank=1)
        .select_related("period", "reviewer")
    )


def measures_for_export(measures, chunk_size: int = 500):
    """The measures of an export, in lists of `chunk_size`, each measure with what a row names:
    `agency_parts` (its agencies, lead first), `revision_list` (its deadline revisions, oldest first),
    `approval` (`_status_setting_updates`) and `assessment` (`ngo_assessments`).

    Read with a database cursor in chunks, so memory stays flat however large the plan: one query for
    the measures, then four per chunk (agencies, revisions, the approved updates, the assessments),
    the same on PostgreSQL and SQLite."""
    # Agencies and revisions are grouped by hand: Django's prefetch clones a queryset for every measure,
    # which on 10,000 measures cost more than everything else together.
    rows = measures.prefetch_related(None).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        ids = [measure.pk for measure in chunk]
        parts, revisions = defaultdict(list), defaultdict(list)
        for assignment in (
            MeasureAgency.objects.filter(measure_id__in=ids)
            .select_related("agency")
            .order_by("-is_lead", "part", "agency__name_en")
        ):
            parts[assignment.measure_id].append(assignment)
        for revision in DeadlineRevision.objects.filter(measure_id__in=ids).order_by("revised_at", "pk"):
            revisions[revision.measure_id].append(revision)
        approvals = {update.measure_id: update for update in _status_setting_updates(ids)}
        found = ngo_assessments(ids)
        for measure in chunk:
            measure.agency_parts = parts[measure.pk]
            measure.revision_list = revisions[measure.pk]
            measure.approval = approvals.get(measure.pk)
            measure.assessment = found.get(measure.pk)
        yield chunk


def review_queue(country, limit: int | None = None):
    """The country's submitted updates, oldest first, with what the queue shows. One query.

    The evidence count is a subquery per row, not a join grouped by every column: the database walks
    the `update_review_queue` index and stops at the page's last row instead of grouping every
    submitted update before the LIMIT."""
    files = (
        Evidence.objects.filter(update_id=OuterRef("pk"))
        .order_by()
        .values("update_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = (
        in_country(StatusUpdate.objects.all(), country)
        .filter(state=StatusUpdate.State.SUBMITTED)
        .select_related("measure__edition", "agency", "period", "author")
        .annotate(evidence_count=Coalesce(Subquery(files, output_field=models.IntegerField()), 0))
        .order_by("submitted_at", "pk")
    )
    return queryset[:limit] if limit else queryset


def agencies_not_reported(country, today: date | None = None) -> list[tuple[ReportingPeriod, list]]:
    """For each active plan of the country, its current period: the executing bodies that have submitted
    nothing for it yet."""
    result = []
    for edition in in_country(Edition.objects.all(), country).filter(state=Edition.State.ACTIVE):
        period = current_period(edition, today)
        if period is None:
            continue
        responsible = MeasureAgency.objects.filter(
            measure__edition=edition, part=MeasureAgency.Part.EXECUTING, agency__active=True
        ).values("agency_id")
        reported = (
            StatusUpdate.objects.filter(period=period).exclude(state=StatusUpdate.State.DRAFT).values("agency_id")
        )
        silent = list(
            Agency.objects.filter(pk__in=responsible)
            .exclude(pk__in=reported)
            .annotate(
                measure_count=Count(
                    "assignments", filter=Q(assignments__measure__edition=edition, assignments__part="executing")
                )
            )
            .order_by("name_en")
        )
        result.append((period, silent))
    return result


@dataclass
class AreaProgress:
    area: Area
    total: int
    completed: int
    average_progress: int
    by_status: dict


def progress_by_area(editions) -> dict[int, list[AreaProgress]]:
    """Each area of the given plans: measures, completed, average progress and the status mix. Two queries."""
    edition_ids = [edition.pk for edition in editions]
    rows = {area.pk: AreaProgress(area, 0, 0, 0, {}) for area in Area.objects.filter(edition_id__in=edition_ids)}
    sums = {}
    aggregate = (
        Measure.objects.filter(edition_id__in=edition_ids)
        .values("area_id", "status")
        .annotate(n=Count("id"), total=Sum("progress"))
        .order_by()
    )
    for row in aggregate:
        entry = rows[row["area_id"]]
        entry.total += row["n"]
        entry.by_status[row["status"]] = row["n"]
        sums[row["area_id"]] = sums.get(row["area_id"], 0) + (row["total"] or 0)
        if row["status"] == Status.COMPLETED:
            entry.completed += row["n"]
    by_edition = {pk: [] for pk in edition_ids}
    for pk, entry in rows.items():
        entry.average_progress = round(sums.get(pk, 0) / entry.total) if entry.total else 0
        by_edition[entry.area.edition_id].append(entry)
    return by_edition


# --- Reporting periods ------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: ReportingPeriod
    by_state: dict[str, int] = field(default_factory=dict)
    is_current: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def in_work(self) -> int:
        """Drafts and returned updates: what a close would leave unfinished."""
        return self.by_state.get(StatusUpdate.State.DRAFT, 0) + self.by_state.get(StatusUpdate.State.RETURNED, 0)

    @property
    def state_rows(self):
        """(state value, label, count) in the workflow's order, zeros included."""
        return [(value, label, self.by_state.get(value, 0)) for value, label in StatusUpdate.State.choices]


def _update_counts(period_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {pk: {} for pk in period_ids}
    rows = (
        StatusUpdate.objects.filter(period_id__in=period_ids)
        .values("period_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["period_id"]][row["state"]] = row["n"]
    return counts


def periods_of_plan(edition: Edition, today: date | None = None) -> list[PeriodRow]:
    """The plan's reporting periods in order, each with who closed it and its updates counted by state.
    Two queries, whatever the number of periods and updates."""
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(edition=edition).select_related("closed_by").order_by("start"))
    counts = _update_counts([period.pk for period in periods])
    rows = [PeriodRow(period, counts[period.pk]) for period in periods]
    started = [row for row in rows if row.period.start <= today]
    if started:
        started[-1].is_current = True
    return rows


def period_for_page(user, pk: int) -> PeriodRow:
    """One period of the person's countries (else 404) with its plan, who closed it, its updates counted by
    state, and the record of its closes and reopenings (`period.changes`, oldest first). Three queries."""
    period = get_object_or_404(
        in_countries(ReportingPeriod.objects.all(), countries_for(user))
        .select_related("edition", "closed_by")
        .prefetch_related(
            Prefetch(
                "changes", queryset=PeriodChange.objects.select_related("actor__agency").order_by("created_at", "pk")
            )
        ),
        pk=pk,
    )
    return PeriodRow(period, _update_counts([period.pk])[period.pk])
