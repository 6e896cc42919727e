"""Restricted details and files, tried as someone who should not see them would try: by another
update's ids, by search, through exports, the thread after a file is gone, the admin, old reports."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from measures import selectors, services
from measures.models import Evidence, Measure, ReportingPeriod, StatusUpdate, UpdateEvent
from nap_tracker.models import Agency, User
from tests.factories import UserFactory
from tests.measures.test_workflow import create, form_data, login, pdf

pytestmark = pytest.mark.django_db

SECRET = "Victim N.H., born 2001, case 144-1/2024/88"
SECRET_FILE = "referral-N-H.pdf"
# The demo's approved report of the Ministry of Labour on measure 4.1.4 has a restricted part and file.
DEMO_SECRET_FILE = "shelter-addresses-2022.pdf"
OUTSIDERS = ["ngo", "partner", "sea-focal", "mlspp-partner"]


@pytest.fixture
def measure(demo):
    """Measure 4.3.3: the Ministry of Labour co-executes it and has no update for 2024 H2 yet."""
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


@pytest.fixture
def period(measure):
    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


@pytest.fixture
def outsiders(demo):
    """Beside the demo's NGO and partner: the focal point of another body responsible for the same
    measures, and a partner account that belongs to the Ministry of Labour itself."""
    mlspp, sea = Agency.objects.get(code="MLSPP"), Agency.objects.get(code="SEA")
    UserFactory(username="sea-focal", role=User.Role.FOCAL_POINT, agency=sea)
    UserFactory(username="mlspp-partner", role=User.Role.PARTNER, agency=mlspp)
    UserFactory(username="mlspp-ngo", role=User.Role.NGO, agency=mlspp)


@pytest.fixture
def restricted(client, measure, period, outsiders, django_capture_on_commit_callbacks):
    """The Ministry of Labour's submitted update on 4.3.3 with restricted details and a restricted file."""
    data = form_data(period, restricted_details=SECRET, files_restricted="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = create(login(client, "focal"), measure, data, files=[pdf(SECRET_FILE)])
    assert response.status_code == 302
    client.logout()
    return StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)


def approve(update):
    StatusUpdate.objects.filter(pk=update.pk).update(state=StatusUpdate.State.APPROVED)


def page_of(client, username, url):
    response = login(client, username).get(url)
    return response.status_code, response.content.decode()


def test_a_partner_account_of_the_same_agency_does_not_see_the_restricted_part(client, restricted, measure):
    """The rule is the agency's focal points and NGO people, not whoever has its name on their account."""
    approve(restricted)
    url = reverse("measure_detail", args=[measure.pk])
    for username, sees in [("mlspp-partner", False), ("sea-focal", False), ("mlspp-ngo", True), ("focal", True)]:
        _status, page = page_of(client, username, url)
        assert "Vocational courses for 24 victims" in page
        assert (SECRET in page) is sees and (SECRET_FILE in page) is sees, username


