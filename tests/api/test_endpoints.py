"""The partners' API: what it shows whom, its filters, pages, languages, incremental sync and caching."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from api.filters import ApiMeasureFilter
from measures import services
from measures.models import (
    BudgetLine,
    Edition,
    FundingSource,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAgency,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    Spending,
    StatusUpdate,
)
from nap_tracker.models import User
from tests.api.conftest import walk
from tests.factories import AreaFactory, EditionFactory, MeasureFactory
from tests.measures.test_permission_matrix import MLSPP_SECRETS, OTHER_SECRETS, USERNAMES
from tests.test_junk_input import JUNK, JUNK_SETTINGS

MEASURES = "/api/v1/measures/"
UPDATES = "/api/v1/updates/"
LISTS = [
    "/api/v1/editions/",
    "/api/v1/areas/",
    "/api/v1/periods/",
    "/api/v1/agencies/",
    MEASURES,
    UPDATES,
]


def signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


# --- Drafts, work in progress and restricted details ---------------------------------------------


@pytest.fixture
def draft_plan(plan):
    """A plan still in draft, with a measure and an approved update on it: none of it may show."""
    edition = EditionFactory(code="NAP-2025-2029", state=Edition.State.DRAFT)
    measure = MeasureFactory(area=AreaFactory(edition=edition, code="1.1"), number="1.1.1")
    MeasureAgency.objects.create(measure=measure, agency=plan.mlspp, part="executing", is_lead=True)
    period = ReportingPeriod.objects.create(
        edition=edition, label="2025 H1", start=date(2025, 1, 1), end=date(2025, 6, 30), due_date=date(2025, 7, 31)
    )
    update = StatusUpdate.objects.create(
        measure=measure,
        agency=plan.mlspp,
        period=period,
        status="in_progress",
        progress=10,
        state="approved",
        author=plan.focal,
    )
    return {"edition": edition, "measure": measure, "period": period, "update": update}


@pytest.mark.parametrize("who", ["coordinator", "focal", "ngo_user", "partner"])
def test_a_plan_in_draft_never_shows(client, plan, draft_plan, who):
    client.force_login(getattr(plan, who))
    codes = {row["edition"] for url in LISTS[1:3] + LISTS[4:] for row in walk(client, url)}
    assert codes == {plan.edition.code}
    assert {row["code"] for row in walk(client, "/api/v1/editions/")} == {plan.edition.code}
    for url in [
        f"/api/v1/editions/{draft_plan['edition'].code}/",
        f"/api/v1/editions/{draft_plan['edition'].code}/summary/",
        f"{MEASURES}{draft_plan['measure'].pk}/",
        f"{UPDATES}{draft_plan['update'].pk}/",
        f"/api/v1/periods/{draft_plan['period'].pk}/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["coordinator", "focal", "ngo_user", "partner"])
def test_only_approved_updates_show_even_to_their_own_agency(client, plan, who):
    client.force_login(getattr(plan, who))
    rows = walk(client, UPDATES)
    approved = set(StatusUpdate.objects.filter(state="approved").values_list("pk", flat=True))
    assert {row["id"] for row in rows} == approved
    # The focal point's own draft, submitted and returned updates are work in progress: not in the API.
    for update in StatusUpdate.objects.exclude(state="approved"):
        assert client.get(f"{UPDATES}{update.pk}/").status_code == 404


def test_restricted_details_never_show_to_anyone(client, matrix_objects):
    """Not even to the coordinator's office or the update's own agency, who see them on the pages: a program
    copies what it reads, like a report that travels."""
    secrets = [*MLSPP_SECRETS, *OTHER_SECRETS]
    measures = [matrix_objects["consolidated_measure"], matrix_objects["other_restricted_evidence"].update.measure]
    for username in USERNAMES.values():
        signed_in(client, username)
        urls = (
            [f"{UPDATES}?measure={measure.pk}" for measure in measures]
            + [f"{MEASURES}{measure.pk}/" for measure in measures]
            + [
                f"{MEASURES}?q=2022%2F144-1%2F031",
                f"{MEASURES}?q=shelter-addresses",
                f"/api/v1/editions/{matrix_objects['published_plan'].code}/summary/",
            ]
        )
        for url in urls:
            text = client.get(url).content.decode()
            assert not [secret for secret in secrets if secret in text], (username, url)
            assert "restricted_details" not in text, (username, url)
        assert StatusUpdate.objects.filter(restricted_details__gt="").exists()


# --- Filters: the measures list's own ---------------------------------------------------------------


def list_ids(client, query: str) -> set[int]:
    """The measures the site's list picks for these parameters: all of them, not only its first page."""
    response = client.get(reverse("measure_list") + "?" + query)
    assert response.status_code == 200
    return set(response.context["filter"].qs.exclude(edition__state="draft").values_list("pk", flat=True))


