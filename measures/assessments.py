"""Whose word sets a measure's status, and when an NGO's assessment disagrees with it — the one place
for both rules.

- **The status in force** is the consolidated status, while the coordinator's office has set one;
  otherwise the **self-report**: the latest approved update of the measure's responsible bodies
  (executing bodies and recommended institutions) — the lead's latest, when the lead has one.
  A partner's update never sets it.
- **The independent assessment** is the latest approved update of an NGO that is a partner in the
  measure. It is shown beside the status in force, never instead of it.
- **They disagree** when their statuses are more than one step apart on `STATUS_STEPS`, or their
  progress more than 25 points apart.

The functions here are pure: they read the updates and assignments they are given (the update's
`period`, and the assignment's `agency` for the NGO rule, must be loaded), so the service that
stores the status, the pages and the reports apply the same rule to rows they have already read.
"""

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, RowNumber
from django.db.models.lookups import Exact, GreaterThan

from measures.models import MeasureAgency, Status, StatusUpdate
from nap_tracker.models import Agency

# How far along a measure is, from the least to the most. "Steps" between two statuses are counted
# on this scale: not implemented and not started are nothing done; delayed is work behind plan; in
# progress and ongoing (a continuous measure being carried out) are work under way; completed is done.
STATUS_STEPS = (
    Status.NOT_IMPLEMENTED,
    Status.NOT_STARTED,
    Status.DELAYED,
    Status.IN_PROGRESS,
    Status.ONGOING,
    Status.COMPLETED,
)
_STEP = {status: index for index, status in enumerate(STATUS_STEPS)}

# An assessment more than this far from the status in force is marked as disagreeing.
DISAGREE_AFTER_STEPS = 1
DISAGREE_AFTER_POINTS = 25


def steps_apart(one: str, other: str) -> int:
    return abs(_STEP[one] - _STEP[other])


def disagree(status: str, progress: int, other_status: str, other_progress: int) -> bool:
    """True when two accounts of a measure differ by more than one status step or 25 points of progress."""
    return (
        steps_apart(status, other_status) > DISAGREE_AFTER_STEPS
        or abs(progress - other_progress) > DISAGREE_AFTER_POINTS
    )


def _newest(updates):
    """The latest of `updates` by reporting period, then time of approval, then id; None if there are none."""
    return max(
        updates,
        key=lambda u: (
            u.period.start,
            u.reviewed_at is not None,
            u.reviewed_at.timestamp() if u.reviewed_at else 0,
            u.pk,
        ),
        default=None,
    )


def self_report(updates, assignments):
    """The approved update that speaks for the measure: the lead's latest if the lead has reported,
    else the latest of any responsible body's. `updates` are approved updates of one measure."""
    responsible = {a.agency_id for a in assignments if a.part in MeasureAgency.RESPONSIBLE_PARTS}
    leads = {a.agency_id for a in assignments if a.is_lead and a.part in MeasureAgency.RESPONSIBLE_PARTS}
    theirs = [u for u in updates if u.agency_id in responsible]
    return _newest([u for u in theirs if u.agency_id in leads]) or _newest(theirs)


def ngo_agencies(assignments) -> set[int]:
    """The NGOs that are partners in the measure (reads each assignment's `agency`)."""
    return {
        a.agency_id for a in assignments if a.part == MeasureAgency.Part.PARTNER and a.agency.kind == Agency.Kind.NGO
    }


def ngo_assessment(updates, assignments):
    """The latest approved update of an NGO partner in the measure, or None."""
    ngos = ngo_agencies(assignments)
    return _newest([u for u in updates if u.agency_id in ngos])


def status_in_force(measure, report) -> tuple[str, int]:
    """The consolidated status while one is set, else the self-report's, else not started."""
    if measure.consolidated_status:
        return measure.consolidated_status, measure.consolidated_progress
    if report is not None:
        return report.status, report.progress
    return Status.NOT_STARTED, 0


# The same rules as database expressions, for pages that count thousands of measures without loading
# them (the dashboard): the database applies them in one query, whatever the size of the plan.


def steps_expression(status):
    """The position on `STATUS_STEPS` of the status `status` holds (a field name, `F` or `OuterRef`)."""
    status = F(status) if isinstance(status, str) else status
    return Case(
        *(When(Exact(status, value), then=Value(index)) for index, value in enumerate(STATUS_STEPS)),
        output_field=IntegerField(),
    )


def newest_ngo_assessments():
    """Each measure's independent assessment (`ngo_assessment`) as one queryset of updates: the newest of its
    NGO partners' approved updates, numbered per measure by the database, each with `disagrees` — whether
    it disagrees with the measure's status in force (`disagree`'s rule). Filter it to the plan in hand."""
    partner = MeasureAgency.objects.filter(
        measure_id=OuterRef("measure_id"), agency_id=OuterRef("agency_id"), part=MeasureAgency.Part.PARTNER
    )
    return (
        StatusUpdate.objects.filter(state=StatusUpdate.State.APPROVED, agency__kind=Agency.Kind.NGO)
        .filter(Exists(partner))
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("measure_id")],
                order_by=[F("period__start").desc(), F("reviewed_at").desc(nulls_last=True), F("pk").desc()],
            ),
            disagrees=ExpressionWrapper(
                Q(
                    GreaterThan(
                        Abs(steps_expression("status") - steps_expression("measure__status")), DISAGREE_AFTER_STEPS
                    )
                )
                | Q(GreaterThan(Abs(F("progress") - F("measure__progress")), DISAGREE_AFTER_POINTS)),
                output_field=BooleanField(),
            ),
        )
        .filter(newest=1)
    )