def test_a_restricted_file_cannot_be_downloaded_removed_or_erased_by_outsiders_who_learn_nothing(client, restricted):
    approve(restricted)
    evidence = restricted.evidence.get()
    missing = Evidence.objects.order_by("-pk").first().pk + 1000
    for username in OUTSIDERS:
        login(client, username)
        for name, method in [("evidence_download", "get"), ("evidence_remove", "post"), ("evidence_erase", "get")]:
            # The same answer as for a file that does not exist: no oracle for its id.
            answer = getattr(client, method)(reverse(name, args=[evidence.pk])).status_code
            assert answer == getattr(client, method)(reverse(name, args=[missing])).status_code == 404, (username, name)
    assert Evidence.objects.filter(pk=evidence.pk, restricted=True).exists()
    for username in ["focal", "mlspp-ngo", "coordinator", "admin"]:
        response = login(client, username).get(reverse("evidence_download", args=[evidence.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content), username


def test_another_agency_cannot_mark_or_unmark_files_of_an_update_not_its_own(client, restricted, measure, period, demo):
    """`restrict_files` and `remove_files` name ids: ids of another update's files are refused, never applied."""
    open_file = Evidence.objects.get(original_name="cost-estimate-support-centres-2022.pdf")
    secret = restricted.evidence.get()
    sea = User.objects.get(username="sea-focal")  # the measure's lead: it writes its own update beside MLSPP's
    login(client, "sea-focal")
    create(client, measure, form_data(period, action="draft"))
    own = StatusUpdate.objects.get(measure=measure, agency=sea.agency, period=period)
    response = client.post(
        reverse("update_edit", args=[own.pk]),
        form_data(period, action="draft", version=own.version, restrict_files=[open_file.pk], remove_files=[secret.pk]),
    )
    assert response.status_code == 400
    assert not Evidence.objects.get(pk=open_file.pk).restricted and Evidence.objects.filter(pk=secret.pk).exists()
    # Even past the form, the service applies ids of the update's own files only.
    services.update_save(
        update_id=own.pk,
        user=sea,
        expected_version=own.version,
        data=services.UpdateData(
            period=period, status="in_progress", progress=10, narrative="x", restrict_files=(open_file.pk,)
        ),
        files=[],
        submit=False,
    )
    assert not Evidence.objects.get(pk=open_file.pk).restricted


def test_no_form_lifts_the_mark_and_it_survives_withdrawal_editing_resubmission_and_a_new_period(
    client, restricted, measure, period
):
    """Editing the update without ticking the file, moving it to another period, withdrawing and
    resubmitting it: the file stays restricted."""
    secret = restricted.evidence.get()
    login(client, "focal")
    client.post(reverse("update_withdraw", args=[restricted.pk]))
    restricted.refresh_from_db()
    edit = client.get(reverse("update_edit", args=[restricted.pk])).content.decode()
    assert f'name="restrict_files" value="{secret.pk}"' not in edit  # nothing to tick: no way back
    other = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H1")
    if StatusUpdate.objects.filter(measure=measure, agency=restricted.agency, period=other).exists():
        other = period
    response = client.post(
        reverse("update_edit", args=[restricted.pk]),
        form_data(other, version=restricted.version, restricted_details=SECRET, restrict_files=[]),
    )
    assert response.status_code == 302
    restricted.refresh_from_db()
    assert restricted.state == "submitted" and Evidence.objects.get(pk=secret.pk).restricted


def test_the_administrator_cannot_lift_a_files_restricted_mark_in_the_admin(client, restricted):
    """The mark only hides, never exposes: in the admin as in the forms, a restricted file stays restricted
    (the way back is to remove the file and attach it again)."""
    secret = restricted.evidence.get()
    login(client, "admin")
    url = reverse("admin:measures_evidence_change", args=[secret.pk])
    assert client.get(url).status_code == 200
    client.post(url, {})  # the checkbox left unticked
    assert Evidence.objects.get(pk=secret.pk).restricted


def test_the_admin_is_closed_to_everyone_but_the_administrator(client, restricted):
    urls = [
        reverse("admin:measures_statusupdate_change", args=[restricted.pk]),
        reverse("admin:measures_statusupdate_history", args=[restricted.pk]),
        reverse("admin:measures_evidence_changelist") + "?q=referral",
    ]
    for username in ["focal", "ngo", "partner", "sea-focal", "coordinator"]:
        login(client, username)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 403, 404) and SECRET not in response.content.decode(), (username, url)
    history = login(client, "admin").get(urls[1])
    assert history.status_code == 200


def test_a_file_restricted_later_keeps_its_name_out_of_the_thread_once_removed(client, measure, period, outsiders):
    """Attached with a comment before it was marked, then marked and removed: the "file added" step must
    not name it to outsiders just because the file (whose mark told the thread to hide it) is gone."""
    login(client, "focal")
    create(client, measure, form_data(period, action="draft"))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.post(reverse("update_comment", args=[update.pk]), {"text": "The list.", "files": [pdf(SECRET_FILE)]})
    secret = update.evidence.get()
    update.refresh_from_db()
    client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, action="draft", version=update.version, restrict_files=[secret.pk]),
    )
    assert Evidence.objects.get(pk=secret.pk).restricted
    update.refresh_from_db()
    response = client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, action="submit", version=update.version, remove_files=[secret.pk]),
    )
    assert response.status_code == 302 and not update.evidence.exists()
    approve(update)
    url = reverse("measure_detail", args=[measure.pk])
    for username, sees in [("partner", False), ("ngo", False), ("sea-focal", False), ("focal", True)]:
        _status, page = page_of(client, username, url)
        assert "The list." in page
        assert (SECRET_FILE in page) is sees, username


