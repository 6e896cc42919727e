import io

import pytest
from django.core.management import call_command

from measures.importing import export_edition, import_preview
from measures.models import Edition, Measure, StatusUpdate
from nap_tracker.spreadsheets import safe_cell, unsafe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_formula_like_text_is_written_as_text_and_read_back_as_written(text):
    assert safe_cell(text) == "'" + text
    assert unsafe_cell(safe_cell(text)) == text


def test_characters_xlsx_refuses_are_dropped():
    assert safe_cell("Line one\x0bline two\x00") == "Line oneline two"
    assert safe_cell(42) == 42


@pytest.mark.django_db
def test_a_formula_in_a_title_survives_export_and_import(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    edition = Edition.objects.get(code="NAP-2020-2024")
    Measure.objects.filter(edition=edition, number="4.1.1").update(title_en='=HYPERLINK("http://evil","x")')
    exported = export_edition(edition=edition)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exported.content)).active
    titles = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil","x")' in titles
    preview = import_preview(edition=edition, content=exported.content, filename=exported.filename)
    assert preview.is_valid, preview.errors
    assert all(row.action == "unchanged" for row in preview.rows), [r for r in preview.rows if r.action != "unchanged"][
        :2
    ]


@pytest.mark.django_db
def test_a_narrative_with_a_word_line_break_still_makes_an_xlsx_report(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    StatusUpdate.objects.filter(state="approved").update(narrative="First line\x0bsecond line")
    out = io.StringIO()
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        call_command(
            "render_report",
            kind="edition",
            edition="NAP-2020-2024",
            lang="en",
            format="xlsx",
            output=target.name,
            stdout=out,
        )
        assert target.read()[:2] == b"PK"
