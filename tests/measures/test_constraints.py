"""Each invariant of the plan is a named database constraint: a bad row is refused by the database itself."""

from contextlib import contextmanager
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from measures.models import Area, Edition, Measure, MeasureAgency, ReportingPeriod, StatusUpdate
from nap_tracker.models import Agency, User
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CountryFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def refused(constraint_name: str):
    """Expect the database to refuse the row, naming the constraint (SQLite names the columns of a UNIQUE one)."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    assert constraint_name in message or (connection.vendor == "sqlite" and "UNIQUE" in message), message


def test_measure_number_is_unique_within_its_edition():
    measure = MeasureFactory(number="4.1.1")
    with refused("measure_number_unique_in_edition"):
        Measure.objects.create(edition=measure.edition, area=measure.area, number="4.1.1", title_en="Again")


def test_same_measure_number_is_fine_in_another_edition():
    MeasureFactory(number="4.1.1")
    other = MeasureFactory(number="4.1.1", area=AreaFactory(edition=EditionFactory(code="NAP-OTHER")))
    assert other.pk


@pytest.mark.parametrize("progress", [101, 250])
def test_measure_progress_stays_between_0_and_100(progress):
    measure = MeasureFactory()
    with refused("measure_progress_between_0_and_100"):
        Measure.objects.filter(pk=measure.pk).update(progress=progress)


def test_negative_progress_is_refused():
    # The column is unsigned as well; either check may be the one that refuses it.
    update = StatusUpdateFactory()
    with refused("progress"):
        StatusUpdate.objects.filter(pk=update.pk).update(progress=-5)


@pytest.mark.parametrize("progress", [101, 1000])
def test_update_progress_stays_between_0_and_100(progress):
    update = StatusUpdateFactory()
    with refused("update_progress_between_0_and_100"):
        StatusUpdate.objects.filter(pk=update.pk).update(progress=progress)


def test_completed_update_has_full_progress():
    update = StatusUpdateFactory()
    with refused("update_completed_means_100"):
        StatusUpdate.objects.filter(pk=update.pk).update(status="completed", progress=90)


def test_returned_update_carries_a_note():
    update = StatusUpdateFactory()
    with refused("update_returned_has_note"):
        StatusUpdate.objects.filter(pk=update.pk).update(state="returned", review_note="")


def test_period_start_comes_before_its_end():
    edition = EditionFactory()
    with refused("period_start_before_end"):
        ReportingPeriod.objects.create(
            edition=edition, label="2021 H1", start=date(2021, 6, 30), end=date(2021, 1, 1), due_date=date(2021, 7, 31)
        )


def test_period_label_is_unique_within_its_edition():
    period = ReportingPeriodFactory(label="2021 H2")
    with refused("period_label_unique_in_edition"):
        ReportingPeriodFactory(edition=period.edition, label="2021 H2")


def test_one_update_per_measure_agency_and_period():
    update = StatusUpdateFactory()
    with refused("update_one_per_measure_agency_period"):
        StatusUpdateFactory(measure=update.measure, agency=update.agency, period=update.period, author=update.author)


def test_an_agency_has_one_part_in_a_measure():
    link = MeasureAgencyFactory()
    with refused("measure_agency_once"):
        MeasureAgency.objects.create(measure=link.measure, agency=link.agency, part=MeasureAgency.Part.PARTNER)


def test_only_an_executing_body_leads():
    with refused("measure_agency_lead_is_executing"):
        MeasureAgencyFactory(part=MeasureAgency.Part.PARTNER, is_lead=True)


def test_edition_years_run_forward():
    with refused("edition_start_year_not_after_end_year"):
        Edition.objects.create(
            country=CountryFactory(), code="NAP-BACKWARDS", title_en="Backwards", start_year=2024, end_year=2020
        )


def test_area_code_is_unique_within_its_edition():
    area = AreaFactory(code="4.1")
    with refused("area_code_unique_in_edition"):
        Area.objects.create(edition=area.edition, code="4.1", title_en="Again", pillar="prevention")


def test_focal_point_must_belong_to_an_agency():
    with refused("user_agency_required_for_role"):
        User.objects.create(username="nobody", role=User.Role.FOCAL_POINT, agency=None)


def test_coordinator_needs_no_agency():
    assert User.objects.create(username="coord", role=User.Role.COORDINATOR, agency=None).pk


def test_agency_has_a_name_in_some_language():
    with refused("agency_has_a_name"):
        Agency.objects.create(code="NAMELESS", kind=Agency.Kind.NGO)


def test_measure_start_not_after_its_deadline():
    with refused("measure_start_not_after_deadline"):
        MeasureFactory(start_date=date(2024, 1, 1), deadline=date(2023, 1, 1))


def test_measures_sort_by_number_as_people_read_it():
    area = AreaFactory(code="4.1")
    for number in ["4.1.10", "4.1.2", "4.1.9", "4.1.1"]:
        MeasureFactory(area=area, number=number)
    assert list(Measure.objects.filter(area=area).values_list("number", flat=True)) == [
        "4.1.1",
        "4.1.2",
        "4.1.9",
        "4.1.10",
    ]


def test_every_change_to_a_measure_is_kept_with_who_and_when():
    measure = MeasureFactory(title_en="First wording")
    editor = User.objects.create(username="editor", role=User.Role.COORDINATOR)
    measure._history_user = editor
    measure.title_en = "Second wording"
    measure.save()
    versions = list(measure.history.order_by("history_date").values_list("title_en", "history_user__username"))
    assert versions == [("First wording", None), ("Second wording", "editor")]


def test_admin_role_can_use_the_admin_site():
    admin = User.objects.create(username="root", role=User.Role.ADMIN)
    assert admin.is_staff and admin.is_superuser


def test_superuser_created_from_the_command_line_is_an_admin():
    user = User.objects.create_superuser("boss", "boss@example.org", "a-long-password-1")
    assert user.role == User.Role.ADMIN


def test_translated_text_falls_back_and_says_so(settings):
    from django.utils import translation

    agency = AgencyFactory(code="ACVT", name_en="Assistance Center", name_az="", name_ru="")
    with translation.override("az"):
        assert agency.name == "Assistance Center"
        assert agency.name.is_fallback and agency.name.language == "en"
    named = AgencyFactory(code="MOC", name_en="Ministry of Culture", name_az="Mədəniyyət Nazirliyi")
    with translation.override("az"):
        assert named.name == "Mədəniyyət Nazirliyi" and not named.name.is_fallback
