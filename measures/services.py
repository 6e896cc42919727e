"""Changes to status updates, deadlines and reporting periods: each function is one transaction that
checks the allowed transition.

Views call these and turn a `ServiceError` (`UpdateError`, `DeadlineError`, `PeriodError`) into a
message beside the form. Permission is decided by `nap_tracker.permissions` before a service is
called; services check the workflow itself.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from measures import assessments, inbox, notifications
from measures.evidence import CheckedFile
from measures.models import (
    DeadlineRevision,
    Edition,
    Evidence,
    IndicatorValue,
    Measure,
    MeasureAgency,
    PeriodChange,
    ReportingPeriod,
    Spending,
    Status,
    StatusUpdate,
    UpdateEvent,
)
from nap_tracker import audit, permissions
from nap_tracker.countries import countries_for, in_countries
from nap_tracker.models import Agency

State = StatusUpdate.State
Event = UpdateEvent.Kind


def snapshot(update: StatusUpdate) -> dict:
    """What the update says now: kept with a return, to show the reviewer what changed since. The
    restricted part is kept apart, so that `thread.changes_since_return` shows it only to those who
    may see it."""
    files = list(update.evidence.values_list("original_name", "restricted"))
    return {
        "status": update.status,
        "progress": update.progress,
        "language": update.language,
        "narrative": update.narrative,
        "figures": update.figures,
        "restricted_details": update.restricted_details,
        "period": update.period.label,
        "files": sorted(name for name, restricted in files if not restricted),
        "restricted_files": sorted(name for name, restricted in files if restricted),
        "results": results_snapshot(update),
    }


def results_snapshot(update: StatusUpdate) -> dict:
    """What the update reports against its indicators and as money spent, as a reader would read it."""
    from measures.results import CATEGORY_LABELS, money, show_value

    shown = {}
    for value in update.indicator_values.select_related("indicator"):
        label = str(value.indicator.name)
        if value.category != "total":
            label += f" — {CATEGORY_LABELS[value.category]}"
        shown[label] = show_value(value.indicator, value.value, value.text)
    for spent in update.spending.select_related("source"):
        label = _("Spent from %(source)s") % {"source": spent.source.name if spent.source else _("a source not stated")}
        shown[f"{label} ({spent.currency})"] = money(spent.amount, spent.currency)
    return shown


def _store_results(update: StatusUpdate, data: "UpdateData"):
    """Replace what the update reports against the measure's indicators and as money spent. Values
    for an indicator of another measure, or a category the indicator does not have, are refused."""
    indicators = {indicator.pk: indicator for indicator in update.measure.indicator_set.all()}
    rows = []
    for item in data.indicator_values:
        indicator = indicators.get(item.indicator_id)
        if indicator is None or item.category not in (indicator.categories or ("total",)):
            raise UpdateError(_("A value was given for an indicator this measure does not have. Nothing was saved."))
        rows.append(
            IndicatorValue(update=update, indicator=indicator, category=item.category, value=item.value, text=item.text)
        )
    IndicatorValue.objects.filter(update=update).delete()
    IndicatorValue.objects.bulk_create(rows)
    Spending.objects.filter(update=update).delete()
    Spending.objects.bulk_create(
        [
            Spending(update=update, source_id=item.source_id, amount=item.amount, currency=item.currency)
            for item in data.spending
        ]
    )


def file_event_snapshot(evidence: Evidence) -> dict:
    """Kept with a file's step in the thread: a restricted file's name is shown only to those who may see it."""
    return {"restricted": True} if evidence.restricted else {}


def record_event(update: StatusUpdate, kind: str, *, actor=None, text: str = "", snapshot: dict | None = None):
    """Add a step to the update's thread and tell the people it concerns (in-app, same transaction)."""
    event = UpdateEvent.objects.create(update=update, kind=kind, actor=actor, text=text, snapshot=snapshot or {})
    inbox.notify(event, update)
    return event


