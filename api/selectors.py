"""What the API may show a person (or the principal a token stands for), as querysets built on the pages'
own selectors and permission rules.

Every function takes the principal first, then the country the request reads (`api_country_id`): the API shows
one country at a time, as the site does — the caller's only one, or the one named by `?country=`. Each list loads what its rows show in
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
from nap_tracker.countries import countries_for, current_country_id, in_country
from nap_tracker.models import Agency, Country
from nap_tracker.permissions import may_view_measures, visible_updates

# Plans the API shows: running and closed ones. A draft plan is the coordinator's office's work in progress.
VISIBLE_EDITION_STATES = (Edition.State.ACTIVE, Edition.State.CLOSED)


class UnknownCountry(ValueError):
    """`?country=` names no country of the caller's."""


def api_country_id(request) -> int | None:
    """The country a request reads: `?country=<code>` when given (one of the caller's countries, else
    UnknownCountry), else the caller's current one by the site's rule (their only one, or the one they chose
    in the browser, or their first). Kept on the request, where the measures list's filter reads it too
    (`nap_tracker.countries.current_country_id`), so every part of an answer speaks of one country."""
    code = request.query_params.get("country") if hasattr(request, "query_params") else None
    if code:
        code = code.strip().lower()
        found = None
        if code.isascii() and code.replace("-", "").isalnum() and len(code) <= 20:
            found = (
                Country.objects.filter(code=code, pk__in=countries_for(request.user))
                .values_list("pk", flat=True)
                .first()
            )
        if found is None:
            raise UnknownCountry(code)
        for target in (request, getattr(request, "_request", None)):
            if target is not None:
                target._country_id = found
        return found
    return current_country_id(getattr(request, "_request", request))


def editions_for(user, country_id=None):
    """The plans of the country the person may read through the API. One query."""
    if not may_view_measures(user):
        return Edition.objects.none()
    return in_country(Edition.objects.filter(state__in=VISIBLE_EDITION_STATES), country_id).select_related("country")


def areas_for(user, country_id=None):
    """The areas of those plans, each with its plan. One query."""
    return Area.objects.filter(edition__in=editions_for(user, country_id)).select_related("edition")


def periods_for(user, country_id=None):
    """The reporting periods of those plans, each with its plan. One query."""
    return ReportingPeriod.objects.filter(edition__in=editions_for(user, country_id)).select_related("edition")


def agencies_for(user, country_id=None):
    """Every body working in the country, active or not (an inactive one still answers for its past measures).
    One query."""
    if not may_view_measures(user):
        return Agency.objects.none()
    return in_country(Agency.objects.all(), country_id)


def measures_for(user, country_id=None):
    """The measures of those plans with everything a measure's record shows: its plan and area, the measure
    it continues, its agencies with their parts, its deadline revisions, indicators, planned budget and the
    recommendations it answers. Seven queries for any number of measures: the measures (with their plan,
    area and continued measure, and the original deadline as subqueries), then one each for the agencies,
    revisions, indicators, budget lines with their sources, and recommendations with their sources.

    Built on the measures list's own selector, so the same measures carry the same status and deadline."""
    return (
        measures_for_list(country_id)
        .filter(edition__in=editions_for(user, country_id))
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


def updates_for(user, country_id=None):
    """The approved updates of those plans the person may see (`permissions.visible_updates`, the pages'
    rule), with their measure, agency and period and what they report against the indicators and as money
    spent. Three queries for any number of updates: the updates, their indicator values, their spending.

    Never drafts, submitted or returned updates, even the person's own agency's: those are work in progress
    the pages show to the people doing it. Never the restricted details: deferred, so never read."""
    approved = StatusUpdate.objects.filter(
        state=StatusUpdate.State.APPROVED, measure__edition__in=editions_for(user, country_id)
    ).defer("restricted_details", "review_note")
    return (
        visible_updates(user, approved)
        .select_related("measure__edition", "agency", "period")
        .prefetch_related(*results_prefetch())
    )
