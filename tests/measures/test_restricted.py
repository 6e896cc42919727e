"""Restricted details and files: written with the update, seen only by the coordinator's office and the
update's own agency — never in another's page, the thread, search, e-mails or the snapshot shown to others."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from measures import reminders, thread
from measures.models import Evidence, StatusUpdate, UpdateEvent
from measures.services import snapshot
from tests.measures.test_workflow import create, form_data, login, pdf

pytestmark = pytest.mark.django_db

SECRET = "Victim N.H., born 2001, case 144-1/2024/88"
SECRET_FILE = "referral-N-H.pdf"


@pytest.fixture
def measure(demo):
    """Measure 4.3.3: the Ministry of Labour co-executes it and has no update for 2024 H2 yet."""
    from measures.models import Measure

    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


@pytest.fixture
def period(measure):
    from measures.models import ReportingPeriod

    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


def submit_restricted(client, measure, period, django_capture_on_commit_callbacks, **overrides):
    data = form_data(period, restricted_details=SECRET, files_restricted="on", **overrides)
    with django_capture_on_commit_callbacks(execute=True):
        response = create(login(client, "focal"), measure, data, files=[pdf(SECRET_FILE)])
    assert response.status_code == 302
    return StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)


def page_of(client, username, url):
    response = login(client, username).get(url)
    return response.status_code, response.content.decode()


def test_the_form_explains_the_restricted_field_and_saves_it_with_restricted_files(
    client, measure, period, django_capture_on_commit_callbacks
):
    form = login(client, "focal").get(reverse("update_create", args=[measure.pk])).content.decode()
    assert "Restricted details" in form and "Only the national coordinator's office and your agency see them" in form
    assert 'name="files_restricted"' in form and "The files added now are restricted" in form
    update = submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    assert update.restricted_details == SECRET
    assert [(e.original_name, e.restricted) for e in update.evidence.all()] == [(SECRET_FILE, True)]


def test_the_submission_email_never_carries_restricted_text(
    client, measure, period, django_capture_on_commit_callbacks
):
    submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    assert mail.outbox, "the coordinators are told"
    for message in mail.outbox:
        assert SECRET not in message.body and SECRET_FILE not in message.body and SECRET not in message.subject


def test_who_sees_the_restricted_part_on_the_measure_and_review_pages(
    client, measure, period, django_capture_on_commit_callbacks
):
    update = submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    measure_url = reverse("measure_detail", args=[measure.pk])
    for username, sees in [("focal", True), ("coordinator", True), ("admin", True), ("ngo", False), ("partner", False)]:
        _status, page = page_of(client, username, measure_url)
        assert (SECRET in page) is sees and (SECRET_FILE in page) is sees, username
    status, page = page_of(client, "coordinator", reverse("update_review", args=[update.pk]))
    assert status == 200 and SECRET in page and SECRET_FILE in page and "Seen only by the coordinator" in page
    # Approved, the update is everyone's to read, but its restricted part stays where it was.
    login(client, "coordinator")
    client.post(reverse("update_review", args=[update.pk]), {"action": "approve", "version": update.version})
    assert StatusUpdate.objects.get(pk=update.pk).state == "approved"
    for username, sees in [("focal", True), ("coordinator", True), ("ngo", False), ("partner", False)]:
        _status, page = page_of(client, username, measure_url)
        assert "Vocational courses for 24 victims" in page
        assert (SECRET in page) is sees and (SECRET_FILE in page) is sees, username


def test_another_agency_responsible_for_the_same_measure_does_not_see_it(
    client, measure, period, django_capture_on_commit_callbacks
):
    from nap_tracker.models import Agency, User
    from tests.factories import UserFactory

    update = submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    StatusUpdate.objects.filter(pk=update.pk).update(state="approved")
    sea = Agency.objects.get(code="SEA")  # the measure's lead
    UserFactory(username="sea-focal", role=User.Role.FOCAL_POINT, agency=sea)
    _status, page = page_of(client, "sea-focal", reverse("measure_detail", args=[measure.pk]))
    assert "Vocational courses for 24 victims" in page and SECRET not in page and SECRET_FILE not in page
    evidence = update.evidence.get()
    assert login(client, "sea-focal").get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_a_restricted_file_added_with_a_comment_is_named_in_the_thread_only_for_those_who_may_see_it(
    client, measure, period, django_capture_on_commit_callbacks
):
    create(login(client, "focal"), measure, form_data(period))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.post(
        reverse("update_comment", args=[update.pk]),
        {"text": "The referral form you asked for.", "files": [pdf(SECRET_FILE)], "files_restricted": "on"},
    )
    added = update.events.get(kind=UpdateEvent.Kind.FILE_ADDED)
    assert added.text == SECRET_FILE and added.snapshot == {"restricted": True}
    assert update.evidence.get().restricted
    StatusUpdate.objects.filter(pk=update.pk).update(state="approved")
    for username, sees in [("focal", True), ("coordinator", True), ("ngo", False), ("partner", False)]:
        _status, page = page_of(client, username, reverse("measure_detail", args=[measure.pk]))
        assert "The referral form you asked for." in page
        assert (SECRET_FILE in page) is sees, username


def test_a_file_can_be_marked_restricted_later_and_its_earlier_steps_hide_its_name(
    client, measure, period, django_capture_on_commit_callbacks
):
    create(login(client, "focal"), measure, form_data(period, action="draft"), files=[pdf(SECRET_FILE)])
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.post(
        reverse("update_comment", args=[update.pk]), {"text": "Here it is again.", "files": [pdf("other.pdf", "x")]}
    )
    other = update.evidence.get(original_name="other.pdf")
    secret = update.evidence.get(original_name=SECRET_FILE)
    edit = client.get(reverse("update_edit", args=[update.pk])).content.decode()
    assert f'name="restrict_files" value="{secret.pk}"' in edit
    update.refresh_from_db()
    response = client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, action="submit", version=update.version, restrict_files=[other.pk]),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    secret.refresh_from_db()
    assert other.restricted and not secret.restricted
    StatusUpdate.objects.filter(pk=update.pk).update(state="approved")
    _status, page = page_of(client, "partner", reverse("measure_detail", args=[measure.pk]))
    assert SECRET_FILE in page and "other.pdf" not in page  # the "file added" step is left out too
    _status, page = page_of(client, "focal", reverse("measure_detail", args=[measure.pk]))
    assert "other.pdf" in page


def test_what_changed_since_the_return_shows_the_restricted_part_only_to_those_who_may_see_it(
    client, measure, period, django_capture_on_commit_callbacks
):
    update = submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    kept = snapshot(update)
    assert kept["restricted_details"] == SECRET and kept["restricted_files"] == [SECRET_FILE]
    assert SECRET_FILE not in kept["files"]
    login(client, "coordinator")
    client.post(
        reverse("update_review", args=[update.pk]),
        {"action": "return", "note": "Say where she is now.", "version": update.version},
    )
    update.refresh_from_db()
    login(client, "focal")
    response = client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, version=update.version, restricted_details=SECRET + ", now in Sumgait"),
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.prefetch_related("evidence", "events").get(pk=update.pk)
    events = list(update.events.all())
    shown = thread.changes_since_return(update, events, show_restricted=True)
    assert [change.label for change in shown] == ["Restricted details"]
    assert thread.changes_since_return(update, events, show_restricted=False) == []
    _status, page = page_of(client, "coordinator", reverse("update_review", args=[update.pk]))
    assert "now in Sumgait" in page


def test_search_never_finds_a_measure_by_its_restricted_text(
    client, measure, period, django_capture_on_commit_callbacks
):
    submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    for username in ["focal", "coordinator", "partner"]:
        _status, page = page_of(client, username, reverse("measure_list") + "?q=144-1%2F2024%2F88")
        assert "0 measures" in page and SECRET not in page, username


def test_reminders_and_review_digests_never_carry_restricted_text(
    client, measure, period, django_capture_on_commit_callbacks
):
    submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    StatusUpdate.objects.exclude(agency__code="MLSPP").update(restricted_details=SECRET)
    mail.outbox.clear()
    reminders.reporting_reminders_send(today=date(2025, 1, 24))
    reminders.review_digest_send(today=date(2025, 2, 3))
    assert len(mail.outbox) > 5
    for message in mail.outbox:
        bodies = [message.body, *(content for content, _type in getattr(message, "alternatives", []))]
        assert all(SECRET not in body and SECRET_FILE not in body for body in bodies)


def test_restricted_evidence_download_is_audited_as_restricted(
    client, measure, period, django_capture_on_commit_callbacks
):
    from nap_tracker.models import AuditEvent

    update = submit_restricted(client, measure, period, django_capture_on_commit_callbacks)
    evidence = Evidence.objects.get(update=update)
    response = login(client, "coordinator").get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="evidence_downloaded").latest("at")
    assert event.detail["restricted"] is True
