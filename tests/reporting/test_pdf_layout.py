"""The printed report keeps every table inside the page's margins, whatever the content.

Found by a partner: in English and Azerbaijani the measures' tables ran past the right margin to the
paper's edge. Long agency lists, long Azerbaijani words (the language glues suffixes on: one word of
60 letters is not unusual in a title) and long indicator names must wrap inside their column.

The check reads where each word is printed (poppler's `pdftotext -bbox`) and compares it with the
page box less the margins set in static/reporting/report.css.
"""

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
from pypdf import PdfReader

from measures.models import BudgetLine, FundingSource, Indicator, MeasureAgency, Status, StatusUpdate
from reporting.services import report_render
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)
MM = 72 / 25.4
# report.css: @page { margin: 22mm 16mm 20mm 16mm }; the running header and footer sit in the top and
# bottom margins by design, so only the left and right margins bound every word of every page.
LEFT = RIGHT = 16 * MM
# A word's box is its glyphs' advance widths; a hair of rounding is not a table running off the page.
TOLERANCE = 0.5

# 60 letters, no space or hyphen anywhere to break at.
LONG_AZ_WORD = ("Müqavilələşdirilə" * 4)[:60]
LONG_NAME = "Dövlət Sərhəd Xidmətinin İnsan Alverinə Qarşı Mübarizə üzrə Regional Koordinasiya İdarəsi"


def need_pdftotext():
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to check the PDF's layout: apt-get install poppler-utils")


def printed_words(pdf: bytes):
    """(page number, page width, word, x min, x max, y min) of every word the PDF prints."""
    need_pdftotext()
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    words, page, width = [], 0, 0.0
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>'
    for line in xml.decode().splitlines():
        if match := re.search(r'<page width="([\d.]+)"', line):
            page, width = page + 1, float(match[1])
        elif match := re.search(pattern, line):
            words.append((page, width, unescape(match[4]), float(match[1]), float(match[3]), float(match[2])))
    return words


def outside_margins(pdf: bytes) -> list:
    return [
        (page, word, round(x0, 1), round(x1, 1))
        for page, width, word, x0, x1, _y in printed_words(pdf)
        if x0 < LEFT - TOLERANCE or x1 > width - RIGHT + TOLERANCE
    ]


@pytest.fixture
def crowded(plan):
    """The small plan, with a measure shared by 12 agencies with long names, a 60-letter word in a title,
    an agency's name, a narrative and an indicator, long indicator names, a budget and a measure carried
    over from an earlier plan."""
    measure = plan.measures["4.1.2"]
    measure.title_en = measure.title_az = f"Train inspectors {LONG_AZ_WORD} in every region"
    measure.save()
    for index in range(12):
        agency = AgencyFactory(
            code=f"LONG-{index}",
            name_en=f"{LONG_NAME} {index}",
            name_az=f"{LONG_AZ_WORD}{index}",
            kind="ngo" if index % 3 == 0 else "ministry",
        )
        part = MeasureAgency.Part.PARTNER if index % 3 == 0 else MeasureAgency.Part.EXECUTING
        MeasureAgencyFactory(measure=measure, agency=agency, part=part)
    update = StatusUpdate.objects.filter(measure=measure, state=StatusUpdate.State.APPROVED).get()
    update.narrative = f"{LONG_AZ_WORD} " * 3 + "trained 40 inspectors."
    update.save()
    for order, name in enumerate([LONG_AZ_WORD, LONG_NAME + " " + LONG_NAME, "Share of victims referred"]):
        Indicator.objects.create(
            measure=measure,
            name_en=name,
            name_az=name,
            unit=Indicator.Unit.NUMBER,
            baseline_value=Decimal("1234567.50"),
            baseline_year=2019,
            target_value=Decimal("98765432.25"),
            target_year=2024,
            order=order,
        )
    source = FundingSource.objects.create(code="LONG", name_en=LONG_AZ_WORD, name_az=LONG_AZ_WORD)
    BudgetLine.objects.create(measure=measure, source=source, amount=Decimal("12345678901234.00"), currency="AZN")
    earlier = EditionFactory(code="NAP-2014-2018", start_year=2014, end_year=2018, title_en="Earlier plan")
    old = MeasureFactory(
        area=AreaFactory(edition=earlier, code="3.1", title_en=LONG_AZ_WORD),
        number="3.1.1",
        title_en=LONG_AZ_WORD,
        status=Status.DELAYED,
        deadline=date(2018, 12, 31),
    )
    measure.continues = old
    measure.save()
    return plan


@pytest.mark.parametrize("language", ["en", "az", "ru"])
def test_every_word_of_a_crowded_report_lies_inside_the_margins(crowded, language):
    # The whole plan's report has every table the PDF prints.
    rendered = report_render(
        kind="edition", edition=crowded.edition, language=language, format="pdf", generated_at=GENERATED
    )
    words = printed_words(rendered.content)
    # The long content is there to be measured (pdftotext splits a word broken across lines).
    assert any(LONG_AZ_WORD[:10] in word for _page, _width, word, *_box in words)
    assert outside_margins(rendered.content) == []


