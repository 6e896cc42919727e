"""Recommendations the plan answers: the model's rules, the plan import's Recommendations column, the export
round trip, the demo's recommendations and their admin pages."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import selectors
from measures.importing import (
    Action,
    ImportInvalid,
    export_edition,
    import_apply,
    import_preview,
    match_header,
    recommendations_import_apply,
    recommendations_preview,
)
from measures.models import Measure, MeasureAgency, Recommendation, RecommendationSource
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, CountryFactory, EditionFactory
from tests.measures.import_files import OFFICIAL_HEADER, xlsx

pytestmark = pytest.mark.django_db

HEADER = [*OFFICIAL_HEADER, "Recommendations"]


@pytest.fixture
def plan(db):
    edition = EditionFactory(code="NAP-2020-2024", start_year=2020, end_year=2024, approved_on=date(2020, 7, 22))
    AreaFactory(edition=edition, code="4.1", title_en="Legal base", pillar="coordination")
    AgencyFactory(code="CABMIN", name_en="Cabinet of Ministers")
    return edition


@pytest.fixture
def sources(db):
    greta = RecommendationSource.objects.create(
        country=CountryFactory(), kind="greta", reference="GRETA(2018)17", evaluation_round=2, year=2018
    )
    tip = RecommendationSource.objects.create(country=CountryFactory(), kind="us_tip", reference="TIP 2024", year=2024)
    return {
        "§45": Recommendation.objects.create(source=greta, number="§45", priority="urges", text_en="Identify"),
        "§113": Recommendation.objects.create(source=greta, number="§113", priority="urges", text_en="Compensate"),
        "P3": Recommendation.objects.create(source=tip, number="P3", priority="prioritized", text_en="Do not punish"),
    }


def row(number, recommendations):
    return [number, f"Measure {number}", "CABMIN", "2020–2022", recommendations]


def snapshot():
    return (
        Measure.objects.count(),
        MeasureAgency.objects.count(),
        Measure.recommendations.through.objects.count(),
        Measure.history.count(),
    )


# --- The model ----------------------------------------------------------------------------------


def test_recommendations_sort_by_their_numbers_not_as_text(sources):
    greta = sources["§45"].source
    assert [r.number for r in greta.recommendations.all()] == ["§45", "§113"]


def test_a_source_numbers_each_recommendation_once(sources):
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(source=sources["§45"].source, number="§45", text_en="Again")


def test_a_recommendation_has_a_text_in_some_language(sources):
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(source=sources["§45"].source, number="§46")


def test_a_recommendation_is_cited_by_its_source_and_number(sources):
    assert sources["P3"].citation == "TIP 2024 P3" == str(sources["P3"])


def test_the_text_falls_back_to_another_language_and_says_so(sources):
    text = sources["§45"].text
    assert text == "Identify"
    recommendation = Recommendation(source=sources["§45"].source, number="1", text_ru="Выявлять")
    assert recommendation.text == "Выявлять" and recommendation.text.is_fallback


# --- The plan import's column -------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Recommendations", "Tövsiyələr", "Рекомендации", "recommendations answered"])
def test_the_column_is_found_under_its_names_in_every_language(header):
    assert match_header(header).key == "recommendations"


def test_a_good_file_links_measures_to_the_recommendations_they_answer(plan, sources):
    content = xlsx(
        [
            HEADER,
            row("4.1.1", "GRETA(2018)17 §45; TIP 2024 P3"),
            row("4.1.2", "greta (2018) 17 para. 113\n"),
            row("4.1.3", ""),
        ]
    )
    import_apply(edition=plan, filename="plan.xlsx", content=content)
    linked = {m.number: {r.citation for r in m.recommendations.all()} for m in plan.measures.all()}
    assert linked == {"4.1.1": {"GRETA(2018)17 §45", "TIP 2024 P3"}, "4.1.2": {"GRETA(2018)17 §113"}, "4.1.3": set()}


def test_an_unknown_reference_is_an_error_on_its_row_and_nothing_is_saved(plan, sources):
    content = xlsx([HEADER, row("4.1.1", "TIP 2024 P3"), row("4.1.2", "GRETA(2018)17 §45; CEDAW 2015 §3")])
    before = snapshot()
    with pytest.raises(ImportInvalid) as refused:
        import_apply(edition=plan, filename="plan.xlsx", content=content)
    preview = refused.value.preview
    assert [outcome.action for outcome in preview.rows] == [Action.NEW, Action.ERROR]
    (problem,) = preview.problems
    assert problem.row == 3 and "unknown recommendation “CEDAW 2015 §3”" in str(problem)
    assert snapshot() == before


def test_a_number_the_source_does_not_have_is_an_error(plan, sources):
    preview = import_preview(edition=plan, filename="plan.xlsx", content=xlsx([HEADER, row("4.1.1", "TIP 2024 P9")]))
    assert not preview.is_valid
    assert "no recommendation numbered “p9”" in str(preview.problems[0])


def test_changing_only_the_recommendations_is_kept_as_one_change_of_the_measures_recommendations(plan, sources):
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx([HEADER, row("4.1.1", "TIP 2024 P3")]))
    measure = plan.measures.get()
    history = measure.history.count()

    again = import_preview(edition=plan, filename="plan.xlsx", content=xlsx([HEADER, row("4.1.1", "TIP 2024 P3")]))
    assert again.rows[0].action == Action.UNCHANGED

    content = xlsx([HEADER, row("4.1.1", "GRETA(2018)17 §45")])
    changed = import_preview(edition=plan, filename="plan.xlsx", content=content)
    assert changed.rows[0].action == Action.CHANGED and changed.rows[0].changes == ["recommendations"]
    import_apply(edition=plan, filename="plan.xlsx", content=content)
    assert [r.citation for r in measure.recommendations.all()] == ["GRETA(2018)17 §45"]
    # One record, which keeps the links: the measure's page names what was added and removed.
    assert measure.history.count() == history + 1
    newest, first = [c for c in selectors.measure_history(measure) if c.recommendations]
    assert newest.recommendations == {"added": ["GRETA(2018)17 §45"], "removed": ["TIP 2024 P3"]}
    assert first.recommendations == {"added": ["TIP 2024 P3"], "removed": []}


def test_a_file_without_the_column_leaves_the_links_as_they_are(plan, sources):
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx([HEADER, row("4.1.1", "TIP 2024 P3")]))
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx([OFFICIAL_HEADER, row("4.1.1", "")[:4]]))
    assert [r.citation for r in plan.measures.get().recommendations.all()] == ["TIP 2024 P3"]


# --- Export round trip and the demo -------------------------------------------------------------


def test_the_export_writes_the_recommendations_and_imports_back_unchanged(demo):
    source = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.7").edition
    exported = export_edition(edition=source, file_format="csv")
    text = exported.content.decode("utf-8-sig")
    assert "Recommendations" in text and "GRETA(2018)17 §75\nTIP 2024 P3" in text
    preview = import_preview(edition=source, filename=exported.filename, content=exported.content)
    assert preview.is_valid and preview.counts["changed"] == 0

    Measure.objects.get(edition=source, number="4.1.7").recommendations.clear()
    preview = import_preview(edition=source, filename=exported.filename, content=exported.content)
    assert preview.counts["changed"] == 1


def test_the_demo_holds_answered_and_unanswered_recommendations_marked_illustrative(demo):
    greta = RecommendationSource.objects.get(reference="GRETA(2018)17")
    assert greta.kind == "greta" and greta.evaluation_round == 2
    assert set(RecommendationSource.objects.values_list("reference", flat=True)) >= {
        "GRETA(2018)17",
        "TIP 2024",
        "SDG 8.7",
    }
    assert Recommendation.objects.filter(measures__isnull=True).exists()
    assert Recommendation.objects.filter(measures__isnull=False).exists()
    # Paraphrased wording is flagged; SDG 8.7 is quoted as adopted.
    assert not Recommendation.objects.filter(source__kind__in=["greta", "us_tip"], is_illustrative=False).exists()
    assert Recommendation.objects.get(source__reference="SDG 8.7").is_illustrative is False
    assert Recommendation.objects.filter(priority="prioritized").count() == 4


def test_admin_lists_the_recommendations_no_measure_answers(client, demo):
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("admin:measures_recommendation_changelist") + "?answered=no").content.decode()
    assert "GRETA(2018)17 §113" in page and "GRETA(2018)17 §45" not in page
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.7")
    page = client.get(reverse("admin:measures_measure_change", args=[measure.pk])).content.decode()
    assert "TIP 2024 P3" in page


# --- Importing the recommendations themselves ---------------------------------------------------

LIST_HEADER = ["Source", "No.", "Recommendation", "Recommendation (ru)", "Date", "Priority"]


def test_a_list_of_recommendations_imports_new_ones_and_updates_those_kept(sources):
    content = xlsx(
        [
            LIST_HEADER,
            ["GRETA(2018)17", "§45", "Identify better", "", "2018-07-06", "urges"],
            ["greta (2018) 17", "§ 130", "Inform victims", "Информировать жертв", "06.07.2018", "Considers"],
            ["TIP 2024", "P3", "Do not punish", "", "", "prioritized"],
        ]
    )
    preview = recommendations_preview(filename="list.xlsx", content=content)
    assert [row.action for row in preview.rows] == [Action.CHANGED, Action.NEW, Action.UNCHANGED]
    recommendations_import_apply(filename="list.xlsx", content=content)
    added = Recommendation.objects.get(number="§ 130")
    assert (added.source.reference, added.text_ru, added.issued_on, added.priority) == (
        "GRETA(2018)17",
        "Информировать жертв",
        date(2018, 7, 6),
        "considers",
    )
    assert Recommendation.objects.get(pk=sources["§45"].pk).text_en == "Identify better"
    assert recommendations_preview(filename="list.xlsx", content=content).counts["unchanged"] == 3


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (["CEDAW 2015", "§3", "Do", "", "", ""], "unknown source “CEDAW 2015”"),
        (["TIP 2024", "", "Do", "", "", ""], "empty — write the number"),
        (["TIP 2024", "P9", "", "", "", ""], "empty — write the recommendation"),
        (["TIP 2024", "P9", "Do", "", "31.02.2024", ""], "is not a date"),
        (["TIP 2024", "P9", "Do", "", "", "very urgent"], "unknown priority"),
        (["TIP 2024", "P1", "Do", "", "", ""], "is also on row 2"),
    ],
)
def test_a_bad_row_in_a_list_of_recommendations_is_an_error_and_nothing_is_saved(sources, bad_row, expected):
    content = xlsx([LIST_HEADER, ["TIP 2024", "P1", "Prosecute", "", "", "prioritized"], bad_row])
    before = (Recommendation.objects.count(), Recommendation.history.count())
    with pytest.raises(ImportInvalid) as refused:
        recommendations_import_apply(filename="list.xlsx", content=content)
    (problem,) = refused.value.preview.problems
    assert problem.row == 3 and expected in str(problem)
    assert (Recommendation.objects.count(), Recommendation.history.count()) == before


def test_a_list_without_the_needed_columns_is_refused_as_a_whole(sources):
    preview = recommendations_preview(filename="list.xlsx", content=xlsx([["No.", "Text"], ["1", "x"]]))
    assert not preview.is_valid and "No header row" in str(preview.problems[0])


def test_admin_imports_a_list_after_a_preview_and_only_the_administrator_may(client, demo):
    content = xlsx([LIST_HEADER, ["TIP 2024", "R9", "Publish data on victims", "", "", "recommended"]])
    client.force_login(User.objects.get(username="coordinator"))
    assert client.get(reverse("admin:measures_recommendation_import")).status_code in (302, 403)

    client.force_login(User.objects.get(username="admin"))
    changelist = client.get(reverse("admin:measures_recommendation_changelist")).content.decode()
    assert reverse("admin:measures_recommendation_import") in changelist
    response = client.post(
        reverse("admin:measures_recommendation_import"), {"file": SimpleUploadedFile("list.xlsx", content)}
    )
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "The file is correct." in page and "TIP 2024 R9" in page
    assert not Recommendation.objects.filter(number="R9").exists()
    assert client.post(preview_url).status_code == 302
    added = Recommendation.objects.get(number="R9")
    assert added.history.first().history_user.username == "admin"


# --- The pages ----------------------------------------------------------------------------------


def test_the_list_shows_each_recommendation_with_the_measures_answering_it(client, demo):
    client.force_login(User.objects.get(username="partner"))
    page = client.get(reverse("recommendation_list")).content.decode()
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.7")
    assert "GRETA(2018)17" in page and "TIP 2024" in page and "SDG 8.7" in page
    assert reverse("measure_detail", args=[measure.pk]) in page
    assert "No measure answers it yet." in page and "Illustrative" in page


def test_the_measure_page_lists_the_recommendations_it_answers(client, demo):
    client.force_login(User.objects.get(username="ngo"))
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.7")
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Recommendations it answers" in page and "GRETA(2018)17 §75" in page and "TIP 2024 P3" in page
    other = Measure.objects.get(edition__code="NAP-2020-2024", number="4.6.4")
    assert "Recommendations it answers" not in client.get(reverse("measure_detail", args=[other.pk])).content.decode()


def test_the_list_costs_the_same_however_many_recommendations_and_links(client, sources, plan):
    reader = User.objects.create_user(username="reader", password="x", role="coordinator")
    reader.countries.add(plan.country)  # a person given no country sees no recommendation at all
    client.force_login(reader)
    url = reverse("recommendation_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    import_apply(
        edition=plan,
        filename="plan.xlsx",
        content=xlsx(
            [HEADER, *(row(f"4.1.{n}", "GRETA(2018)17 §45; TIP 2024 P3; GRETA(2018)17 §113") for n in range(1, 9))]
        ),
    )
    tip = sources["P3"].source
    for n in range(10):
        Recommendation.objects.create(source=tip, number=f"R{n}", text_en=f"Recommendation {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    # session, user, second factor, unread notifications (header), sources, their recommendations, the measures
    # answering each with their plan
    assert len(few) == 7, "\n".join(q["sql"][:160] for q in few.captured_queries)
