"""Reading an update's thread: its events, and what the agency changed since the update was returned."""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from measures.models import Status, StatusUpdate, UpdateEvent
from nap_tracker.i18n import language_name

WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    label: str
    before: str = ""
    after: str = ""
    # For long texts: (kind, words) pieces, kind in "same", "removed", "added".
    pieces: list[tuple[str, str]] = field(default_factory=list)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A readable difference of two texts, word by word, keeping the spaces and line breaks."""
    old, new = WORDS.findall(before or ""), WORDS.findall(after or "")
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(new[j1:j2])))
    return pieces


def last_return(events) -> UpdateEvent | None:
    """The latest "returned" step of a thread (a list of events, oldest first)."""
    return next((e for e in reversed(events) if e.kind == UpdateEvent.Kind.RETURNED), None)


FILE_KINDS = {UpdateEvent.Kind.FILE_ADDED, UpdateEvent.Kind.FILE_REMOVED, UpdateEvent.Kind.FILE_ERASED}


def mark_restricted_files(update: StatusUpdate):
    """Mark the steps of the thread that name a restricted file (`event.restricted_file`), so the
    thread shows their names only to those who may see restricted files: a file restricted when the
    step was taken, or one of the update's files restricted since — still attached, or removed or erased
    once restricted (the step that took it away says so). Reads the prefetched evidence and events."""
    events = list(update.events.all())
    restricted_names = {item.original_name for item in update.evidence.all() if item.restricted}
    # The steps that took a restricted file away: a removal's text is its name, an erasure's "name — reason".
    gone = [e.text for e in events if e.kind in FILE_KINDS and e.snapshot.get("restricted")]
    for event in events:
        event.restricted_file = event.kind in FILE_KINDS and (
            bool(event.snapshot.get("restricted"))
            or event.text in restricted_names
            or any(text == event.text or text.startswith(f"{event.text} — ") for text in gone)
        )


def changes_since_return(update: StatusUpdate, events, *, show_restricted: bool = False) -> list[FieldChange] | None:
    """Field by field, what the agency changed since the version that was returned; None when the
    update was never returned. The restricted details and files are compared only with
    `show_restricted` (`permissions.may_see_restricted`). Reads `update.evidence` (prefetch it)."""
    returned = last_return(events)
    if returned is None or not returned.snapshot:
        return None
    before = returned.snapshot
    changes = []
    status_names = dict(Status.choices)
    if before.get("period") != update.period.label:
        changes.append(FieldChange(_("Reporting period"), before.get("period", ""), update.period.label))
    if before.get("status") != update.status:
        changes.append(
            FieldChange(
                _("Status"),
                str(status_names.get(before.get("status"), before.get("status", ""))),
                str(status_names.get(update.status, update.status)),
            )
        )
    if before.get("progress") != update.progress:
        changes.append(FieldChange(_("Progress"), f"{before.get('progress')} %", f"{update.progress} %"))
    # Snapshots taken before updates said their language have none: no change to show.
    if "language" in before and before["language"] != update.language:
        changes.append(
            FieldChange(
                _("Written in"),
                language_name(before["language"]) or "—",
                language_name(update.language) or "—",
            )
        )
    texts = [
        ("narrative", _("What was done"), update.narrative),
        ("figures", _("Figures against the indicators"), update.figures),
    ]
    if show_restricted:
        texts.append(("restricted_details", _("Restricted details"), update.restricted_details))
    for key, label, now in texts:
        if (before.get(key) or "") != (now or ""):
            changes.append(FieldChange(label, pieces=word_diff(before.get(key) or "", now or "")))
    if "results" in before:
        from measures.services import results_snapshot

        results_now = results_snapshot(update)
        for label in sorted(set(before["results"]) | set(results_now)):
            old, new = before["results"].get(label, ""), results_now.get(label, "")
            if old != new:
                changes.append(FieldChange(label, before=old, after=new))
    evidence = list(update.evidence.all())
    groups = [("files", _("Evidence files"), False)]
    if show_restricted:
        groups.append(("restricted_files", _("Restricted files"), True))
    for key, label, restricted in groups:
        files_before = set(before.get(key, []))
        files_now = {item.original_name for item in evidence if item.restricted == restricted}
        if not restricted:
            # A file restricted since the return (or listed before files could be restricted) is no
            # longer named among the open files.
            files_before -= {item.original_name for item in evidence if item.restricted}
        if files_before != files_now:
            changes.append(
                FieldChange(
                    label,
                    before=", ".join(sorted(files_before - files_now)),
                    after=", ".join(sorted(files_now - files_before)),
                )
            )
    return changes
