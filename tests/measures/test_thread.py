"""The record of every update: one thread of steps and comments, what changed since a return, who approved."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from measures.models import Evidence, Measure, ReportingPeriod, StatusUpdate, UpdateEvent
from nap_tracker.models import User
from tests.measures.test_workflow import create, form_data, login, pdf

pytestmark = pytest.mark.django_db
Kind = UpdateEvent.Kind


@pytest.fixture
def measure(demo):
    """Measure 4.3.3: the Ministry of Labour is an executing body and has no update for 2024 H2 yet."""
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


@pytest.fixture
def period(measure):
    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


@pytest.fixture
def led_by_mlspp(measure):
    """The Ministry of Labour leads 4.3.3 (instead of the State Employment Agency), so its approved
    update sets the measure's status."""
    measure.assignments.update(is_lead=False)
    measure.assignments.filter(agency__code="MLSPP").update(is_lead=True)
    return measure


def kinds(update):
    return [event.kind for event in update.events.order_by("created_at", "pk")]


def submitted_update(client, measure, period, **overrides):
    create(login(client, "focal"), measure, form_data(period, **overrides))
    return StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)


def review(client, update, action, note=""):
    login(client, "coordinator")
    update.refresh_from_db()
    return client.post(
        reverse("update_review", args=[update.pk]), {"action": action, "note": note, "version": update.version}
    )


def test_the_exchange_is_kept_from_submission_to_approval(client, measure, period, django_capture_on_commit_callbacks):
    update = submitted_update(client, measure, period)
    assert kinds(update) == [Kind.SUBMITTED]

    review(client, update, "return", note="Please give the number of women among the 24.")
    update.refresh_from_db()
    assert update.state == "returned"

    focal = login(client, "focal")
    focal.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, version=update.version, narrative="Vocational courses for 24 victims (17 women)."),
    )
    update.refresh_from_db()
    assert update.state == "submitted"
    # The new round of review starts clean on the update; the earlier decision lives on in the thread.
    assert (update.reviewer, update.reviewed_at, update.review_note) == (None, None, "")
    returned = update.events.get(kind=Kind.RETURNED)
    assert returned.text == "Please give the number of women among the 24."
    assert returned.actor.username == "coordinator"

    with django_capture_on_commit_callbacks(execute=True):
        review(client, update, "approve")
    assert kinds(update) == [Kind.SUBMITTED, Kind.RETURNED, Kind.RESUBMITTED, Kind.APPROVED]
    approved = update.events.get(kind=Kind.APPROVED)
    assert approved.actor.username == "coordinator"


def test_withdrawing_is_a_step_of_the_record(client, measure, period):
    update = submitted_update(client, measure, period)
    login(client, "focal").post(reverse("update_withdraw", args=[update.pk]))
    assert kinds(update) == [Kind.SUBMITTED, Kind.WITHDRAWN]


def test_the_coordinator_asks_a_question_and_the_agency_answers_without_changing_the_state(
    client, measure, period, django_capture_on_commit_callbacks
):
    update = submitted_update(client, measure, period)
    mail.outbox.clear()
    login(client, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("update_comment", args=[update.pk]),
            {"text": "Could you attach the attendance lists?", "next": reverse("update_review", args=[update.pk])},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("update_review", args=[update.pk]) + f"#thread-{update.pk}"
    assert [m.to for m in mail.outbox] == [[update.author.email]]
    assert "Could you attach the attendance lists?" in mail.outbox[0].body

    mail.outbox.clear()
    login(client, "focal")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("update_comment", args=[update.pk]), {"text": "Yes — they will follow tomorrow."})
    update.refresh_from_db()
    assert update.state == "submitted"
    assert [e.text for e in update.events.filter(kind=Kind.COMMENT)] == [
        "Could you attach the attendance lists?",
        "Yes — they will follow tomorrow.",
    ]
    # Azerbaijan's coordinators: the demo's second country has its own, who hear nothing of this.
    coordinators = set(
        User.objects.filter(role="coordinator", countries__code="az").exclude(email="").values_list("email", flat=True)
    )
    assert coordinators and {m.to[0] for m in mail.outbox} == coordinators


