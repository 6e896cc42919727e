"""Closing a reporting period: no new updates, changes, submissions or withdrawals for it; what was submitted
can still be decided; the form offers only open periods; reminders skip it; its pages and the queue say so."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from measures import reminders, selectors, services
from measures.demo_files import simple_pdf
from measures.evidence import check_evidence_file
from measures.forms import StatusUpdateForm
from measures.models import Edition, Evidence, MeasureAgency, PeriodChange, ReportingPeriod, StatusUpdate
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, EditionFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db


class Plan:
    """A running plan; the Ministry of Labour executes 4.1.1 and 4.1.2 and reports for 2023 H2 and 2024 H2."""

    def __init__(self):
        self.edition = EditionFactory(code="NAP-2020-2024", state="active")
        area = AreaFactory(edition=self.edition, code="4.1")
        self.mlspp = AgencyFactory(code="MLSPP", name_en="Ministry of Labour")
        self.measure = MeasureFactory(area=area, number="4.1.1", deadline=date(2024, 12, 31))
        self.other = MeasureFactory(area=area, number="4.1.2", deadline=date(2024, 12, 31))
        for measure in (self.measure, self.other):
            MeasureAgency.objects.create(measure=measure, agency=self.mlspp, part="executing", is_lead=True)
        self.old, self.new = (
            ReportingPeriod.objects.create(
                edition=self.edition,
                label=f"{year} H2",
                start=date(year, 7, 1),
                end=date(year, 12, 31),
                due_date=date(year + 1, 1, 31),
            )
            for year in (2023, 2024)
        )
        self.focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=self.mlspp)
        self.coordinator = UserFactory(
            username="coordinator", role=User.Role.COORDINATOR, agency=None, first_name="Leyla", last_name="Mammadova"
        )
        self.partner = UserFactory(username="partner", role=User.Role.PARTNER, agency=AgencyFactory(code="IOM"))

    def update(self, state, period=None, measure=None):
        return StatusUpdate.objects.create(
            measure=measure or self.measure,
            agency=self.mlspp,
            period=period or self.old,
            status="in_progress",
            progress=40,
            narrative="Sessions held in Ganja.",
            state=state,
            author=self.focal,
            review_note="Add the regions." if state == "returned" else "",
        )

    def close(self, period=None, reason=""):
        return services.period_close(period_id=(period or self.old).pk, user=self.coordinator, reason=reason)


@pytest.fixture
def plan():
    return Plan()


def data(period, **overrides):
    values = {"period": period, "status": "in_progress", "progress": 50, "narrative": "Courses held."}
    return services.UpdateData(**(values | overrides))


def pdf_file(name="minutes.pdf"):
    return check_evidence_file(SimpleUploadedFile(name, simple_pdf("Minutes", [name]), content_type="application/pdf"))


# --- Closing and reopening --------------------------------------------------------------------------


def test_closing_and_reopening_keep_who_when_and_why(plan):
    plan.close(reason="Reporting for 2023 is complete.")
    plan.old.refresh_from_db()
    assert plan.old.is_closed and plan.old.closed_by == plan.coordinator
    services.period_reopen(period_id=plan.old.pk, user=plan.coordinator, reason="A ministry sent its figures late.")
    plan.old.refresh_from_db()
    assert not plan.old.is_closed and plan.old.closed_by is None
    assert [(c.kind, c.reason, c.actor) for c in plan.old.changes.all()] == [
        ("closed", "Reporting for 2023 is complete.", plan.coordinator),
        ("reopened", "A ministry sent its figures late.", plan.coordinator),
    ]


def test_closing_twice_reopening_an_open_period_and_a_blank_reason_are_refused(plan):
    with pytest.raises(services.PeriodError, match="is open already"):
        services.period_reopen(period_id=plan.old.pk, user=plan.coordinator, reason="Why not.")
    plan.close()
    with pytest.raises(services.PeriodError, match="was already closed"):
        plan.close()
    with pytest.raises(services.PeriodError, match="Say why the period is reopened") as refused:
        services.period_reopen(period_id=plan.old.pk, user=plan.coordinator, reason="  ")
    assert refused.value.field == "reason"
    assert PeriodChange.objects.count() == 1


@pytest.mark.parametrize("username", ["focal", "partner"])
def test_only_the_coordinator_s_office_closes_and_reopens(plan, username):
    person = User.objects.get(username=username)
    with pytest.raises(services.PeriodError, match="Only the national coordinator's office"):
        services.period_close(period_id=plan.old.pk, user=person)
    plan.close()
    with pytest.raises(services.PeriodError, match="Only the national coordinator's office"):
        services.period_reopen(period_id=plan.old.pk, user=person, reason="Please.")


def test_the_periods_of_a_closed_plan_no_longer_change(plan):
    Edition.objects.filter(pk=plan.edition.pk).update(state="closed")
    with pytest.raises(services.PeriodError, match="is closed"):
        plan.close()


def test_the_record_of_a_period_is_append_only_and_a_reopening_has_a_reason(plan):
    change = plan.close()
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodChange.objects.create(period=plan.old, kind="reopened", reason="", actor=plan.coordinator)


# --- What a closed period refuses, and what it still allows ----------------------------------------


def test_no_new_update_for_a_closed_period(plan):
    plan.close()
    with pytest.raises(services.UpdateError, match="2023 H2 is closed") as refused:
        services.update_create(measure=plan.measure, user=plan.focal, data=data(plan.old), files=[], submit=False)
    assert refused.value.field == "period"
    assert not StatusUpdate.objects.exists()
    # The open period still takes one.
    services.update_create(measure=plan.measure, user=plan.focal, data=data(plan.new), files=[], submit=True)


@pytest.mark.parametrize("submit", [False, True], ids=["save", "submit"])
def test_a_draft_of_a_closed_period_can_be_neither_saved_nor_submitted(plan, submit):
    draft = plan.update("draft")
    plan.close()
    with pytest.raises(services.UpdateError, match="2023 H2 is closed"):
        services.update_save(
            update_id=draft.pk, user=plan.focal, expected_version=1, data=data(plan.old), files=[], submit=submit
        )
    draft.refresh_from_db()
    assert (draft.state, draft.progress, draft.version) == ("draft", 40, 1)


def test_an_update_cannot_move_out_of_or_into_a_closed_period(plan):
    draft = plan.update("draft")
    plan.close()
    with pytest.raises(services.UpdateError, match="2023 H2 is closed"):
        services.update_save(
            update_id=draft.pk, user=plan.focal, expected_version=1, data=data(plan.new), files=[], submit=False
        )
    services.period_reopen(period_id=plan.old.pk, user=plan.coordinator, reason="Late figures.")
    other = plan.update("draft", period=plan.new, measure=plan.other)
    plan.close()
    with pytest.raises(services.UpdateError, match="2023 H2 is closed") as refused:
        services.update_save(
            update_id=other.pk, user=plan.focal, expected_version=1, data=data(plan.old), files=[], submit=False
        )
    assert refused.value.field == "period"


def test_a_submitted_update_of_a_closed_period_cannot_be_withdrawn(plan):
    submitted = plan.update("submitted")
    plan.close()
    with pytest.raises(services.UpdateError, match="can no longer be withdrawn"):
        services.update_withdraw(update_id=submitted.pk, user=plan.focal)
    assert StatusUpdate.objects.get(pk=submitted.pk).state == "submitted"


def test_files_can_be_neither_added_nor_removed_but_questions_still_asked(plan):
    submitted = plan.update("submitted")
    content = simple_pdf("Old", ["old"])
    evidence = Evidence.objects.create(
        update=submitted,
        file=SimpleUploadedFile("old.pdf", content),
        original_name="old.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=plan.focal,
    )
    plan.close()
    with pytest.raises(services.UpdateError, match="files can no longer be added") as refused:
        services.update_comment(update_id=submitted.pk, user=plan.focal, text="Here it is.", files=[pdf_file()])
    assert refused.value.field == "files"
    with pytest.raises(services.UpdateError, match="files can no longer be removed"):
        services.evidence_remove(evidence_id=evidence.pk, user=plan.focal)
    assert list(submitted.evidence.values_list("original_name", flat=True)) == ["old.pdf"]
    # A question and its answer are not changes to the update.
    services.update_comment(update_id=submitted.pk, user=plan.coordinator, text="Which regions?")
    services.update_comment(update_id=submitted.pk, user=plan.focal, text="Ganja and Shaki.")
    assert submitted.events.filter(kind="comment").count() == 2


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_what_was_submitted_can_still_be_decided(plan, decision):
    submitted = plan.update("submitted")
    plan.close()
    if decision == "approve":
        services.update_approve(update_id=submitted.pk, reviewer=plan.coordinator)
    else:
        services.update_return(update_id=submitted.pk, reviewer=plan.coordinator, note="Add the regions.")
    assert StatusUpdate.objects.get(pk=submitted.pk).state == {"approve": "approved", "return": "returned"}[decision]


# --- The form and the pages of the agency -----------------------------------------------------------


def test_the_update_form_offers_only_open_periods(client, plan):
    plan.close()
    form = StatusUpdateForm(measure=plan.measure)
    assert [label for _pk, label in form.fields["period"].choices] == ["2024 H2"]
    client.force_login(plan.focal)
    html = client.get(reverse("update_create", args=[plan.measure.pk])).content.decode()
    assert ">2024 H2</option>" in html and "2023 H2" not in html


def test_a_period_closed_while_the_form_was_open_is_refused_with_the_reason(client, plan):
    client.force_login(plan.focal)
    plan.close()
    response = client.post(
        reverse("update_create", args=[plan.measure.pk]),
        {
            "period": plan.old.pk,
            "status": "in_progress",
            "progress": 50,
            "language": "en",
            "narrative": "Done.",
            "action": "submit",
        },
    )
    assert response.status_code == 400
    assert "The reporting period 2023 H2 is closed" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_with_every_period_closed_no_update_can_be_started(client, plan):
    plan.close()
    plan.close(plan.new)
    client.force_login(plan.focal)
    page = client.get(reverse("measure_detail", args=[plan.measure.pk])).content.decode()
    assert reverse("update_create", args=[plan.measure.pk]) not in page
    assert "Every reporting period of this plan is closed" in page
    response = client.get(reverse("update_create", args=[plan.measure.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("measure_detail", args=[plan.measure.pk])
    assert "Every reporting period of NAP-2020-2024 is closed" in response.content.decode()


def test_the_edit_page_of_an_update_in_a_closed_period_is_read_only(client, plan):
    draft = plan.update("returned")
    plan.close()
    client.force_login(plan.focal)
    url = reverse("update_edit", args=[draft.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The reporting period 2023 H2 is closed." in html
    assert "can no longer be changed or submitted" in html
    assert 'value="submit"' not in html and 'value="draft"' not in html
    assert all(field.disabled for field in response.context["form"].fields.values())
    # A crafted post is refused by the service, and nothing changes.
    response = client.post(url, {"period": plan.new.pk, "progress": 90, "narrative": "New text.", "action": "submit"})
    assert response.status_code == 400 and "2023 H2 is closed" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.state, draft.progress, draft.period_id) == ("returned", 40, plan.old.pk)


def test_the_measure_page_offers_no_edit_or_withdraw_in_a_closed_period(client, plan):
    draft = plan.update("draft")
    submitted = plan.update("submitted", measure=plan.other)
    plan.close()
    client.force_login(plan.focal)
    html = client.get(reverse("measure_detail", args=[plan.measure.pk])).content.decode()
    assert reverse("update_edit", args=[draft.pk]) not in html
    assert "The period is closed: this update can no longer be changed." in html
    assert "period closed" in html
    other = client.get(reverse("measure_detail", args=[plan.other.pk])).content.decode()
    assert reverse("update_withdraw", args=[submitted.pk]) not in other


def test_nothing_is_due_and_no_draft_continues_in_a_closed_period(plan):
    today = date(2025, 1, 10)  # 2024 H2 is the current period
    draft = plan.update("draft", period=plan.old)
    work = selectors.reporting_work(plan.focal, today=today)
    assert work.drafts.items == [draft] and work.drafts.total == 1
    assert [m.number for m in work.due.items] == ["4.1.1", "4.1.2"] and work.due.total == 2
    plan.close()
    plan.close(plan.new)
    work = selectors.reporting_work(plan.focal, today=today)
    assert (work.drafts.items, work.drafts.total, work.due.items, work.due.total) == ([], 0, [], 0)
    assert selectors.open_updates_by_measure(plan.focal, [plan.measure.pk]) == {}


def test_the_home_page_says_the_current_period_is_closed(client, plan, settings):
    plan.close(plan.new)
    client.force_login(plan.focal)
    html = client.get(reverse("home")).content.decode()
    assert "2024 H2 is closed: nothing is due." in html
    assert ">Due<" not in html


# --- The coordinator's side ---------------------------------------------------------------------------


def test_the_review_queue_marks_updates_of_closed_periods(client, plan):
    old = plan.update("submitted")
    plan.update("submitted", period=plan.new, measure=plan.other)
    plan.close()
    client.force_login(plan.coordinator)
    response = client.get(reverse("review_queue"))
    html = response.content.decode()
    assert html.count(">period closed<") == 1
    assert reverse("period_detail", args=[old.period_id]) in html
    review = client.get(reverse("update_review", args=[old.pk])).content.decode()
    assert "You can still approve this update; if you return it" in review


def test_reminders_skip_a_closed_period(plan, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    due_soon, after_due = date(2025, 1, 24), date(2025, 2, 3)
    assert list(reminders.periods_due_soon(today=due_soon)) == [plan.new]
    assert list(reminders.periods_overdue(today=after_due)) == [plan.new]
    plan.close(plan.new)
    assert list(reminders.periods_due_soon(today=due_soon)) == []
    assert list(reminders.periods_overdue(today=after_due)) == []
    assert reminders.reporting_reminders_send(today=due_soon) == {"due_soon": 0, "overdue": 0}
    assert mail.outbox == []


def test_the_coordinator_closes_and_reopens_from_the_period_page(client, plan):
    plan.update("draft")
    client.force_login(plan.coordinator)
    page = client.get(reverse("period_detail", args=[plan.old.pk])).content.decode()
    assert "1 update is still in draft or returned" in page
    response = client.post(reverse("period_close", args=[plan.old.pk]), {"reason": "2023 is complete."})
    assert response.status_code == 302
    plan.old.refresh_from_db()
    assert plan.old.is_closed
    page = client.get(reverse("period_detail", args=[plan.old.pk])).content.decode()
    assert "2023 is complete." in page and "Reopen the period" in page

    response = client.post(reverse("period_reopen", args=[plan.old.pk]), {"reason": ""})
    assert response.status_code == 400 and "Say why the period is reopened." in response.content.decode()
    response = client.post(reverse("period_reopen", args=[plan.old.pk]), {"reason": "Late figures."})
    assert response.status_code == 302
    plan.old.refresh_from_db()
    assert not plan.old.is_closed


def test_a_second_close_is_explained_on_the_page(client, plan):
    plan.close()
    client.force_login(plan.coordinator)
    response = client.post(reverse("period_close", args=[plan.old.pk]), {"reason": ""})
    assert response.status_code == 400 and "was already closed" in response.content.decode()


def test_everyone_signed_in_reads_the_periods_and_only_staff_get_the_buttons(client, plan):
    plan.update("submitted")
    plan.close(reason="2023 is complete.")
    client.force_login(plan.partner)
    listing = client.get(reverse("period_list", args=[plan.edition.code])).content.decode()
    assert "on " in listing and "by Leyla Mammadova" in listing
    page = client.get(reverse("period_detail", args=[plan.old.pk])).content.decode()
    assert "2023 is complete." in page and "Reopen the period" not in page
    assert client.post(reverse("period_reopen", args=[plan.old.pk]), {"reason": "Mine."}).status_code == 403
    assert plan.old.changes.count() == 1
