"""Reminder digests: the right people, exactly once, in their language, with links to their measures."""

import io
import re
from collections import defaultdict
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from measures import reminders
from measures.models import DigestDelivery, Measure, MeasureAgency, ReportingPeriod, StatusUpdate
from measures.tasks import send_reporting_reminders, send_review_digest
from nap_tracker.models import User

pytestmark = pytest.mark.django_db

# The demo's running plan: updates for 2024 H2 are due on 31 January 2025.
DUE = date(2025, 1, 31)
WEEK_BEFORE = date(2025, 1, 24)
NUMBER_IN_LINE = re.compile(r"^- (\S+) ", re.MULTILINE)


def expected_digests(period: ReportingPeriod) -> dict[str, list[str]]:
    """Worked out the slow, obvious way: e-mail → measure numbers the person's agency still owes."""
    parts = {User.Role.FOCAL_POINT: {"executing", "recommended"}, User.Role.NGO: {"partner"}}
    submitted = {
        (u.measure_id, u.agency_id)
        for u in StatusUpdate.objects.filter(period=period, state__in=["submitted", "approved"])
    }
    expected = defaultdict(list)
    for person in User.objects.filter(role__in=list(parts), is_active=True, receives_digests=True):
        for assignment in MeasureAgency.objects.filter(agency_id=person.agency_id, measure__edition=period.edition):
            measure = assignment.measure
            running = measure.start_date <= period.end and measure.deadline >= period.start
            if assignment.part in parts[person.role] and running and (measure.id, person.agency_id) not in submitted:
                expected[person.email].append(measure.number)
    return {email: sorted(numbers, key=lambda n: [int(x) for x in n.split(".")]) for email, numbers in expected.items()}


@pytest.fixture
def period(demo):
    return ReportingPeriod.objects.get(edition__code="NAP-2020-2024", label="2024 H2")


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_demo_focal_point_gets_one_correct_reminder_a_week_before(period):
    expected = expected_digests(period)
    assert len(expected) >= 10, "the demo should have many bodies with measures still owed"

    sent = reminders.reporting_reminders_send(today=WEEK_BEFORE)

    assert sent == {"due_soon": len(expected), "overdue": 0}
    assert sent_to() == sorted(expected)
    for message in mail.outbox:
        (email,) = message.to
        assert (
            message.subject
            == f"NAP Tracker — 2024 H2: {len(expected[email])} update{'s' if len(expected[email]) > 1 else ''} due by 31 January 2025"
        )
        assert NUMBER_IN_LINE.findall(message.body) == expected[email]
        html = message.alternatives[0][0]
        assert message.alternatives[0][1] == "text/html"
        for number in expected[email]:
            measure = Measure.objects.get(edition=period.edition, number=number)
            link = f"http://127.0.0.1:8000/measures/{measure.pk}/"
            assert link in message.body and f'href="{link}"' in html


def test_the_ministry_of_labour_focal_point_is_reminded_of_its_own_measures(period):
    reminders.reporting_reminders_send(today=WEEK_BEFORE)
    (message,) = [m for m in mail.outbox if m.to == ["focal@example.org"]]
    assert "Dear Aysel Huseynova" in message.body
    numbers = NUMBER_IN_LINE.findall(message.body)
    # 4.1.8 has only a draft for the period, so it is still owed; 4.2.10 was submitted, so it is not.
    assert "4.1.8" in numbers and "4.2.10" not in numbers


def test_a_second_run_on_the_same_day_sends_nothing(period):
    call_command("send_reminders", "--today", WEEK_BEFORE.isoformat(), stdout=io.StringIO())
    first = len(mail.outbox)
    assert first > 0
    out = io.StringIO()
    call_command("send_reminders", "--today", WEEK_BEFORE.isoformat(), stdout=out)
    assert len(mail.outbox) == first
    assert "0 due-soon and 0 overdue digests sent" in out.getvalue()
    assert "0 review digests sent" in out.getvalue()


def test_people_who_turned_digests_off_get_nothing(period):
    User.objects.filter(username="focal").update(receives_digests=False)
    reminders.reporting_reminders_send(today=WEEK_BEFORE)
    assert "focal@example.org" not in sent_to()
    assert mail.outbox
    assert not DigestDelivery.objects.filter(person__username="focal").exists()


