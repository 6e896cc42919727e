"""Drafting the next plan from a closing or closed one: which measures carry over and with what (new
baselines from the last approved values, agencies, budget, recommendations, lineage), that the old plan is
left exactly as it was, and that bad input is refused with nothing half-saved."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.importing import import_apply
from measures.models import (
    Area,
    BudgetLine,
    Edition,
    FundingSource,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAgency,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    StatusUpdate,
)
from measures.next_plan import NextPlanError, edition_start_next, plan_is_ending, suggested_code
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, CountryFactory, EditionFactory, MeasureFactory, UserFactory
from tests.measures.import_files import OFFICIAL_HEADER, xlsx
from tests.measures.test_queries import count

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 1)


class OldPlan:
    """NAP-2020-2024, in its last year or after: 4.1.1 in progress (indicators reported, budget, a
    recommendation, two agencies), 4.2.1 not started, 4.3.1 completed."""

    def __init__(self):
        self.edition = EditionFactory(code="NAP-2020-2024", title_en="Plan 2020–2024", state="active")
        self.areas = [
            AreaFactory(
                edition=self.edition, code="4.1", title_en="Legal base", title_az="Hüquqi baza", pillar="coordination"
            ),
            AreaFactory(edition=self.edition, code="4.2", title_en="Prevention", pillar="prevention", order=2),
            AreaFactory(edition=self.edition, code="4.3", title_en="Protection", pillar="protection", order=3),
        ]
        self.mlspp = AgencyFactory(code="MLSPP")
        self.ngo = AgencyFactory(code="CLEAN-WORLD", kind="ngo")
        self.coordinator = UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None)
        self.focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=self.mlspp)
        self.measure = MeasureFactory(
            area=self.areas[0],
            number="4.1.1",
            title_en="Train the police",
            title_az="Polisə təlim",
            title_ru="Обучить полицию",
            description_en="Sessions in every region.",
            period_text_en="2020–2024, annually",
            deadline=date(2024, 12, 31),
            status="in_progress",
            progress=60,
        )
        self.not_started = MeasureFactory(area=self.areas[1], number="4.2.1", status="not_started")
        self.completed = MeasureFactory(area=self.areas[2], number="4.3.1", status="completed", progress=100)
        MeasureAgency.objects.create(measure=self.measure, agency=self.mlspp, part="executing", is_lead=True)
        MeasureAgency.objects.create(measure=self.measure, agency=self.ngo, part="partner")
        self.reported = Indicator.objects.create(
            measure=self.measure,
            name_en="Police officers trained",
            baseline_value=10,
            baseline_year=2019,
            target_value=50,
            target_year=2024,
        )
        self.by_sex = Indicator.objects.create(
            measure=self.measure, name_en="Victims identified", breakdown="sex", baseline_value=5, baseline_year=2019
        )
        self.silent = Indicator.objects.create(
            measure=self.measure, name_en="Manuals printed", baseline_value=2, baseline_year=2019, target_value=8
        )
        self.source, _ = FundingSource.objects.get_or_create(code="STATE", defaults={"kind": "state"})
        BudgetLine.objects.create(measure=self.measure, source=self.source, amount=Decimal("12000"), currency="AZN")
        greta = RecommendationSource.objects.create(
            country=CountryFactory(), kind="greta", reference="GRETA(2018)17", year=2018
        )
        self.recommendation = Recommendation.objects.create(source=greta, number="§45", text_en="Train the police")
        self.measure.recommendations.add(self.recommendation)
        self.periods = {
            year: ReportingPeriod.objects.create(
                edition=self.edition,
                label=f"{year} H2",
                start=date(year, 7, 1),
                end=date(year, 12, 31),
                due_date=date(year + 1, 1, 31),
            )
            for year in (2022, 2023, 2024)
        }
        self.report(2022, "approved", {self.reported: {"total": 20}, self.by_sex: {"women": 1, "men": 2}})
        self.report(2023, "approved", {self.reported: {"total": 35}, self.by_sex: {"women": 3, "men": 4}})
        # The last period's report is not approved: its values are not the new baseline.
        self.report(2024, "submitted", {self.reported: {"total": 99}})

    def report(self, year, state, values):
        update = StatusUpdate.objects.create(
            measure=self.measure,
            agency=self.mlspp,
            period=self.periods[year],
            status="in_progress",
            progress=40,
            state=state,
            author=self.focal,
        )
        for indicator, by_category in values.items():
            for category, value in by_category.items():
                IndicatorValue.objects.create(update=update, indicator=indicator, category=category, value=value)
        return update


@pytest.fixture
def old():
    return OldPlan()


def start_next(old, **changes):
    arguments = {
        "source_id": old.edition.pk,
        "user": old.coordinator,
        "code": "NAP-2025-2029",
        "title_en": "Plan 2025–2029",
        "start_year": 2025,
        "end_year": 2029,
        "measure_ids": [old.measure.pk, old.not_started.pk],
        "today": TODAY,
    }
    return edition_start_next(**(arguments | changes))


def rows_of(edition: Edition) -> dict:
    """Every row of a plan, field by field, with the links between them: what must not change."""
    measures = Measure.objects.filter(edition=edition)

    def dump(queryset):
        return sorted(
            (tuple(sorted((k, str(v)) for k, v in row.items())) for row in queryset.values()), key=lambda row: row
        )

    return {
        "plan": dump(Edition.objects.filter(pk=edition.pk)),
        "areas": dump(Area.objects.filter(edition=edition)),
        "measures": dump(measures),
        "agencies": dump(MeasureAgency.objects.filter(measure__in=measures)),
        "indicators": dump(Indicator.objects.filter(measure__in=measures)),
        "values": dump(IndicatorValue.objects.filter(indicator__measure__in=measures)),
        "budget": dump(BudgetLine.objects.filter(measure__in=measures)),
        "updates": dump(StatusUpdate.objects.filter(measure__in=measures)),
        "periods": dump(ReportingPeriod.objects.filter(edition=edition)),
        "recommendations": dump(Measure.recommendations.through.objects.filter(measure__in=measures)),
        "history": dump(Measure.history.filter(id__in=measures.values("pk")).values("history_id")),
    }


# --- What is carried over -------------------------------------------------------------------


def test_the_new_plan_is_a_draft_with_the_chosen_measures_and_their_areas(old):
    result = start_next(old)
    new = result.edition
    assert (new.code, new.state, new.start_year, new.end_year, new.published) == (
        "NAP-2025-2029",
        "draft",
        2025,
        2029,
        False,
    )
    assert (result.measures, result.areas) == (2, 2)
    assert list(new.measures.values_list("number", flat=True)) == ["4.1.1", "4.2.1"]
    # Only the areas that hold a carried measure, as they were.
    assert list(new.areas.values_list("code", "title_en", "title_az", "pillar", "order")) == [
        ("4.1", "Legal base", "Hüquqi baza", "coordination", 0),
        ("4.2", "Prevention", "", "prevention", 2),
    ]
    carried = new.measures.get(number="4.1.1")
    assert carried.area.edition == new
    assert (carried.title_en, carried.title_az, carried.title_ru) == (
        "Train the police",
        "Polisə təlim",
        "Обучить полицию",
    )
    assert carried.description_en == "Sessions in every region."
    # The old deadline has passed: the measure runs over the new plan's years.
    assert (carried.start_date, carried.deadline) == (date(2025, 1, 1), date(2029, 12, 31))
    assert carried.period_text_en == "2025–2029"
    # A new plan's measure starts with no status of its own.
    assert (carried.status, carried.progress, carried.updates.count()) == ("not_started", 0, 0)
    assert sorted(carried.assignments.values_list("agency__code", "part", "is_lead")) == [
        ("CLEAN-WORLD", "partner", False),
        ("MLSPP", "executing", True),
    ]
    assert list(carried.budget_lines.values_list("source__code", "amount", "currency")) == [
        ("STATE", Decimal("12000.00"), "AZN")
    ]
    assert carried.history.first().history_user == old.coordinator


def test_each_indicator_s_new_baseline_is_its_last_approved_value(old):
    carried = start_next(old).edition.measures.get(number="4.1.1")
    indicators = {i.name_en: i for i in carried.indicator_set.all()}
    reported = indicators["Police officers trained"]
    # 2023 H2 was the last approved report (2024 H2's 99 was only submitted); the target stays.
    assert (reported.baseline_value, reported.baseline_year) == (Decimal("35"), 2023)
    assert (reported.target_value, reported.target_year) == (Decimal("50"), 2024)
    # Broken down by sex: the total is the sum of its categories.
    by_sex = indicators["Victims identified"]
    assert (by_sex.baseline_value, by_sex.baseline_year, by_sex.breakdown) == (Decimal("7"), 2023, "sex")
    # Nothing was ever reported: the old baseline stays.
    silent = indicators["Manuals printed"]
    assert (silent.baseline_value, silent.baseline_year, silent.target_value) == (Decimal("2"), 2019, Decimal("8"))


def test_each_carried_measure_continues_its_old_measure_and_answers_the_same_recommendations(old):
    new = start_next(old).edition
    carried = new.measures.get(number="4.1.1")
    assert carried.continues == old.measure
    assert list(old.measure.continued_by.all()) == [carried]
    assert list(carried.recommendations.all()) == [old.recommendation]
    assert list(old.recommendation.measures.order_by("edition__start_year")) == [old.measure, carried]


def test_nothing_of_the_old_plan_changes(old):
    before = rows_of(old.edition)
    start_next(old, measure_ids=[old.measure.pk, old.not_started.pk, old.completed.pk])
    assert rows_of(old.edition) == before


def test_a_closed_plan_and_a_plan_in_its_last_year_may_have_a_successor_a_running_or_draft_one_not(old):
    assert plan_is_ending(old.edition, date(2024, 1, 1))
    assert not plan_is_ending(old.edition, date(2023, 12, 31))
    old.edition.state = "closed"
    assert plan_is_ending(old.edition, date(2021, 1, 1))
    old.edition.state = "draft"
    assert not plan_is_ending(old.edition, date(2030, 1, 1))


def test_the_suggested_code_moves_the_years_on(old):
    assert suggested_code(old.edition) == "NAP-2025-2029"
    assert suggested_code(EditionFactory(code="plan-b", start_year=2020, end_year=2024)) == ""


# --- Bad input: a clear message, nothing saved ----------------------------------------------


def _foreign_measure(old):
    return [old.measure.pk, MeasureFactory(area=AreaFactory(edition=EditionFactory(code="OTHER"))).pk]


BAD = {
    "an existing code": ({"code": "NAP-2020-2024"}, "code", "exists already"),
    "an existing code in other letters": ({"code": "nap-2020-2024"}, "code", "exists already"),
    "a code with spaces": ({"code": "NAP 2025"}, "code", "letters, digits and hyphens"),
    "no code": ({"code": "  "}, "code", "Give the new plan a code"),
    "no title": ({"title_en": " "}, "title_en", "title in at least one language"),
    "the last year before the first": ({"start_year": 2029, "end_year": 2025}, "end_year", "comes before"),
    "an impossible year": ({"start_year": 20250}, "start_year", "between 1900 and 2200"),
    "no measure": ({"measure_ids": []}, "measures", "at least one measure"),
    "a measure of another plan": (_foreign_measure, "measures", "not a measure of NAP-2020-2024"),
    "a measure that does not exist": ({"measure_ids": [999999]}, "measures", "not a measure of NAP-2020-2024"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(old, case):
    changes, field, words = BAD[case]
    if callable(changes):
        changes = {"measure_ids": changes(old)}
    plans, measures, areas = Edition.objects.count(), Measure.objects.count(), Area.objects.count()
    with pytest.raises(NextPlanError) as refused:
        start_next(old, **changes)
    assert refused.value.field == field
    assert words in refused.value.message
    assert (Edition.objects.count(), Measure.objects.count(), Area.objects.count()) == (plans, measures, areas)


def test_a_second_attempt_with_the_same_code_says_the_plan_exists(old):
    start_next(old)
    plans = Edition.objects.count()
    with pytest.raises(NextPlanError, match="A plan with the code NAP-2025-2029 exists already"):
        start_next(old)
    assert Edition.objects.count() == plans


def test_a_plan_still_running_has_no_successor_yet(old):
    with pytest.raises(NextPlanError, match="runs until 2024"):
        start_next(old, today=date(2023, 6, 1))
    assert not Edition.objects.filter(code="NAP-2025-2029").exists()


@pytest.mark.parametrize("role", ["focal_point", "ngo", "partner"])
def test_only_the_coordinator_s_office_drafts_the_next_plan(old, role):
    person = UserFactory(username=f"someone-{role}", role=role, agency=AgencyFactory(code=f"A-{role}"))
    with pytest.raises(NextPlanError, match="Only the national coordinator's office"):
        start_next(old, user=person)
    assert not Edition.objects.filter(code="NAP-2025-2029").exists()


# --- The draft is a plan like any other: imported into, activated ---------------------------


def test_the_draft_takes_a_spreadsheet_import(old):
    new = start_next(old).edition
    rows = [
        OFFICIAL_HEADER,
        ["4.1.1", "Train the police and prosecutors", "MLSPP*", "2025–2027"],
        ["4.1.2", "A new measure of the new plan", "MLSPP*", "2026"],
    ]
    result = import_apply(edition=new, filename="nap-2025.xlsx", content=xlsx(rows), user=old.coordinator)
    assert result.is_valid
    changed = new.measures.get(number="4.1.1")
    assert changed.title_en == "Train the police and prosecutors"
    assert changed.deadline == date(2027, 12, 31)
    # The import keeps what it does not touch: the lineage and the carried indicators.
    assert changed.continues == old.measure
    assert changed.indicator_set.count() == 3
    assert new.measures.filter(number="4.1.2").exists()


def test_the_administrator_activates_the_draft_in_the_admin(client, old):
    new = start_next(old).edition
    admin = UserFactory(username="admin", role=User.Role.ADMIN, agency=None)
    client.force_login(admin)
    url = reverse("admin:measures_edition_change", args=[new.pk])
    assert client.get(url).status_code == 200
    areas = list(new.areas.all())
    data = {
        "code": new.code,
        "title_en": new.title_en,
        "title_az": "",
        "title_ru": "",
        "start_year": 2025,
        "end_year": 2029,
        "approved_on": "",
        "legal_basis_en": "",
        "legal_basis_az": "",
        "legal_basis_ru": "",
        "state": "active",
        "areas-TOTAL_FORMS": len(areas),
        "areas-INITIAL_FORMS": len(areas),
        "periods-TOTAL_FORMS": 1,
        "periods-INITIAL_FORMS": 0,
        "periods-0-label": "2025 H1",
        "periods-0-start": "2025-01-01",
        "periods-0-end": "2025-06-30",
        "periods-0-due_date": "2025-07-31",
        "periods-0-edition": new.pk,
    }
    for n, area in enumerate(areas):
        data |= {
            f"areas-{n}-id": area.pk,
            f"areas-{n}-edition": new.pk,
            f"areas-{n}-code": area.code,
            f"areas-{n}-title_en": area.title_en,
            f"areas-{n}-title_az": area.title_az,
            f"areas-{n}-pillar": area.pillar,
            f"areas-{n}-order": area.order,
        }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    new.refresh_from_db()
    assert new.state == "active"
    assert new.periods.get().label == "2025 H1"
    # Running now, its carried measures can be reported on.
    carried = new.measures.get(number="4.1.1")
    focal = old.focal
    client.force_login(focal)
    assert client.get(reverse("update_create", args=[carried.pk])).status_code == 200


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, old):
    client.force_login(old.coordinator)
    return client


def test_the_page_offers_the_measures_not_completed_ticked(coordinator_client, old):
    page = coordinator_client.get(reverse("next_plan", args=[old.edition.code])).content.decode()
    assert 'value="NAP-2025-2029"' in page
    assert 'name="start_year" value="2025"' in page and 'name="end_year" value="2029"' in page
    for measure, ticked in ((old.measure, True), (old.not_started, True), (old.completed, False)):
        box = f'value="{measure.pk}" id="carry-{measure.pk}"'
        assert box in page
        assert (f"{box} checked" in page) == ticked, measure.number
    assert "until 31 December of its last year" in page


def test_confirming_drafts_the_plan_and_shows_its_measures(coordinator_client, old):
    url = reverse("next_plan", args=[old.edition.code])
    response = coordinator_client.post(
        url,
        {
            "code": "NAP-2025-2029",
            "title_en": "Plan 2025–2029",
            "start_year": "2025",
            "end_year": "2029",
            "measures": [str(old.measure.pk)],
        },
        follow=True,
    )
    new = Edition.objects.get(code="NAP-2025-2029")
    assert response.redirect_chain[-1][0] == reverse("measure_list") + f"?edition={new.pk}"
    page = response.content.decode()
    assert "NAP-2025-2029 is drafted with 1 measure carried over from NAP-2020-2024" in page
    assert "Continues 4.1.1 of NAP-2020-2024" in page
    # The old measure's page names the measure that continues it.
    old_page = coordinator_client.get(reverse("measure_detail", args=[old.measure.pk])).content.decode()
    assert "Continued by" in old_page and "NAP-2025-2029 · 4.1.1" in old_page


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"code": "NAP-2020-2024"}, "A plan with the code NAP-2020-2024 exists already"),
        ({"start_year": "2029", "end_year": "2025"}, "The last year (2025) comes before the first year (2029)"),
        ({"measures": []}, "Choose at least one measure to carry over"),
        ({"start_year": "next year"}, "Enter a year as four digits"),
        ({"title_en": ""}, "title in at least one language"),
    ],
)
def test_bad_input_comes_back_with_the_message_and_the_ticks_kept(coordinator_client, old, changes, words):
    data = {
        "code": "NAP-2025-2029",
        "title_en": "Plan 2025–2029",
        "start_year": "2025",
        "end_year": "2029",
        "measures": [str(old.not_started.pk)],
    } | changes
    response = coordinator_client.post(reverse("next_plan", args=[old.edition.code]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page.replace("&#x27;", "'")
    assert "Nothing was saved" in page
    if data["measures"]:
        assert f'value="{old.not_started.pk}" id="carry-{old.not_started.pk}" checked' in page
        assert f'value="{old.measure.pk}" id="carry-{old.measure.pk}" checked' not in page
    assert not Edition.objects.filter(code="NAP-2025-2029").exists() or changes.get("code")


def test_a_tampered_measure_id_from_another_plan_is_refused(coordinator_client, old):
    foreign = MeasureFactory(area=AreaFactory(edition=EditionFactory(code="NAP-2014-2018")), number="3.2")
    response = coordinator_client.post(
        reverse("next_plan", args=[old.edition.code]),
        {
            "code": "NAP-2025-2029",
            "title_en": "Plan",
            "start_year": "2025",
            "end_year": "2029",
            "measures": [str(old.measure.pk), str(foreign.pk), "x", "²", "99999999999999999999"],
        },
    )
    assert response.status_code == 400
    assert "not a measure of this plan" in response.content.decode()
    assert not Edition.objects.filter(code="NAP-2025-2029").exists()
    assert not foreign.continued_by.exists()


def test_a_running_plan_sends_the_office_back_with_the_reason(coordinator_client, old):
    old.edition.end_year = 2099
    old.edition.save()
    response = coordinator_client.get(reverse("next_plan", args=[old.edition.code]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("period_list", args=[old.edition.code])
    assert "runs until 2099" in response.content.decode()


def test_an_unknown_plan_is_not_found(coordinator_client):
    assert coordinator_client.get(reverse("next_plan", args=["NAP-1900-1901"])).status_code == 404


def test_the_plan_s_periods_and_the_coordinator_s_home_link_to_the_page_for_the_office_only(client, old):
    url = reverse("next_plan", args=[old.edition.code])
    partner = UserFactory(username="partner", role=User.Role.PARTNER, agency=AgencyFactory(code="IOM"))
    for person, shown in ((old.coordinator, True), (partner, False), (old.focal, False)):
        client.force_login(person)
        for page in (reverse("period_list", args=[old.edition.code]), reverse("home")):
            assert (url in client.get(page).content.decode()) == shown, (person.username, page)


def test_the_form_page_costs_the_same_for_a_small_and_a_large_plan(client, old):
    url = reverse("next_plan", args=[old.edition.code])
    small = count(client, old.coordinator, url)
    later = EditionFactory(code="NAP-LATER", start_year=2025, end_year=2029, state="draft")
    later_area = AreaFactory(edition=later, code="9.1")
    for n in range(80):
        measure = MeasureFactory(area=old.areas[n % 3], number=f"5.{n + 1}", status=["completed", "delayed"][n % 2])
        if n % 4 == 0:
            MeasureFactory(area=later_area, number=f"9.1.{n + 1}", continues=measure)
    assert count(client, old.coordinator, url) == small
    # session, user, second factor, the plan, its measures with their areas, the later measures continuing
    # them with their plans, unread notifications (header)
    assert small == 7
