"""The measures list's content — filters, count, rows, pages — kept in the cache as HTML until a measure changes.

The list is the page people open most, and most of its cost was the template engine writing 25 rows and a
dozen menus that had not changed since the last visit (docs/performance.md). Its content is now written
once and kept under a key naming everything it depends on: the country, the language, the time zone and
the day ("overdue" moves with the date, "completed by the deadline" reads a decision's day in the zone),
what the person's role and body let them filter and see (a focal point's rows lead to its own drafts; the
"returned" filter is the review's), and the query string. The page around it — header,
the person's name, notifications, messages, the sign-out form with its CSRF token — is written anew on
every visit.

An entry is kept with the list's version. Whatever can change what any list shows or matches — a plan, an
area, a measure, its bodies, a deadline revision, a period, an update in any state, an indicator, a budget
line, a body, a country — gives the list a new version (the signals below), now and again when the
transaction commits, so an entry written from what was read before the commit is never served after it.
A change made without signals (a bulk update in a shell, bench/plan.py) shows at the latest after
`TIMEOUT_SECONDS`; `list_changed()` says so at once. With the cache away, the content is written each time.
"""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.utils import timezone, translation

from measures.models import PLAN_CONTENT_MODELS, Measure
from nap_tracker.cache import new_version, on_saves
from nap_tracker.models import Agency, Country
from nap_tracker.permissions import may_view_quality_review

logger = logging.getLogger(__name__)

VERSION_KEY = "measures:list:version"
# A safety net for changes made without signals, and the most an unused entry occupies the cache.
TIMEOUT_SECONDS = 5 * 60
# How many entries (about 40 KB each) one person may add in TIMEOUT_SECONDS: a person sending query after
# query that nobody else asks for (a script trying every search) gets the list written each time, but
# cannot fill the cache, which the task queue shares.
PER_PERSON_LIMIT = 200


def content_key(request, country_id, today) -> str:
    """The key of the list's content for this request: one per country, language, time zone, day, what the
    person may filter and see, and query string (hashed: a query string is the visitor's and may be long)."""
    user = request.user
    # Names sorted, each name's values in the order sent: a filter reads the last of repeated values.
    digest = hashlib.sha256(repr(sorted(request.GET.lists())).encode()).hexdigest()
    who = f"{user.role}:{user.agency_id or 0}:{int(may_view_quality_review(user))}"
    # The time zone as well as the day: "completed by the deadline" reads the day of a dated decision in it.
    where = f"{country_id or 0}:{translation.get_language()}:{timezone.get_current_timezone_name()}"
    return f"measures:list:{where}:{today.isoformat()}:{who}:{digest}"


def cached_content(key: str, build, *, person_id) -> str:
    """The content kept under `key` while the list's version is the one it was written with, else `build()`
    — kept for the next visit, unless the person has already added `PER_PERSON_LIMIT` entries lately. One
    round trip to the cache when the content is there."""
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:
        logger.warning("The measures list's cache cannot be read", exc_info=True)
        return build()
    version, entry = found.get(VERSION_KEY), found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        # The cache lost the version (restarted, evicted): one is given before the content is read, so that
        # a change committing while it is written gives the list a newer one, as when it had a version.
        try:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        except Exception:
            logger.warning("The measures list's cache cannot be given a version", exc_info=True)
            return build()
    content = build()
    try:
        added = f"measures:list:added:{person_id}"
        cache.add(added, 0, TIMEOUT_SECONDS)
        if cache.incr(added) > PER_PERSON_LIMIT or version is None:
            return content
        cache.set(key, (version, content), TIMEOUT_SECONDS)
    except Exception:
        logger.warning("The measures list's content could not be kept in the cache", exc_info=True)
    return content


def list_changed(**kwargs):
    """Give the list a new version, now and again when the transaction commits."""
    new_version(VERSION_KEY, "the measures list")


# And countries: the list is read per country, and a country deactivated or renamed changes what it holds.
WATCHED = (*PLAN_CONTENT_MODELS, Country)


def connect():
    on_saves(list_changed, WATCHED, "measure-list")
    for through in (Agency.countries.through, Measure.recommendations.through):
        m2m_changed.connect(list_changed, sender=through, dispatch_uid=f"measure-list-{through.__name__}")
