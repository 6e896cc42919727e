"""The security audit trail: each thing a ministry's security officer asks about leaves one event,
with who, when, from where and on what; and nobody — not the admin, not the ORM, not SQL on
PostgreSQL — can change or delete an event afterwards."""

import csv
import hashlib
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from measures import services
from measures.demo_files import simple_pdf
from measures.models import Evidence, StatusUpdate
from nap_tracker import audit
from nap_tracker.models import AppendOnly, AuditEvent, User
from nap_tracker.signals import second_factor_changed
from reporting.models import Report
from tests.conftest import require_service
from tests.factories import AgencyFactory, MeasureAgencyFactory, StatusUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/120"


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def only(action) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, f"{action}: {found}"
    return found[0]


@pytest.fixture
def submitted(people):
    assignment = MeasureAgencyFactory(agency=people["focal_point"].agency)
    return StatusUpdateFactory(
        measure=assignment.measure,
        agency=assignment.agency,
        author=people["focal_point"],
        state=StatusUpdate.State.SUBMITTED,
    )


def add_evidence(update, person) -> Evidence:
    content = simple_pdf("Training", ["24 people trained"])
    return Evidence.objects.create(
        update=update,
        file=ContentFile(content, name="training.pdf"),
        original_name="training.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=person,
    )


# --- Signing in and out ------------------------------------------------------------------------


