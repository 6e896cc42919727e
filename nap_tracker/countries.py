"""Which country a person works in, and what of it they may see — the one place that answers scoping.

One installation serves several countries. A country is the outermost scope: every edition and
every agency belongs to one (an international organisation may work in several), and every person
is given one country (focal points, NGOs, the coordinator's office) or several (partners). An
administrator given countries administers those; an administrator given none administers the
whole installation and may look at every country (docs/decisions.md, "Countries"). One whose countries
were all deactivated administers nothing: deactivating a country never widens what its people may do.

The interface, for views, selectors, forms, tasks and admin classes:

- `countries_for(user) -> frozenset[int]` — the ids of the countries the person may see.
  Free for the signed-in person of a request (their ids come with the user row, see
  `CountryModelBackend`); one small query for anyone else, then kept on the user object.
- `current_country_id(request) -> int | None` — the country the page shows: the person's only one,
  or the one they chose with the switcher (kept in the session, checked against `countries_for`
  on every request), or their first. None when they have none: then they see nothing.
- `current_country(request) -> Country | None` — the same as an object, for a page that shows its
  name: one query the first time on a request, none after.
- `in_country(queryset, country) -> queryset` — narrows a queryset of any scoped model to one
  country (a `Country` or its id). None narrows to nothing — never to "everything". How each model
  reaches its country is written once, in `COUNTRY_PATHS`; a model it does not know raises, so a
  new model cannot be scoped by mistake with a wrong path.
- `in_countries(queryset, ids)` — the same for several countries (the comparison page, a partner's
  reports).
- `is_installation_admin(user)` / `may_switch_to(user, country_id)` — who may create countries, and
  the check behind the switcher (`nap_tracker.views.country_switch`).

Scoping adds no query per row: it is a filter (a join to the edition at most) on the query a page
already runs. This module lives in `nap_tracker` and never imports `measures` or `reporting`; it
names their models only as labels in `COUNTRY_PATHS`.
"""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, Count, Exists, Min, OuterRef, QuerySet, Subquery

from nap_tracker.models import Country, User

# The session key of the country a person with several chose in the switcher.
SESSION_KEY = "nap_country_id"

# How each scoped model reaches its country, as a lookup path. A model not listed here cannot be
# scoped by `in_country` (it raises), so adding a model that belongs to a country means adding it here.
COUNTRY_PATHS = {
    "nap_tracker.country": "pk",
    "nap_tracker.agency": "countries",
    "nap_tracker.user": "countries",
    "measures.edition": "country",
    "measures.area": "edition__country",
    "measures.measure": "edition__country",
    "measures.measureagency": "measure__edition__country",
    "measures.reportingperiod": "edition__country",
    "measures.statusupdate": "measure__edition__country",
    "measures.evidence": "update__measure__edition__country",
    "measures.updateevent": "update__measure__edition__country",
    "measures.notification": "event__update__measure__edition__country",
    "measures.indicator": "measure__edition__country",
    "measures.deadlinerevision": "measure__edition__country",
    "measures.recommendationsource": "country",
    "measures.recommendation": "source__country",
    "reporting.report": "edition__country",
    # A digest belongs to the countries of the person it was sent to (the review digest names no period).
    "measures.digestdelivery": "person__countries",
}


def _path(queryset: QuerySet) -> str:
    label = queryset.model._meta.label_lower
    try:
        return COUNTRY_PATHS[label]
    except KeyError:
        raise LookupError(f"{label} has no path to a country in nap_tracker.countries.COUNTRY_PATHS") from None


def _id(country) -> int | None:
    return country.pk if isinstance(country, Country) else country


def in_country(queryset: QuerySet, country) -> QuerySet:
    """The rows of `queryset` that belong to `country` (a Country, its id, or None for nothing)."""
    country_id = _id(country)
    if country_id is None:
        return queryset.none()
    path = _path(queryset)
    return queryset.filter(**{path if path == "pk" else f"{path}__pk": country_id})


def in_countries(queryset: QuerySet, countries) -> QuerySet:
    """The rows of `queryset` that belong to any of `countries` (ids or Country objects). Rows of an
    agency working in two of them come once."""
    ids = {_id(country) for country in countries} - {None}
    if not ids:
        return queryset.none()
    path = _path(queryset)
    rows = queryset.filter(**{"pk__in" if path == "pk" else f"{path}__pk__in": ids})
    # Agencies and people reach their countries through a many-to-many table: one row per country.
    return rows.distinct() if path.endswith("countries") and len(ids) > 1 else rows


# --- Who sees which countries -------------------------------------------------------------


