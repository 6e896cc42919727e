"""Reminders by e-mail: what each body still owes for a reporting period, and what waits for review.

Three digests, each at most once per person and occurrence (DigestDelivery's unique constraint):

- **due soon** — to each focal point and NGO focal point, REMINDER_DAYS_BEFORE days before a
  period's updates are due: their measures with no update submitted for the period;
- **overdue** — the same list, once, after the due date has passed;
- **review** — weekly, to the coordinator's office: updates submitted and not yet reviewed.

Neither of the first two names a period the coordinator's office has closed: it takes no more updates.

A run claims its deliveries in the database before it sends anything, so two runs at once
(beat and someone running the command) cannot both send; a delivery whose e-mail fails is
released for the next run. Each digest costs a fixed number of queries, whatever the number
of people and measures.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures.links import measure_url
from measures.models import DigestDelivery, Edition, Measure, MeasureAgency, ReportingPeriod, StatusUpdate
from nap_tracker.countries import countries_for, with_country_ids
from nap_tracker.models import User
from nap_tracker.permissions import PARTS_FOR_ROLE

logger = logging.getLogger(__name__)
Kind = DigestDelivery.Kind
SUBMITTED_STATES = (StatusUpdate.State.SUBMITTED, StatusUpdate.State.APPROVED)


@dataclass
class Digest:
    """One e-mail to one person."""

    person: User
    kind: str
    key: str
    period: ReportingPeriod | None = None
    measures: list[Measure] = field(default_factory=list)
    updates: list[StatusUpdate] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.measures) or len(self.updates)


# --- Who owes what ------------------------------------------------------------------------


def _open_periods_of_running_plans():
    # A closed period takes no more updates, so nobody is reminded of it.
    return ReportingPeriod.objects.filter(edition__state=Edition.State.ACTIVE, closed_at__isnull=True)


def periods_due_soon(*, today: date):
    """Open periods of running plans whose updates fall due within the next REMINDER_DAYS_BEFORE days."""
    horizon = today + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    return _open_periods_of_running_plans().filter(due_date__gte=today, due_date__lte=horizon).select_related("edition")


def periods_overdue(*, today: date):
    """Open periods of running plans that fell due recently (within REMINDER_OVERDUE_WINDOW_DAYS)."""
    oldest = today - timedelta(days=settings.REMINDER_OVERDUE_WINDOW_DAYS)
    return _open_periods_of_running_plans().filter(due_date__lt=today, due_date__gte=oldest).select_related("edition")


def owed_measures(period: ReportingPeriod) -> dict[int, dict[str, list[Measure]]]:
    """agency id → part → measures that agency has no submitted (or approved) update on for the period.

    Only measures running during the period count. One query.
    """
    submitted = StatusUpdate.objects.filter(
        measure_id=OuterRef("measure_id"), agency_id=OuterRef("agency_id"), period=period, state__in=SUBMITTED_STATES
    )
    assignments = (
        MeasureAgency.objects.filter(measure__edition_id=period.edition_id)
        .filter(Q(measure__start_date__isnull=True) | Q(measure__start_date__lte=period.end))
        .filter(Q(measure__deadline__isnull=True) | Q(measure__deadline__gte=period.start))
        .exclude(Exists(submitted))
        .select_related("measure")
        .only(
            "agency_id",
            "part",
            "measure__id",
            "measure__number",
            "measure__sort_key",
            "measure__title_en",
            "measure__title_az",
            "measure__title_ru",
            "measure__deadline",
        )
        .order_by("measure__sort_key")
    )
    owed: dict[int, dict[str, list[Measure]]] = defaultdict(lambda: defaultdict(list))
    for assignment in assignments:
        owed[assignment.agency_id][assignment.part].append(assignment.measure)
    return owed


def reporting_digests(*, period: ReportingPeriod, kind: str) -> list[Digest]:
    """One digest per focal point and NGO focal point whose agency owes updates for the period. Two queries."""
    owed = owed_measures(period)
    if not owed:
        return []
    people = User.objects.filter(
        role__in=list(PARTS_FOR_ROLE),
        # The people of the plan's country: an agency working in several countries has people in each.
        countries__editions__pk=period.edition_id,
        agency_id__in=list(owed),
        agency__active=True,
        is_active=True,
        receives_digests=True,
    ).exclude(email="")
    digests = []
    for person in people.order_by("pk"):
        by_part = owed[person.agency_id]
        measures = sorted(
            (measure for part in PARTS_FOR_ROLE[person.role] for measure in by_part.get(part, [])),
            key=lambda m: m.sort_key,
        )
        if measures:
            digests.append(Digest(person, kind, f"period-{period.pk}", period=period, measures=measures))
    return digests


def review_digests(*, today: date) -> list[Digest]:
    """One digest per coordinator listing every update of their country waiting for review. Two queries: the
    coordinators come with their countries (`with_country_ids`)."""
    waiting = list(
        StatusUpdate.objects.filter(state=StatusUpdate.State.SUBMITTED)
        .filter(Q(submitted_at__isnull=True) | Q(submitted_at__date__lte=today))
        .select_related("measure", "agency", "period", "period__edition")
        .order_by("submitted_at", "pk")
    )
    if not waiting:
        return []
    year, week, _weekday = today.isocalendar()
    people = with_country_ids(
        User.objects.filter(role=User.Role.COORDINATOR, is_active=True, receives_digests=True).exclude(email="")
    )
    digests = []
    for person in people.order_by("pk"):
        theirs = countries_for(person)
        updates = [update for update in waiting if update.period.edition.country_id in theirs]
        if updates:
            digests.append(Digest(person, Kind.REVIEW, f"{year}-W{week:02d}", updates=updates))
    return digests


# --- Sending ------------------------------------------------------------------------------


def _claim(digests: list[Digest]) -> list[Digest]:
    """Record the deliveries; keep the digests this run recorded (the others were sent before). Two queries."""
    if not digests:
        return []
    run = uuid.uuid4()
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(
                person=digest.person,
                kind=digest.kind,
                key=digest.key,
                period=digest.period,
                email=digest.person.email,
                item_count=digest.item_count,
                run=run,
            )
            for digest in digests
        ],
        ignore_conflicts=True,
    )
    mine = set(DigestDelivery.objects.filter(run=run).values_list("person_id", "kind", "key"))
    return [digest for digest in digests if (digest.person.pk, digest.kind, digest.key) in mine]


def person_language(person: User) -> str:
    return person.language or settings.LANGUAGE_CODE


def render_digest(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail, plain text and HTML, in the person's language."""
    with translation.override(person_language(digest.person)), timezone.override(digest.person.zone):
        context = {
            "person": digest.person,
            "digest": digest,
            "kind": digest.kind,
            "period": digest.period,
            "site_url": settings.SITE_URL.rstrip("/"),
            "items": [(measure, measure_url(measure.pk)) for measure in digest.measures],
            "updates": [(update, measure_url(update.measure_id)) for update in digest.updates],
        }
        count = digest.item_count
        if digest.kind == Kind.DUE_SOON:
            due = date_format(digest.period.due_date, "DATE_FORMAT")
            subject = ngettext(
                "%(period)s: %(count)s update due by %(due)s",
                "%(period)s: %(count)s updates due by %(due)s",
                count,
            ) % {"period": digest.period.label, "count": count, "due": due}
            context["intro"] = _(
                "Updates for the reporting period %(period)s of %(plan)s are due by %(due)s. Your agency has not yet "
                "submitted an update on these measures:"
            ) % {"period": digest.period.label, "plan": digest.period.edition.code, "due": due}
        elif digest.kind == Kind.OVERDUE:
            due = date_format(digest.period.due_date, "DATE_FORMAT")
            subject = ngettext(
                "%(period)s: %(count)s update overdue since %(due)s",
                "%(period)s: %(count)s updates overdue since %(due)s",
                count,
            ) % {"period": digest.period.label, "count": count, "due": due}
            context["intro"] = _(
                "Updates for the reporting period %(period)s of %(plan)s were due by %(due)s. Your agency has not "
                "submitted an update on these measures; please submit them as soon as you can:"
            ) % {"period": digest.period.label, "plan": digest.period.edition.code, "due": due}
        else:
            subject = ngettext(
                "%(count)s update waiting for review",
                "%(count)s updates waiting for review",
                count,
            ) % {"count": count}
            context["intro"] = ngettext(
                "This update has been submitted and waits for your review:",
                "These updates have been submitted and wait for your review:",
                count,
            )
        subject = _("NAP Tracker") + " — " + subject
        context["subject"] = subject
        text = render_to_string("measures/email/digest.txt", context)
        html = render_to_string("measures/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[digest.person.email])
    message.attach_alternative(html, "text/html")
    return message


def _send(digests: list[Digest]) -> int:
    """Send the claimed digests over one connection; release the ones that fail so a later run retries."""
    claimed = _claim(digests)
    if not claimed:
        return 0
    failed = []
    with get_connection() as connection:
        for digest in claimed:
            try:
                connection.send_messages([render_digest(digest)])
            except Exception:  # one bad address or a broken connection must not stop the others
                logger.exception("Could not send the %s digest to %s", digest.kind, digest.person.email)
                failed.append(digest)
    if failed:
        released = Q()
        for digest in failed:
            released |= Q(person=digest.person, kind=digest.kind, key=digest.key)
        DigestDelivery.objects.filter(released).delete()
    return len(claimed) - len(failed)


def reporting_reminders_send(*, today: date) -> dict[str, int]:
    """The due-soon and overdue digests for today. Returns how many e-mails of each kind were sent."""
    sent = {Kind.DUE_SOON: 0, Kind.OVERDUE: 0}
    for kind, periods in ((Kind.DUE_SOON, periods_due_soon(today=today)), (Kind.OVERDUE, periods_overdue(today=today))):
        for period in periods:
            sent[kind] += _send(reporting_digests(period=period, kind=kind))
    return sent


def review_digest_send(*, today: date) -> int:
    """The coordinators' weekly digest of updates waiting for review; once per ISO week."""
    return _send(review_digests(today=today))