def test_a_file_restricted_later_keeps_its_name_out_of_the_thread_once_erased(client, measure, period, outsiders):
    login(client, "focal")
    create(client, measure, form_data(period, action="draft"))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.post(reverse("update_comment", args=[update.pk]), {"text": "The list.", "files": [pdf(SECRET_FILE)]})
    secret = update.evidence.get()
    Evidence.objects.filter(pk=secret.pk).update(restricted=True)
    services.evidence_erase(
        evidence_id=secret.pk, user=User.objects.get(username="admin"), reason="Names a victim — by mistake"
    )
    approve(update)
    _status, page = page_of(client, "partner", reverse("measure_detail", args=[measure.pk]))
    assert "The list." in page and SECRET_FILE not in page and "by mistake" not in page
    _status, page = page_of(client, "coordinator", reverse("measure_detail", args=[measure.pk]))
    assert page.count(SECRET_FILE) == 2  # added, then erased


def test_search_matches_neither_restricted_text_nor_restricted_file_names(client, restricted, demo):
    approve(restricted)
    for query in ["144-1/2024/88", "Victim N.H.", "referral-N-H", "shelter-addresses", "Case 2022/144-1/031"]:
        for username in ["partner", "ngo", "sea-focal", "focal", "coordinator"]:
            _status, page = page_of(client, username, reverse("measure_list") + "?" + f"q={query}")
            assert "0 measures" in page, (username, query)


def test_exports_and_the_public_and_dashboard_pages_carry_no_restricted_part(client, restricted, demo):
    approve(restricted)
    edition = restricted.measure.edition
    secrets = [SECRET, SECRET_FILE, DEMO_SECRET_FILE, "Case 2022/144-1/031"]
    for username in ["partner", "ngo", "focal", "coordinator"]:
        login(client, username)
        pages = [
            b"".join(client.get(reverse("measure_csv")).streaming_content).decode(),
            client.get(reverse("public_summary", args=[edition.code])).content.decode(),
            client.get(reverse("reporting:dashboard") + f"?edition={edition.code}").content.decode(),
            client.get(reverse("home")).content.decode(),
        ]
        for page in pages:
            assert not any(secret in page for secret in secrets), username
    client.logout()
    anonymous = client.get(reverse("public_summary", args=[edition.code])).content.decode()
    assert not any(secret in anonymous for secret in secrets)


