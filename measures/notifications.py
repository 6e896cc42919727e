"""E-mails about the review workflow, each in its recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from measures.models import StatusUpdate
from nap_tracker.models import User


def _language(person) -> str:
    return person.language or settings.LANGUAGE_CODE


def _send(person, template: str, context: dict):
    if not person.email:
        return
    with translation.override(_language(person)), timezone.override(person.zone):
        context = {**context, "person": person, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"measures/email/{template}_subject.txt", context).split())
        body = render_to_string(f"measures/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


def _load(update_id: int) -> StatusUpdate:
    return StatusUpdate.objects.select_related("measure__edition", "agency", "period", "author", "reviewer").get(
        pk=update_id
    )


def update_submitted(update_id: int):
    """Tell the coordinators of the update's country that it waits for review."""
    update = _load(update_id)
    link = settings.SITE_URL + reverse("update_review", args=[update.pk])
    coordinators = User.objects.filter(
        role=User.Role.COORDINATOR, is_active=True, countries__editions__measures__pk=update.measure_id
    ).exclude(email="")
    for person in coordinators:
        _send(person, "update_submitted", {"update": update, "link": link})


def update_reviewed(update_id: int):
    """Tell the author that their update was approved or returned."""
    update = _load(update_id)
    link = settings.SITE_URL + reverse("measure_detail", args=[update.measure_id])
    if update.state == StatusUpdate.State.RETURNED:
        link = settings.SITE_URL + reverse("update_edit", args=[update.pk])
    _send(update.author, "update_reviewed", {"update": update, "link": link})


def update_commented(event_id: int):
    """A comment from the coordinator's office goes to the update's author; one from the agency to the coordinators."""
    from measures.models import UpdateEvent

    event = UpdateEvent.objects.select_related("actor", "update").get(pk=event_id)
    update = _load(event.update_id)
    if event.actor and event.actor.role in (User.Role.ADMIN, User.Role.COORDINATOR):
        recipients = [update.author] if update.author_id != event.actor_id else []
        link = settings.SITE_URL + reverse("measure_detail", args=[update.measure_id]) + f"#update-{update.pk}"
    else:
        recipients = User.objects.filter(
            role=User.Role.COORDINATOR, is_active=True, countries__editions__measures__pk=update.measure_id
        ).exclude(email="")
        link = settings.SITE_URL + reverse("update_review", args=[update.pk])
    for person in recipients:
        _send(person, "update_commented", {"update": update, "event": event, "link": link})
