"""The coordinator's office keeps the recommendations in the application: sources, recommendations, the import
from a spreadsheet, and the recommendations each measure answers, with every change kept in the history."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import selectors
from measures.commitments import services
from measures.models import Measure, Recommendation, RecommendationSource
from tests.factories import AreaFactory, CountryFactory, EditionFactory
from tests.measures.import_files import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

LIST_HEADER = ["Source", "No.", "Recommendation", "Recommendation (ru)", "Date", "Priority"]


@pytest.fixture
def sources(db):
    greta = RecommendationSource.objects.create(
        country=CountryFactory(), kind="greta", reference="GRETA(2018)17", evaluation_round=2, year=2018
    )
    tip = RecommendationSource.objects.create(country=CountryFactory(), kind="us_tip", reference="TIP 2024", year=2024)
    return {
        "greta": greta,
        "tip": tip,
        "§45": Recommendation.objects.create(source=greta, number="§45", priority="urges", text_en="Identify"),
        "§113": Recommendation.objects.create(source=greta, number="§113", text_en="Compensate"),
        "P3": Recommendation.objects.create(source=tip, number="P3", priority="prioritized", text_en="Do not punish"),
    }


@pytest.fixture
def measure(db):
    edition = EditionFactory(code="NAP-2020-2024", start_year=2020, end_year=2024)
    area = AreaFactory(edition=edition, code="4.1", title_en="Legal base")
    return Measure.objects.create(edition=edition, area=area, number="4.1.1", title_en="Amend the law")


@pytest.fixture
def coordinator(client, people):
    client.force_login(people["coordinator"])
    return people["coordinator"]


def recommendation_data(of, **changes):
    data = {
        "source": of.pk,
        "number": "§50",
        "text_en": "Train labour inspectors",
        "text_az": "",
        "text_ru": "",
        "issued_on": "2018-07-06",
        "priority": "considers",
    }
    return data | changes


# --- Sources and recommendations ----------------------------------------------------------------


def test_the_coordinator_adds_and_edits_a_source(client, coordinator):
    response = client.post(
        reverse("recommendation_source_create"),
        {"kind": "un", "reference": "CEDAW/C/AZE/CO/6", "title_en": "CEDAW observations", "year": "2022"},
    )
    source = RecommendationSource.objects.get(reference="CEDAW/C/AZE/CO/6")
    assert response.status_code == 302 and response["Location"].endswith(f"#source-{source.pk}")
    response = client.post(
        reverse("recommendation_source_edit", args=[source.pk]),
        {"kind": "un", "reference": "CEDAW/C/AZE/CO/6", "title_en": "Concluding observations", "published_on": "x"},
    )
    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()
    client.post(
        reverse("recommendation_source_edit", args=[source.pk]),
        {"kind": "un", "reference": "CEDAW/C/AZE/CO/6", "title_en": "Concluding observations"},
    )
    source.refresh_from_db()
    assert source.title_en == "Concluding observations"
    assert source.history.first().history_user == coordinator


def test_a_source_cited_like_one_kept_is_refused(client, coordinator, sources):
    response = client.post(reverse("recommendation_source_create"), {"kind": "greta", "reference": "greta (2018) 17"})
    page = response.content.decode()
    assert response.status_code == 400 and "The source GRETA(2018)17 is already kept" in page
    assert RecommendationSource.objects.count() == 2


def test_the_coordinator_adds_a_recommendation_kept_with_who_added_it(client, coordinator, sources):
    response = client.post(reverse("recommendation_create"), recommendation_data(sources["greta"]))
    added = Recommendation.objects.get(number="§50")
    assert response.status_code == 302 and response["Location"].endswith(f"#recommendation-{added.pk}")
    assert (added.text_en, added.issued_on, added.priority) == (
        "Train labour inspectors",
        date(2018, 7, 6),
        "considers",
    )
    assert added.history.get().history_user == coordinator


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "§ 45"}, "number", "GRETA(2018)17 already has recommendation §45"),
        ({"number": "45"}, "number", "GRETA(2018)17 already has recommendation §45"),
        ({"text_en": "  "}, "text_en", "Write the recommendation in at least one language."),
        ({"issued_on": "31.02.2018"}, "issued_on", "Enter a real date"),
        ({"number": ""}, "number", "Write the number the source gives"),
        ({"source": "999999"}, "source", "That source no longer exists"),
    ],
)
def test_a_wrong_recommendation_is_refused_next_to_its_field(client, coordinator, sources, changes, field, message):
    before = Recommendation.objects.count()
    response = client.post(reverse("recommendation_create"), recommendation_data(sources["greta"], **changes))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    # The summary links to the field, and the field names its error.
    assert f'href="#id_{field}"' in page and f'id="id_{field}_error"' in page
    assert (
        f'aria-describedby="id_{field}_error' in page
        or f'aria-describedby="id_{field}_helptext id_{field}_error' in page
    )
    assert Recommendation.objects.count() == before


def test_editing_a_recommendation_keeps_its_own_number_and_the_earlier_wording(client, coordinator, sources):
    recommendation = sources["§45"]
    response = client.post(
        reverse("recommendation_edit", args=[recommendation.pk]),
        recommendation_data(sources["greta"], number="§45", text_en="Identify victims proactively"),
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text_en == "Identify victims proactively"
    assert [r.text_en for r in recommendation.history.order_by("history_id")] == [
        "Identify",
        "Identify victims proactively",
    ]


def test_a_recommendation_a_measure_answers_is_not_deleted_and_the_page_names_the_measure(
    client, coordinator, sources, measure
):
    recommendation = sources["§45"]
    measure.recommendations.add(recommendation)
    page = client.get(reverse("recommendation_delete", args=[recommendation.pk])).content.decode()
    assert "It cannot be deleted" in page and "NAP-2020-2024 · 4.1.1" in page
    response = client.post(reverse("recommendation_delete", args=[recommendation.pk]))
    assert response.status_code == 302
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()
    follow = client.get(response["Location"]).content.decode()
    assert "was not deleted: measures answer it" in follow


def test_a_recommendation_no_measure_answers_is_deleted_after_confirming(client, coordinator, sources):
    recommendation = sources["§113"]
    page = client.get(reverse("recommendation_delete", args=[recommendation.pk])).content.decode()
    assert "Delete the recommendation" in page
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()  # asking is not deleting
    client.post(reverse("recommendation_delete", args=[recommendation.pk]))
    assert not Recommendation.objects.filter(pk=recommendation.pk).exists()
    assert Recommendation.history.filter(id=recommendation.pk, history_type="-").get().history_user == coordinator


def test_the_list_offers_the_coordinator_its_links_and_nobody_else(client, people, sources):
    client.force_login(people["coordinator"])
    page = client.get(reverse("recommendation_list")).content.decode()
    for url in (
        reverse("recommendation_source_create"),
        reverse("recommendation_create"),
        reverse("recommendation_import"),
        reverse("recommendation_edit", args=[sources["P3"].pk]),
        reverse("recommendation_source_edit", args=[sources["tip"].pk]),
    ):
        assert url in page
    client.force_login(people["partner"])
    page = client.get(reverse("recommendation_list")).content.decode()
    assert reverse("recommendation_create") not in page and reverse("recommendation_import") not in page
    # Everyone signed in finds the page in the navigation.
    assert f'href="{reverse("recommendation_list")}"' in client.get(reverse("measure_list")).content.decode()


def test_the_list_costs_the_same_for_the_coordinator_however_many_recommendations(client, coordinator, sources):
    url = reverse("recommendation_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        Recommendation.objects.create(source=sources["tip"], number=f"R{n}", text_en=f"Recommendation {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- Importing a list of recommendations -----------------------------------------------------


def upload(client, name, content):
    return client.post(reverse("recommendation_import"), {"file": SimpleUploadedFile(name, content)})


def test_the_import_shows_each_row_then_imports_all_of_it_on_confirmation(client, coordinator, sources):
    content = xlsx(
        [
            LIST_HEADER,
            ["GRETA(2018)17", "§45", "Identify better", "", "2018-07-06", "urges"],
            ["GRETA(2018)17", "§130", "Inform victims", "Информировать жертв", "06.07.2018", "considers"],
            ["TIP 2024", "P3", "Do not punish", "", "", "prioritized"],
        ]
    )
    response = upload(client, "list.xlsx", content)
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "The file is correct." in page and "Nothing has been imported yet." in page
    assert "import-outcome-new" in page and "import-outcome-changed" in page and "import-outcome-unchanged" in page
    assert not Recommendation.objects.filter(number="§130").exists()

    response = client.post(preview_url)
    assert response.status_code == 302 and response["Location"] == reverse("recommendation_list")
    added = Recommendation.objects.get(number="§130")
    assert added.text_ru == "Информировать жертв" and added.history.get().history_user == coordinator
    assert Recommendation.objects.get(pk=sources["§45"].pk).text_en == "Identify better"
    assert "1 new and 1 changed recommendations" in client.get(response["Location"]).content.decode()


def test_a_file_with_one_bad_row_imports_nothing_and_says_which_row(client, coordinator, sources):
    content = csv_bytes(
        [
            LIST_HEADER,
            ["TIP 2024", "P9", "Prosecute", "", "", ""],
            ["CEDAW 2015", "§3", "Do", "", "", ""],
        ]
    )
    preview_url = upload(client, "list.csv", content)["Location"]
    page = client.get(preview_url).content.decode()
    assert "nothing will be imported until the file is correct" in page
    assert "unknown source “CEDAW 2015”" in page and "import-outcome-error" in page
    assert "Import 1 new" not in page  # no confirm button
    response = client.post(preview_url)  # confirming anyway
    assert response.status_code == 200
    assert not Recommendation.objects.filter(number="P9").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.pdf", b"%PDF-1.4", "Choose an Excel workbook (.xlsx) or a CSV file."),
        ("list.xlsx", b"PK\x03\x04 not really a workbook", None),
        ("list.xlsx", bytes(range(256)) * 8, None),
        ("list.csv", b"\xff\xfe\x00garbage\x00\x81\x8d", None),
        ("list.csv", b"No.;Text\n1;x\n", "No header row"),
        ("list.csv", b"", "The file is empty"),
    ],
)
def test_a_bad_file_gets_a_message_never_an_error_page(client, coordinator, sources, name, content, message):
    response = upload(client, name, content)
    if response.status_code == 302:
        response = client.get(response["Location"])
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert "error-summary" in page
    if message:
        assert message in page
    assert Recommendation.objects.count() == 3


def test_an_upload_of_another_session_is_not_found(client, coordinator, sources):
    response = client.get(reverse("recommendation_import_preview", args=["not-a-token"]))
    assert response.status_code == 302 and response["Location"] == reverse("recommendation_import")


# --- The recommendations a measure answers --------------------------------------------------


def test_the_measure_page_leads_the_coordinator_to_its_recommendations(client, people, measure, sources):
    client.force_login(people["coordinator"])
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert reverse("measure_recommendations", args=[measure.pk]) in page
    client.force_login(people["focal_point"])
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert reverse("measure_recommendations", args=[measure.pk]) not in page


def test_the_coordinator_chooses_the_recommendations_and_the_history_keeps_the_change(
    client, coordinator, measure, sources
):
    measure.recommendations.add(sources["P3"])
    url = reverse("measure_recommendations", args=[measure.pk])
    page = client.get(url).content.decode()
    # Grouped by source, each a checkbox; the ones answered are ticked.
    assert "<legend>GRETA(2018)17" in page and "<legend>TIP 2024" in page
    assert f'value="{sources["P3"].pk}" id="recommendation-{sources["P3"].pk}" checked' in page
    records = measure.history.count()

    response = client.post(url, {"recommendations": [sources["§45"].pk, sources["§113"].pk]})
    assert response.status_code == 302
    assert {r.number for r in measure.recommendations.all()} == {"§45", "§113"}
    assert measure.history.count() == records + 1
    record = measure.history.first()
    assert record.history_user == coordinator
    assert {link.recommendation_id for link in record.recommendations.all()} == {
        sources["§45"].pk,
        sources["§113"].pk,
    }
    (change,) = [c for c in selectors.measure_history(measure) if c.recommendations]
    assert change.recommendations == {"added": ["GRETA(2018)17 §113", "GRETA(2018)17 §45"], "removed": ["TIP 2024 P3"]}
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "changed the recommendations it answers" in page and "Removed: TIP 2024 P3" in page


def test_saving_the_same_choice_adds_nothing_to_the_history(client, coordinator, measure, sources):
    measure.recommendations.add(sources["P3"])
    records = measure.history.count()
    client.post(reverse("measure_recommendations", args=[measure.pk]), {"recommendations": [sources["P3"].pk]})
    assert measure.history.count() == records


@pytest.mark.parametrize("tampered", ["999999", "abc", "-1", "²", "99999999999999999999"])
def test_a_tampered_recommendation_id_is_refused_and_nothing_changes(client, coordinator, measure, sources, tampered):
    measure.recommendations.add(sources["P3"])
    records = measure.history.count()
    response = client.post(
        reverse("measure_recommendations", args=[measure.pk]), {"recommendations": [sources["§45"].pk, tampered]}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in page and 'href="#id_recommendations"' in page and 'id="id_recommendations"' in page
    assert [r.number for r in measure.recommendations.all()] == ["P3"]
    assert measure.history.count() == records


def test_a_source_in_the_address_that_is_no_number_is_ignored(client, coordinator, sources):
    # "²" is a digit to Python's isdigit() but no number to int(): the form opens without a source chosen.
    for value in ("²", "x", "99999999999999999999", str(sources["tip"].pk)):
        response = client.get(reverse("recommendation_create") + "?source=" + value)
        assert response.status_code == 200, value


def test_a_recommendation_deleted_meanwhile_is_refused_by_the_service(measure, sources, people):
    with pytest.raises(services.UnknownRecommendations):
        services.measure_set_recommendations(
            measure_id=measure.pk, recommendation_ids={sources["P3"].pk, 987654}, user=people["coordinator"]
        )
    assert not measure.recommendations.exists()


def test_the_choice_page_costs_the_same_however_many_recommendations(client, coordinator, measure, sources):
    url = reverse("measure_recommendations", args=[measure.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(40):
        recommendation = Recommendation.objects.create(source=sources["tip"], number=f"R{n}", text_en=f"Text {n}")
        measure.recommendations.add(recommendation)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    # session, user, second factor, the measure with its plan and area, the ids it answers, the sources, their
    # recommendations, unread notifications (header)
    assert len(few) == 8, "\n".join(q["sql"][:160] for q in few.captured_queries)


def test_unticking_every_recommendation_takes_them_all_off_the_measure(client, coordinator, measure, sources):
    measure.recommendations.add(sources["P3"], sources["§45"])
    response = client.post(reverse("measure_recommendations", args=[measure.pk]), {})
    assert response.status_code == 302
    assert not measure.recommendations.exists()
    newest = selectors.measure_history(measure)[0]
    assert newest.recommendations == {"added": [], "removed": ["GRETA(2018)17 §45", "TIP 2024 P3"]}