def test_an_empty_comment_is_refused_with_a_message(client, measure, period):
    update = submitted_update(client, measure, period)
    response = login(client, "coordinator").post(
        reverse("update_comment", args=[update.pk]), {"text": "   "}, follow=True
    )
    assert "Write your comment before you send it." in response.content.decode()
    assert not update.events.filter(kind=Kind.COMMENT).exists()


def test_an_approved_update_is_closed_to_comments(client, measure, period):
    update = submitted_update(client, measure, period)
    review(client, update, "approve")
    response = login(client, "focal").post(reverse("update_comment", args=[update.pk]), {"text": "One more thing"})
    assert response.status_code == 403
    assert not update.events.filter(kind=Kind.COMMENT).exists()


@pytest.mark.parametrize(("username", "status"), [("partner", 404), ("ngo", 404)])
def test_people_outside_the_exchange_cannot_comment(client, measure, period, username, status):
    update = submitted_update(client, measure, period)
    response = login(client, username).post(reverse("update_comment", args=[update.pk]), {"text": "Hello"})
    assert response.status_code == status
    assert not update.events.filter(kind=Kind.COMMENT).exists()


def test_the_record_cannot_be_changed_or_deleted(client, measure, period):
    update = submitted_update(client, measure, period)
    event = update.events.get()
    event.text = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert update.events.get().text == ""


def test_the_reviewer_sees_what_changed_since_the_return(client, measure, period):
    update = submitted_update(client, measure, period, progress=60)
    review(client, update, "return", note="Say how many found jobs.")
    update.refresh_from_db()
    login(client, "focal").post(
        reverse("update_edit", args=[update.pk]),
        {
            **form_data(period, version=update.version, progress=70),
            "narrative": "Vocational courses for 24 victims in Baku and Ganja; 11 found jobs.",
            "files": [pdf("jobs.pdf")],
        },
    )
    response = login(client, "coordinator").get(reverse("update_review", args=[update.pk]))
    page = response.content.decode()
    assert "What the agency changed since the update was returned" in page
    assert "<del>60 %</del> → <ins>70 %</ins>" in page
    assert "<del>9</del><ins>11</ins>" in page  # the narrative, word by word
    assert "<ins>jobs.pdf</ins>" in page
    assert "Say how many found jobs." in page  # the whole thread is there


def test_the_measure_page_shows_who_approved_and_the_thread(client, measure, period):
    update = submitted_update(client, measure, period)
    review(client, update, "approve", note="Thank you, complete.")
    page = login(client, "partner").get(reverse("measure_detail", args=[measure.pk])).content.decode()
    coordinator = update.events.get(kind=Kind.APPROVED).actor
    assert f"Approved by {coordinator.get_full_name() or coordinator.username}" in page
    assert "Show the record of this update" in page and "Thank you, complete." in page
    assert 'name="text"' not in page  # a partner reads the record, never writes in it


# --- Buttons that know where you are -------------------------------------------------------------


