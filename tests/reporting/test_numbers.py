"""The one module that computes the numbers: right figures, fixed query count."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import services
from measures.models import Evidence, Status
from reporting.numbers import Scope, report_numbers
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


def test_edition_numbers_count_measures_by_status_and_overdue(plan):
    numbers = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    totals = numbers.totals
    assert totals.total == 5
    assert dict(totals.counts) == {"completed": 1, "in_progress": 1, "not_started": 2, "delayed": 1}
    assert totals.share(Status.COMPLETED) == 20
    assert totals.average_progress == round((100 + 40 + 0 + 20 + 0) / 5)
    # Due by 1 March 2023: 4.1.1 (completed) and 4.1.2 (not): one of two done, one overdue.
    assert (numbers.due, numbers.completed_of_due, totals.overdue) == (2, 1, 1)
    assert [row.measure.number for row in numbers.overdue_rows] == ["4.1.2"]
    assert [(s.code, s.counts.total) for s in numbers.sections] == [("4.1", 3), ("4.2", 2)]
    assert [(value, counts.total) for value, _label, counts in numbers.by_pillar] == [
        ("prevention", 3),
        ("protection", 2),
    ]
    by_agency = {line.agency.code: (line.counts.total, line.leads) for line in numbers.by_agency}
    assert by_agency == {"MLSPP": (2, 2), "MOJ": (3, 3), "CLEAN-WORLD": (1, 0)}


def test_narrative_is_the_latest_approved_update_never_a_draft(plan):
    numbers = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    rows = {row.measure.number: row for row in numbers.rows}
    assert rows["4.1.1"].narrative == "Law adopted by the Milli Məclis."
    assert rows["4.1.1"].narrative_period == "2022 H2"
    assert rows["4.2.2"].narrative == "" and rows["4.2.2"].status == Status.NOT_STARTED


def test_series_carries_each_measure_forward_across_periods(plan):
    numbers = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    assert [(p.label, p.average_progress, p.completed, p.reported) for p in numbers.series] == [
        ("2021 H2", 10, 0, 1),  # 4.1.1 at 50% of five measures
        ("2022 H2", 32, 1, 3),
    ]


def test_a_past_period_shows_the_state_then(plan):
    scope = Scope(kind="edition", edition=plan.edition, period=plan.periods["2021 H2"])
    numbers = report_numbers(scope, today=TODAY)
    rows = {row.measure.number: row for row in numbers.rows}
    assert (rows["4.1.1"].status, rows["4.1.1"].progress) == (Status.IN_PROGRESS, 50)
    assert rows["4.1.1"].narrative == "Draft law sent to the Cabinet."
    assert numbers.as_of == date(2021, 12, 31) and numbers.totals.overdue == 0


def test_agency_scope_holds_only_that_agencys_measures(plan):
    numbers = report_numbers(Scope(kind="agency", edition=plan.edition, agency=plan.agencies["MLSPP"]), today=TODAY)
    assert [row.measure.number for row in numbers.rows] == ["4.1.1", "4.1.2"]
    assert [line.agency.code for line in numbers.by_agency] == ["MLSPP"]
    ngo = report_numbers(Scope(kind="agency", edition=plan.edition, agency=plan.agencies["CLEAN-WORLD"]), today=TODAY)
    assert [row.measure.number for row in ngo.rows] == ["4.2.1"]


def test_overdue_and_area_scopes(plan):
    overdue = report_numbers(Scope(kind="overdue", edition=plan.edition), today=TODAY)
    assert [row.measure.number for row in overdue.rows] == ["4.1.2"]
    area = report_numbers(Scope(kind="area", edition=plan.edition, area=plan.areas["4.2"]), today=TODAY)
    assert [row.measure.number for row in area.rows] == ["4.2.1", "4.2.2"]


def test_an_area_report_asks_the_database_only_for_its_own_measures_updates(plan):
    """A report of one area of a plan of thousands of measures must not load the whole plan's updates."""
    scope = Scope(kind="area", edition=plan.edition, area=plan.areas["4.2"], period=plan.periods["2022 H2"])
    with CaptureQueriesContext(connection) as queries:
        numbers = report_numbers(scope, today=TODAY)
    assert [row.measure.number for row in numbers.rows] == ["4.2.1", "4.2.2"]
    for table in ("measures_statusupdate", "measures_deadlinerevision"):
        sql = next(q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])
        assert f'"area_id" = {plan.areas["4.2"].pk}' in sql, sql


