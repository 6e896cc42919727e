"""Text set in the admin never becomes part of the PDF's stylesheet.

Found by attacking a running copy: an agency name ending in a carriage return and `}` closed the
CSS string of the running header it was put in, and the rest of the name restyled the report.
"""

from datetime import UTC, datetime

import pytest

from reporting import rendering
from reporting.services import report_render
from tests.reporting.conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)

# Each would end the CSS string (or the <style> element) and hide the report's cover and tables.
HOSTILE_NAMES = [
    "Evil\r}} .cover, .summary, table { display: none } @page { x {",
    'Evil"}} .cover, .summary, table { display: none } @page { x { content: "',
    "Evil</style><style>.cover, .summary, table { display: none }</style>",
    "Evil\\\n}} .cover, .summary, table { display: none } @page { x {",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["carriage return", "quote", "end of style", "backslash"])
def test_an_agency_name_prints_literally_and_restyles_nothing(plan, name):
    agency = plan.agencies["MLSPP"]
    agency.name_en = name
    agency.save()
    rendered = report_render(
        kind="agency", edition=plan.edition, agency=agency, language="en", format="pdf", generated_at=GENERATED
    )
    text = pdf_text(rendered.content)
    # The styling is intact: the cover's facts and the measures' table are printed…
    assert "Plan period" in text and "Amend the anti-trafficking law" in text
    # …and the name is printed as written: in the title and the facts on the cover, and in the
    # running header of every later page.
    printed = " ".join(name.split())
    assert text.count(printed) >= 2 + (pdf_pages(rendered.content) - 1), text[:1500]


def test_no_data_goes_into_the_pdf_stylesheet(plan):
    agency = plan.agencies["MLSPP"]
    agency.name_en = "Unique-Agency-Name"
    agency.save()
    from django.utils import translation

    from reporting.numbers import Scope, report_numbers

    with translation.override("en"):
        numbers = report_numbers(Scope(kind="agency", edition=plan.edition, agency=agency))
        html = rendering.html_for_pdf(numbers, generated_at=GENERATED)
    styles = html.split("<style", 1)[1].split("</style>", 1)[0] if "<style" in html else ""
    assert "Unique-Agency-Name" not in styles and plan.edition.code not in styles


@pytest.mark.parametrize("text", ["Evil\r}", 'a"b', "x</style>", "back\\slash", "new\nline", "form\ffeed", "ə ş İ"])
def test_css_string_escapes_everything_that_could_end_it(text):
    import tinycss2

    from reporting.templatetags.reporting_tags import css_string

    quoted = css_string(text)
    assert not any(char in quoted[1:-1] for char in '"\r\n\f<>{}')
    tokens = [t for t in tinycss2.parse_component_value_list(quoted) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string" and tokens[0].value == text
