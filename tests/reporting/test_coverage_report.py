"""The coverage report of a recommendation source: the request form, the documents (PDF, XLSX, CSV), what
they say, and restricted details only in the coordinator's office's copy."""

import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Recommendation, RecommendationSource, StatusUpdate
from reporting.models import Report
from reporting.services import report_render
from tests.factories import CountryFactory
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)
SECRET = "Case 2022/144-1/031 concerns one of the children"


@pytest.fixture
def greta(plan):
    """On the conftest's plan: §10 no measure; §20 only 4.1.2 (in progress, overdue since 2022); §30 only
    4.2.2 (not started); §40 4.1.1 (completed, its approved report with a restricted part)."""
    source = RecommendationSource.objects.create(
        country=CountryFactory(),
        kind="greta",
        reference="GRETA(2018)17",
        title_en="GRETA report on Azerbaijan, second round",
        year=2018,
        evaluation_round=2,
        is_illustrative=True,
    )
    recs = {
        n: Recommendation.objects.create(
            source=source, number=n, text_en=f'=HYPERLINK("x") Recommendation {n}, in full.', is_illustrative=True
        )
        for n in ["§10", "§20", "§30", "§40"]
    }
    plan.measures["4.1.2"].recommendations.add(recs["§20"])
    plan.measures["4.2.2"].recommendations.add(recs["§30"])
    plan.measures["4.1.1"].recommendations.add(recs["§40"])
    StatusUpdate.objects.filter(measure=plan.measures["4.1.1"], narrative__startswith="Law adopted").update(
        restricted_details=SECRET
    )
    return source


def render(plan, source, *, format="pdf", language="en", who=None):
    return report_render(
        kind="coverage",
        edition=plan.edition,
        source=source,
        language=language,
        format=format,
        generated_at=GENERATED,
        requested_by=who,
    )


def text_of(rendered) -> str:
    if rendered.content_type == "application/pdf":
        return pdf_text(rendered.content)
    if rendered.filename.endswith(".csv"):
        return rendered.content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(rendered.content))
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_lists_the_flagged_recommendations_first_with_the_counts(plan, greta):
    rendered = render(plan, greta)
    assert rendered.filename == "greta201817-coverage-nap-2020-2024-en.pdf"
    assert rendered.content_type == "application/pdf"
    text = pdf_text(rendered.content)
    assert "Recommendations and the measures answering them" in text
    assert "GRETA report on Azerbaijan, second round" in text and "illustrative" in text
    assert "Not answered by any measure" in text
    assert "Only overdue, not started or not implemented measures answer it" in text
    # The sections, flagged first, each recommendation's text complete.
    body = text[text.index("Needing attention", text.index("Summary")) :]
    assert body.index("GRETA(2018)17 §10") < body.index("GRETA(2018)17 §20") < body.index("GRETA(2018)17 §30")
    assert body.index("GRETA(2018)17 §30") < body.index("GRETA(2018)17 §40")
    assert '=HYPERLINK("x") Recommendation §40, in full.' in text
    assert "Law adopted by the Milli Məclis." in text and "Trained 40 inspectors in Şəki." in text
    assert squash(SECRET) not in squash(text)


def test_the_pdf_is_tagged_with_bookmarks_in_the_readers_language(plan, greta):
    from pypdf import PdfReader

    rendered = render(plan, greta, language="az")
    assert rendered.filename.endswith("-az.pdf")
    reader = PdfReader(io.BytesIO(rendered.content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "az"

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    found = list(titles(reader.outline))
    assert "GRETA(2018)17 §10" in found and "GRETA(2018)17 §40" in found


def test_the_workbook_holds_real_numbers_and_dates_a_frozen_header_filters_and_safe_text(plan, greta):
    rendered = render(plan, greta, format="xlsx")
    workbook = load_workbook(io.BytesIO(rendered.content))
    assert workbook.sheetnames == ["Summary", "Recommendations", "Measures"]
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2) if row[0].value}
    assert summary["Not answered by any measure"] == 1
    assert summary["Only overdue, not started or not implemented measures answer it"] == 2
    assert summary["Answered by measures under way or completed"] == 1
    assert summary["State as of"] == datetime(2023, 3, 1)
    sheet = workbook["Measures"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["No."] for r in rows] == ["§10", "§20", "§30", "§40"]
    unanswered, overdue = rows[0], rows[1]
    assert unanswered["Measure No."] is None and unanswered["Coverage"] == "Not answered by any measure"
    assert overdue["Measure No."] == "4.1.2" and overdue["Progress %"] == 40 and overdue["Overdue"] == "yes"
    assert overdue["Deadline"] == datetime(2022, 6, 30)
    assert rows[3]["Latest approved report"] == "Law adopted by the Milli Məclis."
    # Text that starts like a formula stays text.
    formula = sheet["B2"]
    assert formula.data_type == "s" and formula.value == '\'=HYPERLINK("x") Recommendation §10, in full.'
    assert "Restricted details" not in header and SECRET not in text_of(rendered)


