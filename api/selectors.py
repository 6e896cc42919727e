"""What the API may show a person (or the principal a token stands for), as querysets built on the pages'
own selectors and permission rules.

Every function takes the principal first, so that whatever narrows what a person sees (the country they
work in, when countries come) is added here once for every endpoint. Each list loads what its rows show in
a fixed number of queries whatever the page's size: the docstrings count them.

What the API never shows, whoever asks: plans still in draft (and their areas, measures, periods and
updates), updates that are not approved, and the restricted part of any update (the column is not even
read). A partner's API client is a program that copies what it reads elsewhere, like a report that travels,
so it gets less than the coordinator's office sees in the browser, never more.
"""

from django.db.models import Prefetch

from measures.models import (
    Area,
    BudgetLine,
    DeadlineRevision,
    Edition,
    Indicator,
    Recommendation,
    ReportingPeriod,
    StatusUpdate,
)
from measures.selectors import measures_for_list, results_prefetch
from nap_tracker.models import Agency
from nap_tracker.permissions import may_view_measures, visible_updates

# Plans the API shows: running and closed ones. A draft plan is the coordinator's office's work in progress.
VISIBLE_EDITION_STATES = (Edition.State.ACTIVE, Edition.State.CLOSED)


def editions_for(user):
    """The plans the person may read through the API. One query."""
    if not may_view_measures(user):
        return Edition.objects.none()
    return Edition.objects.filter(state__in=VISIBLE_EDITION_STATES)


def areas_for(user):
    """The areas of those plans, each with its plan. One query."""
    return Area.objects.filter(edition__in=editions_for(user)).select_related("edition")


def periods_for(user):
    """The reporting periods of those plans, each with its plan. One query."""
    return ReportingPeriod.objects.filter(edition__in=editions_for(user)).select_related("edition")


def agencies_for(user):
    """Every body named in the plans, active or not (an inactive one still answers for its past measures).
    One query."""
    if not may_view_measures(user):
        return Agency.objects.none()
    return Agency.objects.all()


def measures_for(user):
    """The measures of those plans with everything a measure's record shows: its plan and area, the measure
    it continues, its agencies with their parts, its deadline revisions, indicators, planned budget and the
    recommendations it answers. Seven queries for any number of measures: the measures (with their plan,
    area and continued measure, and the original deadline as subqueries), then one each for the agencies,
    revisions, indicators, budget lines with their sources, and recommendations with their sources.

    Built on the measures list's own selector, so the same measures carry the same status and deadline."""
    return (
        measures_for_list()
        .filter(edition__in=editions_for(user))
        .select_related("continues__edition")
        .prefetch_related(
            # Who revised a deadline is the coordinator's office's record, not the partners': not loaded.
            Prefetch("deadline_revisions", queryset=DeadlineRevision.objects.order_by("revised_at", "pk")),
            Prefetch("indicator_set", queryset=Indicator.objects.order_by("order", "pk")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("source").order_by("currency", "pk")),
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("source").order_by(
                    "source__kind", "source__reference", "sort_key"
                ),
            ),
        )
    )


def updates_for(user):
    """The approved updates of those plans the person may see (`permissions.visible_updates`, the pages'
    rule), with their measure, agency and period and what they report against the indicators and as money
    spent. Three queries for any number of updates: the updates, their indicator values, their spending.

    Never drafts, submitted or returned updates, even the person's own agency's: those are work in progress
    the pages show to the people doing it. Never the restricted details: deferred, so never read."""
    approved = StatusUpdate.objects.filter(
        state=StatusUpdate.State.APPROVED, measure__edition__in=editions_for(user)
    ).defer("restricted_details", "review_note")
    return (
        visible_updates(user, approved)
        .select_related("measure__edition", "agency", "period")
        .prefetch_related(*results_prefetch())
    )
