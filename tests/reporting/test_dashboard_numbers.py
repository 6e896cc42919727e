"""The dashboard's numbers, counted by the database, are the numbers a report "as of now" prints; the
progress across periods follows the rule of measures.assessments; the cache follows the plan."""

import random
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import assessments, services
from measures.models import Edition, Measure, ReportingPeriod, Status, StatusUpdate
from reporting.numbers import LISTED, Scope, dashboard_numbers, report_numbers
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.reporting.conftest import TODAY

pytestmark = pytest.mark.django_db


def _counts(counts):
    return (dict(counts.counts), counts.progress_sum, counts.overdue, counts.revised, counts.revisions)


def assert_same_numbers(edition, today):
    board = dashboard_numbers(edition, today=today)
    report = report_numbers(Scope(kind="edition", edition=edition), today=today)
    assert _counts(board.totals) == _counts(report.totals)
    assert (board.due, board.completed_of_due) == (report.due, report.completed_of_due)
    assert (board.assessed, board.disagreements) == (report.assessed, report.disagreements)
    assert [(s.code, str(s.title), _counts(s.counts)) for s in board.sections] == [
        (s.code, str(s.title), _counts(s.counts)) for s in report.sections
    ]
    assert [(v, _counts(c)) for v, _l, c in board.by_pillar] == [(v, _counts(c)) for v, _l, c in report.by_pillar]
    # A report counts revisions per agency too; the dashboard's agency table shows neither.
    assert [(line.agency.pk, _counts(line.counts)[:3], line.leads) for line in board.by_agency] == [
        (line.agency.pk, _counts(line.counts)[:3], line.leads) for line in report.by_agency
    ]
    assert board.series == report.series
    assert board.carried_comparison == report.carried_comparison
    assert board.carried == len(report.carried)
    assert board.earlier_edition_codes == report.earlier_edition_codes
    assert [row.measure.pk for row in board.overdue_rows] == [row.measure.pk for row in report.overdue_rows][:LISTED]
    disagreeing = [row for row in report.rows if row.disagrees][:LISTED]
    assert [(row.measure.pk, row.assessment.agency.pk, row.assessment.status) for row in board.disagreement_rows] == [
        (row.measure.pk, row.assessment.agency.pk, row.assessment.status) for row in disagreeing
    ]
    return board


def test_dashboard_counts_what_the_report_prints_on_the_small_plan(plan):
    board = assert_same_numbers(plan.edition, TODAY)
    assert board.totals.total == 5 and board.totals.overdue == 1


def test_dashboard_counts_what_the_report_prints_on_the_demo_plans(demo):
    boards = [assert_same_numbers(edition, timezone.localdate()) for edition in Edition.objects.all()]
    assert any(board.carried for board in boards) and any(board.assessed for board in boards)


def test_dashboard_counts_what_the_report_prints_with_many_disagreements_and_overdue(db):
    """More disagreeing assessments and overdue measures than the dashboard names: it names the first ones."""
    area = AreaFactory(edition=EditionFactory(code="NAP-MANY"))
    period = ReportingPeriodFactory(edition=area.edition, label="2021 H2")
    lead, ngo = AgencyFactory(code="MANY-LEAD"), AgencyFactory(code="MANY-NGO", kind="ngo")
    for n in range(LISTED + 3):
        measure = MeasureFactory(area=area, number=f"1.{n + 1}", deadline=date(2022, 1, 1))
        MeasureAgencyFactory(measure=measure, agency=lead, is_lead=True)
        MeasureAgencyFactory(measure=measure, agency=ngo, part="partner")
        StatusUpdateFactory(
            measure=measure, agency=ngo, period=period, state="approved", status="completed", progress=100
        )
    board = assert_same_numbers(area.edition, TODAY)
    assert (board.disagreements, len(board.disagreement_rows), board.totals.overdue) == (LISTED + 3, LISTED, LISTED + 3)


def _reference_series(edition, as_of):
    """The rule of measures.assessments, applied measure by measure in Python — what the database must
    count."""
    periods = [p for p in ReportingPeriod.objects.filter(edition=edition).order_by("start") if p.start <= as_of]
    measures = list(Measure.objects.filter(edition=edition).prefetch_related("assignments"))
    updates = list(
        StatusUpdate.objects.filter(measure__edition=edition, state="approved").select_related("period").order_by("pk")
    )
    points = []
    for period in periods:
        moment = min(period.end, as_of)
        known = []
        for measure in measures:
            if measure.consolidated_status and timezone.localdate(measure.consolidated_at) <= moment:
                known.append((measure.consolidated_status, measure.consolidated_progress))
                continue
            seen = [u for u in updates if u.measure_id == measure.pk and u.period.start <= period.start]
            report = assessments.self_report(seen, measure.assignments.all())
            if report is not None:
                known.append((report.status, report.progress))
        total = len(measures)
        points.append(
            (
                period.label,
                round(sum(p for _s, p in known) / total) if total else 0,
                sum(1 for s, _p in known if s == Status.COMPLETED),
                len(known),
            )
        )
    return points