class ServiceError(Exception):
    """A change the rules do not allow; the message is shown to the person, beside `field` if given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class UpdateError(ServiceError):
    """A change to a status update that the workflow does not allow."""


class StaleVersion(UpdateError):
    """Someone saved the update after this person opened it; `current` is the newer version."""

    def __init__(self, current: StatusUpdate):
        super().__init__(
            _(
                "Someone else saved this update while you were editing it. Your changes were not saved: "
                "the newer version is shown below. Copy what you need, then edit again."
            )
        )
        self.current = current


class ResultValue(NamedTuple):
    indicator_id: int
    category: str
    value: Decimal | None
    text: str


class SpentAmount(NamedTuple):
    source_id: int | None
    amount: Decimal
    currency: str


@dataclass
class UpdateData:
    period: ReportingPeriod
    status: str
    progress: int
    narrative: str
    figures: str = ""
    # The language the texts are written in (a code of settings.LANGUAGES); empty: not said.
    language: str = ""
    # Seen only by the coordinator's office and the update's own agency (`permissions.may_see_restricted`).
    restricted_details: str = ""
    # Whether the files attached with this save are restricted.
    files_restricted: bool = False
    # Evidence of this update to remove with the same save (ids; others are ignored).
    remove_files: tuple[int, ...] = ()
    # The values reported per indicator (and category), and the money spent in the period.
    indicator_values: tuple[ResultValue, ...] = ()
    spending: tuple[SpentAmount, ...] = ()
    # Evidence of this update to mark restricted with the same save (ids; others are ignored).
    restrict_files: tuple[int, ...] = ()


def _check_content(measure: Measure, data: UpdateData):
    if data.period.edition_id != measure.edition_id:
        raise UpdateError(_("Choose a reporting period of this measure's action plan."), field="period")
    if measure.edition.state != Edition.State.ACTIVE:
        raise UpdateError(
            _("This action plan is %(state)s: updates can no longer be added or changed.")
            % {"state": measure.edition.get_state_display().lower()}
        )
    if not 0 <= data.progress <= 100:
        raise UpdateError(_("Progress must be between 0 and 100."), field="progress")
    if data.language and data.language not in dict(settings.LANGUAGES):
        raise UpdateError(_("Choose the language of the update from the list."), field="language")
    if data.status == Status.COMPLETED and data.progress != 100:
        raise UpdateError(
            _("A completed measure has 100% progress. Set progress to 100 or choose another status."), field="progress"
        )


def _check_agency_reports(user):
    """Read from the database inside the transaction, not from the (possibly older) `user.agency`."""
    if not Agency.objects.filter(pk=user.agency_id, active=True).exists():
        raise UpdateError(
            _(
                "Your agency is no longer active in the action plan, so its updates can no longer be written or "
                "submitted. Ask the national coordinator's office if this is a mistake."
            )
        )


def _refuse_closed_period(period_id: int, message: str, field: str | None = None):
    """Refuse a change to an update of a closed period; `message` takes `%(period)s`.

    The period is read with a shared row lock (FOR SHARE on PostgreSQL): agencies saving updates of
    one period do not wait for each other, while closing the period waits for the saves under way
    and a save that comes after the close sees it. Django's select_for_update() has no shared mode,
    hence the one raw query. SQLite writes one transaction at a time anyway.
    """
    sql = f"SELECT label, closed_at FROM {connection.ops.quote_name(ReportingPeriod._meta.db_table)} WHERE id = %s"
    if connection.vendor == "postgresql":
        sql += " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [period_id])
        label, closed_at = cursor.fetchone()
    if closed_at is not None:
        raise UpdateError(message % {"period": label}, field=field)


def _period_closed_for_updates() -> str:
    return _(
        "The reporting period %(period)s is closed: updates for it can no longer be written, changed or "
        "submitted. Ask the national coordinator's office if it must be reopened."
    )


def _refuse_duplicates(update: StatusUpdate, files: list[CheckedFile]):
    """The same file twice on one update is a mistake, never a second piece of evidence."""
    known = dict(update.evidence.values_list("sha256", "original_name"))
    for checked in files:
        if checked.sha256 in known:
            raise UpdateError(
                _("“%(name)s” is already attached to this update (as “%(existing)s”). Nothing was saved.")
                % {"name": checked.name, "existing": known[checked.sha256]},
                field="files",
            )
        known[checked.sha256] = checked.name


def _attach_and_notify(
    update: StatusUpdate,
    files: list[CheckedFile],
    user,
    *,
    submit: bool,
    attached: list[Evidence],
    restricted: bool = False,
):
    """Store the new evidence (collected in `attached`, so a failure can delete what was written) and,
    for a submission, tell the coordinators once the transaction commits."""
    _refuse_duplicates(update, files)
    for checked in files:
        attached.append(
            Evidence.objects.create(
                update=update,
                file=File(checked.uploaded, name=checked.name),
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                restricted=restricted,
                uploaded_by=user,
            )
        )
    if submit:
        # robust: an e-mail server that is down is logged, never turned into an error for the person.
        transaction.on_commit(lambda: notifications.update_submitted(update.pk), robust=True)


def _discard_files(evidence: list[Evidence]):
    for item in evidence:
        item.file.delete(save=False)


def update_create(*, measure: Measure, user, data: UpdateData, files: list[CheckedFile], submit: bool) -> StatusUpdate:
    """A new update by the user's agency: saved as a draft, or submitted for review at once."""
    _check_content(measure, data)
    attached: list[Evidence] = []
    try:
        with transaction.atomic():
            _check_agency_reports(user)
            _refuse_closed_period(data.period.pk, _period_closed_for_updates(), field="period")
            if StatusUpdate.objects.filter(measure=measure, agency_id=user.agency_id, period=data.period).exists():
                raise UpdateError(
                    _(
                        "Your agency already has an update on this measure for %(period)s. Open it from the measure page and edit it."
                    )
                    % {"period": data.period.label},
                    field="period",
                )
            update = StatusUpdate.objects.create(
                measure=measure,
                agency_id=user.agency_id,
                period=data.period,
                status=data.status,
                progress=data.progress,
                language=data.language,
                narrative=data.narrative,
                figures=data.figures,
                restricted_details=data.restricted_details,
                author=user,
                state=State.SUBMITTED if submit else State.DRAFT,
                submitted_at=timezone.now() if submit else None,
            )
            _store_results(update, data)
            _attach_and_notify(update, files, user, submit=submit, attached=attached, restricted=data.files_restricted)
            if submit:
                record_event(update, Event.SUBMITTED, actor=user)
    except Exception:
        _discard_files(attached)
        raise
    return update


