"""How well the plans answer one recommendation source (a GRETA report, a US TIP report, SDG 8.7…): each
recommendation with the measures answering it, and the recommendations nobody is really working on.

One function, `source_coverage`, serves the coverage page, its PDF and its XLSX, so the three say the
same. It reads in five queries whatever the number of recommendations, measures and updates: the
recommendations, the links to measures, the measures with their plan, their agencies, and their
approved updates. The status in force is the one the measure row keeps (the review service stores it by
the rule of `measures.assessments`); the text shown is that of the self-report the same rule picks.

A recommendation is flagged when no measure answers it, or when every measure answering it is overdue (or,
in a closed plan, was not completed by the plan's end), not started or not implemented: nothing is moving. Flagged recommendations come first.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from measures import assessments
from measures.models import Edition, Measure, MeasureAgency, Recommendation, RecommendationSource, Status, StatusUpdate


class Flag:
    """Where a recommendation stands, in the order the page and the reports list them."""

    UNANSWERED = "unanswered"
    STALLED = "stalled"
    ANSWERED = "answered"

    ORDER = (UNANSWERED, STALLED, ANSWERED)
    LABELS = {
        UNANSWERED: _("Not answered by any measure"),
        STALLED: _("Only overdue, not started or not implemented measures answer it"),
        ANSWERED: _("Answered by measures under way or completed"),
    }


# Statuses that say no work is under way on the measure, whatever its deadline.
NOT_MOVING = {Status.NOT_STARTED, Status.NOT_IMPLEMENTED}


@dataclass
class Answer:
    """One measure answering a recommendation, as the coverage shows it."""

    measure: Measure
    status: str
    progress: int
    overdue: bool
    responsible: list  # MeasureAgency rows of executing bodies and recommended institutions, lead first
    report: StatusUpdate | None  # the approved update whose status speaks for the measure (None: no approved report)
    # The report's restricted details, only when the reader may see them; "" otherwise.
    restricted_details: str = ""
    # In a closed plan: past its deadline and not completed by the plan's end (never also `overdue`).
    unfinished: bool = False

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def stalled(self) -> bool:
        """Nothing moves: overdue, not completed by its closed plan's end, not started or not implemented."""
        return self.overdue or self.unfinished or self.status in NOT_MOVING

    @property
    def consolidated(self) -> bool:
        return self.measure.is_consolidated

    @property
    def narrative(self) -> str:
        return self.report.narrative if self.report else ""


@dataclass
class CoverageRow:
    recommendation: Recommendation
    answers: list[Answer] = field(default_factory=list)

    @property
    def flag(self) -> str:
        if not self.answers:
            return Flag.UNANSWERED
        if all(answer.stalled for answer in self.answers):
            return Flag.STALLED
        return Flag.ANSWERED

    @property
    def flag_label(self):
        return Flag.LABELS[self.flag]

    @property
    def flagged(self) -> bool:
        return self.flag != Flag.ANSWERED


@dataclass
class SourceCoverage:
    source: RecommendationSource
    edition: Edition | None  # the plan whose measures count; None: every plan
    rows: list[CoverageRow]  # flagged first (not answered, then stalled), each group in the source's order
    today: date
    has_restricted: bool = False  # some restricted details are shown (only to those who may see them)

    def count(self, flag: str) -> int:
        return sum(1 for row in self.rows if row.flag == flag)

    @property
    def unanswered(self) -> int:
        return self.count(Flag.UNANSWERED)

    @property
    def stalled(self) -> int:
        return self.count(Flag.STALLED)

    @property
    def answered(self) -> int:
        return self.count(Flag.ANSWERED)

    @property
    def flagged_rows(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.flagged]

    @property
    def answered_rows(self) -> list[CoverageRow]:
        return [row for row in self.rows if not row.flagged]

    @property
    def counts(self) -> list[tuple[str, object, int]]:
        """(flag, label, number of recommendations) in the listing's order."""
        return [(flag, Flag.LABELS[flag], self.count(flag)) for flag in Flag.ORDER]


def _never(update) -> bool:
    return False


def source_coverage(
    source: RecommendationSource,
    *,
    edition: Edition | None = None,
    today: date | None = None,
    show_restricted: Callable[[StatusUpdate], bool] = _never,
) -> SourceCoverage:
    """The coverage of `source`'s recommendations by the measures of `edition` (every plan when None).

    `show_restricted(update)` says whether the reader may see an update's restricted details: the page
    asks `permissions.may_see_restricted` for its reader, a report `may_see_restricted_in_reports` for
    whoever asked for it. By default nobody does. Five queries."""
    today = today or date.today()
    # Query 1: the recommendations, in the source's order.
    recommendations = list(Recommendation.objects.filter(source=source).order_by("sort_key", "pk"))
    # Query 2: which measure answers which recommendation.
    # Only the measures of the source's own country answer it, whatever links a mistake left.
    links = Measure.recommendations.through.objects.filter(
        recommendation__source=source, measure__edition__country_id=source.country_id
    )
    if edition is not None:
        links = links.filter(measure__edition=edition)
    answering = defaultdict(list)
    measure_ids = set()
    for recommendation_id, measure_id in links.values_list("recommendation_id", "measure_id"):
        answering[recommendation_id].append(measure_id)
        measure_ids.add(measure_id)
    # Queries 3–5: the measures with their plan, their agencies and their approved updates.
    measures = {}
    if measure_ids:
        measures = (
            Measure.objects.filter(pk__in=measure_ids)
            .select_related("edition")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=MeasureAgency.objects.select_related("agency").order_by(
                        "-is_lead", "part", "agency__name_en"
                    ),
                ),
                Prefetch(
                    "updates",
                    queryset=StatusUpdate.objects.filter(state=StatusUpdate.State.APPROVED).select_related(
                        "period", "agency"
                    ),
                    to_attr="approved_updates",
                ),
            )
            .in_bulk()
        )
    answers = {pk: _answer(measure, today=today, show_restricted=show_restricted) for pk, measure in measures.items()}
    rows = []
    for recommendation in recommendations:
        mine = [answers[pk] for pk in answering.get(recommendation.pk, ()) if pk in answers]
        mine.sort(key=lambda a: (a.measure.edition.start_year, a.measure.edition.code, a.measure.sort_key))
        rows.append(CoverageRow(recommendation=recommendation, answers=mine))
    # Flagged first; Python's sort keeps the source's order within each group.
    rows.sort(key=lambda row: Flag.ORDER.index(row.flag))
    return SourceCoverage(
        source=source,
        edition=edition,
        rows=rows,
        today=today,
        has_restricted=any(a.restricted_details for row in rows for a in row.answers),
    )


def _answer(measure: Measure, *, today: date, show_restricted) -> Answer:
    assignments = list(measure.assignments.all())
    report = assessments.self_report(measure.approved_updates, assignments)
    restricted = report.restricted_details if report is not None and show_restricted(report) else ""
    if report is not None:
        # Not even a template reaching through `report` finds what the reader may not see.
        report.restricted_details = restricted
    return Answer(
        measure=measure,
        status=measure.status,
        progress=measure.progress,
        overdue=measure.is_overdue(today),
        unfinished=measure.is_unfinished(today),
        responsible=[a for a in assignments if a.part in MeasureAgency.RESPONSIBLE_PARTS],
        report=report,
        restricted_details=restricted,
    )
