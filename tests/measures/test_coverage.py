"""A recommendation source's coverage by the plans: the flags, their order, the counts, restricted details
on the page, and the page's fixed number of queries."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.coverage import Flag, source_coverage
from measures.models import Measure, MeasureAgency, Recommendation, RecommendationSource, StatusUpdate
from tests.factories import AreaFactory, EditionFactory, MeasureFactory, ReportingPeriodFactory, StatusUpdateFactory

pytestmark = pytest.mark.django_db

PAST, FUTURE = date(2020, 12, 31), date(2099, 12, 31)
SECRET = "Case 2022/144-1/031 names the victim"


def measure(edition, number, *, status, progress, deadline, agency=None, recommendations=(), narrative=None):
    m = MeasureFactory(area=edition.test_area, number=number, deadline=deadline, title_en=f"Measure {number}")
    Measure.objects.filter(pk=m.pk).update(status=status, progress=progress)
    m.refresh_from_db()
    m.recommendations.set(recommendations)
    if agency is not None:
        MeasureAgency.objects.create(measure=m, agency=agency, part="executing", is_lead=True)
        if narrative:
            StatusUpdateFactory(
                measure=m,
                agency=agency,
                period=edition.test_period,
                status=status,
                progress=progress,
                narrative=narrative,
                restricted_details=SECRET,
                state=StatusUpdate.State.APPROVED,
                reviewed_at=datetime(2022, 1, 20, tzinfo=UTC),
            )
    return m


@pytest.fixture
def greta(people, agency):
    """GRETA(2018)17: §10 no measure; §20 only an overdue measure; §30 only a not-started one; §40 one
    measure under way (with a restricted detail in its approved report) beside an overdue one; §50 a
    completed measure. The illustrative mark is on the source and on §10."""
    edition = EditionFactory(code="NAP-2020-2024", title_en="Plan 2020–2024")
    edition.test_area = AreaFactory(edition=edition, code="4.1")
    edition.test_period = ReportingPeriodFactory(edition=edition, label="2021 H2")
    source = RecommendationSource.objects.create(
        country=edition.country,
        kind="greta",
        reference="GRETA(2018)17",
        year=2018,
        evaluation_round=2,
        is_illustrative=True,
    )
    recs = {
        number: Recommendation.objects.create(
            source=source, number=number, text_en=f"Recommendation {number} text.", is_illustrative=number == "§10"
        )
        for number in ["§10", "§20", "§30", "§40", "§50"]
    }
    measure(edition, "4.1.1", status="in_progress", progress=40, deadline=PAST, recommendations=[recs["§20"]])
    measure(edition, "4.1.2", status="not_started", progress=0, deadline=FUTURE, recommendations=[recs["§30"]])
    measure(
        edition,
        "4.1.3",
        status="in_progress",
        progress=60,
        deadline=FUTURE,
        agency=agency,
        recommendations=[recs["§40"]],
        narrative="Trained 40 labour inspectors in Ganja.",
    )
    measure(edition, "4.1.4", status="delayed", progress=10, deadline=PAST, recommendations=[recs["§40"]])
    measure(edition, "4.1.5", status="completed", progress=100, deadline=PAST, recommendations=[recs["§50"]])
    return source


def test_recommendations_without_real_work_come_first_with_their_flags(greta):
    result = source_coverage(greta, today=date(2023, 3, 1))
    assert [(row.recommendation.number, row.flag) for row in result.rows] == [
        ("§10", Flag.UNANSWERED),
        ("§20", Flag.STALLED),
        ("§30", Flag.STALLED),
        ("§40", Flag.ANSWERED),
        ("§50", Flag.ANSWERED),
    ]
    assert (result.unanswered, result.stalled, result.answered) == (1, 2, 2)
    row = result.rows[3]
    assert [(a.measure.number, a.overdue) for a in row.answers] == [("4.1.3", False), ("4.1.4", True)]
    assert row.answers[0].narrative == "Trained 40 labour inspectors in Ganja."


def test_a_not_started_measure_whose_deadline_is_far_still_leaves_the_recommendation_flagged(greta):
    row = next(r for r in source_coverage(greta, today=date(2023, 3, 1)).rows if r.recommendation.number == "§30")
    assert row.answers[0].overdue is False and row.flag == Flag.STALLED


def test_once_the_measure_moves_the_flag_goes(greta):
    Measure.objects.filter(number="4.1.2").update(status="in_progress", progress=10)
    row = next(r for r in source_coverage(greta, today=date(2023, 3, 1)).rows if r.recommendation.number == "§30")
    assert row.flag == Flag.ANSWERED


def test_a_plan_filter_counts_only_that_plans_measures(greta):
    other = EditionFactory(code="NAP-2014-2018")
    result = source_coverage(greta, edition=other, today=date(2023, 3, 1))
    assert result.unanswered == 5 and all(not row.answers for row in result.rows)


def test_restricted_details_stay_out_unless_the_reader_may_see_them(greta):
    hidden = source_coverage(greta, today=date(2023, 3, 1))
    answer = next(r for r in hidden.rows if r.recommendation.number == "§40").answers[0]
    assert answer.restricted_details == "" and answer.report.restricted_details == ""
    assert not hidden.has_restricted
    shown = source_coverage(greta, today=date(2023, 3, 1), show_restricted=lambda update: True)
    assert next(r for r in shown.rows if r.recommendation.number == "§40").answers[0].restricted_details == SECRET
    assert shown.has_restricted


# --- The page ------------------------------------------------------------------------------------


def page(client, user, source, query=""):
    client.force_login(user)
    response = client.get(reverse("recommendation_coverage", args=[source.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_lists_flagged_recommendations_first_with_counts_and_clear_words(client, people, greta):
    html = page(client, people["partner"], greta)
    assert "Not answered by any measure" in html
    assert "Only overdue, not started or not implemented measures answer it" in html
    assert html.index("§10") < html.index("§20") < html.index("§30") < html.index("§40") < html.index("§50")
    assert "Needing attention" in html and html.index("Needing attention") < html.index("§10")
    assert "Trained 40 labour inspectors in Ganja." in html
    assert html.count("Illustrative") >= 2  # the source and §10
    assert "Prepare as PDF / XLSX" in html


def test_a_report_written_in_another_language_is_quoted_as_written_and_marked(client, people, greta):
    StatusUpdate.objects.filter(narrative="Trained 40 labour inspectors in Ganja.").update(language="az")
    html = page(client, people["partner"], greta)
    assert "Written in Azerbaijani" in html
    assert '<div lang="az"><p>Trained 40 labour inspectors in Ganja.</p></div>' in html
    StatusUpdate.objects.filter(narrative="Trained 40 labour inspectors in Ganja.").update(language="en")
    assert "Written in" not in page(client, people["partner"], greta)


@pytest.mark.parametrize(
    "role, sees", [("coordinator", True), ("focal_point", True), ("partner", False), ("ngo", False)]
)
def test_restricted_details_on_the_page_only_for_those_who_may_see_them(client, people, greta, role, sees):
    assert (SECRET in page(client, people[role], greta)) is sees


def test_an_unknown_plan_code_counts_every_plan_and_says_so(client, people, greta):
    html = page(client, people["partner"], greta, "?edition=%3Cscript%3E")
    assert "There is no action plan with that code" in html and "Trained 40 labour inspectors" in html


def test_an_unknown_source_is_not_found(client, people):
    client.force_login(people["partner"])
    assert client.get(reverse("recommendation_coverage", args=[999999])).status_code == 404


def test_the_index_links_each_source_to_its_coverage(client, people, greta):
    client.force_login(people["partner"])
    html = client.get(reverse("recommendation_list")).content.decode()
    assert reverse("recommendation_coverage", args=[greta.pk]) in html


def count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_for_five_recommendations_as_for_sixty(client, people, agency, greta):
    url = reverse("recommendation_coverage", args=[greta.pk])
    small = count(client, people["coordinator"], url)
    edition = EditionFactory(code="NAP-2020-2024")
    edition.test_area = AreaFactory(edition=edition, code="4.9")
    edition.test_period = ReportingPeriodFactory(edition=edition, label="2022 H2")
    for n in range(55):
        rec = Recommendation.objects.create(source=greta, number=f"§{100 + n}", text_en=f"More {n}.")
        measure(
            edition,
            f"4.9.{n + 1}",
            status="in_progress",
            progress=n,
            deadline=FUTURE,
            agency=agency,
            recommendations=[rec, *Recommendation.objects.filter(number="§40")],
            narrative=f"Work {n}.",
        )
    assert count(client, people["coordinator"], url) == small
    # session, user, second factor, the source, the plans (filter), the recommendations, their links to
    # measures, the measures with their plan, their agencies, their approved updates, unread notifications
    assert small == 11
