"""Reports quote updates as their authors wrote them, and say so when a quote is in another language."""

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from django.utils import translation
from openpyxl import load_workbook

from measures.models import StatusUpdate
from nap_tracker import i18n
from reporting import rendering
from reporting.numbers import Scope, report_numbers
from reporting.services import report_render
from tests.reporting.conftest import TODAY

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)


def render(plan, *, language="en", format="pdf"):
    assert GENERATED.date() == TODAY
    return report_render(kind="edition", edition=plan.edition, language=language, format=format, generated_at=GENERATED)


def pdftotext(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF: apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


@pytest.fixture
def written(plan):
    """4.1.1's quoted report written in Azerbaijani, 4.1.2's in English, 4.2.1's language unknown."""
    StatusUpdate.objects.filter(measure=plan.measures["4.1.1"], period=plan.periods["2022 H2"]).update(
        language="az", narrative="Qanun Milli Məclis tərəfindən qəbul edildi."
    )
    StatusUpdate.objects.filter(measure=plan.measures["4.1.2"]).update(language="en")
    return plan


def test_an_english_pdf_marks_the_report_written_in_azerbaijani(written):
    text = pdftotext(render(written).content)
    assert "(Written in Azerbaijani) Qanun Milli Məclis tərəfindən qəbul edildi." in text
    # Neither the English report nor the one whose language is unknown is marked.
    assert text.count("Written in") == 1
    assert "Trained 40 inspectors in Şəki." in text


def test_an_azerbaijani_pdf_marks_the_english_report_and_not_the_azerbaijani_one(written):
    with translation.override("az"):
        english, azerbaijani = i18n.written_in("en"), i18n.written_in("az")
    text = pdftotext(render(written, language="az").content)
    assert f"({english}) Trained 40 inspectors in Şəki." in text
    assert "Qanun Milli Məclis tərəfindən qəbul edildi." in text and azerbaijani not in text


def test_the_html_of_the_pdf_gives_the_quote_its_language(written):
    """The quote's element carries `lang`, the document's language stays the report's. (WeasyPrint 70 tags
    the PDF in the document's language only; the attribute is there for when it carries it further.)"""
    with translation.override("en"):
        numbers = report_numbers(Scope(kind="edition", edition=written.edition), today=TODAY)
        html = rendering.html_for_pdf(numbers, generated_at=GENERATED)
    assert '<html lang="en"' in html
    assert '<span lang="az">Qanun Milli Məclis tərəfindən qəbul edildi.</span>' in html
    assert '<span lang="en">Trained 40 inspectors in Şəki.</span>' in html


def test_the_csv_and_the_workbook_say_in_which_language_each_quote_is_written(written):
    rows = list(csv.DictReader(io.StringIO(render(written, format="csv").content.decode("utf-8-sig"))))
    by_number = {row["No."]: row for row in rows}
    assert by_number["4.1.1"]["Written in"] == "Azerbaijani"
    assert by_number["4.1.2"]["Written in"] == "English"
    assert by_number["4.2.1"]["Written in"] == ""  # not said: never guessed
    assert by_number["4.2.2"]["Written in"] == ""  # no approved report

    workbook = load_workbook(io.BytesIO(render(written, format="xlsx").content))
    values = list(workbook["Measures"].iter_rows(values_only=True))
    law = dict(zip(values[0], next(row for row in values if row[0] == "4.1.1"), strict=True))
    assert law["Written in"] == "Azerbaijani"
    assert law["Latest approved report"] == "Qanun Milli Məclis tərəfindən qəbul edildi."
