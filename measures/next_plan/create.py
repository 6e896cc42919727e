"""Writing the draft of the next plan: all of it in one transaction, or nothing."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from measures.models import Area, BudgetLine, Edition, Indicator, Measure, MeasureAgency
from measures.next_plan.candidates import last_reported, plan_is_ending
from measures.services import ServiceError
from nap_tracker import permissions

YEAR_RANGE = (1900, 2200)
CONTENT_LANGUAGES = ("en", "az", "ru")
# The measure's texts carried word for word, in every language.
CARRIED_TEXTS = ("title", "description", "expected_result", "indicators", "financing_source")


class NextPlanError(ServiceError):
    """A next plan that cannot be drafted as asked; `field` names the form field it concerns."""


@dataclass(frozen=True)
class NextPlanResult:
    edition: Edition
    measures: int
    areas: int
    indicators: int


def code_taken(code: str) -> str:
    return _("A plan with the code %(code)s exists already. Choose another code, or open that plan.") % {"code": code}


def years_reversed(start_year: int, end_year: int) -> str:
    return _("The last year (%(end)s) comes before the first year (%(start)s).") % {
        "end": end_year,
        "start": start_year,
    }


def _check_request(*, source: Edition, code: str, titles: dict, start_year: int, end_year: int, measure_ids):
    if not code:
        raise NextPlanError(_("Give the new plan a code, for example NAP-2025-2029."), field="code")
    if slugify(code) != code.lower() or len(code) > Edition._meta.get_field("code").max_length:
        raise NextPlanError(
            _("Write the code with letters, digits and hyphens only, at most 40 characters, e.g. NAP-2025-2029."),
            field="code",
        )
    if Edition.objects.filter(code__iexact=code).exists():
        raise NextPlanError(code_taken(code), field="code")
    if not any(title.strip() for title in titles.values()):
        raise NextPlanError(_("Give the new plan a title in at least one language."), field="title_en")
    for name, year in (("start_year", start_year), ("end_year", end_year)):
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise NextPlanError(
                _("Enter a year between %(first)s and %(last)s.") % {"first": YEAR_RANGE[0], "last": YEAR_RANGE[1]},
                field=name,
            )
    if end_year < start_year:
        raise NextPlanError(years_reversed(start_year, end_year), field="end_year")
    if not measure_ids:
        raise NextPlanError(_("Choose at least one measure to carry over."), field="measures")


def _stamp(obj, user, reason: str):
    obj._history_user = user
    obj._change_reason = reason


@transaction.atomic
def edition_start_next(
    *,
    source_id: int,
    user,
    code: str,
    title_en: str = "",
    title_az: str = "",
    title_ru: str = "",
    start_year: int,
    end_year: int,
    measure_ids: list[int],
    today: date | None = None,
) -> NextPlanResult:
    """Draft the next plan from a closing or closed one, carrying over the chosen measures.

    The new plan is a draft (edited, imported into and activated like any plan). It gets a copy of each
    area that holds a chosen measure, and each chosen measure with: its number and texts in every
    language; its agencies and their parts; its indicators, each with the last approved value as the new
    baseline (the old baseline where nothing was approved) and the same target; its planned budget lines;
    the recommendations it answers; and `continues` pointing to the old measure. Its period becomes the
    new plan's years (from 1 January of the first to 31 December of the last), as the old deadline has
    passed. Nothing of the old plan is changed.

    Permission: `permissions.may_start_next_plan`, asked again here."""
    if not permissions.may_start_next_plan(user):
        raise NextPlanError(_("Only the national coordinator's office drafts the next plan."))
    today = today or timezone.localdate()
    code = code.strip()
    titles = {"en": title_en.strip(), "az": title_az.strip(), "ru": title_ru.strip()}
    measure_ids = {int(pk) for pk in measure_ids}
    # Locked: the old plan stays as it is while its measures are copied (an import into it waits).
    source = Edition.objects.select_for_update(of=("self",)).get(pk=source_id)
    if not plan_is_ending(source, today):
        raise NextPlanError(
            _(
                "%(plan)s runs until %(year)s: its successor can be drafted from the plan's last year on, "
                "or once it is closed."
            )
            % {"plan": source.code, "year": source.end_year}
        )
    _check_request(
        source=source, code=code, titles=titles, start_year=start_year, end_year=end_year, measure_ids=measure_ids
    )
    old_measures = list(
        Measure.objects.filter(edition=source, pk__in=measure_ids)
        .select_related("area")
        .prefetch_related("assignments", "indicator_set", "budget_lines", "recommendations")
        .order_by("sort_key")
    )
    if len(old_measures) != len(measure_ids):
        raise NextPlanError(
            _("One of the chosen measures is not a measure of %(plan)s. Reload the page and choose again.")
            % {"plan": source.code},
            field="measures",
        )

    reason = _("Carried over from %(plan)s") % {"plan": source.code}
    edition = Edition(
        # The next plan is the same country's.
        country_id=source.country_id,
        code=code,
        title_en=titles["en"],
        title_az=titles["az"],
        title_ru=titles["ru"],
        start_year=start_year,
        end_year=end_year,
        state=Edition.State.DRAFT,
        published=False,
    )
    _stamp(edition, user, reason)
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError:
        # Someone drafted a plan with this code between the check and now.
        raise NextPlanError(code_taken(code), field="code") from None

    areas = {}
    for old_area in sorted({m.area for m in old_measures}, key=lambda area: (area.order, area.code)):
        area = Area(
            edition=edition,
            code=old_area.code,
            title_en=old_area.title_en,
            title_az=old_area.title_az,
            title_ru=old_area.title_ru,
            pillar=old_area.pillar,
            order=old_area.order,
            is_illustrative=old_area.is_illustrative,
        )
        _stamp(area, user, reason)
        area.save()
        areas[old_area.pk] = area

    old_indicators = [indicator for measure in old_measures for indicator in measure.indicator_set.all()]
    baselines = last_reported(old_indicators)
    period_text = f"{start_year}–{end_year}" if start_year != end_year else str(start_year)
    indicator_count = 0
    recommendation_links = []
    for old in old_measures:
        measure = Measure(
            edition=edition,
            area=areas[old.area_id],
            number=old.number,
            is_illustrative=old.is_illustrative,
            continues=old,
            start_date=date(start_year, 1, 1),
            deadline=date(end_year, 12, 31),
            **{
                f"{name}_{code}": getattr(old, f"{name}_{code}") for name in CARRIED_TEXTS for code in CONTENT_LANGUAGES
            },
            **{f"period_text_{code}": period_text for code in CONTENT_LANGUAGES},
        )
        _stamp(measure, user, reason)
        measure.save()
        for assignment in old.assignments.all():
            copy = MeasureAgency(
                measure=measure, agency_id=assignment.agency_id, part=assignment.part, is_lead=assignment.is_lead
            )
            _stamp(copy, user, reason)
            copy.save()
        for indicator in old.indicator_set.all():
            baseline = baselines.get(indicator.pk)
            copy = Indicator(
                measure=measure,
                name_en=indicator.name_en,
                name_az=indicator.name_az,
                name_ru=indicator.name_ru,
                unit=indicator.unit,
                breakdown=indicator.breakdown,
                baseline_value=baseline.value if baseline else indicator.baseline_value,
                baseline_text=baseline.text if baseline else indicator.baseline_text,
                baseline_year=baseline.year if baseline else indicator.baseline_year,
                target_value=indicator.target_value,
                target_text=indicator.target_text,
                target_year=indicator.target_year,
                order=indicator.order,
            )
            _stamp(copy, user, reason)
            copy.save()
            indicator_count += 1
        for line in old.budget_lines.all():
            copy = BudgetLine(measure=measure, source_id=line.source_id, amount=line.amount, currency=line.currency)
            _stamp(copy, user, reason)
            copy.save()
        recommendation_links += [
            Measure.recommendations.through(measure_id=measure.pk, recommendation_id=recommendation.pk)
            for recommendation in old.recommendations.all()
        ]
    Measure.recommendations.through.objects.bulk_create(recommendation_links)
    return NextPlanResult(edition=edition, measures=len(old_measures), areas=len(areas), indicators=indicator_count)