def test_annual_summary_groups_by_pillar_at_the_end_of_the_year(plan):
    numbers = report_numbers(Scope(kind="annual", edition=plan.edition, period=plan.periods["2022 H2"]), today=TODAY)
    assert numbers.as_of == date(2022, 12, 31)
    assert [str(s.title) for s in numbers.sections] == ["Prevention", "Protection"]


def test_carried_over_measures_compare_both_plans(plan):
    earlier_area = AreaFactory(
        edition=EditionFactory(code="NAP-2014-2018", start_year=2014, end_year=2018, state="closed")
    )
    earlier = MeasureFactory(area=earlier_area, number="4.2", status=Status.DELAYED, progress=30)
    later = plan.measures["4.2.1"]
    later.continues = earlier
    later.save()
    numbers = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    assert [(p.earlier.number, p.later.measure.number) for p in numbers.carried] == [("4.2", "4.2.1")]
    comparison = {value: (before, now) for value, _label, before, now in numbers.carried_comparison}
    assert comparison["delayed"] == (1, 1)
    assert numbers.earlier_edition_codes == ["NAP-2014-2018"]


def _revise(plan, number, new_deadline, on, reason="The Cabinet asked for more time."):
    from measures.models import DeadlineRevision, Measure

    measure = Measure.objects.get(pk=plan.measures[number].pk)
    DeadlineRevision.objects.create(
        measure=measure,
        old_deadline=measure.deadline,
        new_deadline=new_deadline,
        reason=reason,
        revised_by=UserFactory(username="reviser", role="coordinator", agency=None),
        revised_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
    )
    Measure.objects.filter(pk=measure.pk).update(deadline=new_deadline)


def test_revised_deadlines_are_counted_per_area_and_overdue_follows_them(plan):
    # 4.1.2 (deadline 30 June 2022, 40%) was overdue on 1 March 2023; revised twice, to 31 December 2023, it is not.
    _revise(plan, "4.1.2", date(2023, 6, 30), on=date(2022, 5, 10))
    _revise(plan, "4.1.2", date(2023, 12, 31), on=date(2023, 2, 1))
    _revise(plan, "4.2.1", date(2025, 6, 30), on=date(2023, 2, 15))
    numbers = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    rows = {row.measure.number: row for row in numbers.rows}
    assert (rows["4.1.2"].deadline, rows["4.1.2"].original_deadline) == (date(2023, 12, 31), date(2022, 6, 30))
    assert len(rows["4.1.2"].revisions) == 2 and not rows["4.1.2"].overdue
    assert numbers.totals.overdue == 0 and (numbers.due, numbers.completed_of_due) == (1, 1)
    assert [(s.code, s.counts.revised, s.counts.revisions) for s in numbers.sections] == [("4.1", 1, 2), ("4.2", 1, 1)]
    assert (numbers.totals.revised, numbers.totals.revisions) == (2, 3)
    assert [row.measure.number for row in numbers.revised_rows] == ["4.1.2", "4.2.1"]


def test_a_report_that_looks_back_judges_by_the_deadline_in_force_then(plan):
    # Revised only in February 2023: at the end of 2022 H2, 4.1.2 was past its deadline of 30 June 2022.
    _revise(plan, "4.1.2", date(2023, 12, 31), on=date(2023, 2, 1))
    scope = Scope(kind="edition", edition=plan.edition, period=plan.periods["2022 H2"])
    numbers = report_numbers(scope, today=TODAY)
    row = next(row for row in numbers.rows if row.measure.number == "4.1.2")
    assert row.deadline == date(2022, 6, 30) and row.overdue and row.revisions == []
    assert numbers.totals.revised == 0
    # Today the revision counts.
    now = report_numbers(Scope(kind="edition", edition=plan.edition), today=TODAY)
    assert not next(row for row in now.rows if row.measure.number == "4.1.2").overdue


