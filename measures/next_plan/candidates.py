"""What the next-plan form offers: the old plan's measures, and the new baselines they would carry."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from measures.models import Edition, Indicator, IndicatorValue, Measure, Status, StatusUpdate
from measures.results import total_of


def plan_is_ending(edition: Edition, today: date) -> bool:
    """A plan may have a successor drafted once its last year has come (while it still runs), or once it
    is closed. A draft has none: it has not started."""
    if edition.state == Edition.State.CLOSED:
        return True
    return edition.state == Edition.State.ACTIVE and edition.end_year <= today.year


def next_years(edition: Edition) -> tuple[int, int]:
    """The years a successor most likely spans: from the year after this plan's end, as long as this one."""
    start = edition.end_year + 1
    return start, start + (edition.end_year - edition.start_year)


def suggested_code(edition: Edition) -> str:
    """This plan's code with its years moved on (NAP-2020-2024 → NAP-2025-2029); empty when its code
    does not name both years, as the code is the office's to choose."""
    code = edition.code
    old = (str(edition.start_year), str(edition.end_year))
    if not all(re.search(rf"(?<!\d){year}(?!\d)", code) for year in old):
        return ""
    new = dict(zip(old, map(str, next_years(edition)), strict=True))
    return re.sub(rf"(?<!\d)({old[0]}|{old[1]})(?!\d)", lambda match: new[match.group()], code)


def carry_rows(edition: Edition) -> list[Measure]:
    """The plan's measures in its order, each with its area and the later measures that already continue
    it (with their plan), and `carry_by_default`: not completed and not carried on already. Two queries."""
    measures = list(
        Measure.objects.filter(edition=edition)
        .select_related("area")
        .only(
            "number",
            "sort_key",
            "title_en",
            "title_az",
            "title_ru",
            "status",
            "progress",
            "is_illustrative",
            "edition_id",
            "area__code",
            "area__title_en",
            "area__title_az",
            "area__title_ru",
            "area__pillar",
        )
        .prefetch_related(
            Prefetch(
                "continued_by",
                queryset=Measure.objects.select_related("edition").only("number", "continues", "edition__code"),
            )
        )
        .order_by("sort_key")
    )
    for measure in measures:
        measure.carry_by_default = measure.status != Status.COMPLETED and not measure.continued_by.all()
    return measures


@dataclass(frozen=True)
class Baseline:
    """An indicator's new baseline: the last value an approved update reported, and the year it was for."""

    value: Decimal | None
    text: str
    year: int


def last_reported(indicators: list[Indicator]) -> dict[int, Baseline]:
    """For each indicator that has an approved value, the latest one (by the period it was reported for,
    then by when it was approved): its total (or the sum of its categories) and the year its period
    ended. One query for any number of indicators."""
    values = (
        IndicatorValue.objects.filter(
            indicator__in=[indicator.pk for indicator in indicators], update__state=StatusUpdate.State.APPROVED
        )
        .select_related("update__period")
        .order_by()
    )
    by_indicator: dict[int, dict[int, dict]] = {}
    updates: dict[int, StatusUpdate] = {}
    texts: dict[tuple[int, int], str] = {}
    for value in values:
        by_indicator.setdefault(value.indicator_id, {}).setdefault(value.update_id, {})[value.category] = value.value
        if value.text:
            texts[(value.indicator_id, value.update_id)] = value.text
        updates[value.update_id] = value.update
    found = {}
    for indicator in indicators:
        reported = by_indicator.get(indicator.pk)
        if not reported:
            continue
        # Latest first; an update that gave no usable value (only categories of a percentage, say) is passed over.
        ordered = sorted(
            reported,
            key=lambda pk: (updates[pk].period.end, updates[pk].reviewed_at is not None, updates[pk].reviewed_at, pk),
            reverse=True,
        )
        for update_pk in ordered:
            total = total_of(indicator, reported[update_pk])
            text = texts.get((indicator.pk, update_pk), "")
            usable = text if indicator.unit == Indicator.Unit.TEXT else total
            if usable not in (None, ""):
                is_text = indicator.unit == Indicator.Unit.TEXT
                found[indicator.pk] = Baseline(
                    value=None if is_text else total,
                    text=text if is_text else "",
                    year=updates[update_pk].period.end.year,
                )
                break
    return found
