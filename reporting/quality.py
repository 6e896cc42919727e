"""The plan's quality review — the questions ICMPD asked of the 2014–2018 plan, asked of any plan:

- which areas does it cover? The four Ps and coordination/monitoring (`Area.pillar`): measures, agencies
  taking part, and the budget planned, per currency;
- what needs more work against good practice? Per area, the share of measures with a responsible body, a
  dated deadline, an indicator with a baseline and a target, and financing; the measures lacking each; the
  recommendations no measure of the plan answers;
- how did it go? Completed on time and late, overdue (in a closed plan: not completed by the plan's end),
  deadlines revised, updates returned, and the responsible bodies that never reported.

`quality_review(edition)` counts all of it in the database in a fixed number of queries whatever the plan's
size (conditional counts and `Exists` subqueries). The page and the PDF render the same `QualityReview`.

Every count of measures is a `Figure`: the number and the measures list's filters that show the same
measures (`measures/criteria.py` holds the conditions both use), so a reader can open what is behind it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.criteria import (
    COMPLETION,
    CRITERIA,
    returned_condition,
)
from measures.models import (
    Area,
    BudgetLine,
    DeadlineRevision,
    Edition,
    Measure,
    MeasureAgency,
    Pillar,
    Recommendation,
    StatusUpdate,
    UpdateEvent,
    overdue_condition,
    revised_condition,
    unfinished_condition,
)
from nap_tracker.models import Agency

# The criteria of good practice, in the order the review shows them, with their words.
CRITERIA_LABELS = {
    "responsible": _("Responsible body"),
    "deadline": _("Dated deadline"),
    "indicator": _("Indicator with baseline and target"),
    "financing": _("Financing"),
}
CRITERIA_EXPLAINED = {
    "responsible": _("An executing body (the lead or a co-responsible one) or a recommended institution."),
    "deadline": _("A date, not only the plan's wording such as “2020–2024, annually”."),
    "indicator": _("At least one indicator with both a baseline and a target."),
    "financing": _("A planned budget line, or a source of financing named in the plan."),
}
# Updates count as a body's report once they were sent to the coordinator's office.
REPORTED_STATES = (StatusUpdate.State.SUBMITTED, StatusUpdate.State.APPROVED, StatusUpdate.State.RETURNED)


@dataclass(frozen=True)
class Figure:
    """A number of measures, and the measures list's filters that list exactly those measures."""

    count: int
    filters: tuple

    @property
    def url(self) -> str:
        return reverse("measure_list") + "?" + urlencode(self.filters)


def share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class PillarLine:
    value: str
    label: str
    measures: Figure
    areas: int
    agencies: int
    budget: list  # (currency, amount), by currency

    @property
    def covered(self) -> bool:
        return bool(self.measures.count)


@dataclass
class CriterionCell:
    key: str
    met: int
    total: int
    lacking: Figure

    @property
    def share(self) -> int | None:
        return share(self.met, self.total)

    @property
    def label(self):
        return CRITERIA_LABELS[self.key]


@dataclass
class AreaLine:
    area: Area | None  # None: the whole plan
    total: Figure
    cells: list  # CriterionCell, in CRITERIA_LABELS order


@dataclass
class Delivery:
    completed: Figure
    on_time: Figure
    late: Figure
    undated: Figure
    overdue: Figure
    revised: Figure
    revisions: int
    returned: Figure
    returned_updates: int
    returns: int


@dataclass
class Body:
    agency: Agency
    measures: Figure | None  # None when the agency is inactive: the list's menu offers active agencies only
    measure_count: int