def update_save(
    *, update_id: int, user, expected_version: int, data: UpdateData, files: list[CheckedFile], submit: bool
) -> StatusUpdate:
    """Save changes to a draft or returned update; `submit` sends it (again) for review."""
    attached: list[Evidence] = []
    try:
        with transaction.atomic():
            update = _locked(update_id, expected_version)
            _check_agency_reports(user)
            if update.state not in (State.DRAFT, State.RETURNED):
                raise UpdateError(_("This update has been submitted and can no longer be edited. Withdraw it first."))
            _check_content(update.measure, data)
            # Its own period, and the one it would move to: neither may be closed.
            _refuse_closed_period(update.period_id, _period_closed_for_updates())
            if data.period.pk != update.period_id:
                _refuse_closed_period(data.period.pk, _period_closed_for_updates(), field="period")
            if (
                data.period.pk != update.period_id
                and StatusUpdate.objects.filter(
                    measure=update.measure, agency=update.agency, period=data.period
                ).exists()
            ):
                raise UpdateError(
                    _("Your agency already has an update on this measure for %(period)s.")
                    % {"period": data.period.label},
                    field="period",
                )
            update.period = data.period
            update.status = data.status
            update.progress = data.progress
            if data.language:
                update.language = data.language
            update.narrative = data.narrative
            update.figures = data.figures
            update.restricted_details = data.restricted_details
            update.version += 1
            was_returned = update.state == State.RETURNED
            if submit:
                update.state = State.SUBMITTED
                update.submitted_at = timezone.now()
                # A new round of review: the earlier decision stays in the thread, not on the update.
                update.reviewer, update.reviewed_at, update.review_note = None, None, ""
            update.save()
            _store_results(update, data)
            for evidence in update.evidence.select_for_update().filter(pk__in=data.remove_files):
                _remove_evidence(update, evidence, user)
            update.evidence.filter(pk__in=data.restrict_files).update(restricted=True)
            _attach_and_notify(update, files, user, submit=submit, attached=attached, restricted=data.files_restricted)
            if submit:
                record_event(update, Event.RESUBMITTED if was_returned else Event.SUBMITTED, actor=user)
    except Exception:
        _discard_files(attached)
        raise
    return update


