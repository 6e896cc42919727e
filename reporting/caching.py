"""The dashboard's numbers, kept in Django's cache per plan and language until the plan changes.

Each plan has a version in the cache; the dashboard's entry is stored under the plan's version (with the
language and the day, since "overdue" moves with the date). Whatever changes what the dashboard counts —
an approved update, a measure, its agencies or deadline, a consolidated status, an area, a period, an
indicator or a budget line — gives the plan a new version through the signals below, so the next visit
computes the numbers afresh and the old entry simply expires. Agencies and funding sources belong to no
one plan: changing one gives every plan a new version. Why signals rather than calls in each service:
docs/decisions.md.

A dashboard also shows how the measures carried over from an earlier plan ended there: its entry keeps
the versions of those plans too, and is not used once one of them has changed.
"""

import logging
import uuid

from django.core.cache import cache
from django.utils import translation

from measures.models import (
    PLAN_CONTENT_MODELS,
    Area,
    Edition,
    FundingSource,
    Measure,
    ReportingPeriod,
    StatusUpdate,
)
from nap_tracker.cache import new_version, on_saves
from nap_tracker.models import Agency

logger = logging.getLogger(__name__)

# A safety net: an entry older than this is computed again even if no signal said the plan changed
# (a change made by a bulk update in a shell, for example).
TIMEOUT_SECONDS = 6 * 60 * 60


EVERY_PLAN = "all"


def _version_key(edition_id) -> str:
    return f"reporting:plan-version:{edition_id}"


def plan_versions(edition_ids) -> dict:
    """The current version of each plan, and of all plans under `EVERY_PLAN` (one round trip; a plan not
    yet in the cache gets a version)."""
    keys = {edition_id: _version_key(edition_id) for edition_id in edition_ids}
    found = cache.get_many(list(keys.values()))
    versions = {}
    for edition_id, key in keys.items():
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
        versions[edition_id] = found[key]
    return versions


def plan_changed(edition_id: int | None = None):
    """Give the plan (every plan, when `edition_id` is None) a new version, now and again when the
    transaction commits: a visit in between may have cached what it read before the commit."""
    new_version(_version_key(EVERY_PLAN if edition_id is None else edition_id), f"plan {edition_id}")


def dashboard(edition: Edition, build, *, today) -> dict:
    """The dashboard's context for `edition` in the current language: from the cache while the plan (and
    the plans it carries measures over from) are unchanged, else `build()` — a dict whose "numbers" are a
    `DashboardNumbers` — stored for the next visit. With the cache away (Redis down), computed each time.

    The key names the plan by its id, and a plan belongs to one country: an entry holds one plan's numbers
    only, and is reached only after the view chose the plan among the current country's (reporting/views.py),
    so no entry is ever served across countries."""
    try:
        versions = plan_versions([edition.pk, EVERY_PLAN])
        key = (
            f"reporting:dashboard:{edition.pk}:{versions[edition.pk]}:{versions[EVERY_PLAN]}:"
            f"{translation.get_language()}:{today.isoformat()}"
        )
        entry = cache.get(key)
        if entry is not None:
            earlier, context = entry
            if not earlier or plan_versions(earlier) == earlier:
                return context
    except Exception:
        logger.warning("The dashboard's cache cannot be read", exc_info=True)
        return build()
    context = build()
    earlier_ids = context["numbers"].earlier_edition_ids
    try:
        cache.set(key, (plan_versions(earlier_ids) if earlier_ids else {}, context), TIMEOUT_SECONDS)
    except Exception:
        logger.warning("The dashboard's numbers could not be kept in the cache", exc_info=True)
    return context


def _edition_of(instance):
    """The plan an object belongs to, without a query when its measure is already loaded; None when
    finding it would cost a query (every plan gets a new version then: a save must not cost more queries)."""
    if isinstance(instance, Edition):
        return instance.pk
    if isinstance(instance, (Measure, Area, ReportingPeriod)):
        return instance.edition_id
    measure_field = type(instance)._meta.get_field("measure")
    if measure_field.is_cached(instance):
        return instance.measure.edition_id
    return None


def _changed(sender, instance, **kwargs):
    if sender is StatusUpdate and instance.state != StatusUpdate.State.APPROVED:
        return  # drafts, submissions and returns are not counted anywhere on the dashboard
    if sender in (Agency, FundingSource):
        plan_changed(None)
        return
    plan_changed(_edition_of(instance))


WATCHED = PLAN_CONTENT_MODELS


def connect():
    on_saves(_changed, WATCHED, "reporting-dashboard")
