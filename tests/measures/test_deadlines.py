"""Revised deadlines: the coordinator's office moves a deadline with a reason; the original stays visible,
"overdue" follows the revised date, lists can filter and mark them, the CSV and the history say so."""

import csv
import io
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from measures import selectors, services
from measures.models import DeadlineRevision, Edition, Measure, MeasureAgency
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, EditionFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None, first_name="Leyla")


@pytest.fixture
def measure():
    """4.1.1 of a running 2020–2024 plan, from 1 January 2021 to 31 December 2022, in progress."""
    edition = EditionFactory(code="NAP-2020-2024", start_year=2020, end_year=2024, state="active")
    measure = MeasureFactory(
        area=AreaFactory(edition=edition, code="4.1"),
        number="4.1.1",
        title_en="Amend the anti-trafficking law",
        start_date=date(2021, 1, 1),
        deadline=date(2022, 12, 31),
        status="in_progress",
        progress=40,
    )
    MeasureAgency.objects.create(measure=measure, agency=AgencyFactory(code="MLSPP"), part="executing", is_lead=True)
    return measure


def revise(measure, user, new_deadline=date(2024, 6, 30), reason="The Cabinet asked for a second reading."):
    return services.measure_revise_deadline(measure_id=measure.pk, user=user, new_deadline=new_deadline, reason=reason)


# --- The service ----------------------------------------------------------------------------------


def test_a_revision_moves_the_deadline_in_force_and_keeps_the_original(measure, coordinator):
    first = revise(measure, coordinator)
    second = revise(measure, coordinator, date(2024, 12, 31), "Waiting for the Milli Məclis.")
    measure.refresh_from_db()
    assert measure.deadline == date(2024, 12, 31)
    assert [(r.old_deadline, r.new_deadline) for r in measure.deadline_revisions.all()] == [
        (date(2022, 12, 31), date(2024, 6, 30)),
        (date(2024, 6, 30), date(2024, 12, 31)),
    ]
    assert (first.revised_by, second.reason) == (coordinator, "Waiting for the Milli Məclis.")
    annotated = Measure.objects.with_original_deadline().get(pk=measure.pk)
    assert annotated.deadline_revised and annotated.original_deadline == date(2022, 12, 31)


def test_overdue_follows_the_revised_date(measure, coordinator):
    today = date(2023, 3, 1)
    assert measure.is_overdue(today) and Measure.objects.overdue(today).filter(pk=measure.pk).exists()
    revise(measure, coordinator, date(2024, 6, 30))
    measure.refresh_from_db()
    assert not measure.is_overdue(today)
    assert not Measure.objects.overdue(today).filter(pk=measure.pk).exists()
    # Moved to a date that has also passed, it is overdue again.
    revise(measure, coordinator, date(2023, 1, 31), "The plan was shortened.")
    assert Measure.objects.overdue(today).filter(pk=measure.pk).exists()


@pytest.mark.parametrize(
    ("new_deadline", "reason", "field", "message"),
    [
        (date(2024, 6, 30), "   ", "reason", "Say why the deadline is revised"),
        (date(2022, 12, 31), "Same date.", "new_deadline", "The deadline is already"),
        (date(2020, 12, 31), "Too early.", "new_deadline", "The measure starts on"),
        (date(2030, 1, 1), "Far away.", "new_deadline", "Choose a date from"),
    ],
    ids=["blank reason", "same date", "before the start", "years after the plan"],
)
def test_the_service_refuses_a_bad_revision(measure, coordinator, new_deadline, reason, field, message):
    with pytest.raises(services.DeadlineError, match=message) as refused:
        revise(measure, coordinator, new_deadline, reason)
    assert refused.value.field == field
    measure.refresh_from_db()
    assert measure.deadline == date(2022, 12, 31) and not measure.deadline_revisions.exists()


def test_a_date_before_the_plan_is_refused_even_without_a_start(measure, coordinator):
    Measure.objects.filter(pk=measure.pk).update(start_date=None)
    with pytest.raises(services.DeadlineError, match="Choose a date from"):
        revise(measure, coordinator, date(2019, 12, 31))


def test_the_deadlines_of_a_closed_plan_stay_as_they_ended(measure, coordinator):
    Edition.objects.filter(pk=measure.edition_id).update(state="closed")
    with pytest.raises(services.DeadlineError, match="is closed"):
        revise(measure, coordinator)


@pytest.mark.parametrize("role", ["focal_point", "ngo", "partner"])
def test_only_the_coordinator_s_office_revises(measure, role):
    person = UserFactory(username=f"someone-{role}", role=role, agency=AgencyFactory(code="MLSPP"))
    with pytest.raises(services.DeadlineError, match="Only the national coordinator's office"):
        revise(measure, person)


def test_a_measure_without_a_deadline_can_be_given_one(measure, coordinator):
    Measure.objects.filter(pk=measure.pk).update(deadline=None)
    revision = revise(measure, coordinator, date(2023, 12, 31), "The plan set none.")
    assert revision.old_deadline is None
    assert Measure.objects.with_original_deadline().get(pk=measure.pk).original_deadline is None


