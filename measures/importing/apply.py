"""Applying a file: all of it, in one transaction, or — when anything is wrong — nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from measures.commitments.services import measure_links_replace
from measures.importing.columns import COLUMNS_BY_KEY, PART_FOR_CONCEPT
from measures.importing.outcomes import Action, ImportInvalid, ImportPreview, RowOutcome
from measures.importing.preview import import_preview
from measures.importing.rows import budget_changes, matching_indicator, period_changes, recommendations_change
from measures.models import Area, BudgetLine, Edition, Indicator, Measure, MeasureAgency


@transaction.atomic
def import_apply(*, edition: Edition, filename: str, content: bytes, user=None) -> ImportPreview:
    """Import the file into the edition: all of it, or — when anything is wrong — nothing.

    The file is read again inside the transaction (with the edition locked), so what is written
    is what the file says now, not what an earlier preview saw. Unchanged measures are not
    saved, so importing the same file twice adds no history.
    """
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    preview = import_preview(edition=edition, filename=filename, content=content)
    if not preview.is_valid:
        raise ImportInvalid(preview)
    reason = _("Imported from %(file)s") % {"file": filename[:80]}

    areas = {area.code: area for area in edition.areas.all()}
    next_order = max((area.order for area in areas.values()), default=0)
    for new in preview.new_areas.values():
        next_order += 1
        area = Area(edition=edition, code=new.code, pillar=new.pillar, order=next_order)
        setattr(area, f"title_{new.language}", new.title)
        _stamp(area, user, reason)
        area.save()
        areas[new.code] = area

    measures = {
        measure.number: measure
        for measure in edition.measures.select_related("area").prefetch_related(
            "assignments", "indicator_set", "budget_lines", "recommendations"
        )
    }
    for outcome in preview.rows:
        if outcome.action not in (Action.NEW, Action.CHANGED):
            continue
        parsed = outcome.parsed
        measure = measures.get(parsed.number) or Measure(edition=edition, number=parsed.number)
        if measure.pk is None or period_changes(measure, parsed):
            measure.start_date, measure.deadline = parsed.period
        measure.area = areas[parsed.area_code]
        for key, value in parsed.values.items():
            setattr(measure, key, value)
        is_new = measure.pk is None
        if is_new or outcome.changes != [] and _fields_changed(outcome):
            _stamp(measure, user, reason)
            measure.save()
        _sync_assignments(measure, parsed.assignments, is_new, user, reason)
        if parsed.indicators is not None:
            _sync_indicators(measure, parsed.indicators, is_new, user, reason)
        if parsed.budget is not None and (is_new or budget_changes(measure, parsed.budget)):
            measure.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(measure=measure, source_id=source, amount=amount, currency=currency)
                    for source, amount, currency in parsed.budget
                ]
            )
        if parsed.recommendations is not None and (is_new or recommendations_change(measure, parsed.recommendations)):
            measure_links_replace(measure=measure, recommendation_ids=parsed.recommendations, user=user)
    return preview


def _sync_indicators(measure: Measure, specs, is_new: bool, user, reason):
    """Indicators named in the file are added or brought up to date; those it does not name are kept,
    with the values already reported against them."""
    order = max((i.order for i in measure.indicator_set.all()), default=0) if not is_new else 0
    for spec in specs:
        indicator = None if is_new else matching_indicator(measure, spec)
        wanted = spec.fields() | {f"name_{language}": name for language, name in spec.names.items()}
        if indicator is None:
            order += 1
            indicator = Indicator(measure=measure, order=order)
        elif all(getattr(indicator, key) == value for key, value in wanted.items()):
            continue
        for key, value in wanted.items():
            setattr(indicator, key, value)
        _stamp(indicator, user, reason)
        indicator.save()


def _fields_changed(outcome: RowOutcome) -> bool:
    # Agencies and recommendations are rows of their own: changing only them does not save the measure.
    part_labels = {str(COLUMNS_BY_KEY[key].label) for key in (*PART_FOR_CONCEPT, "recommendations")}
    return any(change not in part_labels for change in outcome.changes)


def _stamp(obj, user, reason):
    if user is not None:
        obj._history_user = user
    obj._change_reason = reason


def _sync_assignments(measure: Measure, wanted: dict, is_new: bool, user, reason):
    existing = {} if is_new else {a.agency_id: a for a in measure.assignments.all()}
    wanted_by_agency = {agency_id: (part, lead) for part, pairs in wanted.items() for agency_id, lead in pairs}
    for agency_id, assignment in existing.items():
        if assignment.part in wanted and agency_id not in wanted_by_agency:
            _stamp(assignment, user, reason)
            assignment.delete()
    for agency_id, (part, lead) in wanted_by_agency.items():
        assignment = existing.get(agency_id)
        if assignment is None:
            assignment = MeasureAgency(measure=measure, agency_id=agency_id, part=part, is_lead=lead)
        elif assignment.part == part and assignment.is_lead == lead:
            continue
        else:
            assignment.part, assignment.is_lead = part, lead
        _stamp(assignment, user, reason)
        assignment.save()
