"""Importing the recommendations themselves: one row per recommendation — source reference, number, text in
English / Azerbaijani / Russian, date, priority — with the same preview and all-or-nothing rule as the plan.

A row names a source already kept under Recommendation sources (an unknown one is an error on its row);
a recommendation already kept is matched by its source and number and brought up to date.
"""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.importing.headers import LANGUAGE_SUFFIX, LANGUAGE_WORDS, header_key
from measures.importing.outcomes import Action, ImportInvalid, ImportPreview, Problem, RowOutcome
from measures.importing.read import FileProblem, read_table
from measures.importing.recommendations import number_key, reference_key
from measures.models import Recommendation, RecommendationSource
from nap_tracker.countries import in_countries

CONTENT_LANGUAGES = ("en", "az", "ru")
HEADER_WORDS = {
    "source": ["source", "reference", "source reference", "report", "mənbə", "istinad", "источник", "ссылка"],
    "number": ["no", "no.", "number", "paragraph", "§", "nömrə", "bənd", "номер", "пункт"],
    "text": ["recommendation", "recommendation text", "text", "tövsiyə", "tövsiyənin mətni", "рекомендация", "текст"],
    "date": ["date", "tarix", "дата"],
    "priority": ["priority", "prioritet", "приоритет"],
}
HEADERS = {header_key(word): concept for concept, words in HEADER_WORDS.items() for word in words}
TEXT_LANGUAGE = {"recommendation": "en", "recommendation text": "en", "text": "en", "tövsiyə": "az"}
TEXT_LANGUAGE |= {"tövsiyənin mətni": "az", "рекомендация": "ru", "текст": "ru"}
TEXT_LANGUAGE = {header_key(word): language for word, language in TEXT_LANGUAGE.items()}
LABELS = {
    "source": gettext_lazy("source"),
    "number": gettext_lazy("number"),
    "text": gettext_lazy("recommendation"),
    "date": gettext_lazy("date"),
    "priority": gettext_lazy("priority"),
}
Priority = Recommendation.Priority
PRIORITY_WORDS = {
    "": Priority.NONE, "none": Priority.NONE, "-": Priority.NONE,
    "urges": Priority.URGES, "urge": Priority.URGES, "urgent": Priority.URGES,
    "considers": Priority.CONSIDERS, "consider": Priority.CONSIDERS,
    "invites": Priority.INVITES, "invite": Priority.INVITES,
    "prioritized": Priority.PRIORITIZED, "prioritised": Priority.PRIORITIZED,
    "prioritized recommendation": Priority.PRIORITIZED, "prioritised recommendation": Priority.PRIORITIZED,
    "recommended": Priority.RECOMMENDED, "recommendation": Priority.RECOMMENDED,
}  # fmt: skip
DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$|^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
NUMBER_MAX = Recommendation._meta.get_field("number").max_length
# Uploads waiting for confirmation are kept like a plan's (measures/import_uploads.py), under no edition.
UPLOAD_SCOPE = 0


def _column(cell: str) -> tuple[str, str | None] | None:
    """(concept, language) a header names, or None."""
    key = header_key(cell)
    if key in HEADERS:
        concept = HEADERS[key]
        return concept, TEXT_LANGUAGE.get(key, "en") if concept == "text" else None
    match = LANGUAGE_SUFFIX.match(key)
    if match and HEADERS.get(header_key(match["base"])) == "text":
        return "text", LANGUAGE_WORDS[match["lang"]]
    return None


def _find_header(rows) -> tuple[int, dict[tuple[str, str | None], int]]:
    for position, (_number, cells) in enumerate(rows[:10]):
        mapping = {}
        for index, cell in enumerate(cells):
            found = _column(cell) if cell else None
            if found and found not in mapping:
                mapping[found] = index
        if {concept for concept, _language in mapping} >= {"source", "number", "text"}:
            return position, mapping
    raise FileProblem(
        _(
            "No header row with the columns “Source”, “No.” and “Recommendation” was found in the first ten rows. "
            "Name the columns as in the description: Source, No., Recommendation (and (az), (ru)), Date, Priority."
        )
    )