def test_a_partners_copy_never_holds_restricted_details(plan, greta, people):
    for format in ["pdf", "xlsx", "csv"]:
        rendered = render(plan, greta, format=format, who=people["partner"])
        assert squash(SECRET) not in squash(text_of(rendered)), format
        assert "restricted" not in rendered.filename


@pytest.mark.parametrize("format", ["pdf", "xlsx", "csv"])
def test_the_coordinators_copy_holds_them_marked(plan, greta, people, format):
    rendered = render(plan, greta, format=format, who=people["coordinator"])
    text = text_of(rendered)
    assert rendered.filename.endswith(f"-restricted.{format}")
    if format == "pdf":
        assert squash(f"RESTRICTED {SECRET}") in squash(text)
        assert "RESTRICTED · GRETA(2018)17" in text
    else:
        assert f"RESTRICTED: {SECRET}" in text


# --- The request form and the task ---------------------------------------------------------------


def form_data(plan, **overrides):
    data = {"kind": "coverage", "edition": plan.edition.pk, "language": "en", "format": "pdf"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["coordinator", "partner"])
def test_staff_and_partners_request_the_coverage_and_the_task_makes_it(
    client, people, plan, greta, role, django_capture_on_commit_callbacks
):
    client.force_login(people[role])
    for format in ["pdf", "xlsx"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("reporting:new"), form_data(plan, source=greta.pk, format=format))
        assert response.status_code == 302, response.context["form"].errors
    reports = list(Report.objects.filter(requested_by=people[role]).order_by("pk"))
    assert [(r.kind, r.source_id, r.state, r.format) for r in reports] == [
        ("coverage", greta.pk, "done", "pdf"),
        ("coverage", greta.pk, "done", "xlsx"),
    ]
    with reports[0].file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Not answered by any measure" in text
    assert (squash(SECRET) in squash(text)) is (role == "coordinator")
    with reports[1].file.open("rb") as handle:
        workbook = load_workbook(handle)
    assert "Measures" in workbook.sheetnames
    listing = client.get(reverse("reporting:list")).content.decode()
    assert "GRETA(2018)17" in listing


def test_the_form_refuses_a_coverage_report_without_a_source(client, people, plan, greta):
    client.force_login(people["partner"])
    response = client.post(reverse("reporting:new"), form_data(plan))
    assert response.status_code == 200
    assert response.context["form"].errors["source"] == ["Choose the recommendation source the report covers."]
    response = client.post(reverse("reporting:new"), form_data(plan, source="99999999"))
    assert "source" in response.context["form"].errors
    response = client.post(reverse("reporting:new"), form_data(plan, source="GRETA(2018)17"))
    assert "source" in response.context["form"].errors
    assert not Report.objects.exists()


def test_focal_points_may_not_request_it(client, people, plan, greta):
    client.force_login(people["focal_point"])
    response = client.post(reverse("reporting:new"), form_data(plan, source=greta.pk))
    assert response.status_code == 200 and response.context["form"].errors
    assert not Report.objects.exists()


def test_another_kind_keeps_no_source(client, people, plan, greta, django_capture_on_commit_callbacks):
    client.force_login(people["partner"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("reporting:new"), form_data(plan, kind="overdue", source=greta.pk))
    assert Report.objects.get().source is None


def test_the_coverage_page_button_fills_in_the_form(client, people, plan, greta):
    client.force_login(people["partner"])
    page = client.get(reverse("recommendation_coverage", args=[greta.pk])).content.decode()
    link = re.search(r'href="([^"]*kind=coverage[^"]*)"', page).group(1).replace("&amp;", "&")
    form = client.get(link).context["form"]
    assert form.initial["kind"] == "coverage" and form.initial["source"] == greta
    assert client.get(reverse("reporting:new") + "?kind=nonsense&source=1e10").status_code == 200


def test_the_demo_greta_coverage_renders(demo):
    from measures.models import Edition

    source = RecommendationSource.objects.get(reference="GRETA(2018)17")
    edition = Edition.objects.get(code="NAP-2020-2024")
    rendered = report_render(
        kind="coverage", edition=edition, source=source, language="az", format="pdf", generated_at=GENERATED
    )
    text = pdf_text(rendered.content)
    assert "GRETA(2018)17 §113" in text and "GRETA(2018)17 §45" in text
