"""What good practice asks of a measure (ICMPD, SIGMA), and how its implementation went, as conditions.

Each function returns a `Q` on `Measure`, so that the measures list's filters (`measures/filters.py`) and the
plan's quality review (`reporting/quality.py`) count and list the same measures: a figure on the review and
the list its link opens cannot disagree. Overdue stays `models.overdue_condition`, the one definition.
"""

from django.db.models import Exists, F, OuterRef, Q

from measures.models import BudgetLine, Indicator, MeasureAgency, Status, StatusUpdate, UpdateEvent


def responsible_condition() -> Q:
    """An executing body (the lead or a co-responsible one) or a recommended institution answers for it."""
    return Q(Exists(MeasureAgency.objects.filter(measure=OuterRef("pk"), part__in=MeasureAgency.RESPONSIBLE_PARTS)))


def deadline_condition() -> Q:
    """It has a dated deadline (the plan's wording alone, such as "2020–2024, annually", is not one)."""
    return Q(deadline__isnull=False)


def indicator_condition() -> Q:
    """At least one of its indicators has both a baseline and a target (a number or words)."""
    measured = Indicator.objects.filter(measure=OuterRef("pk")).filter(
        Q(baseline_value__isnull=False) | ~Q(baseline_text=""),
        Q(target_value__isnull=False) | ~Q(target_text=""),
    )
    return Q(Exists(measured))


def financing_condition() -> Q:
    """It has a planned budget line, or the plan names a source of financing (in any language)."""
    return (
        Q(Exists(BudgetLine.objects.filter(measure=OuterRef("pk"))))
        | ~Q(financing_source_en="")
        | ~Q(financing_source_az="")
        | ~Q(financing_source_ru="")
    )


# The criteria of the review, by the name the measures list's `lacks` filter takes.
CRITERIA = {
    "responsible": responsible_condition,
    "deadline": deadline_condition,
    "indicator": indicator_condition,
    "financing": financing_condition,
}


def _completed_in_time() -> Q:
    """Reported completed by the deadline in force: a responsible body's approved update said "completed" for
    a reporting period that began on or before the deadline (the period is as precise as reports get), or
    the coordinator's office set "completed" as the consolidated status on or before it."""
    responsible = MeasureAgency.objects.filter(
        measure=OuterRef("measure"), agency=OuterRef("agency"), part__in=MeasureAgency.RESPONSIBLE_PARTS
    )
    reported = StatusUpdate.objects.filter(
        Exists(responsible),
        measure=OuterRef("pk"),
        state=StatusUpdate.State.APPROVED,
        status=Status.COMPLETED,
        period__start__lte=OuterRef("deadline"),
    )
    return Q(Exists(reported)) | Q(consolidated_status=Status.COMPLETED, consolidated_at__date__lte=F("deadline"))


def completed_on_time_condition() -> Q:
    return Q(status=Status.COMPLETED, deadline__isnull=False) & _completed_in_time()


def completed_late_condition() -> Q:
    return Q(status=Status.COMPLETED, deadline__isnull=False) & ~_completed_in_time()


def completed_undated_condition() -> Q:
    """Completed, with no dated deadline to judge it against."""
    return Q(status=Status.COMPLETED, deadline__isnull=True)


COMPLETION = {
    "on_time": completed_on_time_condition,
    "late": completed_late_condition,
    "undated": completed_undated_condition,
}


def returned_condition() -> Q:
    """At least one update on it was returned for changes by the coordinator's office (its thread says so)."""
    return Q(Exists(UpdateEvent.objects.filter(update__measure=OuterRef("pk"), kind=UpdateEvent.Kind.RETURNED)))