def test_nothing_is_sent_outside_the_reminder_window(period):
    assert reminders.reporting_reminders_send(today=date(2025, 1, 10)) == {"due_soon": 0, "overdue": 0}
    assert mail.outbox == []


def test_the_overdue_digest_comes_once_after_the_due_date(period):
    expected = expected_digests(period)
    sent = reminders.reporting_reminders_send(today=date(2025, 2, 1))
    assert sent == {"due_soon": 0, "overdue": len(expected)}
    assert all("overdue since 31 January 2025" in message.subject for message in mail.outbox)
    assert reminders.reporting_reminders_send(today=date(2025, 2, 5)) == {"due_soon": 0, "overdue": 0}


def test_the_digest_comes_in_the_person_s_language(period):
    User.objects.filter(username="focal").update(language="az")
    reminders.reporting_reminders_send(today=WEEK_BEFORE)
    (message,) = [m for m in mail.outbox if m.to == ["focal@example.org"]]
    measure = Measure.objects.get(edition=period.edition, number="4.1.8")
    expected_title = measure.title_az or measure.title_en
    assert expected_title[:40] in message.body


def test_the_coordinator_gets_a_weekly_digest_of_what_waits_for_review(demo):
    # Azerbaijan's: the coordinator's office of the demo's second country is told of its own.
    waiting = StatusUpdate.objects.filter(state="submitted", measure__edition__country__code="az").select_related(
        "measure"
    )
    numbers = sorted({u.measure.number for u in waiting})
    assert reminders.review_digest_send(today=date(2025, 2, 3)) == 1
    (message,) = mail.outbox
    assert message.to == ["coordinator@example.org"]
    assert message.subject == f"NAP Tracker — {waiting.count()} updates waiting for review"
    assert sorted(set(NUMBER_IN_LINE.findall(message.body))) == numbers
    # Once a week: later the same week nothing, the next week again.
    assert reminders.review_digest_send(today=date(2025, 2, 7)) == 0
    assert reminders.review_digest_send(today=date(2025, 2, 10)) == 1


def test_deliveries_record_who_was_reminded_when(period):
    reminders.reporting_reminders_send(today=WEEK_BEFORE)
    delivery = DigestDelivery.objects.get(person__username="focal")
    assert (delivery.kind, delivery.period, delivery.email) == ("due_soon", period, "focal@example.org")
    assert delivery.item_count == len(expected_digests(period)["focal@example.org"])


def test_a_failed_e_mail_is_released_for_the_next_run(period, monkeypatch):
    real = reminders.render_digest

    def broken_for_focal(digest):
        if digest.person.username == "focal":
            raise ConnectionError("mail server went away")
        return real(digest)

    monkeypatch.setattr(reminders, "render_digest", broken_for_focal)
    first = reminders.reporting_reminders_send(today=WEEK_BEFORE)["due_soon"]
    assert "focal@example.org" not in sent_to()
    assert not DigestDelivery.objects.filter(person__username="focal").exists()
    monkeypatch.setattr(reminders, "render_digest", real)
    assert reminders.reporting_reminders_send(today=WEEK_BEFORE)["due_soon"] == 1
    assert first == len(expected_digests(period)) - 1


def test_a_digest_run_costs_a_fixed_number_of_queries(period, django_assert_max_num_queries):
    # periods due soon, periods overdue, owed measures, people, claim, claimed rows
    with django_assert_max_num_queries(6):
        sent = reminders.reporting_reminders_send(today=WEEK_BEFORE)
    assert sent["due_soon"] > 10


def test_the_celery_tasks_run_the_same_services(period):
    assert send_reporting_reminders.delay(WEEK_BEFORE.isoformat()).get() == {
        "due_soon": len(expected_digests(period)),
        "overdue": 0,
    }
    assert send_review_digest.delay("2025-02-03").get() == 1


def test_the_beat_schedule_names_real_tasks(settings):
    from nap_tracker.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "measures.tasks.send_reporting_reminders",
        "measures.tasks.send_review_digest",
        "reporting.tasks.requeue_stuck_reports",
    }
    assert scheduled <= set(app.tasks)


def test_the_deliveries_list_in_the_admin(client, period):
    reminders.reporting_reminders_send(today=WEEK_BEFORE)
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/measures/digestdelivery/?kind__exact=due_soon").content.decode()
    assert "focal@example.org" in page and "MLSPP" in page
