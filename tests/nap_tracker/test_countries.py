"""Countries: who sees which, the switcher, and what scoping costs (nap_tracker/countries.py)."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Edition
from nap_tracker import countries
from nap_tracker.countries import CountryModelBackend
from nap_tracker.models import Country, User
from tests.factories import AgencyFactory, CountryFactory, EditionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def azerbaijan():
    return CountryFactory(code="az")


@pytest.fixture
def georgia():
    return CountryFactory(code="ge", name_en="Georgia", name_ru="Грузия", content_languages="en,ru")


@pytest.fixture
def iom(azerbaijan, georgia):
    return AgencyFactory(code="IOM", kind="international", countries=[azerbaijan, georgia])


@pytest.fixture
def two_country_partner(iom, azerbaijan, georgia):
    return UserFactory(username="iom-partner", role=User.Role.PARTNER, agency=iom, countries=[azerbaijan, georgia])


def signed_in(user):
    """The person as a request gets them: through the backend, with their countries."""
    return CountryModelBackend().get_user(user.pk)


def test_a_person_is_given_the_countries_they_work_in(two_country_partner, azerbaijan, georgia):
    assert countries.countries_for(signed_in(two_country_partner)) == {azerbaijan.pk, georgia.pk}


def test_the_signed_in_persons_countries_cost_no_query(two_country_partner, azerbaijan, georgia):
    person = signed_in(two_country_partner)
    with CaptureQueriesContext(connection) as queries:
        assert countries.countries_for(person) == {azerbaijan.pk, georgia.pk}
        assert not countries.is_installation_admin(person)
    assert len(queries) == 0


def test_an_inactive_country_is_not_seen(two_country_partner, georgia, azerbaijan):
    Country.objects.filter(pk=georgia.pk).update(active=False)
    assert countries.countries_for(signed_in(two_country_partner)) == {azerbaijan.pk}


def test_an_administrator_without_a_country_administers_the_whole_installation(azerbaijan, georgia):
    admin = UserFactory(username="root", role=User.Role.ADMIN, agency=None)
    assert countries.is_installation_admin(signed_in(admin))
    assert countries.countries_for(signed_in(admin)) == {azerbaijan.pk, georgia.pk}


def test_an_administrator_with_a_country_administers_that_country_only(azerbaijan, georgia):
    admin = UserFactory(username="ge-admin", role=User.Role.ADMIN, agency=None, countries=[georgia])
    person = signed_in(admin)
    assert countries.is_country_admin(person)
    assert not countries.is_installation_admin(person)
    assert countries.countries_for(person) == {georgia.pk}


def test_a_person_without_a_country_sees_nothing(azerbaijan):
    EditionFactory(code="NAP-AZ", country=azerbaijan)
    nobody = UserFactory(username="lost", role=User.Role.COORDINATOR, agency=None, countries=[])
    person = signed_in(nobody)
    assert countries.countries_for(person) == frozenset()
    assert not countries.in_countries(Edition.objects.all(), countries.countries_for(person)).exists()


def test_no_country_narrows_to_nothing_never_to_everything(azerbaijan):
    EditionFactory(code="NAP-AZ", country=azerbaijan)
    assert not countries.in_country(Edition.objects.all(), None).exists()
    assert not countries.in_countries(Edition.objects.all(), []).exists()


def test_scoping_a_model_without_a_path_to_a_country_is_refused():
    from nap_tracker.models import AuditEvent

    with pytest.raises(LookupError, match="COUNTRY_PATHS"):
        countries.in_country(AuditEvent.objects.all(), 1)


def test_every_path_reaches_a_country(azerbaijan):
    for label in countries.COUNTRY_PATHS:
        model = apps.get_model(label)
        countries.in_country(model.objects.all(), azerbaijan).exists()  # a wrong path raises FieldError


def test_an_agency_in_two_countries_is_listed_once(iom, azerbaijan, georgia):
    from nap_tracker.models import Agency

    assert list(countries.in_countries(Agency.objects.filter(code="IOM"), [azerbaijan, georgia])) == [iom]


# --- The switcher -----------------------------------------------------------------------------


def test_a_partner_with_two_countries_switches_between_them(client, two_country_partner, azerbaijan, georgia):
    EditionFactory(code="NAP-AZ-PLAN", country=azerbaijan)
    EditionFactory(code="NAP-GE-PLAN", country=georgia)
    client.force_login(two_country_partner)
    home = client.get(reverse("home")).content.decode()
    assert 'name="country"' in home and "Georgia" in home and "Azerbaijan" in home
    assert "NAP-AZ-PLAN" in home and "NAP-GE-PLAN" not in home

    response = client.post(reverse("country_switch"), {"country": georgia.pk, "next": reverse("measure_list")})
    assert response.status_code == 302 and response["Location"] == reverse("measure_list")
    home = client.get(reverse("home")).content.decode()
    assert "NAP-GE-PLAN" in home and "NAP-AZ-PLAN" not in home


def test_nobody_switches_to_a_country_not_theirs(client, azerbaijan, georgia):
    coordinator = UserFactory(username="az-coordinator", role=User.Role.COORDINATOR, agency=None)
    client.force_login(coordinator)
    for sent in (georgia.pk, 999999, "georgia", ""):
        assert client.post(reverse("country_switch"), {"country": sent}).status_code == 404
    assert countries.SESSION_KEY not in client.session


def test_a_choice_no_longer_theirs_falls_back_to_their_own(client, two_country_partner, azerbaijan, georgia):
    EditionFactory(code="NAP-AZ-PLAN", country=azerbaijan)
    client.force_login(two_country_partner)
    client.post(reverse("country_switch"), {"country": georgia.pk})
    two_country_partner.countries.remove(georgia)
    home = client.get(reverse("home")).content.decode()
    assert "NAP-AZ-PLAN" in home
    assert 'name="country"' not in home  # one country left: no switcher


def test_the_switcher_goes_back_only_to_a_page_of_this_site(client, two_country_partner, georgia):
    client.force_login(two_country_partner)
    response = client.post(reverse("country_switch"), {"country": georgia.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_person_with_one_country_gets_no_switcher_and_no_query_for_it(client, azerbaijan):
    focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT)
    client.force_login(focal)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("measure_list")).content.decode()
    assert 'name="country"' not in page
    assert not [q for q in queries if "nap_tracker_country" in q["sql"] and "user_countries" not in q["sql"]]


# --- The data migration -----------------------------------------------------------------------


def test_existing_data_moves_to_azerbaijan():
    from importlib import import_module

    migration = import_module("measures.migrations.0014_existing_data_belongs_to_azerbaijan")
    office = AgencyFactory(code="MIA-MDCTHB", countries=[])
    focal = UserFactory(username="old-focal", agency=office, countries=[])
    admin = UserFactory(username="old-admin", role=User.Role.ADMIN, agency=None, countries=[])
    migration.move_to_azerbaijan(apps, None)
    azerbaijan = Country.objects.get(code="az")
    assert azerbaijan.coordinator_office == office
    assert list(office.countries.all()) == [azerbaijan]
    assert list(focal.countries.all()) == [azerbaijan]
    # Administrators stay the installation's.
    assert not admin.countries.exists()


def test_a_new_installation_gets_no_country_from_the_migration():
    from importlib import import_module

    migration = import_module("measures.migrations.0014_existing_data_belongs_to_azerbaijan")
    migration.move_to_azerbaijan(apps, None)
    assert not Country.objects.exists()


@pytest.mark.parametrize(
    ("own", "zones", "expected"),
    [
        ("", ["Asia/Tbilisi"], "Asia/Tbilisi"),  # no choice of their own: their country's
        ("Europe/London", ["Asia/Tbilisi"], "Europe/London"),  # their own choice first
        ("", ["Asia/Tbilisi", "Asia/Tbilisi"], "Asia/Tbilisi"),  # two countries, one zone
        ("", ["Asia/Tbilisi", "Europe/Kyiv"], "Asia/Baku"),  # two zones: the site's (settings.TIME_ZONE)
        ("", [], "Asia/Baku"),  # no country: the site's
    ],
)
def test_a_person_reads_times_in_their_countrys_zone_unless_they_chose_one(own, zones, expected):
    chosen = [CountryFactory(code=f"c{n}", time_zone=zone) for n, zone in enumerate(zones)]
    person = UserFactory(username="reader", role=User.Role.PARTNER, time_zone=own, countries=chosen)
    with CaptureQueriesContext(connection) as queries:
        loaded = signed_in(person)
    assert len(queries) == 1  # the person, their countries and the zone in one query
    assert str(loaded.zone) == expected


def test_an_administrator_whose_only_country_was_deactivated_administers_nothing(azerbaijan, georgia):
    """Deactivating a country must not turn its administrators into the installation's."""
    admin = UserFactory(username="ge-admin", role=User.Role.ADMIN, agency=None, countries=[georgia])
    Country.objects.filter(pk=georgia.pk).update(active=False)
    person = signed_in(admin)
    assert not countries.is_installation_admin(person)
    assert countries.countries_for(person) == frozenset()
    # The same answer for a person loaded without the backend's annotations.
    plain = User.objects.get(pk=admin.pk)
    assert not countries.is_installation_admin(plain)
    assert countries.countries_for(plain) == frozenset()