def is_installation_admin(user) -> bool:
    """An administrator given no country administers the whole installation: only they create countries.
    Reads the person's own countries (free on a request; see `countries_for`)."""
    return getattr(user, "is_authenticated", False) and user.role == User.Role.ADMIN and not _given_a_country(user)


def is_country_admin(user) -> bool:
    """An administrator given one or more countries administers those: their agencies, people, plans, imports."""
    return getattr(user, "is_authenticated", False) and user.role == User.Role.ADMIN and _given_a_country(user)


def _given_a_country(user) -> bool:
    """Whether the person was given any country, active or not: an administrator whose countries were all
    deactivated administers none of them, never the whole installation. Free when the user came with
    `country_given` (`CountryModelBackend`); otherwise one query at most, kept on the object."""
    given = getattr(user, "country_given", None)
    if given is None:
        given = bool(_own_country_ids(user)) or user.countries.exists()
        user.country_given = given
    return given


def _own_country_ids(user) -> frozenset[int]:
    """The active countries the person was given. Free when the user came with `country_id_list`
    (`CountryModelBackend`); otherwise one query, kept on the object."""
    own = getattr(user, "_own_country_ids", None)
    if own is None:
        listed = getattr(user, "country_id_list", False)
        if listed is not False:
            own = frozenset(int(pk) for pk in (listed or "").split(",") if pk)
        else:
            own = frozenset(user.countries.filter(active=True).values_list("pk", flat=True))
        user._own_country_ids = own
    return own


def countries_for(user) -> frozenset[int]:
    """The ids of the countries this person may see. An installation administrator sees every country
    (one small query, once per request); everyone else their own active countries (free on a request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_visible_country_ids", None)
    if cached is None:
        own = _own_country_ids(user)
        if user.role == User.Role.ADMIN and not own and not _given_a_country(user):
            cached = frozenset(Country.objects.values_list("pk", flat=True))
        else:
            cached = own
        user._visible_country_ids = cached
    return cached


def may_switch_to(user, country_id) -> bool:
    return country_id in countries_for(user)


def current_country_id(request) -> int | None:
    """The country the request's pages show: the person's choice if it is still theirs, else their first."""
    if hasattr(request, "_country_id"):
        return request._country_id
    allowed = countries_for(request.user)
    chosen = request.session.get(SESSION_KEY) if allowed and len(allowed) > 1 else None
    country_id = chosen if chosen in allowed else (min(allowed) if allowed else None)
    request._country_id = country_id
    return country_id


def current_country(request) -> Country | None:
    """The current country as an object: one query the first time on a request."""
    if not hasattr(request, "_country"):
        country_id = current_country_id(request)
        request._country = Country.objects.filter(pk=country_id).first() if country_id else None
    return request._country


def choose_country(request, country_id: int) -> bool:
    """Keep the person's choice for the following pages, if the country is theirs. Says whether it was."""
    if not may_switch_to(request.user, country_id):
        return False
    request.session[SESSION_KEY] = country_id
    request._country_id = country_id
    request.__dict__.pop("_country", None)
    return True


def switchable_countries(request) -> list[Country]:
    """The countries the header's switcher offers: nothing (and no query) for a person with one country."""
    allowed = countries_for(request.user)
    if len(allowed) < 2:
        return []
    return list(Country.objects.filter(pk__in=allowed))


# --- Loading the person's countries with the person -------------------------------------------


class _JoinedIds(Aggregate):
    """Ids joined by commas in one text column: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s)", **extra_context
        )


def with_country_ids(users: QuerySet) -> QuerySet:
    """Users with `country_id_list`, the ids of their active countries, `country_given`, whether they were
    given any country at all (an inactive one included), and `country_zone`, the time zone their active
    countries share (None when they have none or several), read in the same query."""
    links = User.countries.through.objects.filter(user_id=OuterRef("pk"), country__active=True).values("user_id")
    zone = (
        links.annotate(zones=Count("country__time_zone", distinct=True), zone=Min("country__time_zone"))
        .filter(zones=1)
        .values("zone")
    )
    given = User.countries.through.objects.filter(user_id=OuterRef("pk"))
    return users.annotate(
        country_id_list=Subquery(links.annotate(ids=_JoinedIds("country_id")).values("ids")),
        country_given=Exists(given),
        country_zone=Subquery(zone),
    )


class CountryModelBackend(ModelBackend):
    """Django's model backend, loading the signed-in person's countries with the person, so that scoping
    every page by country costs no query of its own."""

    def get_user(self, user_id):
        try:
            user = with_country_ids(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