def test_a_draft_is_continued_from_the_measure_page_not_written_twice(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, action="draft"))
    draft = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert f'href="{reverse("update_edit", args=[draft.pk])}">Continue draft</a>' in page
    # "Write an update" for the same period leads to the draft, with a word why.
    response = client.get(reverse("update_create", args=[measure.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("update_edit", args=[draft.pk])
    assert "already has an update in work on this measure for 2024 H2" in response.content.decode()


def test_a_returned_update_is_corrected_from_the_measure_page(client, measure, period):
    update = submitted_update(client, measure, period)
    review(client, update, "return", note="Add the lists.")
    page = login(client, "focal").get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert f'href="{reverse("update_edit", args=[update.pk])}">Correct and resubmit</a>' in page


def test_a_duplicate_for_another_period_ends_with_a_link_to_the_existing_update(client, measure, period):
    earlier = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H1")
    existing = StatusUpdate.objects.filter(measure=measure, agency__code="MLSPP", period=earlier).first()
    if existing is None:
        create(login(client, "focal"), measure, form_data(earlier))
        existing = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=earlier)
    response = create(login(client, "focal"), measure, form_data(earlier))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Open the existing update" in page
    assert f"#update-{existing.pk}" in page or reverse("update_edit", args=[existing.pk]) in page
    assert StatusUpdate.objects.filter(measure=measure, agency__code="MLSPP", period=earlier).count() == 1


# --- Evidence that can be corrected ---------------------------------------------------------------


def test_the_agency_removes_a_wrong_file_and_the_record_keeps_its_name(
    client, measure, period, settings, django_capture_on_commit_callbacks
):
    create(login(client, "focal"), measure, form_data(period, action="draft"), files=[pdf("victim-list.pdf")])
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    evidence = update.evidence.get()
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence_remove", args=[evidence.pk]))
    assert response.status_code == 302
    assert not update.evidence.exists()
    assert not stored.exists()  # gone from storage, not only from the list
    removed = update.events.get(kind=Kind.FILE_REMOVED)
    assert removed.text == "victim-list.pdf" and removed.actor.username == "focal"
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_the_same_file_twice_is_refused_with_a_clear_message(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, action="draft"), files=[pdf("lists.pdf")])
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    response = client.post(
        reverse("update_edit", args=[update.pk]),
        {**form_data(period, action="draft", version=update.version), "files": [pdf("lists-again.pdf")]},
    )
    assert response.status_code == 400
    assert "is already attached to this update (as “lists.pdf”)" in response.content.decode()
    assert update.evidence.count() == 1


def test_an_approved_updates_file_can_only_be_erased_by_an_administrator_with_a_reason(
    client, measure, period, settings, django_capture_on_commit_callbacks
):
    create(login(client, "focal"), measure, form_data(period), files=[pdf("names-of-victims.pdf")])
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    review(client, update, "approve")
    evidence = update.evidence.get()
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert login(client, "focal").post(reverse("evidence_remove", args=[evidence.pk])).status_code == 403
    assert (
        login(client, "coordinator").post(reverse("evidence_erase", args=[evidence.pk]), {"reason": "x"}).status_code
        == 403
    )

    admin = login(client, "admin")
    response = admin.post(reverse("evidence_erase", args=[evidence.pk]), {"reason": "  "})
    assert response.status_code == 400 and update.evidence.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("evidence_erase", args=[evidence.pk]), {"reason": "It lists victims by name."})
    assert response.status_code == 302
    assert not stored.exists()
    erased = update.events.get(kind=Kind.FILE_ERASED)
    assert erased.text == "names-of-victims.pdf — It lists victims by name." and erased.actor.username == "admin"
    # Nobody can download it any more.
    for username in ("admin", "coordinator", "focal", "partner", "ngo"):
        assert login(client, username).get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


# --- History in plain words ----------------------------------------------------------------------


def test_the_measures_history_says_what_changed_in_plain_words(client, led_by_mlspp, period):
    measure = led_by_mlspp
    update = submitted_update(client, measure, period, status="completed", progress=100)
    before = measure.get_status_display()
    review(client, update, "approve")
    measure.refresh_from_db()
    measure.deadline = measure.deadline.replace(year=measure.deadline.year + 1)
    measure.save()
    page = login(client, "partner").get(reverse("measure_detail", args=[measure.pk])).content.decode()
    history = page[page.index('id="history"') :]
    coordinator = update.events.get(kind=Kind.APPROVED).actor
    name = coordinator.get_full_name() or coordinator.username
    # The approval, attributed to the person who approved, naming the update it came from.
    assert f"<strong>{name}</strong>" in history
    assert "approved the update of Ministry of Labour and Social Protection of Population for 2024 H2" in history
    assert f"Status: {before} → Completed" in history
    assert "→ 100" in history
    # A date as a date, fields by their names, nothing that did not change.
    assert "Deadline:" in history and "→" in history
    assert "saved without changes" not in history and "status changed" not in history.lower()


def test_the_measures_csv_names_who_approved_the_latest_update_and_when(client, led_by_mlspp, period):
    measure = led_by_mlspp
    import csv
    import io

    update = submitted_update(client, measure, period)
    review(client, update, "approve")
    update.refresh_from_db()
    response = login(client, "partner").get(reverse("measure_csv") + "?q=4.3.3")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    row = next(r for r in rows[1:] if r[1] == "4.3.3")
    assert row[header.index("Latest approved update")] == "2024 H2"
    assert row[header.index("Approved by")] == "Leyla Mammadova"
    assert row[header.index("Approved on")] == timezone.localtime(update.reviewed_at).date().isoformat()


