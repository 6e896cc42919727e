"""Two countries in one installation: the measures app shows each person their own country only — pages,
filters, exports, notices, e-mails, digests, imports — and a partner following both compares them."""

import csv
import io
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from measures import reminders, services
from measures.importing.agencies import AgencyIndex
from measures.models import MeasureAgency, Notification, ReportingPeriod, StatusUpdate
from nap_tracker.models import User
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CountryFactory,
    EditionFactory,
    MeasureFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Country:
    """One country's plan: a measure its ministry executes, a period, a coordinator and a focal point."""

    def __init__(self, code, name, *, agency_code):
        self.country = CountryFactory(code=code, name_en=name)
        self.edition = EditionFactory(code=f"NAP-{code.upper()}", title_en=f"Plan of {name}", country=self.country)
        self.area = AreaFactory(edition=self.edition, code="1.1")
        self.agency = AgencyFactory(code=agency_code, name_en=f"Ministry of {name}", countries=[self.country])
        self.measure = MeasureFactory(
            area=self.area, number="1.1.1", title_en=f"Shelter in {name}", deadline=date(2021, 1, 1)
        )
        MeasureAgency.objects.create(measure=self.measure, agency=self.agency, part="executing", is_lead=True)
        self.period = ReportingPeriod.objects.create(
            edition=self.edition,
            label="2024 H2",
            start=date(2024, 7, 1),
            end=date(2024, 12, 31),
            due_date=date(2025, 1, 31),
        )
        self.coordinator = UserFactory(
            username=f"coordinator-{code}",
            role=User.Role.COORDINATOR,
            agency=None,
            email=f"coordinator-{code}@example.org",
            countries=[self.country],
        )
        self.focal = UserFactory(
            username=f"focal-{code}", role=User.Role.FOCAL_POINT, agency=self.agency, countries=[self.country]
        )


@pytest.fixture
def az():
    return Country("az", "Azerbaijan", agency_code="MLSPP")


@pytest.fixture
def ge():
    return Country("ge", "Georgia", agency_code="GE-MOH")


@pytest.fixture
def partner(az, ge):
    iom = AgencyFactory(code="IOM", kind="international", countries=[az.country, ge.country])
    return UserFactory(username="iom", role=User.Role.PARTNER, agency=iom, countries=[az.country, ge.country])


def submit(country):
    return services.update_create(
        measure=country.measure,
        user=country.focal,
        data=services.UpdateData(period=country.period, status="in_progress", progress=30, narrative="Started."),
        files=[],
        submit=True,
    )


def test_a_coordinator_of_one_country_finds_no_object_of_the_other(client, az, ge):
    update = StatusUpdateFactory(measure=az.measure, agency=az.agency, period=az.period, state="submitted")
    client.force_login(ge.coordinator)
    for url in (
        reverse("measure_detail", args=[az.measure.pk]),
        reverse("measure_consolidate", args=[az.measure.pk]),
        reverse("update_review", args=[update.pk]),
        reverse("period_detail", args=[az.period.pk]),
        reverse("period_list", args=[az.edition.code]),
        reverse("public_summary", args=[az.edition.code]),  # not published
    ):
        assert client.get(url).status_code == 404, url
    # Their own country's, found.
    assert client.get(reverse("measure_detail", args=[ge.measure.pk])).status_code == 200