def _locked(update_id: int, expected_version: int | None) -> StatusUpdate:
    update = StatusUpdate.objects.select_for_update().select_related("measure__edition").get(pk=update_id)
    if expected_version is not None and update.version != expected_version:
        raise StaleVersion(update)
    return update


@transaction.atomic
def update_withdraw(*, update_id: int, user, expected_version: int | None = None) -> StatusUpdate:
    """Take a submitted update back to draft, before the coordinator reviews it."""
    update = _locked(update_id, expected_version)
    _check_agency_reports(user)
    if update.state != State.SUBMITTED:
        raise UpdateError(_("Only a submitted update that has not been reviewed yet can be withdrawn."))
    # Back in draft it would be open to changes that the closed period no longer takes.
    _refuse_closed_period(
        update.period_id,
        _(
            "The reporting period %(period)s is closed: this update stays with the coordinator's office for "
            "review and can no longer be withdrawn."
        ),
    )
    update.state = State.DRAFT
    update.submitted_at = None
    update.version += 1
    update.save()
    record_event(update, Event.WITHDRAWN, actor=user)
    return update


def _review(*, update_id: int, reviewer, expected_version: int | None, decision: str, note: str) -> StatusUpdate:
    """Record the coordinator's decision on a submitted update, which its own author may not take."""
    if not permissions.may_review(reviewer):
        # The views ask first; the service asks again, so no other path (admin, script) can decide.
        raise UpdateError(_("Only the national coordinator's office reviews updates."))
    update = _locked(update_id, expected_version)
    if not in_countries(StatusUpdate.objects.filter(pk=update.pk), countries_for(reviewer)).exists():
        # The coordinator's office of one country never decides on another's (the views give 404 before this).
        raise UpdateError(_("Only the national coordinator's office reviews updates."))
    if update.state != State.SUBMITTED:
        message = (
            _("Only a submitted update can be approved; this one is %(state)s.")
            if decision == State.APPROVED
            else _("Only a submitted update can be returned; this one is %(state)s.")
        )
        raise UpdateError(message % {"state": update.get_state_display().lower()})
    if update.author_id == reviewer.pk:
        raise UpdateError(_("You wrote this update, so someone else in the coordinator's office must review it."))
    update.state = decision
    update.reviewer = reviewer
    update.reviewed_at = timezone.now()
    update.review_note = note
    update.version += 1
    update.save()
    if decision == State.APPROVED:
        record_event(update, Event.APPROVED, actor=reviewer, text=note)
    else:
        record_event(update, Event.RETURNED, actor=reviewer, text=note, snapshot=snapshot(update))
    if decision == State.APPROVED:
        measure_refresh_status(
            measure_id=update.measure_id, changed_at=update.reviewed_at, because_of=f"{APPROVAL_REASON}{update.pk}"
        )
    # In the same transaction: the trail holds a decision exactly when the decision was saved.
    audit.record(
        audit.Action.UPDATE_APPROVED if decision == State.APPROVED else audit.Action.UPDATE_RETURNED,
        actor=reviewer,
        target=update,
        detail={"version": update.version, "note": note[:500]} if note else {"version": update.version},
    )
    transaction.on_commit(lambda: notifications.update_reviewed(update.pk), robust=True)
    return update


