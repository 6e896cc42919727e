"""The plan's quality review: its numbers against counts made here another way, its links against the
measures list, its query count, who may see it, and its PDF."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.models import (
    BudgetLine,
    DeadlineRevision,
    Indicator,
    Measure,
    MeasureAgency,
    Recommendation,
    RecommendationSource,
    Status,
    StatusUpdate,
    UpdateEvent,
)
from reporting import tasks
from reporting.models import Report
from reporting.quality import quality_review
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
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db

RESPONSIBLE = ("executing", "recommended")


class Built:
    """A plan with one measure for each case the review tells apart:

    4.1.1 MLSPP lead; deadline 2022-12-31; indicator with baseline and target; 1,000 AZN; completed for 2022 H2
          (a period that began before the deadline) → on time.
    4.1.2 MOJ; deadline 2021-12-31; an indicator with a baseline only; financing named in words; completed for
          2022 H2 (began after the deadline) → late, though its NGO partner reported it completed for 2021 H2.
    4.2.1 no agency, no deadline, completed by the coordinator's office → completed with no deadline.
    4.2.2 an NGO partner only; deadline 2022-06-30, revised once; not completed → overdue; 500 USD; an update
          returned twice.
    4.2.3 a court as recommended institution; deadline 2099; indicator in words; 200 AZN and 100 USD.
    4.5.1 SILENT (never sent an update: a draft only); deadline 2020-12-31; in progress → overdue.
    """

    def __init__(self, *, state="active", code="NAP-QUALITY", extra=0):
        self.edition = EditionFactory(code=code, state=state, end_year=2024)
        self.prevention = AreaFactory(edition=self.edition, code="4.1", order=1, pillar="prevention")
        self.protection = AreaFactory(edition=self.edition, code="4.2", order=2, pillar="protection")
        self.coordination = AreaFactory(edition=self.edition, code="4.5", order=5, pillar="coordination")
        self.p2021 = ReportingPeriodFactory(edition=self.edition, label="2021 H2")
        self.p2022 = ReportingPeriodFactory(edition=self.edition, label="2022 H2")
        self.mlspp = AgencyFactory(code="MLSPP")
        self.moj = AgencyFactory(code="MOJ")
        self.court = AgencyFactory(code="COURT", kind="court")
        self.ngo = AgencyFactory(code="CLEAN-WORLD", kind="ngo")
        self.silent = AgencyFactory(code="SILENT")
        self.coordinator = UserFactory(username="q-coordinator", role="coordinator", agency=None)
        self.m = {}

        def measure(area, number, **fields):
            self.m[number] = MeasureFactory(area=area, number=number, **fields)
            return self.m[number]

        def completed(number, agency, period):
            StatusUpdateFactory(
                measure=self.m[number],
                agency=agency,
                period=period,
                status=Status.COMPLETED,
                progress=100,
                state=StatusUpdate.State.APPROVED,
                reviewer=self.coordinator,
            )
            Measure.objects.filter(pk=self.m[number].pk).update(status=Status.COMPLETED, progress=100)

        m1 = measure(self.prevention, "4.1.1", deadline=date(2022, 12, 31))
        MeasureAgencyFactory(measure=m1, agency=self.mlspp, is_lead=True)
        Indicator.objects.create(measure=m1, name_en="Inspectors trained", baseline_value=0, target_value=200)
        BudgetLine.objects.create(measure=m1, amount=Decimal("1000"), currency="AZN")
        completed("4.1.1", self.mlspp, self.p2022)

        m2 = measure(self.prevention, "4.1.2", deadline=date(2021, 12, 31), financing_source_en="State budget")
        MeasureAgencyFactory(measure=m2, agency=self.moj)
        Indicator.objects.create(measure=m2, name_en="Shelters", baseline_value=1)
        completed("4.1.2", self.moj, self.p2022)
        # An NGO partner said "completed" in time; a partner's word never sets the status, nor makes it on time.
        MeasureAgencyFactory(measure=m2, agency=self.ngo, part=MeasureAgency.Part.PARTNER)
        StatusUpdateFactory(
            measure=m2,
            agency=self.ngo,
            period=self.p2021,
            status=Status.COMPLETED,
            progress=100,
            state=StatusUpdate.State.APPROVED,
            reviewer=self.coordinator,
        )

        m3 = measure(self.protection, "4.2.1", deadline=None)
        Measure.objects.filter(pk=m3.pk).update(
            status=Status.COMPLETED,
            progress=100,
            consolidated_status=Status.COMPLETED,
            consolidated_progress=100,
            consolidated_note="Done, as the working group found.",
            consolidated_by=self.coordinator,
            consolidated_at=timezone.make_aware(datetime(2022, 5, 1, 12)),
        )

        m4 = measure(self.protection, "4.2.2", deadline=date(2022, 6, 30))
        MeasureAgencyFactory(measure=m4, agency=self.ngo, part=MeasureAgency.Part.PARTNER)
        BudgetLine.objects.create(measure=m4, amount=Decimal("500"), currency="USD")
        DeadlineRevision.objects.create(
            measure=m4,
            old_deadline=date(2021, 12, 31),
            new_deadline=date(2022, 6, 30),
            reason="Waiting for the law.",
            revised_by=self.coordinator,
        )
        returned = StatusUpdateFactory(
            measure=m4, agency=self.ngo, period=self.p2021, state=StatusUpdate.State.RETURNED, review_note="Figures?"
        )
        for _ in range(2):
            UpdateEvent.objects.create(update=returned, kind=UpdateEvent.Kind.RETURNED, text="Figures?")

        m5 = measure(self.protection, "4.2.3", deadline=date(2099, 12, 31))
        MeasureAgencyFactory(measure=m5, agency=self.court, part=MeasureAgency.Part.RECOMMENDED)
        Indicator.objects.create(measure=m5, name_en="Judges", baseline_text="none", target_text="all regions")
        BudgetLine.objects.create(measure=m5, amount=Decimal("200"), currency="AZN")
        BudgetLine.objects.create(measure=m5, amount=Decimal("100"), currency="USD")

        m6 = measure(self.coordination, "4.5.1", deadline=date(2020, 12, 31))
        MeasureAgencyFactory(measure=m6, agency=self.silent, is_lead=True)
        Measure.objects.filter(pk=m6.pk).update(status=Status.IN_PROGRESS, progress=30)
        StatusUpdateFactory(measure=m6, agency=self.silent, period=self.p2022, state=StatusUpdate.State.DRAFT)

        for i in range(extra):
            more = measure(self.coordination, f"4.5.{i + 2}", deadline=date(2023, 1, 1))
            MeasureAgencyFactory(measure=more, agency=self.silent)
            BudgetLine.objects.create(measure=more, amount=Decimal("10"), currency="EUR")
            StatusUpdateFactory(measure=more, agency=self.silent, period=self.p2021, state=StatusUpdate.State.DRAFT)

        greta = RecommendationSource.objects.get_or_create(
            reference="GRETA(2018)17", country=self.edition.country, defaults={"kind": "greta", "year": 2018}
        )[0]
        later = RecommendationSource.objects.get_or_create(
            reference="GRETA(2030)1", country=self.edition.country, defaults={"kind": "greta", "year": 2030}
        )[0]
        self.answered = Recommendation.objects.get_or_create(source=greta, number="§1", defaults={"text_en": "Law"})[0]
        self.unanswered = Recommendation.objects.get_or_create(
            source=greta, number="§2", defaults={"text_en": "Shelters for men"}
        )[0]
        Recommendation.objects.get_or_create(source=later, number="§1", defaults={"text_en": "Made after the plan"})
        m1.recommendations.add(self.answered)


# --- Counted here another way: one measure at a time, in Python ---------------------------------------


def has_indicator(measure):
    return any(
        (i.baseline_value is not None or i.baseline_text) and (i.target_value is not None or i.target_text)
        for i in measure.indicator_set.all()
    )


def checks(measure):
    return {
        "responsible": measure.assignments.filter(part__in=RESPONSIBLE).exists(),
        "deadline": measure.deadline is not None,
        "indicator": has_indicator(measure),
        "financing": measure.budget_lines.exists()
        or any([measure.financing_source_en, measure.financing_source_az, measure.financing_source_ru]),
    }


def completed_in_time(measure):
    bodies = set(measure.assignments.filter(part__in=RESPONSIBLE).values_list("agency_id", flat=True))
    for update in measure.updates.filter(state="approved", status="completed").select_related("period"):
        if update.agency_id in bodies and update.period.start <= measure.deadline:
            return True
    return (
        measure.consolidated_status == "completed"
        and timezone.localtime(measure.consolidated_at).date() <= measure.deadline
    )


def expected(edition, today):
    measures = list(Measure.objects.filter(edition=edition))
    by_area = {}
    for measure in measures:
        line = by_area.setdefault(measure.area_id, {"total": 0, **dict.fromkeys(checks(measure), 0)})
        line["total"] += 1
        for key, ok in checks(measure).items():
            line[key] += ok
    completed = [m for m in measures if m.status == "completed"]
    not_late = ("completed",) if edition.state == "closed" else ("completed", "ongoing")
    responsible = MeasureAgency.objects.filter(measure__edition=edition, part__in=RESPONSIBLE)
    reported = set(
        StatusUpdate.objects.filter(
            measure__edition=edition, state__in=["submitted", "approved", "returned"]
        ).values_list("agency_id", flat=True)
    )
    return {
        "by_area": by_area,
        "on_time": sum(1 for m in completed if m.deadline and completed_in_time(m)),
        "late": sum(1 for m in completed if m.deadline and not completed_in_time(m)),
        "undated": sum(1 for m in completed if not m.deadline),
        # Overdue in a running plan (an ongoing measure never is); in a closed one, not completed by its end.
        "overdue": sum(1 for m in measures if m.deadline and m.deadline < today and m.status not in not_late),
        "revised": sum(1 for m in measures if m.deadline_revisions.exists()),
        "returned": sum(1 for m in measures if UpdateEvent.objects.filter(update__measure=m, kind="returned").exists()),
        "silent": sorted({a.agency.code for a in responsible.select_related("agency") if a.agency_id not in reported}),
        "pillar_agencies": {
            pillar: len(
                {
                    a.agency_id
                    for a in MeasureAgency.objects.filter(measure__edition=edition)
                    if a.measure.area.pillar == pillar
                }
            )
            for pillar in ("prevention", "protection", "prosecution", "partnership", "coordination")
        },
    }


@pytest.mark.parametrize("state", ["active", "closed"])
def test_the_review_counts_what_the_plan_holds(state):
    built = Built(state=state)
    today = timezone.localdate()
    review = quality_review(built.edition, today=today)
    want = expected(built.edition, today)

    for line in review.areas:
        area = want["by_area"][line.area.pk]
        assert line.total.count == area["total"]
        assert {cell.key: cell.met for cell in line.cells} == {key: area[key] for key in line_keys(line)}
    d = review.delivery
    assert (d.on_time.count, d.late.count, d.undated.count) == (want["on_time"], want["late"], want["undated"])
    assert (d.overdue.count, d.revised.count, d.returned.count) == (want["overdue"], want["revised"], want["returned"])
    assert sorted(body.agency.code for body in review.silent_bodies) == want["silent"]
    assert {line.value: line.agencies for line in review.pillars} == want["pillar_agencies"]

    # And by heart, so that both ways being wrong alike would still fail.
    assert (d.on_time.count, d.late.count, d.undated.count, d.overdue.count) == (1, 1, 1, 2)
    assert (d.revised.count, d.returned.count, d.returned_updates, d.returns, d.revisions) == (1, 1, 1, 2, 1)
    assert [body.agency.code for body in review.silent_bodies] == ["COURT", "SILENT"]
    assert review.responsible_bodies == 4
    totals = {cell.key: (cell.met, cell.lacking.count) for cell in review.total.cells}
    assert totals == {"responsible": (4, 2), "deadline": (5, 1), "indicator": (2, 4), "financing": (4, 2)}
    assert {line.value: line.measures.count for line in review.pillars} == {
        "prevention": 2,
        "protection": 3,
        "prosecution": 0,
        "partnership": 0,
        "coordination": 1,
    }
    budget = {line.value: line.budget for line in review.pillars}
    assert budget["prevention"] == [("AZN", Decimal("1000"))]
    assert budget["protection"] == [("AZN", Decimal("200")), ("USD", Decimal("600"))]
    assert review.budget_total == [("AZN", Decimal("1200")), ("USD", Decimal("600"))]
    # Made before the plan's end, and not answered by one of its measures; one made in 2030 is not asked of it.
    assert [r.pk for r in review.unanswered] == [built.unanswered.pk]
    assert review.answered_count == 1


def line_keys(line):
    return [cell.key for cell in line.cells]


def test_the_measures_lacking_a_criterion_are_listed_with_what_they_lack():
    built = Built()
    review = quality_review(built.edition, list_lacking=True)
    lacking = {m.number: dict(zip(line_keys(review.total), m.checks, strict=True)) for m in review.lacking}
    assert set(lacking) == {"4.1.2", "4.2.1", "4.2.2", "4.5.1"}
    assert lacking["4.2.1"] == {"responsible": False, "deadline": False, "indicator": False, "financing": False}
    assert lacking["4.2.2"] == {"responsible": False, "deadline": True, "indicator": False, "financing": True}


@pytest.mark.parametrize("state", ["active", "closed"])
def test_every_figure_opens_a_list_of_as_many_measures(client, state):
    built = Built(state=state)
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    review = quality_review(built.edition)
    figures = list(review.figures())
    assert len(figures) > 30
    wrong = []
    for figure in figures:
        shown = client.get(figure.url).context["page"].paginator.count
        if shown != figure.count:
            wrong.append(f"{figure.url}: review {figure.count}, list {shown}")
    assert not wrong


def test_the_bodies_the_review_judges_cannot_list_which_measures_had_an_update_returned(client):
    # A returned update is seen only by the coordinator's office and its own agency: the list's "returned"
    # filter, the review's link, must not tell another body whose update came back for changes.
    built = Built()
    url = reverse("measure_list") + f"?edition={built.edition.pk}&returned=yes"
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    assert client.get(url).context["page"].paginator.count == 1
    client.force_login(UserFactory(username="moj-focal", role="focal_point", agency=built.moj))
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == Measure.objects.filter(edition=built.edition).count()
    assert 'name="returned"' not in response.content.decode()
    csv = client.get(reverse("measure_csv") + f"?edition={built.edition.pk}&returned=yes")
    rows = b"".join(csv.streaming_content).decode()
    assert "4.1.1" in rows


def test_the_page_shows_the_figures_and_links_them(client):
    built = Built()
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    response = client.get(reverse("reporting:quality", args=[built.edition.code]))
    html = response.content.decode()
    assert response.status_code == 200
    review = response.context["review"]
    for figure in review.figures():
        if figure.count:  # "0 lack it" is not written out
            assert figure.url.replace("&", "&amp;") in html
    assert "Overdue" in html and "Not completed by the plan's end" not in html
    assert "GRETA(2018)17 §2" in html and "GRETA(2030)1" not in html


def test_a_closed_plan_says_not_completed_by_its_end(client):
    built = Built(state="closed")
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    html = client.get(reverse("reporting:quality", args=[built.edition.code])).content.decode()
    assert "Not completed by the plan's end" in html


def test_an_unknown_plan_is_not_found(client):
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    assert client.get(reverse("reporting:quality", args=["NAP-1900-1901"])).status_code == 404


def test_the_dashboard_links_to_the_review_for_those_who_may_see_it(client):
    built = Built()
    url = reverse("reporting:quality", args=[built.edition.code])
    dashboard = reverse("reporting:dashboard") + f"?edition={built.edition.code}"
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    assert url in client.get(dashboard).content.decode()
    client.force_login(UserFactory(username="focal-q", role="focal_point", agency=built.mlspp))
    assert url not in client.get(dashboard).content.decode()


# Query 1: the plan's areas; 2: the measures counted per area; 3: agencies per pillar; 4: budget per pillar and
# currency; 5: deadline revisions; 6: returned updates; 7: the responsible bodies; 8: the recommendations.
REVIEW_QUERIES = 8


def test_the_review_costs_the_same_queries_for_any_plan_size():
    small = Built(code="NAP-SMALL")
    large = Built(code="NAP-LARGE", extra=30)
    for built in (small, large):
        with CaptureQueriesContext(connection) as queries:
            quality_review(built.edition)
        assert len(queries) == REVIEW_QUERIES
        with CaptureQueriesContext(connection) as queries:
            quality_review(built.edition, list_lacking=True)
        assert len(queries) == REVIEW_QUERIES + 1  # 9: the measures lacking a criterion, for the PDF


# The page: the session, the person, the second factor's check (3), the plans for the switch (1), the review,
# and the header's unread notices and the person's agency (2).
PAGE_QUERIES = 3 + 1 + REVIEW_QUERIES + 2


def test_the_page_costs_the_same_queries_for_any_plan_size(client):
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    for built in (Built(code="NAP-SMALL"), Built(code="NAP-LARGE", extra=30)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reporting:quality", args=[built.edition.code]))
        assert response.status_code == 200
        assert len(queries) == PAGE_QUERIES, "\n".join(q["sql"][:150] for q in queries)


@pytest.mark.parametrize("language", ["en", "az"])
def test_the_worker_makes_the_review_as_a_pdf(language):
    built = Built()
    partner = UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM"))
    report = Report.objects.create(
        edition=built.edition, requested_by=partner, kind=Report.Kind.QUALITY, language=language
    )
    assert tasks.generate_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    assert report.state == Report.State.DONE
    assert report.file.name.endswith(f"nap-quality-quality-{language}.pdf")
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "4.2.1" in text and "GRETA(2018)17 §2" in text and "SILENT" in text


def test_the_request_form_offers_the_review_as_pdf_only(client):
    built = Built()
    client.force_login(UserFactory(username="iom", role="partner", agency=AgencyFactory(code="IOM")))
    data = {"kind": "quality", "edition": built.edition.pk, "language": "en", "format": "xlsx"}
    response = client.post(reverse("reporting:new"), data)
    assert response.status_code == 200
    assert "made as a PDF document only" in response.content.decode()
    assert not Report.objects.exists()
