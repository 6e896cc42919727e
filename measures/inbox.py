"""In-app notifications: who is told of a step in an update's thread, the header's count, the list.

The same rule decides who gets the e-mail (`measures.notifications`), so the two never disagree:
a submission goes to the coordinator's office; a return or an approval to the update's author; a
comment to the other side of the exchange.
"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from measures.models import Notification, StatusUpdate, UpdateEvent
from nap_tracker import permissions
from nap_tracker.models import User

Event = UpdateEvent.Kind
# The steps that ask something of someone; a withdrawal or a removed file is in the thread only.
NOTIFIED = {Event.SUBMITTED, Event.RESUBMITTED, Event.RETURNED, Event.APPROVED, Event.COMMENT}


def _coordinators(update: StatusUpdate):
    """The coordinator's office of the update's country: a coordinator of another country hears nothing of it."""
    return User.objects.filter(
        role=User.Role.COORDINATOR, is_active=True, countries__editions__measures__pk=update.measure_id
    )


def _author(update: StatusUpdate) -> list:
    author = update.author
    return [author] if author is not None and author.is_active else []


def recipients(event: UpdateEvent, update: StatusUpdate) -> list:
    """The people to tell of `event`, never the person who caused it."""
    if event.kind not in NOTIFIED:
        return []
    if event.kind in (Event.SUBMITTED, Event.RESUBMITTED):
        people = list(_coordinators(update))
    elif event.kind in (Event.RETURNED, Event.APPROVED):
        people = _author(update)
    elif event.actor is not None and permissions.is_staff_role(event.actor):
        people = _author(update)  # the coordinator's office asks; the agency answers
    else:
        people = list(_coordinators(update))
    return [person for person in people if person.pk != event.actor_id]


def notify(event: UpdateEvent, update: StatusUpdate) -> list[Notification]:
    """Create the notifications for `event`, in the caller's transaction: the notice exists exactly
    when the step it tells of was saved."""
    return Notification.objects.bulk_create(
        [
            Notification(recipient=person, event=event, created_at=event.created_at)
            for person in recipients(event, update)
        ],
        ignore_conflicts=True,
    )


def unread_count(user) -> int:
    """One query: the number in the header."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def for_person(user) -> QuerySet[Notification]:
    """The person's notifications, newest first, with what each one's sentence needs."""
    return Notification.objects.filter(recipient=user).select_related(
        "event__actor__agency",
        "event__update__measure__edition",
        "event__update__period",
        "event__update__agency",
    )


def target_url(user, update: StatusUpdate) -> str:
    """Where a notice about `update` leads this person now: the review page for the coordinator's
    office while the update waits for a decision, the edit page for its agency while it can be
    changed, otherwise the update on the measure page."""
    if permissions.may_review_update(user, update) and update.state == StatusUpdate.State.SUBMITTED:
        return reverse("update_review", args=[update.pk])
    if permissions.may_edit_update(user, update):
        return reverse("update_edit", args=[update.pk])
    if permissions.may_review(user):
        return reverse("update_review", args=[update.pk])
    return reverse("measure_detail", args=[update.measure_id]) + f"#update-{update.pk}"


def mark_read(user, *, update_id: int | None = None, notification_id: int | None = None) -> int:
    """Mark the person's unread notices read: one, those about one update, or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    if update_id is not None:
        unread = unread.filter(event__update_id=update_id)
    return unread.update(read_at=timezone.now())