@transaction.atomic
def update_approve(*, update_id: int, reviewer, expected_version: int | None = None, note: str = "") -> StatusUpdate:
    """Approve a submitted update; the measure's status and progress become those of its latest approved update."""
    return _review(
        update_id=update_id, reviewer=reviewer, expected_version=expected_version, decision=State.APPROVED, note=note
    )


@transaction.atomic
def update_return(*, update_id: int, reviewer, note: str, expected_version: int | None = None) -> StatusUpdate:
    """Return a submitted update to its agency with a note saying what to change."""
    if not note.strip():
        raise UpdateError(_("Write a note that tells the agency what to change."), field="note")
    return _review(
        update_id=update_id,
        reviewer=reviewer,
        expected_version=expected_version,
        decision=State.RETURNED,
        note=note.strip(),
    )


@dataclass
class BulkApproval:
    approved: list[int]
    refused: list[str]  # one sentence per update not approved, naming it and saying why


def updates_approve_shown(*, reviewer, shown: list[tuple[int, int]]) -> BulkApproval:
    """Approve the updates ticked on the queue page, each only if it is still the version the page showed.

    `shown` holds (update id, version) pairs as the page rendered them. An update withdrawn, edited or
    resubmitted since then has another version and is left for the coordinator to read again. Each
    approval is its own transaction, so one refusal does not undo the others.
    """
    # An update of a country not the reviewer's is as unknown as a deleted one.
    names = {
        update.pk: f"{update.measure.number} ({update.agency.code})"
        for update in in_countries(StatusUpdate.objects.all(), countries_for(reviewer))
        .filter(pk__in=[pk for pk, _version in shown])
        .select_related("measure", "agency")
    }
    result = BulkApproval(approved=[], refused=[])
    for update_id, version in shown:
        if update_id not in names:
            result.refused.append(_("An update you ticked no longer exists."))
            continue
        try:
            update_approve(update_id=update_id, reviewer=reviewer, expected_version=version)
        except StaleVersion:
            result.refused.append(
                _("%(update)s was not approved: it changed since you opened the page — open it to review the new text.")
                % {"update": names[update_id]}
            )
        except UpdateError as error:
            result.refused.append(
                _("%(update)s was not approved: %(reason)s") % {"update": names[update_id], "reason": error.message}
            )
        else:
            result.approved.append(update_id)
    return result


# The measure's history records why its status moved: "approved-update:<id>" names the approval.
APPROVAL_REASON = "approved-update:"


# A consolidated status set or cleared by the coordinator's office, as the measure's history names it.
CONSOLIDATION_SET_REASON = "consolidated-status:set"
CONSOLIDATION_CLEARED_REASON = "consolidated-status:cleared"
CONSOLIDATION_FIELDS = [
    "consolidated_status",
    "consolidated_progress",
    "consolidated_note",
    "consolidated_by",
    "consolidated_at",
]


def _apply_status_in_force(measure: Measure, *, changed_at, because_of: str, user, fields=()) -> Measure:
    """Save the status in force on a locked measure (with `fields` changed by the caller, in one history row)."""
    report = assessments.self_report(
        StatusUpdate.objects.filter(measure_id=measure.pk, state=State.APPROVED).select_related("period"),
        MeasureAgency.objects.filter(measure_id=measure.pk).select_related("agency"),
    )
    status, progress = assessments.status_in_force(measure, report)
    fields = list(fields)
    if (measure.status, measure.progress) != (status, progress):
        measure.status, measure.progress = status, progress
        measure.status_changed_at = changed_at or timezone.now()
        fields += ["status", "progress", "status_changed_at"]
    if fields:
        # Kept with the history row: why the status moved (an approval, a consolidation), not a hand edit.
        measure._change_reason = because_of
        if user is not None:
            measure._history_user = user
        measure.save(update_fields=fields)
    return measure


def measure_refresh_status(*, measure_id: int, changed_at=None, because_of: str = "", user=None) -> Measure:
    """Set the measure's status and progress to the status in force (`measures.assessments`): the
    consolidated status while one is set, else its responsible bodies' latest approved report (the
    lead's, when the lead has one). An NGO partner's update never changes it."""
    measure = Measure.objects.select_for_update().get(pk=measure_id)
    return _apply_status_in_force(measure, changed_at=changed_at, because_of=because_of, user=user)