def api_ids(client, query: str) -> set[int]:
    rows = walk(client, f"{MEASURES}?page_size=500&{query}")
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    return set(ids)


def test_filters_pick_the_same_measures_as_the_list(client, demo):
    nap20 = Edition.objects.get(code="NAP-2020-2024")
    mlspp = MeasureAgency.objects.filter(agency__code="MLSPP").first().agency
    area = nap20.areas.order_by("order").first()
    queries = [
        "",
        "status=in_progress",
        "status=completed&pillar=protection",
        "overdue=true",
        "overdue=false",
        f"edition={nap20.pk}",
        f"area={area.pk}",
        f"agency={mlspp.pk}&part=executing",
        f"agency={mlspp.pk}&part=responsible",
        "part=partner",
        "deadline_year=2022",
        "q=4.1",
        "q=trafficking",
        "q=insan",
        "revised=true",
        "lacks=indicator",
        "completed=on_time",
        "wording=official",
        "returned=yes",
    ]
    for role in ("partner", "focal"):
        signed_in(client, role)
        for query in [*queries, "work=draft", "work=overdue"] if role == "focal" else queries:
            expected = list_ids(client, query)
            assert api_ids(client, query) == expected, (role, query)
    # Some of them pick something, and not everything.
    assert 0 < len(api_ids(client, "overdue=true")) < len(api_ids(client, ""))


BAD_PARAMETERS = {
    "deadline_year=abc": "deadline_year",
    "deadline_year=3000": "deadline_year",
    "overdue=maybe": "overdue",
    "revised=yes": "revised",
    "status=finished": "status",
    "edition=999999": "edition",
    "agency=not-a-number": "agency",
    "page_size=0": "page_size",
    "page_size=501": "page_size",
    "page_size=ten": "page_size",
    "cursor=not-a-cursor": "cursor",
    # A cursor made by hand ("p=abc"), base64-encoded: read as a row's id, it would reach the database.
    "cursor=cD1hYmM%3D": "cursor",
    "lang=fr": "lang",
    "updated_since=yesterday": "updated_since",
    "updated_since=2025-02-30": "updated_since",
}


