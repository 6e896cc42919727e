"""In-app notifications: who is told of each step, the header's count, opening a notice, marking read."""

import pytest
from django.urls import reverse
from django.utils import translation

from measures.models import Notification, UpdateEvent
from nap_tracker.models import User
from tests.factories import UserFactory
from tests.measures import test_thread
from tests.measures.test_thread import review, submitted_update
from tests.measures.test_workflow import form_data, login

pytestmark = pytest.mark.django_db
Kind = UpdateEvent.Kind
measure, period = test_thread.measure, test_thread.period  # the same fixtures: measure 4.3.3, period 2024 H2


def notices(username, update, **filters):
    """The kinds of step `username` was told of about `update` (the demo has notices of its own)."""
    return list(
        Notification.objects.filter(recipient__username=username, event__update=update, **filters)
        .order_by("created_at", "pk")
        .values_list("event__kind", flat=True)
    )


@pytest.fixture
def second_coordinator(demo):
    return UserFactory(username="coordinator2", role=User.Role.COORDINATOR, agency=None)


def test_each_step_tells_the_other_side_and_never_the_person_who_took_it(client, measure, period, second_coordinator):
    UserFactory(username="retired", role=User.Role.COORDINATOR, agency=None, is_active=False)
    update = submitted_update(client, measure, period)
    assert notices("coordinator", update) == notices("coordinator2", update) == [Kind.SUBMITTED]
    assert notices("retired", update) == [] and notices("focal", update) == []

    login(client, "coordinator").post(reverse("update_comment", args=[update.pk]), {"text": "Which regions?"})
    assert notices("focal", update) == [Kind.COMMENT]
    assert notices("coordinator", update) == [Kind.SUBMITTED]  # not told of their own comment

    login(client, "focal").post(reverse("update_comment", args=[update.pk]), {"text": "Baku and Ganja."})
    assert notices("coordinator", update) == notices("coordinator2", update) == [Kind.SUBMITTED, Kind.COMMENT]
    assert notices("focal", update) == [Kind.COMMENT]

    review(client, update, "return", note="Say how many were women.")
    assert notices("focal", update) == [Kind.COMMENT, Kind.RETURNED]

    update.refresh_from_db()
    login(client, "focal").post(
        reverse("update_edit", args=[update.pk]), form_data(period, version=update.version, narrative="17 women.")
    )
    assert notices("coordinator2", update)[-1] == Kind.RESUBMITTED

    review(client, update, "approve")
    assert notices("focal", update) == [Kind.COMMENT, Kind.RETURNED, Kind.APPROVED]
    assert notices("retired", update) == [] and notices("partner", update) == [] and notices("ngo", update) == []


def test_withdrawing_and_removing_a_file_tell_nobody(client, measure, period):
    update = submitted_update(client, measure, period)
    before = Notification.objects.count()
    login(client, "focal").post(reverse("update_withdraw", args=[update.pk]))
    assert update.events.filter(kind=Kind.WITHDRAWN).exists()
    assert Notification.objects.count() == before


def test_the_header_counts_unread_notifications_and_opening_one_marks_it_read(client, measure, period):
    update = submitted_update(client, measure, period)
    login(client, "coordinator").post(reverse("update_comment", args=[update.pk]), {"text": "Which regions?"})
    focal = login(client, "focal")
    before = Notification.objects.filter(recipient__username="focal", read_at__isnull=True).count()
    page = focal.get(reverse("measure_list")).content.decode()
    assert f'<span class="inbox-count">{before}<' in page

    listing = focal.get(reverse("notification_list")).content.decode()
    assert "Leyla Mammadova commented on the 2024 H2 update on measure 4.3.3" in listing
    assert "Which regions?" in listing

    notice = Notification.objects.get(recipient__username="focal", event__update=update, event__kind=Kind.COMMENT)
    response = focal.get(reverse("notification_open", args=[notice.pk]))
    # The update is submitted: its agency cannot edit it, so the notice leads to it on the measure page.
    assert response["Location"] == reverse("measure_detail", args=[measure.pk]) + f"#update-{update.pk}"
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = focal.get(reverse("measure_list")).content.decode()
    assert ('<span class="inbox-count">' in page) == (before > 1)


def test_a_returned_update_leads_its_author_to_the_edit_page_and_a_submission_the_coordinator_to_review(
    client, measure, period
):
    update = submitted_update(client, measure, period)
    submitted = Notification.objects.get(recipient__username="coordinator", event__update=update)
    response = login(client, "coordinator").get(reverse("notification_open", args=[submitted.pk]))
    assert response["Location"] == reverse("update_review", args=[update.pk])

    review(client, update, "return", note="Say how many were women.")
    returned = Notification.objects.get(recipient__username="focal", event__update=update, event__kind=Kind.RETURNED)
    response = login(client, "focal").get(reverse("notification_open", args=[returned.pk]))
    assert response["Location"] == reverse("update_edit", args=[update.pk])


def test_opening_the_update_itself_marks_its_notices_read(client, measure, period):
    update = submitted_update(client, measure, period)
    coordinator = login(client, "coordinator")
    assert notices("coordinator", update, read_at__isnull=True) == [Kind.SUBMITTED]
    coordinator.get(reverse("update_review", args=[update.pk]))
    assert notices("coordinator", update, read_at__isnull=True) == []


def test_nobody_opens_someone_elses_notification(client, measure, period, second_coordinator):
    update = submitted_update(client, measure, period)
    theirs = Notification.objects.get(recipient__username="coordinator2", event__update=update)
    response = login(client, "coordinator").get(reverse("notification_open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_touches_only_ones_own(client, measure, period, second_coordinator):
    update = submitted_update(client, measure, period)
    response = login(client, "coordinator").post(reverse("notification_read_all"), follow=True)
    assert "marked as read" in response.content.decode()
    assert notices("coordinator", update, read_at__isnull=True) == []
    assert notices("coordinator2", update, read_at__isnull=True) == [Kind.SUBMITTED]


@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_list_speaks_the_readers_language(client, measure, period, language):
    update = submitted_update(client, measure, period)
    login(client, "coordinator").post(reverse("update_comment", args=[update.pk]), {"text": "Which regions?"})
    User.objects.filter(username="focal").update(language=language)
    page = login(client, "focal").get(reverse("notification_list")).content.decode()
    assert f'lang="{language}"' in page
    assert "Leyla Mammadova" in page and "4.3.3" in page
    with translation.override(language):
        assert translation.gettext("Notifications") != "Notifications"
    assert "commented on the" not in page and ">Notifications<" not in page
