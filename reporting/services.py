"""Report requests and their life: request, claim, render, store, fail, re-queue.

Every state change is one conditional UPDATE, so that two workers (or a worker and the
sweep) can never both move the same report; rendering and storing the file happen outside
any transaction.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from measures.models import Area, Edition, RecommendationSource, ReportingPeriod
from nap_tracker import permissions
from nap_tracker.countries import countries_for
from nap_tracker.models import Agency
from reporting.documents.annual import annual_report
from reporting.documents.annual_docx import render_annual_docx
from reporting.documents.annual_pdf import render_annual_pdf
from reporting.documents.quality import render_quality_pdf
from reporting.models import Report
from reporting.numbers import Scope, report_numbers
from reporting.quality import quality_review
from reporting.rendering import RenderedReport, render_csv, render_pdf, render_xlsx

logger = logging.getLogger(__name__)
# What publishing a task raises when Redis is down or unreachable.
BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, TimeoutError)
ERROR_TEXT_LIMIT = 2000
# The annual report of the National Coordinator has its own document in these formats (XLSX and CSV list
# the measures, as for the other kinds); a Word document, to edit, is made for it alone.
ANNUAL_DOCUMENT_FORMATS = {Report.Format.PDF, Report.Format.DOCX}
DOCX_KINDS = {Report.Kind.ANNUAL}


class ReportError(Exception):
    """A report that cannot be requested as asked; the message is for the person who asked."""


class ReportNotAllowed(ReportError):
    pass


def report_render(
    *,
    kind: str,
    edition: Edition,
    language: str,
    format: str,
    period: ReportingPeriod | None = None,
    agency: Agency | None = None,
    area: Area | None = None,
    source: RecommendationSource | None = None,
    generated_at: datetime | None = None,
    requested_by=None,
) -> RenderedReport:
    """Compute the numbers in the report's language and render them. Reads the database; writes nothing.

    `requested_by` is the person the report is for: restricted details and files go into it, marked,
    only when `permissions.may_see_restricted_in_reports` allows that person — never without one.
    """
    generated_at = generated_at or timezone.now()
    _check_format(kind=kind, format=format)
    if kind == Report.Kind.COVERAGE:
        if source is None:
            raise ReportError(_("Choose the recommendation source the report covers."))
        if source.country_id != edition.country_id:
            raise ReportError(_("Choose a recommendation source of the action plan's country."))
        from reporting.documents.coverage import coverage_render

        with translation.override(language):
            return coverage_render(
                source=source,
                edition=edition,
                format=format,
                generated_at=generated_at,
                include_restricted=permissions.may_see_restricted_in_reports(requested_by),
            )
    if kind == Report.Kind.QUALITY:
        # The plan's quality review: its own numbers (reporting/quality.py), as a PDF, as the plan stands today.
        with translation.override(language):
            review = quality_review(edition, today=timezone.localdate(generated_at), list_lacking=True)
            return render_quality_pdf(review, generated_at=generated_at)
    scope = Scope(kind=kind, edition=edition, period=period, agency=agency, area=area)
    include_restricted = permissions.may_see_restricted_in_reports(requested_by)
    with translation.override(language):
        if kind == Report.Kind.ANNUAL and format in ANNUAL_DOCUMENT_FORMATS:
            # The coordinator's annual report: compiled once, written as PDF or as a Word document to edit.
            report = annual_report(
                edition=edition,
                period=period,
                today=timezone.localdate(generated_at),
                include_restricted=include_restricted,
            )
            if format == Report.Format.DOCX:
                return render_annual_docx(report, generated_at=generated_at)
            return render_annual_pdf(report, generated_at=generated_at)
        numbers = report_numbers(scope, today=timezone.localdate(generated_at), include_restricted=include_restricted)
        if format == Report.Format.XLSX:
            return render_xlsx(numbers, generated_at=generated_at)
        if format == Report.Format.CSV:
            return render_csv(numbers)
        return render_pdf(numbers, generated_at=generated_at)


def _check_format(*, kind, format):
    if format == Report.Format.DOCX and kind not in DOCX_KINDS:
        raise ReportError(_("A Word document (DOCX) is made only for the annual report of the National Coordinator."))
    if kind == Report.Kind.QUALITY and format not in (None, Report.Format.PDF):
        raise ReportError(_("The quality review is made as a PDF document only."))


def _check_parameters(*, kind, edition, period, agency, area, format, source):
    _check_format(kind=kind, format=format)
    if kind == Report.Kind.COVERAGE and source is None:
        raise ReportError(_("Choose the recommendation source the report covers."))
    if kind == Report.Kind.AGENCY and agency is None:
        raise ReportError(_("Choose the agency whose measures the report covers."))
    if kind == Report.Kind.AREA and area is None:
        raise ReportError(_("Choose the area the report covers."))
    if period is not None and period.edition_id != edition.pk:
        raise ReportError(_("Choose a reporting period of the same action plan."))
    if area is not None and area.edition_id != edition.pk:
        raise ReportError(_("Choose an area of the same action plan."))
    if source is not None and source.country_id != edition.country_id:
        raise ReportError(_("Choose a recommendation source of the action plan's country."))
    # One query, for an agency's report only (the request form already offers the country's agencies alone).
    if (
        kind == Report.Kind.AGENCY
        and agency is not None
        and not agency.countries.filter(pk=edition.country_id).exists()
    ):
        raise ReportError(_("Choose an agency working in the action plan's country."))


def report_request(
    *,
    user,
    kind: str,
    edition: Edition,
    language: str,
    format: str,
    period: ReportingPeriod | None = None,
    agency: Agency | None = None,
    area: Area | None = None,
    source: RecommendationSource | None = None,
) -> Report:
    """Record a request and queue its rendering once the request is committed."""
    if not permissions.may_request_report(user, kind=kind, agency_id=agency.pk if agency else None):
        raise ReportNotAllowed(_("You may not request this report."))
    # A plan of a country the person does not have is refused, whatever a caller passes (free on a request).
    if edition.country_id not in countries_for(user):
        raise ReportNotAllowed(_("You may not request this report."))
    _check_parameters(kind=kind, edition=edition, period=period, agency=agency, area=area, format=format, source=source)
    if kind == Report.Kind.QUALITY:
        period = None
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind,
            edition=edition,
            # The coverage report reads the state today: a past period does not apply to it.
            period=period if kind != Report.Kind.COVERAGE else None,
            # Only the parameters the kind uses are kept, so a report's row says what it covers.
            agency=agency if kind == Report.Kind.AGENCY else None,
            area=area if kind == Report.Kind.AREA else None,
            source=source if kind == Report.Kind.COVERAGE else None,
            language=language,
            format=format,
            requested_by=user,
        )
        report_enqueue_on_commit(report.pk)
    return report


def report_enqueue(report_id: int) -> bool:
    """Send the report to the workers. When the broker cannot be reached the report stays queued —
    nothing is lost: the sweep (`reports_requeue_stuck`) sends it again once Redis is back."""
    from reporting.tasks import generate_report

    try:
        generate_report.delay(report_id)
    except BROKER_ERRORS as error:
        logger.warning("Report %s stays queued: the task broker cannot be reached (%s)", report_id, error)
        return False
    return True


def report_enqueue_on_commit(report_id: int):
    transaction.on_commit(lambda: report_enqueue(report_id))


def report_claim(report_id: int, *, max_attempts: int | None = None) -> bool:
    """Move a queued report to running. False when someone else has it, it is finished, or it has had
    all its attempts (it is then marked failed, whichever message or sweep delivered it)."""
    max_attempts = max_attempts or settings.REPORT_MAX_ATTEMPTS
    Report.objects.filter(pk=report_id, state=Report.State.QUEUED, attempts__gte=max_attempts).update(
        state=Report.State.FAILED,
        error="The report could not be prepared after several attempts.",
        finished_at=timezone.now(),
    )
    claimed = Report.objects.filter(pk=report_id, state=Report.State.QUEUED, attempts__lt=max_attempts).update(
        state=Report.State.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )
    return claimed == 1


def report_produce(report: Report) -> RenderedReport:
    return report_render(
        kind=report.kind,
        edition=report.edition,
        period=report.period,
        agency=report.agency,
        area=report.area,
        source=report.source,
        language=report.language,
        format=report.format,
        # Whoever asked decides what goes in, judged as they are now (a role changed since counts).
        requested_by=report.requested_by,
    )


def report_store(report: Report, rendered: RenderedReport) -> bool:
    """Save the file through the storage API, then mark the report done — if it is still ours."""
    name = default_storage.save(
        report.file.field.generate_filename(report, rendered.filename), ContentFile(rendered.content)
    )
    done = Report.objects.filter(pk=report.pk, state=Report.State.RUNNING).update(
        state=Report.State.DONE, file=name, finished_at=timezone.now(), error=""
    )
    if not done:
        # The sweep gave up on this run meanwhile; do not leave an orphan file behind.
        default_storage.delete(name)
    return bool(done)


def report_fail(report_id: int, error: str) -> bool:
    return bool(
        Report.objects.filter(pk=report_id, state=Report.State.RUNNING).update(
            state=Report.State.FAILED,
            error=error[:ERROR_TEXT_LIMIT] or gettext_noop("Unknown error"),
            finished_at=timezone.now(),
        )
    )


def report_release(report_id: int) -> bool:
    """Give a running report back to the queue (before a retry)."""
    return bool(Report.objects.filter(pk=report_id, state=Report.State.RUNNING).update(state=Report.State.QUEUED))


def reports_requeue_stuck(*, running_for: timedelta, queued_for: timedelta, max_attempts: int) -> dict:
    """Reports whose worker died (running too long) go back to the queue, or fail after `max_attempts`.

    Reports queued for long (their message lost, e.g. the broker restarted) are sent again;
    the claim makes a duplicate message harmless.
    """
    now = timezone.now()
    stuck = Q(state=Report.State.RUNNING, started_at__lt=now - running_for)
    failed = Report.objects.filter(stuck, attempts__gte=max_attempts).update(
        state=Report.State.FAILED,
        # Stored in English; Report.error_message translates it for whoever reads it.
        error=gettext_noop("The report took too long to prepare and was given up after several attempts."),
        finished_at=now,
    )
    requeued = list(Report.objects.filter(stuck, attempts__lt=max_attempts).values_list("pk", flat=True))
    Report.objects.filter(pk__in=requeued, state=Report.State.RUNNING).update(state=Report.State.QUEUED)
    # Waiting since the last attempt (a report handed back for a retry) or since it was asked for.
    resend = list(
        Report.objects.annotate(waiting_since=Coalesce("started_at", "created_at"))
        .filter(state=Report.State.QUEUED, waiting_since__lt=now - queued_for)
        .exclude(pk__in=requeued)
        .values_list("pk", flat=True)
    )
    for report_id in [*requeued, *resend]:
        report_enqueue(report_id)
    if failed or requeued or resend:
        logger.warning("Reports: %s re-queued, %s sent again, %s given up", len(requeued), len(resend), failed)
    return {"requeued": requeued, "resent": resend, "failed": failed}
