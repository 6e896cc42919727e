"""Background work for reports. Tasks take ids only and load what they need themselves."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_noop

from reporting import services
from reporting.models import Report

logger = logging.getLogger(__name__)

# Worth another try: the database or the file storage was briefly out of reach.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


def backoff(retries: int) -> int:
    """Seconds before the next try: 10, 40, 160."""
    return 10 * 4**retries


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.REPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TASK_TIME_LIMIT,
)
def generate_report(self, report_id: int) -> str:
    if not services.report_claim(report_id):
        # A second delivery, or a report someone else has finished: nothing to do.
        return "not claimed"
    try:
        report = Report.objects.select_related("edition", "period", "agency", "area", "source", "requested_by").get(
            pk=report_id
        )
        rendered = services.report_produce(report)
        services.report_store(report, rendered)
    except TRANSIENT_ERRORS as error:
        # In-process (no worker) there is no queue to come back through: fail, and the person asks again.
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            services.report_release(report_id)
            raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
        services.report_fail(report_id, f"Gave up after {MAX_RETRIES + 1} attempts: {error}")
        return "failed"
    except SoftTimeLimitExceeded:
        services.report_fail(report_id, gettext_noop("The report took too long to prepare."))
        return "failed"
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        services.report_fail(report_id, f"{type(error).__name__}: {error}")
        return "failed"
    return "done"


@shared_task
def requeue_stuck_reports() -> dict:
    return services.reports_requeue_stuck(
        running_for=timedelta(seconds=settings.REPORT_STUCK_AFTER),
        queued_for=timedelta(seconds=settings.REPORT_QUEUED_RESEND_AFTER),
        max_attempts=settings.REPORT_MAX_ATTEMPTS,
    )