def test_lists_filters_and_exports_show_the_own_country_only(client, az, ge):
    client.force_login(ge.coordinator)
    page = client.get(reverse("measure_list")).content.decode()
    assert "Shelter in Georgia" in page and "Shelter in Azerbaijan" not in page
    # The filter's menus offer the country's plans and bodies only, and refuse another's sent by hand.
    assert "NAP-GE" in page and "NAP-AZ" not in page and "Ministry of Azerbaijan" not in page
    refused = client.get(reverse("measure_list"), {"edition": az.edition.pk}).content.decode()
    assert "Shelter in Azerbaijan" not in refused
    rows = list(csv.reader(io.StringIO(b"".join(client.get(reverse("measure_csv")).streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == ["NAP-GE"]
    home = client.get(reverse("home")).content.decode()
    assert "Plan of Georgia" in home and "Plan of Azerbaijan" not in home


def test_the_filter_menus_cached_for_one_country_are_not_served_to_another(client, az, ge):
    client.force_login(az.coordinator)
    assert "NAP-AZ" in client.get(reverse("measure_list")).content.decode()
    client.force_login(ge.coordinator)
    page = client.get(reverse("measure_list")).content.decode()
    assert "NAP-GE" in page and "NAP-AZ" not in page


def test_the_review_queue_and_bulk_approval_stay_in_the_country(client, az, ge):
    update = submit(az)
    client.force_login(ge.coordinator)
    assert "Shelter in Azerbaijan" not in client.get(reverse("review_queue")).content.decode()
    client.post(reverse("review_queue"), {"updates": [f"{update.pk}:{update.version}"]})
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED
    with pytest.raises(services.UpdateError):
        services.update_approve(update_id=update.pk, reviewer=ge.coordinator)


def test_a_submission_tells_the_coordinators_of_its_country_only(django_capture_on_commit_callbacks, az, ge):
    with django_capture_on_commit_callbacks(execute=True):
        update = submit(az)
    notified = set(Notification.objects.filter(event__update=update).values_list("recipient__username", flat=True))
    assert notified == {"coordinator-az"}
    assert [message.to for message in mail.outbox] == [["coordinator-az@example.org"]]


def test_the_weekly_review_digest_lists_the_own_countrys_updates_only(az, ge):
    submit(az)
    digests = reminders.review_digests(today=date.today())
    assert [digest.person.username for digest in digests] == ["coordinator-az"]


def test_an_import_matches_the_bodies_of_the_plans_country_only(az, ge):
    assert AgencyIndex(ge.country.pk).find("MLSPP") == set()
    assert AgencyIndex(az.country.pk).find("MLSPP") == {az.agency.pk}


# --- A partner following both ----------------------------------------------------------------


def test_a_partner_following_both_compares_them(client, az, ge, partner):
    StatusUpdateFactory(
        measure=ge.measure, agency=ge.agency, period=ge.period, state="approved", status="completed", progress=100
    )
    ge.measure.status = "completed"
    ge.measure.save()
    client.force_login(partner)
    response = client.get(reverse("country_comparison"))
    assert response.status_code == 200
    rows = {row.country.code: row for row in response.context["rows"]}
    assert (rows["az"].plans, rows["az"].measures, rows["az"].share_completed, rows["az"].overdue) == (1, 1, 0, 1)
    assert (rows["ge"].plans, rows["ge"].measures, rows["ge"].share_completed, rows["ge"].overdue) == (1, 1, 100, 0)


def test_the_comparison_costs_the_same_for_two_countries_or_many(client, az, ge, partner, django_assert_num_queries):
    client.force_login(partner)
    client.get(reverse("country_comparison"))
    for n in range(3):
        extra = CountryFactory(code=f"x{n}")
        partner.countries.add(extra)
        EditionFactory(code=f"NAP-X{n}", country=extra)
    # session, user with their countries, second factor, the switcher's countries (header), countries with
    # plans counted, measures counted by country, the latest report by country, the agency's name (header),
    # unread notifications (header)
    with django_assert_num_queries(9):
        assert client.get(reverse("country_comparison")).status_code == 200


def test_a_person_with_one_country_has_nothing_to_compare(client, az, ge):
    client.force_login(az.coordinator)
    assert client.get(reverse("country_comparison")).status_code == 403


def test_a_partner_opens_a_measure_of_either_country_from_a_link(client, az, ge, partner):
    client.force_login(partner)
    assert client.get(reverse("measure_detail", args=[az.measure.pk])).status_code == 200
    assert client.get(reverse("measure_detail", args=[ge.measure.pk])).status_code == 200