def test_progress_across_periods_follows_the_lead_then_the_other_responsible_bodies_then_consolidation(db):
    rng = random.Random(13)
    edition = EditionFactory(code="NAP-SERIES")
    area = AreaFactory(edition=edition)
    periods = [ReportingPeriodFactory(edition=edition, label=f"{year} H2") for year in range(2019, 2024)]
    lead, other, partner = (
        AgencyFactory(code="S-LEAD"),
        AgencyFactory(code="S-OTHER"),
        AgencyFactory(code="S-NGO", kind="ngo"),
    )
    coordinator = UserFactory(username="series-coordinator", role="coordinator", agency=None)
    for n in range(40):
        measure = MeasureFactory(area=area, number=f"9.{n + 1}")
        MeasureAgencyFactory(measure=measure, agency=lead, is_lead=n % 4 != 0)
        MeasureAgencyFactory(measure=measure, agency=other, part="recommended")
        MeasureAgencyFactory(measure=measure, agency=partner, part="partner")
        for period in rng.sample(periods, rng.randint(0, 4)):
            for agency in rng.sample([lead, other, partner], rng.randint(1, 3)):
                status = rng.choice(Status.values)
                StatusUpdateFactory(
                    measure=measure,
                    agency=agency,
                    period=period,
                    state=rng.choice(["approved", "approved", "submitted"]),
                    status=status,
                    progress=100 if status == Status.COMPLETED else rng.randint(0, 99),
                    reviewed_at=rng.choice([None, datetime(2023, 1, rng.randint(1, 28), tzinfo=UTC)]),
                )
        if n % 5 == 0:
            services.measure_set_consolidated_status(
                measure_id=measure.pk, user=coordinator, status=Status.DELAYED, progress=30, note="Checked."
            )
            moment = datetime(rng.choice([2019, 2021, 2022, 2030]), 8, 1, tzinfo=UTC)
            Measure.objects.filter(pk=measure.pk).update(consolidated_at=moment)
    for as_of in (date(2021, 9, 1), TODAY, date(2031, 1, 1)):
        expected = _reference_series(edition, as_of)
        board = dashboard_numbers(edition, today=as_of)
        assert [(p.label, p.average_progress, p.completed, p.reported) for p in board.series] == expected
    # The report of a past period counts the same.
    past = report_numbers(Scope(kind="edition", edition=edition, period=periods[2]), today=TODAY)
    expected = _reference_series(edition, periods[2].end)
    assert [(p.label, p.average_progress, p.completed, p.reported) for p in past.series] == expected


def test_approving_an_update_changes_the_dashboard_at_once(client, people, plan):
    client.force_login(people["partner"])
    url = reverse("reporting:dashboard")
    before = client.get(url).context["numbers"]
    assert before.totals.completed == 1
    measure = plan.measures["4.2.2"]
    update = StatusUpdateFactory(
        measure=measure,
        agency=measure.assignments.get(is_lead=True).agency,
        period=ReportingPeriodFactory(edition=plan.edition, label="2023 H2"),
        status=Status.COMPLETED,
        progress=100,
        state=StatusUpdate.State.SUBMITTED,
    )
    # Seen from the cache while nothing changed.
    assert client.get(url).context["numbers"].totals.completed == 1
    services.update_approve(update_id=update.pk, reviewer=people["coordinator"])
    after = client.get(url).context["numbers"]
    assert after.totals.completed == 2


def test_the_dashboard_lists_the_first_overdue_measures_and_links_to_all(client, people, db):
    area = AreaFactory(edition=EditionFactory(code="NAP-LATE", state="active"))
    for n in range(LISTED + 2):
        MeasureFactory(area=area, number=f"2.{n + 1:02d}", deadline=date(2020, 1, 1), title_en=f"Late measure {n + 1}")
    client.force_login(people["partner"])
    page = client.get(reverse("reporting:dashboard"), {"edition": "NAP-LATE"}).content.decode()
    assert page.count("Late measure") == LISTED
    assert f"?edition={area.edition.pk}&amp;overdue=true" in page
    assert f"See all {LISTED + 2} overdue measures in the measures list" in page


def test_the_dashboard_and_approvals_work_while_the_cache_is_away(client, people, plan, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client.force_login(people["partner"])
    measure = plan.measures["4.2.2"]
    update = StatusUpdateFactory(
        measure=measure,
        agency=measure.assignments.get(is_lead=True).agency,
        period=ReportingPeriodFactory(edition=plan.edition, label="2023 H2"),
        status=Status.COMPLETED,
        progress=100,
        state=StatusUpdate.State.SUBMITTED,
    )
    services.update_approve(update_id=update.pk, reviewer=people["coordinator"])
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    assert response.context["numbers"].totals.completed == 2