def numbers_queries(edition, *, include_restricted=False):
    with CaptureQueriesContext(connection) as queries:
        numbers = report_numbers(
            Scope(kind="edition", edition=edition), today=TODAY, include_restricted=include_restricted
        )
        # Reading everything a template reads must not cost more queries.
        for row in numbers.rows:
            str(row.measure.title), str(row.measure.area.title), [str(a.agency.name) for a in row.assignments]
            assert row.measure.continues is None
            assert row.narrative_agency is not None and str(row.narrative_agency.name)
            assert row.assessment is not None and str(row.assessment.agency.name)
            assert row.files == ["open.pdf"]
            assert row.restricted_files == (["case.pdf"] if include_restricted else [])
            assert row.restricted_details == ("Case 12/34" if include_restricted else "")
    return len(queries)


def _plan_with_updates(code, size):
    """`size` measures, each with its lead's approved update (one open and one restricted file) and an NGO
    partner's approved assessment; in a plan of more than three, each deadline revised twice."""
    area = AreaFactory(edition=EditionFactory(code=code))
    # A period already under way on TODAY, so that the progress across periods is counted.
    period = ReportingPeriodFactory(edition=area.edition, label="2022 H2")
    lead = AgencyFactory(code=f"{code}-LEAD")
    ngo = AgencyFactory(code=f"{code}-NGO", kind="ngo")
    # The bigger plan's deadlines were each revised twice.
    reviser = UserFactory(username=f"{code}-reviser", role="coordinator", agency=None) if size > 3 else None
    for measure in MeasureFactory.create_batch(size, area=area):
        MeasureAgencyFactory(measure=measure, agency=lead, is_lead=True)
        MeasureAgencyFactory(measure=measure, agency=ngo, part="partner")
        report = StatusUpdateFactory(
            measure=measure, agency=lead, period=period, state="approved", restricted_details="Case 12/34"
        )
        for name, restricted in [("open.pdf", False), ("case.pdf", True)]:
            Evidence.objects.create(
                update=report,
                file=f"evidence/{name}",
                original_name=name,
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                restricted=restricted,
                uploaded_by=report.author,
            )
        StatusUpdateFactory(measure=measure, agency=ngo, period=period, state="approved", status="delayed")
        if size > 3:
            for day in (1, 2):
                services.measure_revise_deadline(
                    measure_id=measure.pk, user=reviser, new_deadline=date(2024, 6, day), reason="Later."
                )
    return area.edition


@pytest.mark.parametrize("include_restricted", [False, True])
def test_numbers_cost_six_queries_for_3_or_300_measures(db, include_restricted):
    small = _plan_with_updates("NAP-SMALL", 3)
    big = _plan_with_updates("NAP-BIG", 300)
    # periods, measures (with area and continued measure), their agencies, approved updates (with their
    # agency, period and reviewer), the deadline revisions, the files of the quoted updates, and the
    # progress across periods (counted by the database since the dashboard's numbers moved there)
    assert (
        numbers_queries(small, include_restricted=include_restricted)
        == numbers_queries(big, include_restricted=include_restricted)
        == 7
    )


@pytest.mark.django_db
def test_a_report_for_a_running_period_judges_deadlines_as_of_today(demo):
    from datetime import date

    from measures.models import Edition, ReportingPeriod
    from reporting.numbers import Scope, report_numbers

    edition = Edition.objects.get(code="NAP-2020-2024")
    running = ReportingPeriod.objects.get(edition=edition, label="2024 H2")
    numbers = report_numbers(Scope(kind="edition", edition=edition, period=running), today=date(2024, 8, 1))
    late = [row.measure.number for row in numbers.overdue_rows if row.measure.deadline >= date(2024, 8, 1)]
    assert late == [], "measures whose deadline has not come yet are not overdue"


@pytest.mark.django_db
def test_the_annual_summary_covers_the_last_year_that_has_ended(demo):
    from datetime import date

    from measures.models import Edition
    from reporting.numbers import Scope, report_numbers

    edition = Edition.objects.get(code="NAP-2020-2024")
    numbers = report_numbers(Scope(kind="annual", edition=edition), today=date(2021, 8, 1))
    assert all(row.measure.deadline < date(2021, 8, 1) for row in numbers.overdue_rows)
    assert numbers.as_of <= date(2021, 8, 1)