@pytest.mark.parametrize("query", list(BAD_PARAMETERS))
def test_a_bad_parameter_is_answered_400_naming_it(client, plan, query):
    client.force_login(plan.partner)
    response = client.get(f"{MEASURES}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [BAD_PARAMETERS[query]]
    assert response.json()[BAD_PARAMETERS[query]][0]


def test_bad_parameters_of_the_other_lists_are_answered_400(client, plan):
    client.force_login(plan.partner)
    for url in [
        f"{UPDATES}?updated_since=soon",
        f"{UPDATES}?measure=0",
        "/api/v1/areas/?edition=abc",
        "/api/v1/periods/?edition=999999",
        "/api/v1/agencies/?active=perhaps",
        "/api/v1/agencies/?kind=club",
        "/api/v1/editions/?lang=de",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json(), url


# --- Pages ------------------------------------------------------------------------------------------


def test_pages_walk_every_measure_exactly_once_even_while_measures_are_added(client, plan):
    plan.add_measures(8)
    client.force_login(plan.partner)
    first = client.get(f"{MEASURES}?page_size=4").json()
    assert len(first["results"]) == 4 and first["previous"] is None
    plan.add_measures(2)  # added while a client walks the list: they come at the end, once
    seen = [row["id"] for row in first["results"]] + [row["id"] for row in walk(client, first["next"])]
    assert sorted(seen) == seen
    assert seen == sorted(Measure.objects.values_list("pk", flat=True))
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]


def test_the_next_link_keeps_the_filters(client, plan):
    plan.add_measures(10)
    client.force_login(plan.partner)
    rows = walk(client, f"{MEASURES}?page_size=2&deadline_year=2022")
    assert {row["deadline"][:4] for row in rows} == {"2022"}
    assert len(rows) == Measure.objects.filter(deadline__year=2022).count() > 2


# --- Languages --------------------------------------------------------------------------------------


@pytest.fixture
def worded(plan):
    """A measure worded in English and Azerbaijani, not in Russian."""
    measure = plan.measures[0]
    Measure.objects.filter(pk=measure.pk).update(
        title_en="Train labour inspectors", title_az="Əmək müfəttişlərinin təlimi", title_ru="", status="in_progress"
    )
    return measure


def test_texts_come_in_the_language_asked_for_and_a_fallback_is_marked(client, plan, worded):
    client.force_login(plan.partner)
    url = f"{MEASURES}{worded.pk}/"
    az = client.get(url + "?lang=az")
    assert (az.json()["title"], az.json()["title_language"]) == ("Əmək müfəttişlərinin təlimi", "az")
    assert az["Content-Language"] == "az"
    assert az.json()["status_label"] == "İcra olunur"
    ru = client.get(url + "?lang=ru").json()
    assert (ru["title"], ru["title_language"]) == ("Train labour inspectors", "en")  # a fallback, marked
    # Accept-Language when ?lang= is not given; ?lang= wins over it.
    assert client.get(url, headers={"accept-language": "az-AZ,az;q=0.9"}).json()["title_language"] == "az"
    assert client.get(url + "?lang=en", headers={"accept-language": "az"}).json()["title_language"] == "en"
    # Neither: English, whatever the person's saved language on the site.
    User.objects.filter(pk=plan.partner.pk).update(language="ru")
    assert client.get(url).json()["title_language"] == "en"


def test_an_update_says_the_language_it_is_written_in(client, plan):
    update = StatusUpdate.objects.filter(state="approved").first()
    StatusUpdate.objects.filter(pk=update.pk).update(language="az", narrative="Təlimlər keçirildi.")
    client.force_login(plan.partner)
    data = client.get(f"{UPDATES}{update.pk}/?lang=en").json()
    assert (data["narrative"], data["language"]) == ("Təlimlər keçirildi.", "az")
    other = StatusUpdate.objects.filter(state="approved").exclude(pk=update.pk).first()
    assert client.get(f"{UPDATES}{other.pk}/").json()["language"] is None  # not asked when it was written


# --- Incremental sync -------------------------------------------------------------------------------


def age_everything(before: datetime):
    """Every record of the plan as if written days before `before`."""
    for model in (Measure, MeasureAgency, Indicator, BudgetLine):
        model.history.update(history_date=before - timedelta(days=3))
    StatusUpdate.objects.update(updated_at=before - timedelta(days=3))


def test_updated_since_returns_what_changed_since(client, plan):
    first, second, third = plan.measures
    plan.add_measures(1)  # left alone
    since = timezone.now() - timedelta(hours=1)
    age_everything(since)
    client.force_login(plan.partner)
    assert api_ids(client, f"updated_since={since.isoformat().replace('+00:00', 'Z')}") == set()
    first.title_en = "Reworded"
    first.save()
    Indicator.objects.create(measure=second, name_en="Inspections made", target_value=10)
    services.measure_revise_deadline(
        measure_id=third.pk, user=plan.coordinator, new_deadline=date(2026, 6, 30), reason="The law changed."
    )
    assert api_ids(client, f"updated_since={since.date().isoformat()}") == {first.pk, second.pk, third.pk}
    assert api_ids(client, f"updated_since={(since + timedelta(days=2)).date().isoformat()}") == set()


def test_updates_updated_since(client, plan):
    since = timezone.now() - timedelta(hours=1)
    age_everything(since)
    update = StatusUpdate.objects.filter(state="submitted").first()
    services.update_approve(update_id=update.pk, reviewer=plan.coordinator)
    client.force_login(plan.partner)
    rows = walk(client, f"{UPDATES}?updated_since={since.isoformat().replace('+00:00', 'Z')}")
    assert [row["id"] for row in rows] == [update.pk]


# --- ETag -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*LISTS, f"{MEASURES}?status=in_progress"])
def test_an_unchanged_answer_is_304_with_its_etag(client, plan, url):
    client.force_login(plan.partner)
    response = client.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    assert {"Accept-Language", "Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    not_modified = client.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_a_change_or_another_language_gives_a_new_etag(client, plan):
    client.force_login(plan.partner)
    url = f"{MEASURES}{plan.measures[0].pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url + "?lang=az", headers={"if-none-match": etag}).status_code == 200
    Measure.objects.filter(pk=plan.measures[0].pk).update(title_en="Reworded")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


# --- What a measure says ----------------------------------------------------------------------------


def test_a_measure_with_everything_it_holds(client, plan):
    measure = plan.measures[0]
    earlier = MeasureFactory(
        area=AreaFactory(edition=EditionFactory(code="NAP-2014-2018", state="closed", start_year=2014, end_year=2018)),
        number="3.1",
    )
    Measure.objects.filter(pk=measure.pk).update(continues=earlier, period_text_en="2020–2024, annually")
    services.measure_revise_deadline(
        measure_id=measure.pk, user=plan.coordinator, new_deadline=date(2029, 6, 30), reason="Budget came late."
    )
    indicator = Indicator.objects.create(
        measure=measure,
        name_en="Inspectors trained",
        breakdown="sex",
        baseline_value=0,
        baseline_year=2020,
        target_value=200,
        target_year=2024,
    )
    usaid, _created = FundingSource.objects.get_or_create(code="USAID", defaults={"name_en": "USAID", "kind": "donor"})
    BudgetLine.objects.create(measure=measure, amount=Decimal("1000"), currency="AZN")
    BudgetLine.objects.create(measure=measure, amount=Decimal("500"), currency="AZN", source=usaid)
    BudgetLine.objects.create(measure=measure, amount=Decimal("300"), currency="USD", source=usaid)
    source, _created = RecommendationSource.objects.get_or_create(
        reference="GRETA(2018)17", country=measure.edition.country, defaults={"kind": "greta", "title_en": "Report"}
    )
    measure.recommendations.add(Recommendation.objects.create(source=source, number="§45", text_en="Train."))
    client.force_login(plan.partner)
    data = client.get(f"{MEASURES}{measure.pk}/").json()
    assert data["continues"] == {"id": earlier.pk, "edition": "NAP-2014-2018", "number": "3.1"}
    assert data["period_text"] == "2020–2024, annually"
    assert (data["deadline"], data["original_deadline"], data["deadline_revised"]) == ("2029-06-30", "2021-12-31", True)
    assert data["deadline_revisions"] == [
        {
            "revised_on": timezone.localdate().isoformat(),
            "old_deadline": "2021-12-31",
            "new_deadline": "2029-06-30",
            "reason": "Budget came late.",
        }
    ]  # never who revised it
    assert [(a["code"], a["part"], a["lead"]) for a in data["agencies"]] == [
        ("MLSPP", "executing", True),
        ("CLEAN-WORLD", "partner", False),
    ]
    first = data["indicators"][0]
    assert (first["id"], first["name"], first["categories"]) == (indicator.pk, "Inspectors trained", ["women", "men"])
    assert (first["baseline_value"], first["target_value"], first["target_year"]) == ("0.00", "200.00", 2024)
    assert [(line["source"], line["amount"], line["currency"]) for line in data["budget"]] == [
        (None, "1000.00", "AZN"),
        ("USAID", "500.00", "AZN"),
        ("USAID", "300.00", "USD"),
    ]
    # Added per currency, never across.
    assert data["budget_totals"] == [{"currency": "AZN", "amount": "1500.00"}, {"currency": "USD", "amount": "300.00"}]
    assert data["recommendations"] == [
        {"id": measure.recommendations.get().pk, "source": "GRETA(2018)17", "source_kind": "greta", "number": "§45"}
    ]
    assert (data["status"], data["progress"], data["overdue"]) == ("not_started", 0, False)  # revised to 2029


def test_an_update_with_its_indicator_values_and_spending(client, plan):
    update = StatusUpdate.objects.filter(state="approved", agency=plan.mlspp).first()
    indicator = Indicator.objects.create(measure=update.measure, name_en="Inspections", breakdown="sex")
    IndicatorValue.objects.create(update=update, indicator=indicator, category="women", value=3)
    Spending.objects.create(update=update, amount=Decimal("120.50"), currency="EUR")
    client.force_login(plan.partner)
    data = client.get(f"{UPDATES}{update.pk}/").json()
    assert data["indicator_values"] == [{"indicator": indicator.pk, "category": "women", "value": "3.00", "text": ""}]
    assert data["spending"] == [{"source": None, "amount": "120.50", "currency": "EUR"}]
    assert (data["measure"], data["agency_code"], data["period_label"]) == (update.measure_id, "MLSPP", "2020 H2")
    assert "restricted_details" not in data and "review_note" not in data


def test_overdue_is_the_lists_overdue(client, plan):
    client.force_login(plan.partner)
    rows = {row["id"]: row["overdue"] for row in walk(client, MEASURES)}
    today = timezone.localdate()
    assert rows == {
        m.pk: m.deadline < today and m.status not in ("completed", "ongoing") and m.edition.state == "active"
        for m in Measure.objects.select_related("edition")
    }
    assert set(rows.values()) == {True}  # the plan's deadlines, 2021 to 2023, have passed
    assert api_ids(client, "overdue=true") == set(rows)


# --- A plan's summary: the dashboard's numbers --------------------------------------------------------


def test_the_summary_holds_the_dashboards_numbers(client, demo):
    signed_in(client, "partner")
    dashboard = client.get(reverse("reporting:dashboard") + "?edition=NAP-2020-2024").context["numbers"]
    data = client.get("/api/v1/editions/NAP-2020-2024/summary/").json()
    assert data["totals"]["total"] == dashboard.totals.total > 0
    assert data["totals"]["by_status"] == {
        value: dashboard.totals.counts[value] for value in data["totals"]["by_status"]
    }
    assert data["totals"]["overdue"] == dashboard.totals.overdue
    assert (data["due"], data["completed_of_due"], data["assessed"], data["disagreements"]) == (
        dashboard.due,
        dashboard.completed_of_due,
        dashboard.assessed,
        dashboard.disagreements,
    )
    assert [(a["code"], a["counts"]["total"]) for a in data["areas"]] == [
        (section.code, section.counts.total) for section in dashboard.sections
    ]
    assert [point["period"] for point in data["series"]] == [point.label for point in dashboard.series]
    assert data["carried"]["measures"] == dashboard.carried


# --- A fixed number of queries whatever the size ---------------------------------------------------------


def count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries)


# endpoint → the queries of a page, named. Every page starts with the same three: the session, the person, and
# whether they have a second factor (SecondFactorMiddleware), as on the site's pages.
PINNED = {
    # the plans
    "/api/v1/editions/": 4,
    # the areas with their plans
    "/api/v1/areas/": 4,
    # the periods with their plans
    "/api/v1/periods/": 4,
    # the agencies
    "/api/v1/agencies/": 4,
    # the measures with plan, area and continued measure (the original deadline as a subquery); their agencies,
    # deadline revisions, indicators, budget lines with their sources, recommendations with their sources
    MEASURES: 9,
    # the same, filtered: the filters are conditions of the same query
    f"{MEASURES}?overdue=true&q=4.1&part=executing&updated_since=2020-01-01": 9,
    # the approved updates with measure, plan, agency and period; their indicator values; their spending
    UPDATES: 6,
}


@pytest.mark.parametrize("url", list(PINNED))
def test_a_page_costs_the_same_for_3_or_60_measures(client, plan, url):
    small = count(client, plan.partner, url)
    plan.add_measures(57)
    for measure in plan.measures[:20]:
        Indicator.objects.create(measure=measure, name_en="Trained", target_value=5)
        BudgetLine.objects.create(measure=measure, amount=10, currency="AZN")
        services.measure_revise_deadline(
            measure_id=measure.pk, user=plan.coordinator, new_deadline=date(2026, 1, 1), reason="Later."
        )
    assert count(client, plan.partner, url + ("&" if "?" in url else "?") + "page_size=500") == small
    assert small == PINNED[url]


def test_the_summary_costs_the_same_for_3_or_60_measures(client, plan):
    url = f"/api/v1/editions/{plan.edition.code}/summary/"
    small = count(client, plan.partner, url)
    plan.add_measures(57)
    assert count(client, plan.partner, url) == small


# --- Junk never breaks it ----------------------------------------------------------------------------

API_PARAMETERS = {
    MEASURES: [*ApiMeasureFilter.base_filters, "lang", "page_size", "cursor"],
    UPDATES: ["edition", "measure", "agency", "period", "updated_since", "lang", "page_size", "cursor"],
    "/api/v1/areas/": ["edition", "pillar", "lang"],
    "/api/v1/periods/": ["edition", "lang"],
    "/api/v1/agencies/": ["kind", "active", "page_size"],
}


@pytest.mark.parametrize("url", list(API_PARAMETERS))
def test_junk_in_any_parameter_is_answered_400_or_ignored(client, plan, url):
    """Unicode, huge and negative numbers, floats, NUL bytes, very long strings (tests/test_junk_input.py): the
    answer is the list or a 400, never a server error."""
    client.force_login(plan.partner)

    @JUNK_SETTINGS
    @given(name=st.sampled_from(API_PARAMETERS[url]), value=JUNK)
    def attack(name, value):
        response = client.get(url, {name: value})
        assert response.status_code in (200, 400), (name, value, response.status_code)

    attack()


@JUNK_SETTINGS
@given(value=JUNK)
def test_junk_in_an_address_is_not_found(client, plan, value):
    client.force_login(plan.partner)
    for base in (MEASURES, UPDATES, "/api/v1/editions/"):
        response = client.get(base + quote(value, safe="") + "/")
        assert response.status_code in (400, 404), (base, value, response.status_code)