def test_sign_in_is_recorded_with_address_and_browser(client, people):
    response = client.post(
        reverse("login"),
        {"username": "focal", "password": "pass-word-123"},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    event = only(Action.SIGNED_IN)
    assert event.actor == people["focal_point"]
    assert event.actor_username == "focal"
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == BROWSER
    assert event.path == reverse("login")


def test_failed_sign_in_keeps_the_username_tried_and_never_the_password(client, people):
    response = client.post(
        reverse("login"), {"username": "focal", "password": "Guess-Secret-42"}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 200
    event = only(Action.SIGN_IN_FAILED)
    assert event.actor is None
    assert event.ip_address == "198.51.100.9"
    assert event.detail == {"username": "focal", "known_account": True}
    assert event.object_id == str(people["focal_point"].pk)
    stored = json.dumps([str(value) for value in AuditEvent.objects.values().get(pk=event.pk).values()])
    assert "Guess-Secret-42" not in stored
    assert not events(Action.SIGNED_IN)


def test_failed_sign_in_for_an_unknown_username(client, db):
    client.post(reverse("login"), {"username": "root", "password": "toor"})
    event = only(Action.SIGN_IN_FAILED)
    assert event.detail == {"username": "root", "known_account": False}
    assert event.object_repr == "root"


def test_a_hostile_username_is_recorded_cleanly(rf, db):
    """Whatever a sign-in form elsewhere passes on (a NUL byte, a very long name), the record is written."""
    from django.contrib.auth.signals import user_login_failed

    request = rf.post(reverse("login"))
    user_login_failed.send(sender=__name__, credentials={"username": "adm\x00in" + "x" * 500}, request=request)
    event = only(Action.SIGN_IN_FAILED)
    assert event.detail["username"] == ("admin" + "x" * 500)[:150]


def test_sign_out_is_recorded(client, people):
    client.force_login(people["partner"])
    client.post(reverse("logout"))
    event = only(Action.SIGNED_OUT)
    assert event.actor == people["partner"]


def test_writing_last_login_at_sign_in_costs_no_extra_query(client, people, django_assert_num_queries):
    """The change watch reads a person's old values only when role, agency or active may change,
    and a sign-in adds no row to the person's history (last_login is not kept there)."""
    user = people["focal_point"]
    before = user.history.count()
    with django_assert_num_queries(1):  # the UPDATE of last_login
        user.save(update_fields=["last_login"])
    assert user.history.count() == before
    user.first_name = "Aysel"
    user.save()
    assert user.history.count() == before + 1


# --- Refusals ------------------------------------------------------------------------------------


def test_refusal_with_403_is_recorded_with_the_url(client, people):
    client.force_login(people["partner"])
    response = client.get(reverse("review_queue") + "?page=2", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 403
    event = only(Action.PERMISSION_REFUSED)
    assert event.actor == people["partner"]
    assert event.path == reverse("review_queue") + "?page=2"
    assert event.ip_address == "192.0.2.44"
    assert event.detail == {"status": 403, "method": "GET", "view": "review_queue"}


def test_outsider_refused_with_404_is_recorded(client, people, submitted):
    """Another agency's update: the NGO gets 404, as if it did not exist — the trail knows better."""
    client.force_login(people["ngo"])
    response = client.get(reverse("update_edit", args=[submitted.pk]))
    assert response.status_code == 404
    event = only(Action.PERMISSION_REFUSED)
    assert event.detail["status"] == 404
    assert event.path == reverse("update_edit", args=[submitted.pk])


def test_a_missing_object_is_not_a_refusal(client, people):
    client.force_login(people["coordinator"])
    assert client.get(reverse("measure_detail", args=[987654])).status_code == 404
    assert client.get(reverse("evidence_download", args=[987654])).status_code == 404
    assert not events(Action.PERMISSION_REFUSED)


# --- Downloads -----------------------------------------------------------------------------------


def test_evidence_download_is_recorded(client, people, submitted):
    evidence = add_evidence(submitted, people["focal_point"])
    client.force_login(people["coordinator"])
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    b"".join(response.streaming_content)
    assert response.status_code == 200
    event = only(Action.EVIDENCE_DOWNLOADED)
    assert event.actor == people["coordinator"]
    assert (event.object_type, event.object_id, event.object_repr) == (
        "measures.evidence",
        str(evidence.pk),
        "training.pdf",
    )
    assert event.detail == {
        "update": submitted.pk,
        "state": "submitted",
        "sha256": evidence.sha256,
        "restricted": False,
    }


def test_refused_evidence_download_is_a_refusal_not_a_download(client, people, submitted):
    evidence = add_evidence(submitted, people["focal_point"])
    client.force_login(people["partner"])
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    assert not events(Action.EVIDENCE_DOWNLOADED)
    assert only(Action.PERMISSION_REFUSED).detail["status"] == 404


def test_report_download_is_recorded(client, people, submitted):
    report = Report.objects.create(
        edition=submitted.measure.edition, requested_by=people["partner"], state=Report.State.QUEUED
    )
    report.file.save("progress-en.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.state = Report.State.DONE
    report.save()
    client.force_login(people["partner"])
    response = client.get(reverse("reporting:download", args=[report.pk]))
    b"".join(response.streaming_content)
    event = only(Action.REPORT_DOWNLOADED)
    assert event.actor == people["partner"]
    assert event.object_type == "reporting.report"
    assert event.object_id == str(report.pk)
    assert event.detail["file"] == "progress-en.pdf"


# --- Review decisions ----------------------------------------------------------------------------


def test_approval_is_recorded_with_the_reviewers_address(client, people, submitted):
    client.force_login(people["coordinator"])
    response = client.post(
        reverse("update_review", args=[submitted.pk]),
        {"action": "approve", "note": "", "version": submitted.version},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    event = only(Action.UPDATE_APPROVED)
    assert event.actor == people["coordinator"]
    assert event.ip_address == "192.0.2.10"
    assert event.object_type == "measures.statusupdate"
    assert event.object_id == str(submitted.pk)
    assert event.detail == {"version": submitted.version + 1}


def test_return_is_recorded_with_its_note(people, submitted):
    services.update_return(update_id=submitted.pk, reviewer=people["coordinator"], note="Name the regions.")
    event = only(Action.UPDATE_RETURNED)
    assert event.actor == people["coordinator"]
    assert event.detail["note"] == "Name the regions."
    assert event.ip_address is None  # no request: a service called from a shell or a task


def test_a_refused_decision_leaves_no_event(people, submitted):
    with pytest.raises(services.UpdateError):
        services.update_approve(update_id=submitted.pk, reviewer=people["focal_point"])
    assert not events(Action.UPDATE_APPROVED)


# --- Changes to people ---------------------------------------------------------------------------


def admin_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "time_zone": user.time_zone,
        "receives_digests": "on" if user.receives_digests else "",
        "role": user.role,
        "agency": user.agency_id or "",
        "is_active": "on" if user.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_role_change_in_the_admin_is_recorded_with_who_made_it(client, people):
    person = people["partner"]
    client.force_login(people["admin"])
    response = client.post(
        reverse("admin:nap_tracker_user_change", args=[person.pk]),
        admin_form(person, role=User.Role.FOCAL_POINT),
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = only(Action.USER_ROLE_CHANGED)
    assert event.actor == people["admin"]
    assert event.ip_address == "192.0.2.77"
    assert event.object_id == str(person.pk)
    assert event.detail == {"old": "partner", "new": "focal_point"}
    assert not events(Action.USER_AGENCY_CHANGED)
    assert not events(Action.USER_ACTIVE_CHANGED)


def test_agency_change_is_recorded_with_both_agencies(people):
    person = people["focal_point"]
    person.agency = AgencyFactory(code="MOJ")
    person.save()
    event = only(Action.USER_AGENCY_CHANGED)
    assert event.detail == {"old": "MLSPP", "new": "MOJ"}
    assert event.actor is None  # saved outside a request: nobody to name


def test_deactivation_is_recorded(people):
    person = people["ngo"]
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert only(Action.USER_ACTIVE_CHANGED).detail == {"old": True, "new": False}


def test_saving_a_person_without_watched_changes_records_nothing(people):
    person = people["ngo"]
    person.first_name = "Leyla"
    person.save()
    assert not AuditEvent.objects.filter(object_id=str(person.pk)).exclude(action=Action.USER_CREATED).exists()


def test_a_new_person_is_recorded_with_role_and_agency(db):
    person = UserFactory(username="new-focal", agency=AgencyFactory(code="MIA"))
    assert only(Action.USER_CREATED).detail == {"role": "focal_point", "agency": "MIA", "active": True}
    assert only(Action.USER_CREATED).object_id == str(person.pk)


def test_changes_to_people_keep_a_history_without_passwords(people):
    person = people["partner"]
    person.role = User.Role.COORDINATOR
    person.agency = None
    person.set_password("a-new-secret-pass")
    person.save()
    latest = person.history.first()
    assert latest.role == "coordinator"
    assert latest.agency_id is None
    assert person.history.count() == 2  # created, changed
    history_fields = {field.name for field in person.history.model._meta.get_fields()}
    assert "password" not in history_fields
    assert "last_login" not in history_fields


def test_admin_history_page_of_a_person_shows_the_change(client, people):
    person = people["partner"]
    person.role = User.Role.FOCAL_POINT
    person.save()
    client.force_login(people["admin"])
    page = client.get(reverse("admin:nap_tracker_user_history", args=[person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "partner" in text and "focal_point" in text  # role: partner → focal_point


def test_deleting_a_person_keeps_their_events_under_their_username(client, people):
    person = UserFactory(username="leaving", role=User.Role.PARTNER, agency=people["partner"].agency)
    client.force_login(person)
    client.logout()
    person.delete()
    kept = AuditEvent.objects.filter(action__in=[Action.SIGNED_IN, Action.SIGNED_OUT], actor_username="leaving")
    assert kept.count() == 2
    assert all(event.actor_id is None for event in kept)
    assert only(Action.USER_DELETED).detail == {"username": "leaving", "role": "partner"}


# --- Second factor (the signal the sign-in work sends) -------------------------------------------


@pytest.mark.parametrize(
    "change, action",
    [
        ("enrolled", Action.SECOND_FACTOR_ENROLLED),
        ("reset", Action.SECOND_FACTOR_RESET),
        ("disabled", Action.SECOND_FACTOR_DISABLED),
        ("recovery_code_used", Action.RECOVERY_CODE_USED),
    ],
)
def test_second_factor_changes_are_recorded(people, rf, change, action):
    request = rf.post("/accounts/two-factor/", REMOTE_ADDR="192.0.2.5")
    request.user = people["admin"]
    second_factor_changed.send(
        sender=User, user=people["focal_point"], actor=people["admin"], action=change, request=request
    )
    event = only(action)
    assert event.actor == people["admin"]
    assert event.object_id == str(people["focal_point"].pk)
    assert event.ip_address == "192.0.2.5"
    assert event.detail == {"change": change}


# --- Append-only ---------------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_the_orm(people):
    event = audit.record(Action.SIGNED_IN, actor=people["admin"])
    event.actor_username = "someone-else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="someone-else")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "admin"


def test_postgresql_refuses_update_and_delete_of_an_event(people):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    event = audit.record(Action.SIGNED_IN, actor=people["admin"])
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET actor_username = 'someone-else' WHERE id = %s",
        f"UPDATE {table} SET actor_id = NULL, ip_address = '10.0.0.1' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "admin"


# --- The administrator's view --------------------------------------------------------------------


def test_admin_reads_the_trail_filtered_but_cannot_add_change_or_delete(client, people):
    client.force_login(people["admin"])
    event = only(Action.SIGNED_IN)
    changelist = reverse("admin:nap_tracker_auditevent_changelist")
    page = client.get(changelist + "?action__exact=signed_in&q=admin")
    assert page.status_code == 200
    assert "admin" in page.content.decode()
    audit.record(Action.PERMISSION_REFUSED, request=None, actor=people["partner"], detail={"status": 403})
    AuditEvent.objects.create(action=Action.SIGN_IN_FAILED, ip_address="198.51.100.23", object_repr="root")
    by_address = client.get(changelist + "?q=198.51.100")
    assert by_address.status_code == 200
    assert "198.51.100.23" in by_address.content.decode()
    assert "0 audit events" in client.get(changelist + "?q=203.0.113.99").content.decode()
    assert client.get(reverse("admin:nap_tracker_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:nap_tracker_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:nap_tracker_auditevent_change", args=[event.pk]), {"actor_username": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:nap_tracker_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "admin"


@pytest.mark.parametrize("role", ["coordinator", "focal_point", "ngo", "partner"])
def test_only_the_administrator_reads_the_trail(client, people, role):
    person = people[role]
    # Even someone given the admin's door by hand (is_staff) does not see the trail.
    User.objects.filter(pk=person.pk).update(is_staff=True)
    client.force_login(person)
    for url in (
        reverse("admin:nap_tracker_auditevent_changelist"),
        reverse("admin:nap_tracker_auditevent_export"),
    ):
        response = client.get(url)
        # Refused: by the admin site itself (only the admin role enters it: sent to its sign-in) or by the trail.
        refused = response.status_code == 403 or (
            response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
        )
        assert refused, f"{url}: {response.status_code}"


def test_csv_export_holds_the_filtered_events_safely(client, people):
    audit.record(Action.SIGN_IN_FAILED, target='=HYPERLINK("http://evil")', detail={"username": "=HYPERLINK"})
    audit.record(Action.REPORT_DOWNLOADED, actor=people["partner"])
    client.force_login(people["admin"])
    response = client.get(reverse("admin:nap_tracker_auditevent_export") + "?action__exact=sign_in_failed")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="nap-audit-trail.csv"'
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["When (UTC)", "What", "Action code", "Username"]
    assert [row[2] for row in rows[1:]] == ["sign_in_failed"]
    assert rows[1][1] == "Sign-in failed"
    assert rows[1][9] == '\'=HYPERLINK("http://evil")'
    # Exporting the trail is itself in the trail.
    assert only(Action.AUDIT_EXPORTED).detail == {"filters": "action__exact=sign_in_failed"}


def test_client_ip_reads_remote_addr_only(rf):
    assert audit.client_ip(rf.get("/", REMOTE_ADDR="2001:db8::1")) == "2001:db8::1"
    assert audit.client_ip(rf.get("/", REMOTE_ADDR="not an address")) is None
    assert audit.client_ip(rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")) == "192.0.2.1"


def test_lock_out_is_recorded(people, rf):
    """django-axes sends user_locked_out (connected when it is installed); the receiver records it."""
    from nap_tracker.receivers import on_locked_out

    request = rf.post(reverse("login"), REMOTE_ADDR="198.51.100.20")
    on_locked_out(sender=None, request=request, username="focal", ip_address="198.51.100.20")
    event = only(Action.LOCKED_OUT)
    assert event.actor is None
    assert event.ip_address == "198.51.100.20"
    assert event.object_id == str(people["focal_point"].pk)
    assert event.detail == {"username": "focal", "ip_address": "198.51.100.20"}


def test_a_form_posted_without_its_csrf_token_is_a_recorded_refusal(people):
    """A cross-site form post (or a stale tab) is refused by Django; the trail shows where and why."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["coordinator"])
    submitted_path = reverse("review_queue")
    response = client.post(submitted_path, {"updates": []}, REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 403
    event = only(Action.PERMISSION_REFUSED)
    assert event.actor == people["coordinator"]
    assert event.path == submitted_path
    assert event.ip_address == "192.0.2.99"
    assert event.detail["status"] == 403
    assert event.detail["reason"].startswith("CSRF")
