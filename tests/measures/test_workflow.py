"""The review workflow as its users live it, and every bad input it must refuse without saving anything."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import services
from measures.demo_files import simple_pdf
from measures.models import Evidence, Measure, ReportingPeriod, StatusUpdate
from nap_tracker.models import Agency, User

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def pdf(name="report.pdf", text="Attendance list"):
    return SimpleUploadedFile(name, simple_pdf("Evidence", [text]), content_type="application/pdf")


def docx(name="minutes.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def measure(demo):
    """Measure 4.3.3: the Ministry of Labour is an executing body and has no update for 2024 H2 yet."""
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


@pytest.fixture
def period(measure):
    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


def form_data(for_period, **overrides):
    data = {
        "period": for_period.pk,
        "status": "in_progress",
        "progress": 85,
        "language": "en",
        "narrative": "Vocational courses for 24 victims in Baku and Ganja; 9 found jobs.",
        "figures": "Victims trained: 24",
        "action": "submit",
    }
    data.update(overrides)
    return data


def create(client, measure, data, files=None):
    payload = dict(data)
    if files:
        payload["files"] = files
    return client.post(reverse("update_create", args=[measure.pk]), payload)


def test_the_whole_review_cycle(client, measure, period, django_capture_on_commit_callbacks):
    # Azerbaijan's coordinators: the demo's second country has its own, who hear nothing of this.
    coordinators = set(User.objects.filter(role="coordinator", countries__code="az").values_list("email", flat=True))
    focal = login(client, "focal")
    with django_capture_on_commit_callbacks(execute=True):
        response = create(focal, measure, form_data(period), files=[pdf(), docx()])
    assert response.status_code == 302
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    assert update.state == "submitted" and update.author.username == "focal"
    assert sorted(e.original_name for e in update.evidence.all()) == ["minutes.docx", "report.pdf"]
    assert {tuple(m.to)[0] for m in mail.outbox} == coordinators
    assert "4.3.3" in mail.outbox[0].subject

    # The coordinator returns it: a note is required.
    mail.outbox.clear()
    coordinator = login(client, "coordinator")
    review_url = reverse("update_review", args=[update.pk])
    response = coordinator.post(review_url, {"action": "return", "note": "  ", "version": update.version})
    assert response.status_code == 400
    assert "Write a note that tells the agency what to change." in response.content.decode()
    assert StatusUpdate.objects.get(pk=update.pk).state == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            review_url, {"action": "return", "note": "Add the regions covered.", "version": update.version}
        )
    update.refresh_from_db()
    assert update.state == "returned" and update.review_note == "Add the regions covered."
    assert mail.outbox[-1].to == ["focal@example.org"]
    assert "Add the regions covered." in mail.outbox[-1].body

    # The focal point sees the note, corrects and resubmits.
    focal = login(client, "focal")
    assert "Add the regions covered." in focal.get(reverse("home")).content.decode()
    edit_url = reverse("update_edit", args=[update.pk])
    response = focal.post(
        edit_url, form_data(period, narrative="Courses in Baku, Ganja and Lankaran.", version=update.version)
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted" and update.narrative == "Courses in Baku, Ganja and Lankaran."

    # The coordinator approves. The Ministry of Labour is a co-executing body of 4.3.3 and the State
    # Employment Agency, its lead, has reported: the lead's report keeps setting the measure's status.
    before = (measure.status, measure.progress)
    coordinator = login(client, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(review_url, {"action": "approve", "note": "", "version": update.version})
    update.refresh_from_db()
    measure.refresh_from_db()
    assert update.state == "approved" and update.reviewer.username == "coordinator"
    assert (measure.status, measure.progress) == before != ("in_progress", 85)
    assert "Approved" in mail.outbox[-1].subject
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Courses in Baku, Ganja and Lankaran." in page


def test_draft_is_seen_by_its_agency_and_the_coordinator_only(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, action="draft", narrative="Secret draft text"))
    assert StatusUpdate.objects.get(measure=measure, period=period, agency__code="MLSPP").state == "draft"
    for username, sees in [("focal", True), ("coordinator", True), ("partner", False), ("ngo", False)]:
        page = login(client, username).get(reverse("measure_detail", args=[measure.pk])).content.decode()
        assert ("Secret draft text" in page) is sees, username


def test_withdraw_takes_a_submitted_update_back_to_draft(client, measure, period):
    focal = login(client, "focal")
    create(focal, measure, form_data(period))
    update = StatusUpdate.objects.get(measure=measure, period=period, agency__code="MLSPP")
    focal.post(reverse("update_withdraw", args=[update.pk]))
    update.refresh_from_db()
    assert update.state == "draft" and update.submitted_at is None


def test_nobody_approves_an_update_they_wrote(client, measure, period):
    coordinator = User.objects.get(username="coordinator")
    update = StatusUpdate.objects.create(
        measure=measure,
        agency=Agency.objects.get(code="MLSPP"),
        period=period,
        status="in_progress",
        progress=50,
        narrative="Written by the coordinator",
        state="submitted",
        author=coordinator,
    )
    response = login(client, "coordinator").post(
        reverse("update_review", args=[update.pk]), {"action": "approve", "version": update.version}
    )
    assert response.status_code == 400
    assert "someone else in the coordinator" in response.content.decode()
    assert StatusUpdate.objects.get(pk=update.pk).state == "submitted"


def test_several_updates_approved_at_once_from_the_queue(client, demo):
    waiting = list(
        StatusUpdate.objects.filter(state="submitted", measure__edition__country__code="az").values_list(
            "pk", "version"
        )[:3]
    )
    ticked = [f"{pk}:{version}" for pk, version in waiting]
    response = login(client, "coordinator").post(reverse("review_queue"), {"updates": ticked})
    waiting = [pk for pk, _version in waiting]
    assert response.status_code == 302
    assert set(StatusUpdate.objects.filter(pk__in=waiting).values_list("state", flat=True)) == {"approved"}


def test_queue_lists_submitted_updates_oldest_first(client, demo):
    page = login(client, "coordinator").get(reverse("review_queue"))
    listed = [update.pk for update in page.context["page"].object_list]
    expected = list(
        StatusUpdate.objects.filter(state="submitted").order_by("submitted_at", "pk").values_list("pk", flat=True)
    )
    assert listed == expected[: len(listed)] and listed


def test_a_later_save_never_overwrites_an_earlier_one(client, demo):
    update = StatusUpdate.objects.get(agency__code="MLSPP", state="draft")
    period = update.period
    first, second = client, client.__class__()
    login(first, "focal")
    login(second, "focal")
    opened_at = update.version
    url = reverse("update_edit", args=[update.pk])
    assert (
        first.post(
            url, form_data(period, action="draft", narrative="First person's text", version=opened_at)
        ).status_code
        == 302
    )
    response = second.post(url, form_data(period, action="draft", narrative="Second person's text", version=opened_at))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this update while you were editing it" in page
    assert "First person&#x27;s text" in page or "First person's text" in page
    update.refresh_from_db()
    assert update.narrative == "First person's text"


# --- Bad input: a clear message beside the field, and nothing saved ---------------------


def assert_nothing_saved(measure, period):
    assert not StatusUpdate.objects.filter(measure=measure, period=period, agency__code="MLSPP").exists()
    assert not Evidence.objects.filter(update__measure=measure, update__period=period).exists()


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"progress": 150}, "Progress cannot be above 100."),
        ({"progress": -3}, "Progress cannot be below 0."),
        ({"progress": "most"}, "Enter progress as a whole number from 0 to 100."),
        ({"status": "completed", "progress": 80}, "A completed measure has 100% progress."),
        ({"narrative": ""}, "Describe what was done before you submit the update."),
    ],
)
def test_bad_values_are_explained_beside_the_field(client, measure, period, overrides, field_error):
    response = create(login(client, "focal"), measure, form_data(period, **overrides), files=[pdf()])
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert_nothing_saved(measure, period)


def test_a_period_of_another_plan_is_refused(client, measure, period):
    other = ReportingPeriod.objects.get(edition__code="NAP-2014-2018", label="2018 H2")
    response = create(login(client, "focal"), measure, form_data(period, period=other.pk))
    assert "Choose a reporting period of this measure" in response.content.decode()
    assert not StatusUpdate.objects.filter(measure=measure, period=other).exists()


def test_no_update_on_a_closed_plan(client, demo):
    closed = Measure.objects.get(edition__code="NAP-2014-2018", number="5.1")  # the Ministry of Labour leads it
    period = ReportingPeriod.objects.get(edition=closed.edition, label="2018 H2")
    before = StatusUpdate.objects.filter(measure=closed).count()
    focal = login(client, "focal")
    response = focal.post(reverse("update_create", args=[closed.pk]), form_data(period), follow=True)
    assert "This action plan is closed" in response.content.decode()
    assert StatusUpdate.objects.filter(measure=closed).count() == before


def test_a_file_over_the_limit_is_refused_by_name(client, measure, period, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    response = create(login(client, "focal"), measure, form_data(period), files=[big])
    assert response.status_code == 400
    assert "“scan.pdf” is 4.9\xa0KB; files may be at most 1000\xa0bytes." in response.content.decode()
    assert_nothing_saved(measure, period)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a program, not a PDF"),
        ("notes.docx", b"PK\x03\x04 broken archive"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_the_type_is_read_from_the_content_not_the_name(client, measure, period, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = create(login(client, "focal"), measure, form_data(period), files=[upload])
    assert f"“{name}” is not a PDF, an image or an office document." in response.content.decode()
    assert_nothing_saved(measure, period)


def test_a_second_update_for_the_same_period_is_refused(client, demo):
    existing = StatusUpdate.objects.get(agency__code="MLSPP", state="draft")
    response = create(login(client, "focal"), existing.measure, form_data(existing.period))
    assert response.status_code == 400
    assert "Your agency already has an update on this measure for" in response.content.decode()
    assert (
        StatusUpdate.objects.filter(measure=existing.measure, period=existing.period, agency=existing.agency).count()
        == 1
    )


def test_extra_fields_in_the_form_change_nothing(client, measure, period):
    """The agency and author come from the person signed in, never from the form."""
    other_agency = Agency.objects.get(code="MIA")
    partner = User.objects.get(username="partner")
    data = form_data(period, agency=other_agency.pk, author=partner.pk, state="approved", measure=1)
    create(login(client, "focal"), measure, data)
    update = StatusUpdate.objects.get(measure=measure, period=period, agency__code="MLSPP")
    assert (update.agency.code, update.author.username, update.state) == ("MLSPP", "focal", "submitted")


def test_editing_another_agencys_update_by_changing_the_id_is_refused(client, demo):
    foreign = StatusUpdate.objects.filter(state="draft").exclude(agency__code="MLSPP").first()
    response = login(client, "focal").post(
        reverse("update_edit", args=[foreign.pk]),
        form_data(foreign.period, narrative="Hijacked", version=foreign.version),
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.narrative != "Hijacked"


# --- Evidence ---------------------------------------------------------------------------


def test_evidence_is_stored_under_a_random_name_and_downloaded_as_an_attachment(client, measure, period, settings):
    create(login(client, "focal"), measure, form_data(period), files=[pdf("Hesabat ə.pdf", "Attendance")])
    evidence = Evidence.objects.get(update__measure=measure, update__period=period, update__agency__code="MLSPP")
    assert evidence.original_name == "Hesabat ə.pdf"
    assert "Hesabat" not in evidence.file.name and evidence.file.name.startswith("evidence/")
    assert len(evidence.sha256) == 64
    assert str(settings.MEDIA_ROOT) in evidence.file.path
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body.startswith(b"%PDF")


def test_media_is_not_served_at_any_url(client, demo):
    evidence = Evidence.objects.first()
    response = login(client, "focal").get("/media/" + evidence.file.name)
    assert response.status_code == 404


def test_an_update_corrected_in_the_admin_reaches_the_measure(client, demo):
    update = StatusUpdate.objects.filter(state="submitted", period__label="2024 H2", agency__code="MLSPP").get()
    measure = update.measure
    # Approval is the coordinator's, through the review service; the admin corrects what it says.
    services.update_approve(update_id=update.pk, reviewer=User.objects.get(username="coordinator"))
    client.force_login(User.objects.get(username="admin"))
    url = reverse("admin:measures_statusupdate_change", args=[update.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"status": "delayed", "progress": 35})
    data.update(
        {
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
            "evidence-MIN_NUM_FORMS": 0,
            "evidence-MAX_NUM_FORMS": 1000,
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == ("delayed", 35)