def test_revisions_are_append_only(measure, coordinator):
    revision = revise(measure, coordinator)
    revision.reason = "Something else"
    with pytest.raises(ValueError, match="append-only"):
        revision.save()
    with pytest.raises(ValueError, match="append-only"):
        revision.delete()


def test_the_database_refuses_a_revision_without_a_reason_or_a_change(measure, coordinator):
    for bad in (
        {"old_deadline": date(2022, 12, 31), "new_deadline": date(2023, 6, 30), "reason": ""},
        {"old_deadline": date(2022, 12, 31), "new_deadline": date(2022, 12, 31), "reason": "No change."},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DeadlineRevision.objects.create(measure=measure, revised_by=coordinator, **bad)


def test_the_measure_s_history_names_the_revision_and_who_made_it(measure, coordinator):
    revise(measure, coordinator)
    change = selectors.measure_history(measure)[0]
    assert change.who == coordinator
    assert change.revision.reason == "The Cabinet asked for a second reading."
    assert [(f.before, f.after) for f in change.fields] == [(date(2022, 12, 31), date(2024, 6, 30))]


# --- The pages ------------------------------------------------------------------------------------


def test_the_coordinator_revises_from_the_measure_page(client, measure, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    url = reverse("measure_revise_deadline", args=[measure.pk])
    assert url in page
    response = client.post(url, {"new_deadline": "2024-06-30", "reason": "The Cabinet asked for a second reading."})
    assert response.status_code == 302 and response["Location"].endswith("#deadline")
    html = client.get(response["Location"]).content.decode()
    # "31 Dec 2022, revised to 30 Jun 2024 on <today>:" and the reason, oldest revision first.
    assert "31 Dec 2022, revised to 30 Jun 2024 on" in html
    assert "The Cabinet asked for a second reading." in html
    assert "revised the deadline:" in html  # the history names the revision


def test_the_revise_form_explains_a_refusal_beside_the_field(client, measure, coordinator):
    client.force_login(coordinator)
    url = reverse("measure_revise_deadline", args=[measure.pk])
    response = client.post(url, {"new_deadline": "2022-12-31", "reason": "Same."})
    assert response.status_code == 400
    assert "The deadline is already" in response.content.decode()
    response = client.post(url, {"new_deadline": "2024-06-30", "reason": ""})
    assert response.status_code == 400 and "Say why the deadline is revised." in response.content.decode()
    assert not DeadlineRevision.objects.exists()


def test_focal_points_see_the_revisions_but_no_button(client, measure, coordinator):
    revise(measure, coordinator)
    focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=AgencyFactory(code="MLSPP"))
    client.force_login(focal)
    html = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "revised to 30 Jun 2024" in html
    assert reverse("measure_revise_deadline", args=[measure.pk]) not in html
    response = client.post(
        reverse("measure_revise_deadline", args=[measure.pk]), {"new_deadline": "2024-12-31", "reason": "Mine."}
    )
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.deadline == date(2024, 6, 30)


def test_the_list_filters_and_marks_revised_deadlines(client, measure, coordinator):
    other = MeasureFactory(area=measure.area, number="4.1.2", deadline=date(2022, 12, 31))
    revise(measure, coordinator)
    client.force_login(coordinator)

    def numbers(query):
        response = client.get(reverse("measure_list") + query)
        return [m.number for m in response.context["page"].object_list], response.content.decode()

    revised, html = numbers("?revised=true")
    assert revised == ["4.1.1"]
    assert "revised" in html and "original deadline was 31 Dec 2022" in html
    assert numbers("?revised=false")[0] == [other.number]
    assert numbers("")[0] == ["4.1.1", "4.1.2"]


def test_the_csv_gives_the_original_deadline_and_every_revision(client, measure, coordinator):
    revise(measure, coordinator)
    revise(measure, coordinator, date(2024, 12, 31), "Waiting for the Milli Məclis.")
    client.force_login(coordinator)
    response = client.get(reverse("measure_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = rows[0]
    assert row["Deadline"] == "2024-12-31" and row["Original deadline"] == "2022-12-31"
    revisions = row["Deadline revisions"].split("; ")
    assert revisions[0].startswith("2022-12-31 → 2024-06-30 (")
    assert revisions[0].endswith("): The Cabinet asked for a second reading.")
    assert revisions[1].startswith("2024-06-30 → 2024-12-31 (")


def test_the_update_form_and_the_review_page_say_the_deadline_in_force(client, measure, coordinator):
    from measures.models import ReportingPeriod, StatusUpdate

    revise(measure, coordinator)
    mlspp = measure.assignments.get().agency
    focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=mlspp)
    period = ReportingPeriod.objects.create(
        edition=measure.edition,
        label="2023 H2",
        start=date(2023, 7, 1),
        end=date(2023, 12, 31),
        due_date=date(2024, 1, 31),
    )
    update = StatusUpdate.objects.create(
        measure=measure, agency=mlspp, period=period, status="in_progress", progress=50, state="submitted", author=focal
    )
    expected = "(revised; originally 31 Dec 2022)"
    client.force_login(focal)
    assert expected in client.get(reverse("update_create", args=[measure.pk])).content.decode()
    client.force_login(coordinator)
    assert expected in client.get(reverse("update_review", args=[update.pk])).content.decode()
