"""What the documents say: text taken out of the PDF, cells of the workbook, rows of the CSV."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reporting import rendering
from reporting.services import report_render
from tests.reporting.conftest import EVIL_TITLE, TODAY, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)


def render(plan, *, kind="edition", language="en", format="pdf", **params):
    assert GENERATED.date() == TODAY
    return report_render(
        kind=kind, edition=plan.edition, language=language, format=format, generated_at=GENERATED, **params
    )


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for."""
    urls = []
    real = rendering.fetch_static

    def spy(url):
        urls.append(url)
        return real(url)

    monkeypatch.setattr(rendering, "fetch_static", spy)
    return urls


def test_edition_pdf_holds_every_measure_the_numbers_and_the_totals(plan, fetched):
    rendered = render(plan)
    assert rendered.content_type == "application/pdf"
    assert rendered.filename == "nap-2020-2024-edition-en.pdf"
    text = pdf_text(rendered.content)
    assert "National Action Plan 2020–2024" in text and "Progress report" in text
    for number, title in [
        ("4.1.1", "Amend the anti-trafficking law"),
        ("4.1.2", "Train labour inspectors"),
        ("4.2.1", "Open a shelter in Ganja"),
        ("4.2.2", "Hotline for children"),
    ]:
        assert number in text and title in text
    assert "The report covers 5 measures. 1 of them are completed." in text
    assert "Of the 2 measures whose deadline has come, 1 (50%) are completed; 1 are overdue." in text
    assert "Law adopted by the Milli Məclis." in text  # the latest approved narrative
    assert "Draft law sent to the Cabinet." not in text  # an older one
    assert "A draft nobody approved." not in text
    assert "3 measures, 1 completed, 1 overdue, average progress 47%" in text  # area 4.1
    assert "Annex: overdue measures" in text and "1 measure was past its deadline" in text
    # Running header and page numbers from the @page margin boxes.
    pages = pdf_pages(rendered.content)
    assert f"Page 2 / {pages}" in text and "NAP-2020-2024 · Progress report" in text
    # The stylesheet came from the project's static files, and nothing else was asked for.
    assert fetched == [f"{rendering.STATIC_ORIGIN}/static/reporting/report.css"]


def test_agency_report_leaves_other_agencies_measures_out(plan):
    text = pdf_text(render(plan, kind="agency", agency=plan.agencies["MLSPP"]).content)
    assert "Progress report: measures of Ministry of Labour" in text
    assert "Amend the anti-trafficking law" in text and "Train labour inspectors" in text
    for other in ["Open a shelter in Ganja", "Hotline for children", "4.2.1", "Ministry of Justice", "Clean World"]:
        assert other not in text


def test_a_title_that_looks_like_an_image_prints_as_text_and_nothing_is_fetched(plan, fetched):
    text = pdf_text(render(plan).content)
    assert EVIL_TITLE in text
    assert not any("passwd" in url or url.startswith("file:") for url in fetched)
    assert all(url.startswith(rendering.STATIC_ORIGIN + "/static/") for url in fetched)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/static/reporting/report.css",
        f"{rendering.STATIC_ORIGIN}/static/../../../etc/passwd",
        f"{rendering.STATIC_ORIGIN}/static/%2e%2e/%2e%2e/nap_tracker/settings.py",
        f"{rendering.STATIC_ORIGIN}/media/evidence/report.pdf",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(ValueError):
        rendering.fetch_static(url)


def test_the_fetcher_serves_static_files():
    response = rendering.fetch_static(f"{rendering.STATIC_ORIGIN}/static/reporting/report.css")
    assert b"DejaVu Sans" in response.read()
    assert response.content_type == "text/css"


def test_azerbaijani_report_renders_azerbaijani_letters(plan):
    rendered = render(plan, language="az")
    assert rendered.filename.endswith("-az.pdf")
    text = pdf_text(rendered.content)
    assert "2020–2024-cü illər üçün Milli Fəaliyyət Planı" in text
    assert "Qanuna dəyişiklik edilməsi" in text and "Əmək Nazirliyi" in text and "Gəncədə sığınacaq" in text
    for letter in "əğıöşüçİƏ":
        assert letter in text or letter.lower() in text, letter
    assert "Azərbaycanca" in text
    # A measure without an Azerbaijani title falls back to English, marked with its language.
    assert "Hotline for children EN" in text


def test_css_names_dejavu_in_the_page_margin_boxes():
    css = rendering.fetch_static(f"{rendering.STATIC_ORIGIN}/static/reporting/report.css").read().decode()
    page_rule = css[css.index("@page {") : css.index("@page :first")]
    assert page_rule.count('font-family: "DejaVu Sans"') == 4