@dataclass
class QualityReview:
    edition: Edition
    as_of: date
    pillars: list
    total: AreaLine
    areas: list
    delivery: Delivery
    silent_bodies: list  # Body, responsible for measures and never reported
    responsible_bodies: int
    recommendations: list  # Recommendation, with `answered` (bool)
    lacking: list = field(default_factory=list)  # Measure lacking a criterion, with `checks`; when listed

    @property
    def closed(self) -> bool:
        return self.edition.state == Edition.State.CLOSED

    @property
    def unanswered(self) -> list:
        return [r for r in self.recommendations if not r.answered]

    @property
    def answered_count(self) -> int:
        return sum(r.answered for r in self.recommendations)

    @property
    def budget_total(self) -> list:
        totals = {}
        for line in self.pillars:
            for currency, amount in line.budget:
                totals[currency] = totals.get(currency, Decimal(0)) + amount
        return sorted(totals.items())

    @property
    def criteria(self):
        return [(key, CRITERIA_LABELS[key], CRITERIA_EXPLAINED[key]) for key in CRITERIA_LABELS]

    def figures(self):
        """Every figure the review shows, for the test that opens each link."""
        yield from (line.measures for line in self.pillars)
        for line in [self.total, *self.areas]:
            yield line.total
            yield from (cell.lacking for cell in line.cells)
        d = self.delivery
        yield from (d.completed, d.on_time, d.late, d.undated, d.overdue, d.revised, d.returned)
        yield from (body.measures for body in self.silent_bodies if body.measures)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def quality_review(edition: Edition, *, today: date | None = None, list_lacking: bool = False) -> QualityReview:
    """The review of `edition` as it stands `today`: eight queries whatever its size (nine with the measures
    lacking each criterion listed, which the PDF prints)."""
    today = today or timezone.localdate()
    plan = (("edition", edition.pk),)
    measures = Measure.objects.filter(edition=edition).order_by()
    criteria = {key: condition() for key, condition in CRITERIA.items()}
    # Overdue while the plan runs; once it is closed, the same measures are "not completed by the plan's end",
    # each with the list filter that shows them.
    closed = edition.state == Edition.State.CLOSED
    late, late_filter = (
        (unfinished_condition, ("completed", "unfinished")) if closed else (overdue_condition, ("overdue", "true"))
    )

    # Query 1: the plan's areas, in its order.
    areas = list(Area.objects.filter(edition=edition).order_by("order", "code"))
    # Query 2: per area, the measures meeting each criterion and how their implementation went.
    counted = {
        row["area_id"]: row
        for row in measures.values("area_id").annotate(
            total=Count("pk"),
            **{f"met_{key}": Count("pk", filter=condition) for key, condition in criteria.items()},
            **{f"completed_{key}": Count("pk", filter=condition()) for key, condition in COMPLETION.items()},
            completed=Count("pk", filter=Q(status="completed")),
            overdue=Count("pk", filter=late(today)),
            revised=Count("pk", filter=revised_condition()),
            returned=Count("pk", filter=returned_condition()),
        )
    }
    # Query 3: the agencies taking part, per pillar; query 4: the budget planned, per pillar and currency.
    agencies_per_pillar = {
        row["measure__area__pillar"]: row["agencies"]
        for row in MeasureAgency.objects.filter(measure__edition=edition)
        .values("measure__area__pillar")
        .annotate(agencies=Count("agency_id", distinct=True))
        .order_by()
    }
    budget_per_pillar = {}
    for row in (
        BudgetLine.objects.filter(measure__edition=edition)
        .values("measure__area__pillar", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("currency")
    ):
        budget_per_pillar.setdefault(row["measure__area__pillar"], []).append((row["currency"], row["amount"]))

    pillar_totals = dict.fromkeys(Pillar.values, 0)
    pillar_areas = dict.fromkeys(Pillar.values, 0)
    total_row = {"total": 0, **{f"met_{key}": 0 for key in CRITERIA}}
    sums = dict.fromkeys(
        ("completed", "completed_on_time", "completed_late", "completed_undated", "overdue", "revised", "returned"), 0
    )
    area_lines = []
    for area in areas:
        row = counted.get(area.pk, {"total": 0, **{f"met_{key}": 0 for key in CRITERIA}})
        pillar_totals[area.pillar] += row["total"]
        pillar_areas[area.pillar] += 1
        for key in total_row:
            total_row[key] += row[key]
        for key in sums:
            sums[key] += row.get(key, 0)
        area_lines.append(_area_line(area, row, plan + (("area", area.pk),)))

    pillars = [
        PillarLine(
            value=value,
            label=label,
            measures=Figure(pillar_totals[value], plan + (("pillar", value),)),
            areas=pillar_areas[value],
            agencies=agencies_per_pillar.get(value, 0),
            budget=budget_per_pillar.get(value, []),
        )
        for value, label in Pillar.choices
    ]

    # Query 5: deadline revisions made; query 6: updates returned for changes, and how many times.
    revisions = DeadlineRevision.objects.filter(measure__edition=edition).count()
    returns = UpdateEvent.objects.filter(update__measure__edition=edition, kind=UpdateEvent.Kind.RETURNED).aggregate(
        returns=Count("pk"), updates=Count("update_id", distinct=True)
    )
    completed = sums["completed"]
    delivery = Delivery(
        completed=Figure(completed, plan + (("status", "completed"),)),
        on_time=Figure(sums["completed_on_time"], plan + (("completed", "on_time"),)),
        late=Figure(sums["completed_late"], plan + (("completed", "late"),)),
        undated=Figure(sums["completed_undated"], plan + (("completed", "undated"),)),
        overdue=Figure(sums["overdue"], plan + (late_filter,)),
        revised=Figure(sums["revised"], plan + (("revised", "true"),)),
        revisions=revisions,
        returned=Figure(sums["returned"], plan + (("returned", "yes"),)),
        returned_updates=returns["updates"],
        returns=returns["returns"],
    )

    # Query 7: the bodies responsible for measures of the plan, with how many, and whether they ever reported.
    bodies = (
        Agency.objects.filter(
            assignments__measure__edition=edition, assignments__part__in=MeasureAgency.RESPONSIBLE_PARTS
        )
        .annotate(
            responsible_for=Count("assignments__measure", distinct=True),
            reported=Exists(
                StatusUpdate.objects.filter(agency=OuterRef("pk"), measure__edition=edition, state__in=REPORTED_STATES)
            ),
        )
        .order_by("name_en", "code")
    )
    bodies = list(bodies)
    silent = [
        Body(
            agency=agency,
            measures=Figure(agency.responsible_for, plan + (("agency", agency.pk), ("part", "responsible")))
            if agency.active
            else None,
            measure_count=agency.responsible_for,
        )
        for agency in bodies
        if not agency.reported
    ]

    # Query 8: the recommendations the plan could have answered — those of its country's sources, made
    # before its last year ended — with whether one of its measures answers each.
    issued_year = Coalesce(
        ExtractYear("issued_on"), ExtractYear("source__published_on"), "source__year", output_field=IntegerField()
    )
    recommendations = list(
        Recommendation.objects.select_related("source")
        .annotate(
            issued_year=issued_year,
            answered=Exists(
                Measure.recommendations.through.objects.filter(
                    recommendation_id=OuterRef("pk"), measure__edition=edition
                )
            ),
        )
        .filter(source__country_id=edition.country_id)
        .filter(Q(issued_year__isnull=True) | Q(issued_year__lte=edition.end_year))
        .order_by("source__kind", F("source__year").desc(nulls_last=True), "source__reference", "sort_key")
    )

    review = QualityReview(
        edition=edition,
        as_of=today,
        pillars=pillars,
        total=_area_line(None, total_row, plan),
        areas=area_lines,
        delivery=delivery,
        silent_bodies=silent,
        responsible_bodies=len(bodies),
        recommendations=recommendations,
    )
    if list_lacking:
        review.lacking = _lacking(measures, criteria)
    return review


def _area_line(area, row, filters) -> AreaLine:
    total = row["total"]
    return AreaLine(
        area=area,
        total=Figure(total, filters),
        cells=[
            CriterionCell(
                key=key,
                met=row[f"met_{key}"],
                total=total,
                lacking=Figure(total - row[f"met_{key}"], filters + (("lacks", key),)),
            )
            for key in CRITERIA_LABELS
        ],
    )


def _lacking(measures, criteria: dict) -> list:
    """Query 9: the measures that lack at least one criterion, in the plan's order, each with `has_<criterion>`."""
    flags = {f"has_{key}": _flag(condition) for key, condition in criteria.items()}
    wanting = Q()
    for key in criteria:
        wanting |= Q(**{f"has_{key}": False})
    found = list(
        measures.annotate(**flags)
        .filter(wanting)
        .select_related("area")
        .only("pk", "number", "title_en", "title_az", "title_ru", "is_illustrative", "area__code")
        .order_by("area__order", "area__code", "sort_key", "pk")
    )
    for measure in found:
        measure.checks = [getattr(measure, f"has_{key}") for key in CRITERIA_LABELS]
    return found
