"""The API shows one country at a time, as the site does: a token of Georgia's focal point reads nothing of
Azerbaijan; IOM, which works in both, names the country it reads with `?country=`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api import tokens
from api.scopes import Scope
from measures.models import Edition, Measure, StatusUpdate
from nap_tracker.models import Agency, Country, User
from tests.api.conftest import walk

pytestmark = pytest.mark.django_db
ALL = [Scope.PLANS, Scope.MEASURES, Scope.UPDATES, Scope.AGENCIES]


def token(**holder):
    _token, secret = tokens.token_issue(
        by=User.objects.get(username="admin"),
        name="Dashboard",
        scopes=ALL,
        expires_at=timezone.now() + timedelta(days=30),
        **holder,
    )
    return {"Authorization": f"Bearer {secret}"}


def read(client, url, auth):
    return walk(client, url, **auth)


@pytest.fixture
def georgia(demo):
    return Country.objects.get(code="ge")


def test_a_token_of_georgia_reads_nothing_of_azerbaijan(client, georgia):
    auth = token(person=User.objects.get(username="focal-ge"))
    azerbaijan = Country.objects.get(code="az")
    plans = read(client, "/api/v1/editions/", auth)
    assert {plan["country"] for plan in plans} == {"ge"}
    measures = read(client, "/api/v1/measures/?page_size=500", auth)
    assert sorted(m["id"] for m in measures) == sorted(
        Measure.objects.filter(edition__country=georgia, edition__state__in=["active", "closed"]).values_list(
            "pk", flat=True
        )
    )
    updates = read(client, "/api/v1/updates/?page_size=500", auth)
    assert {u["measure"] for u in updates} <= {m["id"] for m in measures}
    agencies = {a["code"] for a in read(client, "/api/v1/agencies/?page_size=500", auth)}
    assert "IOM" in agencies and not agencies & set(
        Agency.objects.filter(countries=azerbaijan).exclude(countries=georgia).values_list("code", flat=True)
    )
    # Azerbaijan's objects, by address or by filter: not found, or refused as not one of theirs.
    nap = Edition.objects.get(code="NAP-2020-2024")
    measure = nap.measures.first()
    update = StatusUpdate.objects.filter(measure__edition=nap, state="approved").first()
    for url in (
        f"/api/v1/editions/{nap.code}/",
        f"/api/v1/editions/{nap.code}/summary/",
        f"/api/v1/measures/{measure.pk}/",
        f"/api/v1/updates/{update.pk}/",
    ):
        assert client.get(url, headers=auth).status_code == 404, url
    assert client.get("/api/v1/measures/?country=az", headers=auth).status_code == 400
    assert client.get(f"/api/v1/measures/?edition={nap.pk}", headers=auth).status_code == 400


def test_a_partner_in_two_countries_names_the_one_it_reads(client, georgia):
    auth = token(organisation=Agency.objects.get(code="IOM"))
    assert georgia.pk in Agency.objects.get(code="IOM").countries.values_list("pk", flat=True)
    in_georgia = read(client, "/api/v1/editions/?country=ge", auth)
    in_azerbaijan = read(client, "/api/v1/editions/?country=az", auth)
    assert {p["country"] for p in in_georgia} == {"ge"} and {p["country"] for p in in_azerbaijan} == {"az"}
    assert "NAP-2020-2024" in {p["code"] for p in in_azerbaijan}
    georgian = read(client, "/api/v1/measures/?country=ge&page_size=500", auth)
    assert georgian and all(Measure.objects.get(pk=m["id"]).edition.country_id == georgia.pk for m in georgian)
    response = client.get("/api/v1/measures/?country=fr", headers=auth)
    assert response.status_code == 400 and "country" in response.json()
    for junk in ("", " ", "a" * 300, "ge\u00b2", "%00"):
        assert client.get("/api/v1/editions/", {"country": junk}, headers=auth).status_code in (200, 400)
