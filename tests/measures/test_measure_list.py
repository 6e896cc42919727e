import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from measures.filters import MeasureFilter
from measures.models import Measure, MeasureAgency, Pillar, Status
from nap_tracker.models import Agency, Country, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(client, demo):
    client.force_login(User.objects.get(username="partner"))
    return client


def numbers(client, query=""):
    response = client.get(reverse("measure_list") + query)
    assert response.status_code == 200
    return [(m.edition.code, m.number) for m in response.context["page"].object_list]


def all_numbers(client, query=""):
    """Every page of a filtered list."""
    page, found = 1, []
    while True:
        response = client.get(reverse("measure_list") + query + ("&" if query else "?") + f"page={page}")
        found += [(m.edition.code, m.number) for m in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return found
        page += 1


def test_filter_by_agency_and_its_part(partner):
    clean_world = Agency.objects.get(code="CLEAN-WORLD")
    found = all_numbers(partner, f"?agency={clean_world.pk}&part=partner")
    expected = MeasureAgency.objects.filter(agency=clean_world, part="partner").values_list(
        "measure__edition__code", "measure__number"
    )
    assert sorted(found) == sorted(expected) and found
    assert all_numbers(partner, f"?agency={clean_world.pk}&part=executing") == []


def test_filter_overdue_and_deadline_year(partner):
    found = all_numbers(partner, "?overdue=true&deadline_year=2023")
    assert found
    for code, number in found:
        measure = Measure.objects.get(edition__code=code, number=number)
        assert measure.deadline.year == 2023 and measure.status != "completed"


def test_free_text_finds_a_number_or_words_in_any_language(partner):
    assert numbers(partner, "?q=4.1.1&edition=")[0] == ("NAP-2020-2024", "4.1.1")
    assert ("NAP-2020-2024", "4.1.1") in all_numbers(partner, "?q=Konvensiyas")
    assert ("NAP-2014-2018", "4.3") in all_numbers(partner, "?q=152 hotline")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are made on PostgreSQL only")
def test_free_text_search_is_answered_by_the_trigram_indexes(partner):
    # measures/migrations/0011_measure_search_index.py indexes the very expressions the search writes;
    # if the query's SQL drifted from them, PostgreSQL would silently scan the whole table again.
    query = MeasureFilter({"q": "hotline"}, queryset=Measure.objects.all()).qs.order_by()
    with connection.cursor() as cursor:
        # A demo-sized table would be read whole anyway: leave the planner only bitmap scans of indexes,
        # which it can use only if an index matches each expression of the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = query.explain()
    for index in ("measure_number_trgm", "measure_title_en_trgm", "measure_title_az_trgm", "measure_title_ru_trgm"):
        assert index in plan, plan
    assert "Seq Scan" not in plan


def test_official_or_illustrative(partner):
    official = all_numbers(partner, "?wording=official")
    assert ("NAP-2020-2024", "4.1.1") in official
    assert all(not Measure.objects.get(edition__code=c, number=n).is_illustrative for c, n in official)


def test_sorting_by_progress(partner):
    found = all_numbers(partner, "?sort=-progress")
    progress = [Measure.objects.get(edition__code=c, number=n).progress for c, n in found]
    assert progress == sorted(progress, reverse=True)


def test_plan_order_reads_numbers_as_people_do(partner):
    edition = Measure.objects.get(edition__code="NAP-2020-2024", number="4.2.10").edition_id
    found = [n for _, n in all_numbers(partner, f"?edition={edition}")]
    assert found.index("4.2.9") + 1 == found.index("4.2.10")


def test_pages_of_25_with_links_that_keep_the_filters(partner):
    response = partner.get(reverse("measure_list") + "?wording=illustrative")
    assert len(response.context["page"].object_list) == 25
    assert "?wording=illustrative&amp;page=2" in response.content.decode()


def test_a_bad_filter_value_is_explained(partner):
    response = partner.get(reverse("measure_list") + "?deadline_year=twenty")
    assert "Enter a year between 1900 and 2200." in response.content.decode()


def test_csv_holds_the_filtered_list(partner):
    clean_world = Agency.objects.get(code="CLEAN-WORLD")
    response = partner.get(reverse("measure_csv") + f"?agency={clean_world.pk}&part=partner")
    assert response["Content-Disposition"] == 'attachment; filename="nap-measures.csv"'
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Action plan", "Number", "Measure"]
    expected = MeasureAgency.objects.filter(agency=clean_world, part="partner").count()
    assert len(rows) - 1 == expected
    assert all("Clean World" in row[5] for row in rows[1:])


def csv_rows(client, query=""):
    response = client.get(reverse("measure_csv") + query)
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for Azerbaijani letters
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_streams_in_chunks_with_the_same_rows_and_a_fixed_number_of_queries_per_chunk(partner, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from measures import views

    # The current country's measures: Azerbaijan's (the demo's second country has its own).
    measures = Measure.objects.filter(edition__country__code="az")
    whole = csv_rows(partner)
    assert len(whole) - 1 == measures.count() > 6
    monkeypatch.setattr(views, "CSV_CHUNK", 5)
    with CaptureQueriesContext(connection) as queries:
        assert csv_rows(partner) == whole
    chunks = -(-measures.count() // 5)
    # session, user, second factor, the measures (one cursor), then per chunk: their agencies, deadline
    # revisions, the approved updates that set their status, their NGO assessments. Nothing per row.
    assert len(queries) == 3 + 1 + 4 * chunks


def test_csv_writes_formula_like_text_as_text(partner):
    measure = Measure.objects.order_by("pk").first()
    Measure.objects.filter(pk=measure.pk).update(title_en='=HYPERLINK("http://evil.example","Click")')
    rows = csv_rows(partner, f"?q={measure.number}")
    row = next(row for row in rows[1:] if row[1] == measure.number and row[0] == measure.edition.code)
    assert row[2] == '\'=HYPERLINK("http://evil.example","Click")'


def test_menus_follow_a_new_renamed_or_retired_agency(partner):
    # The filter's menus are cached (measures/filters.py); a change to an agency must show at once.
    assert "Anti-Slavery Helpline" not in partner.get(reverse("measure_list")).content.decode()
    agency = Agency.objects.create(code="HELPLINE", name_en="Anti-Slavery Helpline", kind="ngo")
    # A body shows in a country's menu once it works there.
    assert "Anti-Slavery Helpline" not in partner.get(reverse("measure_list")).content.decode()
    agency.countries.add(Country.objects.get(code="az"))
    assert "Anti-Slavery Helpline" in partner.get(reverse("measure_list")).content.decode()
    agency.name_en = "Freedom Helpline"
    agency.save()
    page = partner.get(reverse("measure_list")).content.decode()
    assert "Freedom Helpline" in page and "Anti-Slavery Helpline" not in page
    agency.active = False
    agency.save()
    assert "Freedom Helpline" not in partner.get(reverse("measure_list")).content.decode()


def test_menus_keep_the_chosen_option_and_the_markup(partner):
    clean_world = Agency.objects.get(code="CLEAN-WORLD")
    page = partner.get(reverse("measure_list") + f"?agency={clean_world.pk}&status=in_progress").content.decode()
    assert f'<option value="{clean_world.pk}" selected>' in page
    assert '<option value="in_progress" selected>' in page
    assert '<select id="id_agency" name="agency">' in page


def test_rows_name_status_and_pillar_in_the_readers_language(partner):
    # The labels are translated once per page (measures/views.py), not per row: each row must still be right.
    user = User.objects.get(username="partner")
    user.language = "ru"
    user.save(update_fields=["language"])
    response = partner.get(reverse("measure_list"))
    page = response.content.decode()
    rows = response.context["page"].object_list
    assert len(rows) == 25
    with translation.override("ru"):
        for measure in rows:
            status, pillar = escape(Status(measure.status).label), escape(Pillar(measure.area.pillar).label)
            assert f'<span class="pill pill-{measure.status}">{status}</span>' in page
            assert f"{measure.area.code} · {pillar}</div>" in page
            assert measure.open_update is None  # a partner has no drafts to continue
        assert str(Status.IN_PROGRESS.label) != "In progress"  # the Russian catalogue is there