def _date(text: str) -> date | None:
    match = DATE.match(text.strip())
    if not match:
        raise ValueError
    year, month, day = (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
    return date(int(year), int(month), int(day))


def recommendations_preview(*, filename: str, content: bytes, countries=None) -> ImportPreview:
    """What importing the file would do, row by row. Writes nothing. Two queries.

    `countries` (ids) limits the sources a row may name to those countries' — the importing person's; a
    source of another country is as unknown as one never added. None: every source (the command line)."""
    preview = ImportPreview(edition=None, filename=filename)
    try:
        rows = read_table(filename=filename, content=content)
        header_position, mapping = _find_header(rows)
    except FileProblem as problem:
        preview.file_problems.append(Problem(str(problem)))
        return preview
    kept = RecommendationSource.objects.all()
    if countries is not None:
        kept = in_countries(kept, countries)
    sources = {reference_key(source.reference): source for source in kept}
    stored = {(r.source_id, number_key(r.number)): r for r in Recommendation.objects.select_related("source")}
    languages = [language for concept, language in mapping if concept == "text"]
    seen: dict[tuple[int, str], int] = {}

    def cell(cells, concept, language=None):
        index = mapping.get((concept, language))
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for row, cells in rows[header_position + 1 :]:
        if not any(cells):
            continue
        reference, number = cell(cells, "source"), cell(cells, "number")
        outcome = RowOutcome(row=row, action=Action.NEW, number=f"{reference} {number}".strip())
        preview.rows.append(outcome)
        problems = outcome.problems
        source = sources.get(reference_key(reference)) if reference else None
        if not reference:
            problems.append(
                Problem(_("empty — write the source's reference, e.g. GRETA(2018)17."), row, LABELS["source"])
            )
        elif source is None:
            problems.append(
                Problem(
                    _(
                        "unknown source “%(text)s” — add it under Recommendation sources first, or correct the reference."
                    )
                    % {"text": reference},
                    row,
                    str(LABELS["source"]),
                )
            )
        if not number:
            problems.append(Problem(_("empty — write the number the source gives, e.g. §45."), row, LABELS["number"]))
        elif len(number) > NUMBER_MAX:
            problems.append(
                Problem(
                    _("%(n)s characters; at most %(max)s fit — shorten it.") % {"n": len(number), "max": NUMBER_MAX},
                    row,
                    str(LABELS["number"]),
                )
            )
        values = {f"text_{language}": cell(cells, "text", language) for language in languages}
        date_text = cell(cells, "date")
        if ("date", None) in mapping:
            try:
                values["issued_on"] = _date(date_text) if date_text else None
            except ValueError:
                problems.append(
                    Problem(
                        _("“%(text)s” is not a date — write it as 2018-07-06 or 06.07.2018.") % {"text": date_text},
                        row,
                        str(LABELS["date"]),
                    )
                )
        if ("priority", None) in mapping:
            priority_text = cell(cells, "priority")
            priority = PRIORITY_WORDS.get(header_key(priority_text)) if priority_text else Priority.NONE
            if priority is None:
                problems.append(
                    Problem(
                        _(
                            "unknown priority “%(text)s” — write urges, considers, invites, prioritized or recommended, or leave it empty."
                        )
                        % {"text": priority_text},
                        row,
                        str(LABELS["priority"]),
                    )
                )
            else:
                values["priority"] = priority
        existing = stored.get((source.pk, number_key(number))) if source and number else None
        texts = [
            values.get(f"text_{language}", getattr(existing, f"text_{language}", "")) for language in CONTENT_LANGUAGES
        ]
        outcome.title = next((text for text in texts if text), "")
        if not any(text.strip() for text in texts):
            problems.append(
                Problem(_("empty — write the recommendation in at least one language."), row, str(LABELS["text"]))
            )
        if source and number:
            key = (source.pk, number_key(number))
            if key in seen:
                problems.append(
                    Problem(
                        _("%(citation)s is also on row %(other)s — each recommendation may appear once.")
                        % {"citation": outcome.number, "other": seen[key]},
                        row,
                        str(LABELS["number"]),
                    )
                )
            seen.setdefault(key, row)
        if problems:
            outcome.action = Action.ERROR
            continue
        outcome.parsed = {"source": source, "number": number, "values": values}
        if existing is not None:
            outcome.measure_id = existing.pk
            outcome.changes = [
                str(Recommendation._meta.get_field(key).verbose_name)
                for key, value in values.items()
                if getattr(existing, key) != value
            ]
            outcome.action = Action.CHANGED if outcome.changes else Action.UNCHANGED
    if not preview.rows and not preview.file_problems:
        preview.file_problems.append(Problem(_("The file has a header row but no recommendations under it.")))
    return preview


@transaction.atomic
def recommendations_import_apply(*, filename: str, content: bytes, user=None, countries=None) -> ImportPreview:
    """Import the file: all of it, or — when anything is wrong — nothing. Unchanged rows are not saved."""
    preview = recommendations_preview(filename=filename, content=content, countries=countries)
    if not preview.is_valid:
        raise ImportInvalid(preview)
    reason = _("Imported from %(file)s") % {"file": filename[:80]}
    for outcome in preview.rows:
        if outcome.action not in (Action.NEW, Action.CHANGED):
            continue
        parsed = outcome.parsed
        if outcome.measure_id:
            recommendation = Recommendation.objects.select_for_update().get(pk=outcome.measure_id)
        else:
            recommendation = Recommendation(source=parsed["source"], number=parsed["number"])
        for key, value in parsed["values"].items():
            setattr(recommendation, key, value)
        if user is not None:
            recommendation._history_user = user
        recommendation._change_reason = reason
        recommendation.save()
    return preview


def recommendations_import_summary(result: ImportPreview) -> str:
    """What an import did, in one sentence for the message after it."""
    counts = result.counts
    return _(
        "Imported %(file)s: %(new)s new and %(changed)s changed recommendations; %(unchanged)s were already up to date."
    ) % {
        "file": result.filename,
        "new": counts[Action.NEW],
        "changed": counts[Action.CHANGED],
        "unchanged": counts[Action.UNCHANGED],
    }