def test_notices_and_emails_of_a_return_and_a_comment_with_a_restricted_file_carry_no_restricted_part(
    client, restricted, django_capture_on_commit_callbacks
):
    """The "returned" step keeps a snapshot with the restricted details; neither the notice nor the e-mail shows it."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_return(
            update_id=restricted.pk, reviewer=User.objects.get(username="coordinator"), note="Say where she is now."
        )
    returned = restricted.events.get(kind=UpdateEvent.Kind.RETURNED)
    assert returned.snapshot["restricted_details"] == SECRET
    login(client, "focal")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("update_comment", args=[restricted.pk]),
            {"text": "Here it is.", "files": [pdf("second-referral.pdf", "y")], "files_restricted": "on"},
        )
    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        for secret in [SECRET, SECRET_FILE, "second-referral.pdf"]:
            assert secret not in message.body and secret not in message.subject
    for username in ["focal", "coordinator"]:
        _status, page = page_of(client, username, reverse("notification_list"))
        assert "Say where she is now." in page or "Here it is." in page
        assert SECRET not in page and SECRET_FILE not in page and "second-referral.pdf" not in page


def test_the_update_history_says_the_restricted_details_changed_only_to_those_who_may_see_them(
    client, restricted, period
):
    login(client, "focal")
    client.post(reverse("update_withdraw", args=[restricted.pk]))
    restricted.refresh_from_db()
    client.post(
        reverse("update_edit", args=[restricted.pk]),
        form_data(period, version=restricted.version, restricted_details=SECRET + ", now in Sumgait"),
    )
    restricted.refresh_from_db()
    shown = selectors.update_history(restricted, show_restricted=True)
    hidden = selectors.update_history(restricted, show_restricted=False)
    assert any("Restricted details" in field.label for change in shown for field in change.fields)
    assert not any("Restricted details" in field.label for change in hidden for field in change.fields)
    _status, page = page_of(client, "coordinator", reverse("update_review", args=[restricted.pk]))
    assert "now in Sumgait" in page
    for username in ["partner", "ngo", "sea-focal", "mlspp-partner"]:
        for name in ["update_review", "update_edit"]:
            status, page = page_of(client, username, reverse(name, args=[restricted.pk]))
            assert status == 404 and SECRET not in page, (username, name)


def test_a_report_made_for_the_coordinators_office_is_not_downloaded_by_anyone_else(
    client, demo, django_capture_on_commit_callbacks
):
    """Not by a partner who guesses its id, nor by the coordinator who asked for it once they are a partner."""
    from reporting import services as reporting_services
    from reporting.models import Report

    coordinator = User.objects.get(username="coordinator")
    edition = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.4").edition
    with django_capture_on_commit_callbacks(execute=True):
        report = reporting_services.report_request(
            user=coordinator, kind="edition", edition=edition, language="en", format="csv"
        )
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.file.name.endswith("-restricted.csv")
    url = reverse("reporting:download", args=[report.pk])
    response = login(client, "coordinator").get(url)
    content = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and DEMO_SECRET_FILE in content
    for username in ["partner", "focal", "ngo"]:
        assert login(client, username).get(url).status_code == 404, username
    User.objects.filter(pk=coordinator.pk).update(role=User.Role.PARTNER, agency=Agency.objects.get(code="IOM"))
    assert login(client, "coordinator").get(url).status_code == 404


def test_a_restricted_update_is_not_found_by_its_id_in_other_ways(client, restricted):
    """The comment form and the withdraw button of someone else's update answer as for an update that is not there."""
    for username in ["partner", "ngo", "sea-focal"]:
        login(client, username)
        for name in ["update_comment", "update_withdraw"]:
            assert client.post(reverse(name, args=[restricted.pk]), {"text": "?"}).status_code == 404, (username, name)
    assert not restricted.events.filter(kind=UpdateEvent.Kind.COMMENT).exists()


def test_reminders_about_a_restricted_update_never_name_its_files(client, restricted):
    from measures import reminders

    mail.outbox.clear()
    reminders.review_digest_send(today=date(2025, 2, 3))
    for message in mail.outbox:
        bodies = [message.body, *(content for content, _type in getattr(message, "alternatives", []))]
        assert all(SECRET not in body and SECRET_FILE not in body for body in bodies)


def test_a_server_error_while_saving_an_update_never_mails_its_restricted_details_to_the_admins(
    measure, period, outsiders, settings, monkeypatch
):
    """The e-mail of a server error lists what was posted: restricted details are starred out of it."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    login(client, "focal")
    create(client, measure, form_data(period, action="draft"))
    draft = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.org")]

    def fail(**kwargs):
        raise RuntimeError("storage is down")

    monkeypatch.setattr(services, "update_create", fail)
    monkeypatch.setattr(services, "update_save", fail)
    mail.outbox.clear()
    data = form_data(period, restricted_details=SECRET)
    assert create(client, measure, data).status_code == 500
    assert client.post(reverse("update_edit", args=[draft.pk]), {**data, "version": draft.version}).status_code == 500
    assert len(mail.outbox) == 2 and all(message.to == ["ops@example.org"] for message in mail.outbox)
    for message in mail.outbox:
        assert "storage is down" in message.body and SECRET not in message.body