def test_the_measures_list_leads_the_agency_to_its_draft_or_returned_update(client, measure, period):
    update = submitted_update(client, measure, period)
    page = login(client, "focal").get(reverse("measure_list") + "?q=4.3.3").content.decode()
    assert reverse("update_edit", args=[update.pk]) not in page  # submitted: nothing to continue
    review(client, update, "return", note="Say how many were women.")
    page = login(client, "focal").get(reverse("measure_list") + "?q=4.3.3").content.decode()
    assert f'href="{reverse("update_edit", args=[update.pk])}">Correct and resubmit</a>' in page
    page = login(client, "ngo").get(reverse("measure_list") + "?q=4.3.3").content.decode()
    assert reverse("update_edit", args=[update.pk]) not in page


def test_the_update_page_tells_its_own_history_in_plain_words(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, action="save", progress=40))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, version=update.version, action="save", progress=60, status="delayed"),
    )
    page = client.get(reverse("update_edit", args=[update.pk])).content.decode()
    history = page.split('id="update-history"', 1)[1]
    assert "Aysel Huseynova" in history and "wrote the update" in history
    assert "Progress %: 40 → 60" in history
    assert "Status: In progress → Delayed" in history
    assert "version" not in history.lower().split("</section>")[0]


def test_the_agency_answers_a_request_with_the_document_and_the_reviewer_must_read_again(client, measure, period):
    update = submitted_update(client, measure, period)
    login(client, "coordinator").post(
        reverse("update_comment", args=[update.pk]), {"text": "Please attach the attendance lists."}
    )
    update.refresh_from_db()
    read_version = update.version
    response = login(client, "focal").post(
        reverse("update_comment", args=[update.pk]),
        {"text": "Here they are.", "files": [pdf("attendance.pdf")]},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted"
    assert [e.original_name for e in update.evidence.all()] == ["attendance.pdf"]
    assert kinds(update)[-2:] == [Kind.COMMENT, Kind.FILE_ADDED]
    assert update.events.get(kind=Kind.FILE_ADDED).text == "attendance.pdf"
    # A decision on the version read before the file came is refused: the reviewer reads it again.
    response = login(client, "coordinator").post(
        reverse("update_review", args=[update.pk]), {"action": "approve", "note": "", "version": read_version}
    )
    update.refresh_from_db()
    assert update.state == "submitted"


def test_only_the_agency_attaches_files_and_a_bad_file_saves_nothing(client, measure, period):
    from django.core.files.uploadedfile import SimpleUploadedFile

    update = submitted_update(client, measure, period)
    events = update.events.count()
    response = login(client, "coordinator").post(
        reverse("update_comment", args=[update.pk]), {"text": "Mine", "files": [pdf("coordinator.pdf")]}, follow=True
    )
    assert "own agency attaches files to it." in response.content.decode()
    fake = SimpleUploadedFile("lists.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = login(client, "focal").post(
        reverse("update_comment", args=[update.pk]), {"text": "Here.", "files": [fake]}, follow=True
    )
    assert "lists.pdf" in response.content.decode()
    assert update.events.count() == events and not update.evidence.exists()


def test_a_file_ticked_for_removal_goes_with_the_same_save_and_nothing_typed_is_lost(
    client, measure, period, django_capture_on_commit_callbacks
):
    create(
        login(client, "focal"),
        measure,
        form_data(period, action="save"),
        files=[pdf("wrong.pdf"), pdf("right.pdf", "Other")],
    )
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    wrong = update.evidence.get(original_name="wrong.pdf")
    stored = wrong.file.name
    storage = wrong.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("update_edit", args=[update.pk]),
            form_data(period, version=update.version, narrative="Corrected: 17 women, 7 men.", remove_files=[wrong.pk]),
        )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted" and update.narrative == "Corrected: 17 women, 7 men."
    assert [e.original_name for e in update.evidence.all()] == ["right.pdf"]
    assert not storage.exists(stored)
    assert update.events.filter(kind=Kind.FILE_REMOVED, text="wrong.pdf").exists()


def test_a_file_of_another_update_cannot_be_removed_through_the_form(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, action="save"))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    other = Evidence.objects.exclude(update=update).first()
    response = client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, version=update.version, action="save", remove_files=[other.pk]),
    )
    assert response.status_code == 400
    assert Evidence.objects.filter(pk=other.pk).exists()