def test_xlsx_holds_the_tables(plan):
    rendered = render(plan, format="xlsx")
    assert rendered.filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(rendered.content))
    assert workbook.sheetnames == ["Summary", "Measures", "Overdue", "By area", "By agency", "Across periods"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Measures"] == 5 and summary["Completed"] == 1 and summary["Overdue"] == 1
    measures = list(workbook["Measures"].iter_rows(values_only=True))
    assert [row[0] for row in measures[1:]] == ["4.1.1", "4.1.2", "4.1.3", "4.2.1", "4.2.2"]
    assert measures[1][4] == "Completed" and measures[1][5] == 100
    assert [row[0] for row in list(workbook["Overdue"].iter_rows(values_only=True))[1:]] == ["4.1.2"]
    by_area = list(workbook["By area"].iter_rows(values_only=True))
    assert by_area[1][:4] == ("4.1", "Legal base", "Prevention", 3)


def test_xlsx_holds_dates_and_numbers_with_a_frozen_filtered_header_on_every_sheet(plan, settings):
    from decimal import Decimal

    from measures.models import Indicator, StatusUpdate

    settings.TIME_ZONE = "Asia/Baku"
    Indicator.objects.create(
        measure=plan.measures["4.1.2"], name_en="Inspectors trained", baseline_value=Decimal("12.5"), baseline_year=2019
    )
    StatusUpdate.objects.filter(state="approved").update(reviewed_at=datetime(2023, 1, 20, 22, 30, tzinfo=UTC))
    workbook = load_workbook(io.BytesIO(render(plan, format="xlsx").content))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and row[0]}
    # The moment the report was made in the installation's time zone, as the PDF prints it (Baku, UTC+4).
    assert summary["Generated"] == datetime(2023, 3, 1, 13, 30)
    assert summary["State as of"] == datetime(2023, 3, 1)
    measures = list(workbook["Measures"].iter_rows(values_only=True))
    row = dict(zip(measures[0], next(r for r in measures if r[0] == "4.1.1"), strict=True))
    assert row["Deadline"] == datetime(2022, 12, 31) and row["Progress %"] == 100
    # Approved at 22:30 UTC on 20 January is 21 January in Baku.
    assert row["Approved on"] == datetime(2023, 1, 21)
    indicators = list(workbook["Indicators"].iter_rows(values_only=True))
    line = dict(zip(indicators[0], indicators[1], strict=True))
    assert (line["Baseline"], line["Baseline year"]) == (12.5, 2019)


