"""Country administrators: they manage their country's agencies, people, plans and imports in the admin, and
nothing of another's; only the installation's administrator adds countries."""

import pytest
from django.urls import reverse

from measures.models import Edition
from nap_tracker.models import Agency, Country, User
from tests.factories import AgencyFactory, CountryFactory, EditionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    az = CountryFactory(code="az")
    ge = CountryFactory(code="ge", name_en="Georgia")
    return {
        "az": az,
        "ge": ge,
        "mlspp": AgencyFactory(code="MLSPP", countries=[az]),
        "ge_moh": AgencyFactory(code="GE-MOH", countries=[ge]),
        "iom": AgencyFactory(code="IOM", kind="international", countries=[az, ge]),
        "az_plan": EditionFactory(code="NAP-AZ", country=az),
        "ge_plan": EditionFactory(code="NAP-GE", country=ge),
        "root": UserFactory(username="root", role=User.Role.ADMIN, agency=None),
        "ge_admin": UserFactory(username="ge-admin", role=User.Role.ADMIN, agency=None, countries=[ge]),
    }


def test_a_country_administrator_lists_and_opens_their_countrys_rows_only(client, world):
    client.force_login(world["ge_admin"])
    agencies = client.get(reverse("admin:nap_tracker_agency_changelist")).content.decode()
    assert "GE-MOH" in agencies and "IOM" in agencies and "MLSPP" not in agencies
    plans = client.get(reverse("admin:measures_edition_changelist")).content.decode()
    assert "NAP-GE" in plans and "NAP-AZ" not in plans
    for url in (
        reverse("admin:nap_tracker_agency_change", args=[world["mlspp"].pk]),
        reverse("admin:measures_edition_change", args=[world["az_plan"].pk]),
        reverse("admin:measures_edition_import", args=[world["az_plan"].pk]),
        reverse("admin:measures_edition_export", args=[world["az_plan"].pk]),
        reverse("admin:nap_tracker_user_change", args=[world["root"].pk]),
    ):
        assert client.get(url).status_code in (302, 404), url
    assert client.get(reverse("admin:measures_edition_export", args=[world["ge_plan"].pk])).status_code == 200


def test_only_the_installations_administrator_adds_a_country(client, world):
    client.force_login(world["ge_admin"])
    assert client.get(reverse("admin:nap_tracker_country_add")).status_code == 403
    client.force_login(world["root"])
    response = client.post(
        reverse("admin:nap_tracker_country_add"),
        {
            "code": "md",
            "name_en": "Moldova",
            "content_languages": "en,ru",
            "time_zone": "Europe/Chisinau",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Country.objects.filter(code="md").exists()


def test_saving_an_international_organisation_keeps_the_countries_its_administrator_cannot_see(client, world):
    client.force_login(world["ge_admin"])
    response = client.post(
        reverse("admin:nap_tracker_agency_change", args=[world["iom"].pk]),
        {"code": "IOM", "kind": "international", "active": "on", "countries": [world["ge"].pk], "name_en": "IOM"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Agency.objects.get(code="IOM").countries.values_list("code", flat=True)) == {"az", "ge"}


def test_a_country_administrator_cannot_choose_another_countrys_plan_or_country(client, world):
    client.force_login(world["ge_admin"])
    page = client.get(reverse("admin:measures_edition_add")).content.decode()
    assert f'<option value="{world["ge"].pk}">Georgia</option>' in page
    assert f'<option value="{world["az"].pk}">' not in page
    response = client.post(
        reverse("admin:measures_edition_add"),
        {
            "country": world["az"].pk,
            "code": "NAP-SNEAKY",
            "title_en": "Sneaky",
            "start_year": 2025,
            "end_year": 2027,
            "state": "draft",
            "areas-TOTAL_FORMS": 0,
            "areas-INITIAL_FORMS": 0,
            "periods-TOTAL_FORMS": 0,
            "periods-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert not Edition.objects.filter(code="NAP-SNEAKY").exists()


def test_a_person_added_by_a_country_administrator_belongs_to_their_country(client, world):
    client.force_login(world["ge_admin"])
    response = client.post(
        reverse("admin:nap_tracker_user_add"),
        {
            "username": "new-ge-admin",
            "email": "x@example.org",
            "role": "admin",
            "password1": "a-long-pass-word-9",
            "password2": "a-long-pass-word-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # Not an administrator of the whole installation: one of Georgia.
    assert list(User.objects.get(username="new-ge-admin").countries.values_list("code", flat=True)) == ["ge"]


def test_a_focal_point_is_given_one_country_their_agency_works_in(client, world):
    client.force_login(world["root"])
    response = client.post(
        reverse("admin:nap_tracker_user_add"),
        {
            "username": "wrong",
            "email": "w@example.org",
            "role": "focal_point",
            "agency": world["mlspp"].pk,
            "countries": [world["ge"].pk],
            "password1": "a-long-pass-word-9",
            "password2": "a-long-pass-word-9",
        },
    )
    assert response.status_code == 200
    assert "does not work in" in response.content.decode()
    assert not User.objects.filter(username="wrong").exists()


def test_the_audit_trail_is_the_installations_administrators(client, world):
    client.force_login(world["ge_admin"])
    assert client.get(reverse("admin:nap_tracker_auditevent_changelist")).status_code == 403
    client.force_login(world["root"])
    assert client.get(reverse("admin:nap_tracker_auditevent_changelist")).status_code == 200