class MeasureError(UpdateError):
    """A change to a measure that is not allowed; the message is shown to the person."""


def _locked_measure_for_consolidation(measure_id: int, user) -> Measure:
    if not permissions.may_consolidate_status(user):
        raise MeasureError(_("Only the national coordinator's office sets a consolidated status."))
    measure = Measure.objects.select_for_update().select_related("edition").get(pk=measure_id)
    if measure.edition.state != Edition.State.ACTIVE:
        raise MeasureError(
            _("This action plan is %(state)s: the status of its measures can no longer be changed.")
            % {"state": measure.edition.get_state_display().lower()}
        )
    return measure


@transaction.atomic
def measure_set_consolidated_status(*, measure_id: int, user, status: str, progress: int, note: str) -> Measure:
    """The coordinator's office settles the measure's status itself, with a note saying why. It is the
    status in force until cleared, whatever the bodies report meanwhile; their updates stay as they are."""
    note = (note or "").strip()
    if status not in Status.values:
        raise MeasureError(_("Choose a status."), field="status")
    if not 0 <= progress <= 100:
        raise MeasureError(_("Progress must be between 0 and 100."), field="progress")
    if status == Status.COMPLETED and progress != 100:
        raise MeasureError(
            _("A completed measure has 100% progress. Set progress to 100 or choose another status."), field="progress"
        )
    if not note:
        raise MeasureError(
            _("Say why the coordinator's office sets this status: the note is shown with it."), field="note"
        )
    measure = _locked_measure_for_consolidation(measure_id, user)
    now = timezone.now()
    measure.consolidated_status, measure.consolidated_progress, measure.consolidated_note = status, progress, note
    measure.consolidated_by, measure.consolidated_at = user, now
    return _apply_status_in_force(
        measure, changed_at=now, because_of=CONSOLIDATION_SET_REASON, user=user, fields=CONSOLIDATION_FIELDS
    )


@transaction.atomic
def measure_clear_consolidated_status(*, measure_id: int, user) -> Measure:
    """Give the measure back its responsible bodies' status: their latest approved report sets it again."""
    measure = _locked_measure_for_consolidation(measure_id, user)
    if not measure.is_consolidated:
        raise MeasureError(_("This measure has no consolidated status to clear."))
    measure.consolidated_status, measure.consolidated_progress, measure.consolidated_note = "", None, ""
    measure.consolidated_by, measure.consolidated_at = None, None
    return _apply_status_in_force(
        measure,
        changed_at=timezone.now(),
        because_of=CONSOLIDATION_CLEARED_REASON,
        user=user,
        fields=CONSOLIDATION_FIELDS,
    )


COMMENT_MAX_LENGTH = 4000


def update_comment(
    *, update_id: int, user, text: str, files: list[CheckedFile] = (), files_restricted: bool = False
) -> UpdateEvent | None:
    """A question, an answer or a request for a document, added to the update's thread without changing
    its state; the update's own agency may attach the document with its answer (each file a step of the
    thread). The other side is told. Permission: `permissions.may_comment_update`."""
    text = text.strip()
    if not text and not files:
        raise UpdateError(_("Write your comment before you send it."), field="text")
    if len(text) > COMMENT_MAX_LENGTH:
        raise UpdateError(
            _("A comment can be at most %(limit)s characters long.") % {"limit": COMMENT_MAX_LENGTH}, field="text"
        )
    attached: list[Evidence] = []
    try:
        with transaction.atomic():
            update = StatusUpdate.objects.select_for_update().get(pk=update_id)
            if update.state == State.APPROVED:
                raise UpdateError(_("This update is approved: its record is closed to new comments."))
            if files and not permissions.may_remove_evidence(user, update):
                raise UpdateError(_("Only the update's own agency attaches files to it."), field="files")
            if files:
                # A question and its answer may still be written; the update's evidence stays as it was.
                _refuse_closed_period(
                    update.period_id,
                    _("The reporting period %(period)s is closed: files can no longer be added to its updates."),
                    field="files",
                )
            event = record_event(update, Event.COMMENT, actor=user, text=text) if text else None
            if files:
                _attach_and_notify(
                    update, list(files), user, submit=False, attached=attached, restricted=files_restricted
                )
                for evidence in attached:
                    record_event(
                        update,
                        Event.FILE_ADDED,
                        actor=user,
                        text=evidence.original_name,
                        snapshot=file_event_snapshot(evidence),
                    )
                # A reviewer who read the update before the file came must read it again before deciding.
                update.version += 1
                update.save(update_fields=["version", "updated_at"])
            if event is not None:
                transaction.on_commit(lambda: notifications.update_commented(event.pk), robust=True)
    except Exception:
        _discard_files(attached)
        raise
    return event