@pytest.mark.parametrize("language", ["en", "az", "ru"])
def test_every_word_of_a_crowded_annual_report_lies_inside_the_margins(crowded, language):
    # The annual report has tables of its own: the year's updates, indicator values, bodies, recommendations.
    StatusUpdate.objects.filter(measure=crowded.measures["4.1.2"], state=StatusUpdate.State.APPROVED).update(
        restricted_details=f"{LONG_AZ_WORD} " * 2
    )
    rendered = report_render(
        kind="annual",
        edition=crowded.edition,
        period=crowded.periods["2022 H2"],
        language=language,
        format="pdf",
        generated_at=GENERATED,
        requested_by=UserFactory(username="layout-coordinator", role="coordinator", agency=None),
    )
    words = printed_words(rendered.content)
    assert any(LONG_AZ_WORD[:10] in word for _page, _width, word, *_box in words)
    assert outside_margins(rendered.content) == []


# --- The document a donor receives: cover, contents, bookmarks, tags ---------------------------


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, line by line from the top, as printed (the extractors' reading order of a
    tagged PDF puts the contents' page numbers out of line)."""
    lines = {}
    for page, _width, word, x0, _x1, y0 in printed_words(pdf):
        lines.setdefault((page, round(y0)), []).append((x0, word))
    pages = {}
    for (page, _y), words in sorted(lines.items()):
        pages.setdefault(page, []).append(" ".join(word for _x, word in sorted(words)))
    return [" ".join(pages[number]) for number in sorted(pages)]


def outline(reader: PdfReader, items=None) -> dict:
    """The PDF's bookmarks: title → page number (from 1)."""
    found = {}
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found |= outline(reader, item)
        else:
            found[item.title] = reader.get_destination_page_number(item) + 1
    return found


def test_the_cover_names_the_issuing_body_the_legal_basis_the_period_and_the_date(plan):
    plan.edition.approved_on = date(2020, 7, 22)
    plan.edition.save()
    rendered = report_render(
        kind="edition",
        edition=plan.edition,
        period=plan.periods["2022 H2"],
        language="en",
        format="pdf",
        generated_at=GENERATED,
    )
    cover = page_texts(rendered.content)[0]
    assert "Issued by National coordinator's office" in cover
    assert "Legal basis Order No. 2173" in cover
    assert "Plan approved on 22 July 2020" in cover
    assert "Period covered 2022 H2" in cover
    assert "Date of issue 1 March 2023" in cover


def test_an_installation_sets_its_own_issuer_and_logo(plan, settings, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (80, 40), "#1d4e89").save(logo)
    settings.REPORT_ISSUER_NAMES = {"en": "Main Department on Combating Trafficking", "az": "Baş İdarə", "ru": ""}
    settings.REPORT_ISSUER_LOGO = str(logo)
    rendered = report_render(kind="edition", edition=plan.edition, language="az", format="pdf", generated_at=GENERATED)
    assert "Baş İdarə" in page_texts(rendered.content)[0]
    cover = PdfReader(io.BytesIO(rendered.content)).pages[0]
    assert [image.image.size for image in cover.images] == [(80, 40)]


def test_contents_bookmarks_language_and_tags(plan):
    rendered = report_render(kind="edition", edition=plan.edition, language="az", format="pdf", generated_at=GENERATED)
    reader = PdfReader(io.BytesIO(rendered.content))
    texts = page_texts(rendered.content)
    contents = texts[1]
    assert "Mündəricat Xülasə" in contents
    # The headings are the PDF's bookmarks, and each contents entry's page number is its heading's page.
    bookmarks = outline(reader)
    for heading in [
        "Xülasə",
        "4.1 Hüquqi baza",
        "4.2 Qurbanların müdafiəsi və köməyi",
        "Əlavə: vaxtı keçmiş tədbirlər",
    ]:
        page = bookmarks[heading]
        assert page > 2 and heading in texts[page - 1]
        assert re.search(rf"{re.escape(heading)}[ .]+{page} ", contents), (heading, page, contents)
    # Tagged for screen readers (PDF/UA-1), in the report's language.
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "az"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_the_summary_edition_has_the_numbers_without_each_measures_account(plan):
    rendered = report_render(kind="summary", edition=plan.edition, language="en", format="pdf", generated_at=GENERATED)
    text = " ".join(page_texts(rendered.content))
    assert "summary edition" in text and "Victim protection" in text
    assert "Trained 40 inspectors" not in text and "Building chosen" not in text
    # No list of measures either (the overdue 4.1.2 among them): a summary stays short for any plan.
    assert "Annex: overdue measures" not in text and "Train labour inspectors" not in text