def test_spreadsheet_text_is_never_a_formula(plan):
    measure = plan.measures["4.2.2"]
    measure.title_en = '=HYPERLINK("http://evil.example","click")'
    measure.save()
    workbook = load_workbook(io.BytesIO(render(plan, format="xlsx").content))
    cell = workbook["Measures"]["C6"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    rows = list(csv.reader(io.StringIO(render(plan, format="csv").content.decode("utf-8-sig"))))
    assert rows[5][2].startswith("'=")


def test_csv_is_a_plain_list_of_measures(plan):
    rendered = render(plan, format="csv", language="az")
    assert rendered.content.startswith(b"\xef\xbb\xbf")  # so spreadsheet programs read UTF-8
    rows = list(csv.reader(io.StringIO(rendered.content.decode("utf-8-sig"))))
    assert len(rows) == 6
    assert rows[1][:3] == ["4.1.1", "4.1", "Qanuna dəyişiklik edilməsi"]


def test_render_report_command_writes_the_pdf(plan, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "render_report",
        "--kind",
        "agency",
        "--edition",
        "NAP-2020-2024",
        "--agency",
        "MOJ",
        "--lang",
        "en",
        "--format",
        "pdf",
        "-o",
        str(out),
        stderr=io.StringIO(),
    )
    text = pdf_text(out.read_bytes())
    assert "Open a shelter in Ganja" in text and "Amend the anti-trafficking law" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "NAP-1999"], "No action plan with the code 'NAP-1999'. Known plans: NAP-2020-2024."),
        (
            ["--edition", "NAP-2020-2024", "--period", "2030 H1"],
            "has no reporting period '2030 H1'. Its periods: 2021 H2, 2022 H2.",
        ),
        (["--edition", "NAP-2020-2024", "--kind", "agency"], "An agency report needs --agency CODE."),
        (
            ["--edition", "NAP-2020-2024", "--kind", "agency", "--agency", "NOPE"],
            "No agency with the code 'NOPE' in NAP-2020-2024's country.",
        ),
        (["--edition", "NAP-2020-2024", "--kind", "area", "--area", "9.9"], "has no area '9.9'. Its areas: 4.1, 4.2."),
        (["--edition", "NAP-2020-2024", "--area", "4.1"], "--area is only for --kind area."),
        (["--edition", "NAP-2020-2024", "--kind", "coverage"], "A coverage report needs --source REFERENCE"),
        (["--edition", "NAP-2020-2024", "--kind", "coverage", "--source", "GRETA(1999)1"], "No recommendation source"),
        (["--edition", "NAP-2020-2024", "--source", "TIP 2024"], "--source is only for --kind coverage."),
    ],
)
def test_render_report_command_explains_bad_codes(plan, tmp_path, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        call_command("render_report", *args, "-o", str(tmp_path / "x.pdf"))


def test_pdf_needs_no_collectstatic_when_static_names_are_hashed(plan, settings, fetched):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert "Amend the anti-trafficking law" in pdf_text(render(plan).content)
    assert fetched == [f"{rendering.STATIC_ORIGIN}/static/reporting/report.css"]


def test_every_document_says_who_approved_the_report_it_quotes_and_when(plan):
    from measures.models import StatusUpdate
    from nap_tracker.models import User

    User.objects.filter(username="plan-coordinator").update(first_name="Leyla", last_name="Mammadova")
    StatusUpdate.objects.filter(state="approved").update(reviewed_at=datetime(2023, 1, 20, 10, 0, tzinfo=UTC))

    rows = list(csv.reader(io.StringIO(render(plan, format="csv").content.decode("utf-8-sig"))))
    header, law = rows[0], next(row for row in rows if row[0] == "4.1.1")
    by_column = dict(zip(header, law, strict=True))
    assert (by_column["Approved by"], by_column["Approved on"]) == ("Leyla Mammadova", "2023-01-20")

    workbook = load_workbook(io.BytesIO(render(plan, format="xlsx").content))
    sheet = next(ws for ws in workbook.worksheets if ws.title == "Measures")
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    law_row = next(row for row in values if row[0] == "4.1.1")
    assert "Leyla Mammadova" in law_row

    text = pdf_text(render(plan, format="pdf").content)
    assert "Approved by Leyla Mammadova, 20 Jan 2023" in text


def test_every_document_shows_revised_deadlines_with_the_original_and_the_reason(plan):
    from measures import services
    from tests.factories import UserFactory

    coordinator = UserFactory(username="revising-coordinator", role="coordinator", agency=None)
    for new_deadline, reason in [
        ("2023-06-30", "The inspectorate was reorganised."),
        ("2023-12-31", "New inspectors are trained first."),
    ]:
        services.measure_revise_deadline(
            measure_id=plan.measures["4.1.2"].pk,
            user=coordinator,
            new_deadline=datetime.fromisoformat(new_deadline).date(),
            reason=reason,
        )

    text = pdf_text(render(plan).content)
    assert "deadline revised for 1 measure (2 revisions)" in text  # area 4.1
    assert "The coordinator's office revised the deadline of 1 measure (2 revisions)" in text
    assert "Annex: revised deadlines" in text
    assert "New inspectors are trained first." in text
    assert "Deadline: 31 Dec 2023 (revised; originally 30 Jun 2022)" in text

    workbook = load_workbook(io.BytesIO(render(plan, format="xlsx").content))
    measures = list(workbook["Measures"].iter_rows(values_only=True))
    header = list(measures[0])
    row = dict(zip(header, next(r for r in measures if r[0] == "4.1.2"), strict=True))
    # Real dates, which a spreadsheet sorts and filters.
    assert (row["Deadline"], row["Original deadline"]) == (datetime(2023, 12, 31), datetime(2022, 6, 30))
    assert row["Deadline revisions"].startswith("2022-06-30 → 2023-06-30 (")
    assert row["Deadline revisions"].endswith("): New inspectors are trained first.")
    by_area = list(workbook["By area"].iter_rows(values_only=True))
    assert by_area[0][-2:] == ("Measures with a revised deadline", "Deadline revisions")
    assert [line[-2:] for line in by_area[1:]] == [(1, 2), (0, 0)]
    summary = {line[0]: line[1] for line in workbook["Summary"].iter_rows(values_only=True) if line and line[0]}
    assert (summary["Measures with a revised deadline"], summary["Deadline revisions"]) == (1, 2)
