"""Periodic work for the plans, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from measures import reminders


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="measures.tasks.send_reporting_reminders")
def send_reporting_reminders(today: str | None = None) -> dict[str, int]:
    """Daily: the due-soon and overdue digests. Safe to run twice; the second run sends nothing."""
    return dict(reminders.reporting_reminders_send(today=_day(today)))


@shared_task(name="measures.tasks.send_review_digest")
def send_review_digest(today: str | None = None) -> int:
    """Weekly: the coordinators' digest of updates waiting for review."""
    return reminders.review_digest_send(today=_day(today))