def _delete_file_after_commit(evidence: Evidence):
    name, storage = evidence.file.name, evidence.file.storage
    # The row goes in the transaction; the file once it has committed, so a rollback loses nothing.
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def evidence_remove(*, evidence_id: int, user) -> UpdateEvent:
    """The agency takes back a file it attached, before approval; the removal stays in the thread."""
    evidence = Evidence.objects.select_for_update().select_related("update").get(pk=evidence_id)
    update = StatusUpdate.objects.select_for_update().get(pk=evidence.update_id)
    if update.state == State.APPROVED:
        raise UpdateError(
            _("This update is approved: its files can no longer be removed. Ask the system administrator.")
        )
    _refuse_closed_period(
        update.period_id,
        _("The reporting period %(period)s is closed: files can no longer be removed from its updates."),
    )
    event = _remove_evidence(update, evidence, user)
    update.version += 1
    update.save(update_fields=["version", "updated_at"])
    return event


def _remove_evidence(update: StatusUpdate, evidence: Evidence, user) -> UpdateEvent:
    event = record_event(
        update, Event.FILE_REMOVED, actor=user, text=evidence.original_name, snapshot=file_event_snapshot(evidence)
    )
    _delete_file_after_commit(evidence)
    evidence.delete()
    return event


@transaction.atomic
def evidence_erase(*, evidence_id: int, user, reason: str) -> UpdateEvent:
    """An administrator erases a file, approved update or not (personal data attached by mistake).
    The file is gone from storage; the record of the erasure, with the reason, remains."""
    reason = reason.strip()
    if not reason:
        raise UpdateError(_("Say why the file is erased: the reason stays in the update's record."), field="reason")
    evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
    update = StatusUpdate.objects.select_for_update().get(pk=evidence.update_id)
    event = record_event(
        update,
        Event.FILE_ERASED,
        actor=user,
        text=f"{evidence.original_name} — {reason}",
        snapshot=file_event_snapshot(evidence),
    )
    _delete_file_after_commit(evidence)
    evidence.delete()
    return event


# --- Deadlines --------------------------------------------------------------------------


class DeadlineError(ServiceError):
    """A deadline revision the rules do not allow."""


