"""The annual report of the National Coordinator: the compiled numbers against direct queries, the Word
document's structure, the PDF through the queue, the form's formats, and restricted details."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn

from measures.models import (
    Evidence,
    Indicator,
    IndicatorValue,
    MeasureAgency,
    Recommendation,
    RecommendationSource,
    Status,
    StatusUpdate,
)
from reporting import services, tasks
from reporting.documents.annual import annual_report
from reporting.documents.annual_layout import annual_title
from reporting.documents.annual_layout import headings as section_headings
from reporting.models import Report
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CountryFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.reporting.conftest import TODAY, pdf_text

pytestmark = pytest.mark.django_db
SECRET = "Victim L.M., 16, placed in the Baku shelter"
SECRET_FILE = "case-2022-17-statement.pdf"
GENERATED = datetime(2023, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def year_plan(plan):
    """The conftest's plan, with what an annual report reads:

    - a second executing body of 4.1.3, the Ministry of Internal Affairs (MIA), whose 2022 update was only
      submitted, never approved: it did not report;
    - Clean World's approved 2022 assessment of 4.2.1 (a partner: listed among the updates, not among the
      responsible bodies), and MLSPP's approved 2022 update on 4.1.1 with a restricted part and files;
    - an indicator on 4.1.1 with a 2021 value and a 2022 value;
    - GRETA(2018)17 with six recommendations (answered, stalled, unanswered, answered only in another plan),
      and a TIP report of 2024, published after 2022.
    """
    mia = AgencyFactory(code="MIA", name_en="Ministry of Internal Affairs", name_az="Daxili İşlər Nazirliyi")
    MeasureAgencyFactory(measure=plan.measures["4.1.3"], agency=mia)
    StatusUpdateFactory(
        measure=plan.measures["4.1.3"],
        agency=mia,
        period=plan.periods["2022 H2"],
        narrative="Submitted, not yet approved.",
        state=StatusUpdate.State.SUBMITTED,
    )
    reviewer = UserFactory(username="annual-reviewer", role="coordinator", agency=None)
    StatusUpdateFactory(
        measure=plan.measures["4.2.1"],
        agency=plan.agencies["CLEAN-WORLD"],
        period=plan.periods["2022 H2"],
        status=Status.IN_PROGRESS,
        progress=30,
        narrative="The NGO visited the building in Ganja.",
        state=StatusUpdate.State.APPROVED,
        reviewer=reviewer,
        reviewed_at=datetime(2023, 1, 15, tzinfo=UTC),
    )
    law = StatusUpdate.objects.get(measure=plan.measures["4.1.1"], period=plan.periods["2022 H2"])
    law.restricted_details = SECRET
    law.save()
    for name, restricted in [("law-text.pdf", False), (SECRET_FILE, True)]:
        Evidence.objects.create(
            update=law,
            file=f"evidence/{name}",
            original_name=name,
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            restricted=restricted,
            uploaded_by=law.author,
        )
    indicator = Indicator.objects.create(
        measure=plan.measures["4.1.1"],
        name_en="Articles of the law amended",
        name_az="Qanunun dəyişdirilmiş maddələri",
        baseline_value=0,
        target_value=12,
        target_year=2024,
    )
    earlier = StatusUpdate.objects.get(measure=plan.measures["4.1.1"], period=plan.periods["2021 H2"])
    IndicatorValue.objects.create(update=earlier, indicator=indicator, value=3)
    IndicatorValue.objects.create(update=law, indicator=indicator, value=9)

    greta = RecommendationSource.objects.create(
        country=CountryFactory(), kind="greta", reference="GRETA(2018)17", year=2018
    )
    tip = RecommendationSource.objects.create(country=CountryFactory(), kind="us_tip", reference="TIP 2024", year=2024)
    other_plan = MeasureFactory(area=AreaFactory(edition=EditionFactory(code="NAP-2025-2029")), number="1.1")
    links = {
        "§1": ["4.1.1"],  # completed: answered
        "§2": ["4.1.2"],  # overdue at the end of 2022: only by a stalled measure
        "§3": ["4.2.2", "4.1.3"],  # both not started: only by stalled measures
        "§4": [],  # by none
        "§5": ["4.2.1", "4.2.2"],  # delayed but under way, and one not started: answered
        "§6": [],  # only by a measure of another plan: by none of this one
    }
    for number, measures in links.items():
        recommendation = Recommendation.objects.create(source=greta, number=number, text_en=f"Recommendation {number}")
        recommendation.measures.set([plan.measures[m] for m in measures])
    Recommendation.objects.get(source=greta, number="§6").measures.set([other_plan])
    Recommendation.objects.create(source=tip, number="P1", text_en="Published after the year").measures.set([])
    return plan


def compile_year(plan, year=2022, **kwargs):
    period = plan.periods[f"{year} H2"]
    return annual_report(edition=plan.edition, period=period, today=TODAY, **kwargs)


def test_the_year_holds_only_the_updates_approved_for_its_periods(year_plan):
    report = compile_year(year_plan)
    expected = set(
        StatusUpdate.objects.filter(
            measure__edition=year_plan.edition, state=StatusUpdate.State.APPROVED, period__end__year=2022
        ).values_list("measure__number", "agency__code", "period__label")
    )
    assert {(u.measure.number, u.agency.code, u.period) for u in report.updates} == expected
    assert ("4.2.1", "CLEAN-WORLD", "2022 H2") in expected  # the NGO's assessment is among them, marked
    assert [u.is_partner for u in report.updates if u.agency.code == "CLEAN-WORLD"] == [True]
    assert "Draft law sent to the Cabinet." not in {u.narrative for u in report.updates}  # 2021's
    earlier = compile_year(year_plan, 2021)
    assert [(u.measure.number, u.narrative) for u in earlier.updates] == [("4.1.1", "Draft law sent to the Cabinet.")]
    assert (report.year, report.as_of, [p.label for p in report.periods]) == (2022, date(2022, 12, 31), ["2022 H2"])


def test_reported_and_silent_bodies_match_a_direct_query(year_plan):
    report = compile_year(year_plan)
    responsible = MeasureAgency.objects.filter(
        measure__edition=year_plan.edition, part__in=MeasureAgency.RESPONSIBLE_PARTS
    )
    reported = set(
        StatusUpdate.objects.filter(
            measure__edition=year_plan.edition,
            state=StatusUpdate.State.APPROVED,
            period__end__year=2022,
            agency__in=responsible.values("agency"),
        )
        .values_list("agency__code", flat=True)
        .distinct()
    )
    everyone = set(responsible.values_list("agency__code", flat=True))
    assert {b.agency.code for b in report.reported_bodies} == reported == {"MLSPP", "MOJ"}
    assert {b.agency.code for b in report.silent_bodies} == everyone - reported == {"MIA"}
    mlspp = next(b for b in report.bodies if b.agency.code == "MLSPP")
    assert (mlspp.measures, mlspp.leads, mlspp.measures_reported, mlspp.updates) == (2, 2, 2, 2)
    # In 2021 only MLSPP reported.
    assert {b.agency.code for b in compile_year(year_plan, 2021).reported_bodies} == {"MLSPP"}


def test_indicator_values_are_those_of_the_year(year_plan):
    report = compile_year(year_plan)
    expected = list(
        IndicatorValue.objects.filter(
            update__state=StatusUpdate.State.APPROVED, update__period__end__year=2022
        ).values_list("indicator__name_en", "update__period__label", "value")
    )
    assert [(str(line.indicator.name), line.reading.period, line.reading.total) for line in report.indicator_lines] == [
        (name, period, value) for name, period, value in expected
    ]
    assert [line.value for line in report.indicator_lines] == ["9"]


def test_recommendations_are_counted_per_source_and_the_unanswered_listed(year_plan):
    report = compile_year(year_plan)
    assert [(c.source.reference, c.total, c.answered, c.stalled, c.unanswered) for c in report.coverage] == [
        ("GRETA(2018)17", 6, 2, 2, 2)
    ]  # the TIP report of 2024 is not yet published at the end of 2022
    assert [r.number for r in report.unanswered] == ["§4", "§6"]


def test_the_compiled_report_asks_the_same_number_of_queries_whatever_the_plan_size(year_plan):
    def count():
        with CaptureQueriesContext(connection) as queries:
            compile_year(year_plan)
        return len(queries)

    before = count()
    area = year_plan.areas["4.2"]
    for index in range(6):
        measure = MeasureFactory(area=area, number=f"4.2.{10 + index}")
        agency = AgencyFactory(code=f"BODY-{index}")
        MeasureAgencyFactory(measure=measure, agency=agency, is_lead=True)
        update = StatusUpdateFactory(
            measure=measure, agency=agency, period=year_plan.periods["2022 H2"], state=StatusUpdate.State.APPROVED
        )
        indicator = Indicator.objects.create(measure=measure, name_en=f"Indicator {index}")
        IndicatorValue.objects.create(update=update, indicator=indicator, value=index)
    assert count() == before


def render(plan, user, *, language="en", format="docx"):
    return services.report_render(
        kind="annual",
        edition=plan.edition,
        period=plan.periods["2022 H2"],
        language=language,
        format=format,
        generated_at=GENERATED,
        requested_by=user,
    )


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "language, area_heading, agency_name, word_language",
    [
        ("en", "4.1 Legal base", "Ministry of Labour", "en-GB"),
        ("az", "4.1 Hüquqi baza", "Əmək Nazirliyi", "az-Latn-AZ"),
    ],
)
def test_the_word_document_is_one_the_office_can_edit(
    year_plan, people, language, area_heading, agency_name, word_language
):
    rendered = render(year_plan, people["partner"], language=language)
    assert rendered.filename == f"nap-2020-2024-annual-2022-{language}.docx"
    document = Document(io.BytesIO(rendered.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    levels = {style for style, _text in headings}
    assert {"Heading 1", "Heading 2", "Heading 3"} <= levels  # the navigation pane lists them
    numbers = [int(style.rsplit(" ", 1)[1]) for style, _text in headings]
    assert all(level <= before + 1 for before, level in zip([1, *numbers], numbers, strict=False))  # none skipped
    assert ("Heading 2", area_heading) in headings
    with translation.override(language):
        assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [annual_title(2022)]
        assert [text for style, text in headings if style == "Heading 1"] == list(section_headings().values())
    # Every table's first row is a header row Word repeats on each page.
    data_tables = document.tables[1:]  # the first is the cover's facts
    assert data_tables and all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in data_tables)
    text = docx_text(document)
    for expected in ["Law adopted by the Milli Məclis.", "The NGO visited the building in Ganja.", agency_name]:
        assert expected in text
    assert "Draft law sent to the Cabinet." not in text  # 2021's update
    assert "§4" in text and "§6" in text and "Recommendation §4" in text
    # The language and a font with Azerbaijani and Cyrillic letters are set on the styles.
    styles = document.styles.element.xml
    assert f'w:val="{word_language}"' in styles
    fonts = re.findall(r"<w:rFonts[^>]*>", styles)
    assert fonts and all('w:ascii="Arial"' in f and 'w:cs="Arial"' in f and "theme" not in f.lower() for f in fonts)
    assert document.core_properties.language == word_language
    # Page numbers: fields in the footer.
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_the_pdf_and_the_word_document_print_the_same_numbers(year_plan, people):
    pdf = pdf_text(render(year_plan, people["partner"], format="pdf").content)
    document = docx_text(Document(io.BytesIO(render(year_plan, people["partner"]).content)))
    sentence = "2 of the 3 bodies with a responsible part in the plan reported in the year; 1 did not."
    assert sentence in pdf and sentence in document
    for words in ["Law adopted by the Milli Məclis.", "Ministry of Internal Affairs", "Recommendation §6"]:
        assert words in pdf and words in document


def test_the_pdf_is_made_by_the_task(year_plan, people):
    report = Report.objects.create(
        kind="annual",
        edition=year_plan.edition,
        period=year_plan.periods["2022 H2"],
        format="pdf",
        requested_by=people["partner"],
    )
    assert tasks.generate_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    assert report.file.name.endswith("nap-2020-2024-annual-2022-en.pdf")
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Annual report of the National Coordinator for 2022" in text
    assert "Law adopted by the Milli Məclis." in text


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("format", ["pdf", "docx"])
def test_restricted_details_stay_out_of_a_partners_annual_report(year_plan, people, format):
    rendered = render(year_plan, people["partner"], format=format)
    text = pdf_text(rendered.content) if format == "pdf" else docx_text(Document(io.BytesIO(rendered.content)))
    assert "law-text.pdf" in text  # the open file is named
    for secret in [SECRET, SECRET_FILE, "RESTRICTED"]:
        assert squash(secret) not in squash(text)
    assert "restricted" not in rendered.filename


@pytest.mark.parametrize("format", ["pdf", "docx"])
def test_the_coordinators_annual_report_holds_them_marked(year_plan, people, format):
    rendered = render(year_plan, people["coordinator"], format=format)
    text = pdf_text(rendered.content) if format == "pdf" else docx_text(Document(io.BytesIO(rendered.content)))
    assert rendered.filename.endswith(f"-restricted.{format}")
    assert squash(f"RESTRICTED: {SECRET}") in squash(text)
    assert squash(SECRET_FILE) in squash(text)
    assert "RESTRICTED — This report contains restricted details" in text


def form_data(plan, **overrides):
    data = {"kind": "annual", "edition": plan.edition.pk, "language": "en", "format": "docx"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", ["edition", "summary", "overdue"])
def test_the_form_refuses_a_word_document_for_other_reports(client, people, plan, kind):
    client.force_login(people["partner"])
    response = client.post(reverse("reporting:new"), form_data(plan, kind=kind))
    assert response.status_code == 200
    assert response.context["form"].errors["format"] == [
        "A Word document (DOCX) is made only for the annual report of the National Coordinator."
    ]
    assert not Report.objects.exists()


def test_the_form_offers_and_accepts_a_word_document_for_the_annual_report(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["partner"])
    form = client.get(reverse("reporting:new")).context["form"]
    assert "docx" in [value for value, _label in form.fields["format"].choices]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:new"), form_data(plan, period=plan.periods["2022 H2"].pk))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.format, report.state) == ("annual", "docx", "done")
    with report.file.open("rb") as handle:
        assert "Law adopted by the Milli Məclis." in docx_text(Document(handle))


def test_the_service_refuses_a_word_document_for_other_reports(plan, people):
    with pytest.raises(services.ReportError):
        services.report_request(
            user=people["partner"], kind="edition", edition=plan.edition, language="en", format="docx"
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize("format", ["pdf", "docx"])
def test_an_update_written_in_another_language_is_marked_not_translated(year_plan, people, format):
    """The NGO wrote its assessment in Azerbaijani: the English report quotes it as written and says so; the
    ministry's update, written in English, carries no mark."""
    StatusUpdate.objects.filter(narrative="The NGO visited the building in Ganja.").update(language="az")
    StatusUpdate.objects.filter(narrative="Law adopted by the Milli Məclis.").update(language="en")
    rendered = render(year_plan, people["partner"], format=format)
    text = pdf_text(rendered.content) if format == "pdf" else docx_text(Document(io.BytesIO(rendered.content)))
    assert squash("Written in Azerbaijani") in squash(text)
    assert squash("Written in English") not in squash(text)