# The measure's history names the revision that moved its deadline: "deadline-revision:<id>".
DEADLINE_REVISION_REASON = "deadline-revision:"
# A revised deadline falls within the plan's years or a few years after: a later date is a slip of
# the keyboard, or the business of the next plan.
REVISION_YEARS_AFTER_PLAN = 5


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def measure_revise_deadline(*, measure_id: int, user, new_deadline: date, reason: str) -> DeadlineRevision:
    """Move a measure's deadline and keep why. `Measure.deadline` becomes the new date, so "overdue",
    the reminders and the reports follow it; the date it had stays in the revision, and the measure's
    history names the revision. Permission: `permissions.may_revise_deadline`, asked again here."""
    if not permissions.may_revise_deadline(user):
        raise DeadlineError(_("Only the national coordinator's office revises deadlines."))
    reason = reason.strip()
    if not reason:
        raise DeadlineError(
            _("Say why the deadline is revised: the reason is shown with the deadline wherever it appears."),
            field="reason",
        )
    measure = Measure.objects.select_for_update().select_related("edition").get(pk=measure_id)
    edition = measure.edition
    if edition.state == Edition.State.CLOSED:
        raise DeadlineError(
            _("%(plan)s is closed: the deadlines of its measures can no longer be revised.") % {"plan": edition.code}
        )
    if new_deadline == measure.deadline:
        raise DeadlineError(
            _("The deadline is already %(date)s. Choose the new date.") % {"date": _short(new_deadline)},
            field="new_deadline",
        )
    if measure.start_date and new_deadline < measure.start_date:
        raise DeadlineError(
            _("The measure starts on %(start)s: its deadline cannot come before that.")
            % {"start": _short(measure.start_date)},
            field="new_deadline",
        )
    earliest = date(edition.start_year, 1, 1)
    latest = date(edition.end_year + REVISION_YEARS_AFTER_PLAN, 12, 31)
    if not earliest <= new_deadline <= latest:
        raise DeadlineError(
            _(
                "Choose a date from %(earliest)s to %(latest)s: within the years of %(plan)s or at most "
                "%(years)s years after its end."
            )
            % {
                "earliest": _short(earliest),
                "latest": _short(latest),
                "plan": edition.code,
                "years": REVISION_YEARS_AFTER_PLAN,
            },
            field="new_deadline",
        )
    revision = DeadlineRevision.objects.create(
        measure=measure, old_deadline=measure.deadline, new_deadline=new_deadline, reason=reason, revised_by=user
    )
    measure.deadline = new_deadline
    # The history row says whose change it was and which revision it was (the reason is kept there).
    measure._change_reason = f"{DEADLINE_REVISION_REASON}{revision.pk}"
    measure._history_user = user
    measure._history_date = revision.revised_at
    measure.save(update_fields=["deadline"])
    return revision


# --- Reporting periods ------------------------------------------------------------------


class PeriodError(ServiceError):
    """Closing or reopening a reporting period that the rules do not allow."""


def _period_for_change(*, period_id: int, user) -> ReportingPeriod:
    if not permissions.may_manage_periods(user):
        raise PeriodError(_("Only the national coordinator's office closes and reopens reporting periods."))
    # FOR UPDATE: waits for the updates of this period being saved (they hold a shared lock on it).
    period = ReportingPeriod.objects.select_for_update().select_related("edition").get(pk=period_id)
    if period.edition.state == Edition.State.CLOSED:
        raise PeriodError(
            _("%(plan)s is closed: its reporting periods can no longer be closed or reopened.")
            % {"plan": period.edition.code}
        )
    return period


@transaction.atomic
def period_close(*, period_id: int, user, reason: str = "") -> PeriodChange:
    """Close a reporting period: from now on no update for it is written, changed, submitted or
    withdrawn, and no reminder names it; what was submitted can still be approved or returned."""
    period = _period_for_change(period_id=period_id, user=user)
    if period.is_closed:
        raise PeriodError(
            _("%(period)s was already closed on %(date)s.")
            % {"period": period.label, "date": _short(timezone.localdate(period.closed_at))}
        )
    change = PeriodChange.objects.create(
        period=period, kind=PeriodChange.Kind.CLOSED, reason=reason.strip(), actor=user
    )
    period.closed_at, period.closed_by = change.created_at, user
    period._history_user = user
    period.save(update_fields=["closed_at", "closed_by"])
    return change


@transaction.atomic
def period_reopen(*, period_id: int, user, reason: str) -> PeriodChange:
    """Open a closed reporting period again, saying why: its updates can be written and changed again."""
    reason = reason.strip()
    if not reason:
        raise PeriodError(
            _("Say why the period is reopened: the agencies and the record will show it."), field="reason"
        )
    period = _period_for_change(period_id=period_id, user=user)
    if not period.is_closed:
        raise PeriodError(_("%(period)s is open already.") % {"period": period.label})
    change = PeriodChange.objects.create(period=period, kind=PeriodChange.Kind.REOPENED, reason=reason, actor=user)
    period.closed_at, period.closed_by = None, None
    period._history_user = user
    period.save(update_fields=["closed_at", "closed_by"])
    return change
