"""Reports beside the dashboard: the NGO's independent assessment and the consolidated status in both, the
same counts everywhere; restricted details and files only in the coordinator's office's reports, marked."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from measures import services as measure_services
from measures.models import Evidence, MeasureAgency, Status, StatusUpdate
from nap_tracker.models import User
from reporting import services
from reporting.models import Report
from reporting.numbers import Scope, report_numbers
from reporting.services import report_render
from tests.factories import AgencyFactory, StatusUpdateFactory, UserFactory
from tests.reporting.conftest import TODAY, pdf_text

pytestmark = pytest.mark.django_db
GENERATED = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)
SECRET = "Witness K.M. sheltered in Şəki, case 2022/144-1/031"
SECRET_FILE = "witness-statement-031.pdf"
OPEN_FILE = "inspection-report-2022.pdf"


@pytest.fixture
def people(plan):
    """One reader per role; the focal point works for the Ministry of Labour, whose report holds the secret."""
    return {
        "admin": UserFactory(username="r-admin", role=User.Role.ADMIN, agency=None),
        "coordinator": UserFactory(username="r-coordinator", role=User.Role.COORDINATOR, agency=None),
        "own focal point": UserFactory(username="r-focal", role=User.Role.FOCAL_POINT, agency=plan.agencies["MLSPP"]),
        "other focal point": UserFactory(username="r-moj", role=User.Role.FOCAL_POINT, agency=plan.agencies["MOJ"]),
        "ngo": UserFactory(username="r-ngo", role=User.Role.NGO, agency=plan.agencies["CLEAN-WORLD"]),
        "partner": UserFactory(
            username="r-iom", role=User.Role.PARTNER, agency=AgencyFactory(code="IOM", kind="international")
        ),
    }


@pytest.fixture
def story(plan):
    """On the plan of the conftest: MLSPP's approved 2022 report on 4.1.1 has a restricted part, an open file and
    a restricted one; Clean World's assessment of 4.2.1 (delayed 20%) says completed (it disagrees); it is
    an NGO partner of 4.1.2 as well, where its assessment agrees; the coordinator has consolidated 4.2.2."""
    law = StatusUpdate.objects.get(measure=plan.measures["4.1.1"], period=plan.periods["2022 H2"])
    law.restricted_details = SECRET
    law.save()
    for name, restricted in [(OPEN_FILE, False), (SECRET_FILE, True)]:
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
    ngo = plan.agencies["CLEAN-WORLD"]
    MeasureAgency.objects.create(measure=plan.measures["4.1.2"], agency=ngo, part=MeasureAgency.Part.PARTNER)
    reviewer = UserFactory(username="ngo-reviewer", role=User.Role.COORDINATOR, agency=None)
    for number, status, progress, text in [
        ("4.2.1", Status.COMPLETED, 100, "The shelter in Ganja has opened its doors."),
        ("4.1.2", Status.IN_PROGRESS, 35, "Inspectors trained in Şəki and Quba."),
    ]:
        StatusUpdateFactory(
            measure=plan.measures[number],
            agency=ngo,
            period=plan.periods["2022 H2"],
            status=status,
            progress=progress,
            narrative=text,
            state=StatusUpdate.State.APPROVED,
            reviewer=reviewer,
            reviewed_at=datetime(2023, 1, 15, tzinfo=UTC),
            restricted_details="The NGO's own restricted note",
        )
    measure_services.measure_set_consolidated_status(
        measure_id=plan.measures["4.2.2"].pk,
        user=reviewer,
        status=Status.DELAYED,
        progress=10,
        note="No report from the Ministry of Justice; the hotline is not funded.",
    )
    return plan


def squash(text: str) -> str:
    """Without white space: a PDF table wraps long words (file names, case numbers) at hyphens."""
    return re.sub(r"\s+", "", text)


def render(plan, who, format):
    return report_render(
        kind="edition", edition=plan.edition, language="en", format=format, generated_at=GENERATED, requested_by=who
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


@pytest.mark.parametrize("format", ["pdf", "xlsx", "csv"])
@pytest.mark.parametrize("reader", ["own focal point", "other focal point", "ngo", "partner", None])
def test_restricted_details_and_files_never_reach_anyone_elses_report(story, people, reader, format):
    rendered = render(story, people.get(reader), format)
    text = text_of(rendered)
    assert "Law adopted by the Milli Məclis." in text and OPEN_FILE in text  # the open part is there
    for secret in [SECRET, SECRET_FILE, "The NGO's own restricted note", "RESTRICTED", "Restricted"]:
        assert squash(secret) not in squash(text), (reader, format, secret)
    assert "restricted" not in rendered.filename


@pytest.mark.parametrize("format", ["pdf", "xlsx", "csv"])
@pytest.mark.parametrize("reader", ["coordinator", "admin"])
def test_the_coordinators_report_holds_the_restricted_part_marked(story, people, reader, format):
    rendered = render(story, people[reader], format)
    text = text_of(rendered)
    assert rendered.filename.endswith(f"-restricted.{format}")
    if format == "pdf":
        assert squash(f"RESTRICTED {SECRET}") in squash(text)
        assert squash(f"Restricted files: {SECRET_FILE}") in squash(text)
        assert "RESTRICTED — This report contains restricted details" in text
        assert "RESTRICTED · NAP-2020-2024 · Progress report" in text  # the running header of every page
    else:
        assert f"RESTRICTED: {SECRET}" in text and f"RESTRICTED: {SECRET_FILE}" in text
    # Only the quoted report's restricted part: the NGO's assessment is quoted without its own.
    assert "The NGO's own restricted note" not in text


def test_a_report_is_judged_by_who_asked_for_it_when_it_is_made(story, people, django_capture_on_commit_callbacks):
    """Through the queue: the partner's file has no restricted part, the coordinator's has it; a coordinator
    who has become a partner by the time the worker renders gets none."""
    files = {}
    for name in ["partner", "coordinator"]:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(
                user=people[name], kind="edition", edition=story.edition, language="en", format="csv"
            )
        report.refresh_from_db()
        assert report.state == Report.State.DONE
        with report.file.open("rb") as handle:
            files[name] = handle.read().decode("utf-8-sig")
    assert SECRET not in files["partner"] and SECRET in files["coordinator"]

    demoted = people["coordinator"]
    report = Report.objects.create(edition=story.edition, requested_by=demoted, format="csv")
    User.objects.filter(pk=demoted.pk).update(role=User.Role.PARTNER, agency=AgencyFactory(code="ICMPD"))
    from reporting.tasks import generate_report

    assert generate_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        assert SECRET not in handle.read().decode("utf-8-sig")


def test_reports_show_the_status_in_force_beside_the_ngo_assessment_with_a_mark_where_they_disagree(story, people):
    numbers = report_numbers(Scope(kind="edition", edition=story.edition), today=TODAY)
    rows = {row.measure.number: row for row in numbers.rows}
    shelter = rows["4.2.1"]
    assert (shelter.status, shelter.progress) == (Status.DELAYED, 20)  # the NGO never overwrites
    assert (shelter.assessment.status, shelter.assessment.progress, shelter.disagrees) == (Status.COMPLETED, 100, True)
    assert shelter.assessment.agency.code == "CLEAN-WORLD" and shelter.assessment.period == "2022 H2"
    assert (rows["4.1.2"].assessment.progress, rows["4.1.2"].disagrees) == (35, False)
    assert rows["4.1.1"].assessment is None
    hotline = rows["4.2.2"]
    assert (hotline.status, hotline.progress, hotline.consolidated) == (Status.DELAYED, 10, True)
    assert hotline.consolidated_note.startswith("No report from the Ministry of Justice")
    assert (numbers.assessed, numbers.disagreements) == (2, 1)

    table = list(csv.reader(io.StringIO(render(story, people["partner"], "csv").content.decode("utf-8-sig"))))
    header = table[0]
    line = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert line["4.2.1"]["Status"] == "Delayed" and line["4.2.1"]["Assessed status"] == "Completed"
    assert line["4.2.1"]["Independent assessment by"] == "Clean World" and line["4.2.1"]["Disagrees"] == "yes"
    assert line["4.2.1"]["Assessment"] == "The shelter in Ganja has opened its doors."
    assert line["4.1.2"]["Disagrees"] == "" and line["4.1.2"]["Assessed progress %"] == "35"
    assert "No report from the Ministry of Justice" in line["4.2.2"]["Consolidated by the coordinator's office"]
    assert line["4.1.1"]["Reported by"] == "Ministry of Labour" and line["4.1.1"]["Evidence files"] == OPEN_FILE

    text = pdf_text(render(story, people["partner"], "pdf").content)
    assert squash("Independent assessment (Clean World, 2022 H2): Completed · 100% disagrees") in squash(text)
    assert squash("Independent assessment (Clean World, 2022 H2): In progress · 35% —") in squash(text)
    assert "Consolidated by the coordinator's office on" in text and "the hotline is not funded." in text
    assert "2 measures have an independent assessment by an NGO partner; 1 of these assessments disagree" in text


def test_the_dashboard_shows_the_numbers_of_the_pdf_and_the_workbook(client, story, people):
    """One source of truth: every figure of the dashboard's summary and assessments is the PDF's and the XLSX's."""
    client.force_login(people["partner"])
    with timezone.override("UTC"):
        page = client.get(reverse("reporting:dashboard") + "?edition=NAP-2020-2024").content.decode()
    numbers = report_numbers(Scope(kind="edition", edition=story.edition))

    def dashboard(label):
        match = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>([^<]+)</dd>", page)
        assert match, label
        return match.group(1).strip()

    shown = {
        "Measures": dashboard("Measures"),
        "Average progress": dashboard("Average progress").rstrip("%"),
        "Completed": dashboard("Completed"),
        "Overdue": dashboard("Overdue"),
        "Measures with an NGO assessment": dashboard("Measures with an NGO assessment"),
        "NGO assessments that disagree": dashboard("NGO assessments that disagree"),
    }
    assert shown == {
        "Measures": "5",
        "Average progress": str(numbers.totals.average_progress),
        "Completed": "1",
        "Overdue": str(numbers.totals.overdue),
        "Measures with an NGO assessment": "2",
        "NGO assessments that disagree": "1",
    }

    workbook = load_workbook(
        io.BytesIO(
            report_render(
                kind="edition", edition=story.edition, language="en", format="xlsx", requested_by=people["partner"]
            ).content
        )
    )
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows() if row[0].value}
    assert str(summary["Measures"]) == shown["Measures"]
    assert str(summary["Average progress %"]) == shown["Average progress"]
    assert str(summary["Completed"]) == shown["Completed"]
    assert str(summary["Overdue"]) == shown["Overdue"]
    assert str(summary["Measures with an NGO assessment"]) == shown["Measures with an NGO assessment"]
    assert str(summary["NGO assessments that disagree"]) == shown["NGO assessments that disagree"]

    text = pdf_text(
        report_render(
            kind="edition", edition=story.edition, language="en", format="pdf", requested_by=people["partner"]
        ).content
    )
    assert f"{shown['Measures']} Measures {shown['Average progress']}% Average progress" in text
    assert f"{shown['Completed']} Completed" in text and f"{shown['Overdue']} Overdue" in text
    assert (
        f"{shown['Measures with an NGO assessment']} measures have an independent assessment by an NGO partner; "
        f"{shown['NGO assessments that disagree']} of these assessments disagree"
    ) in text


def test_a_past_report_reads_the_consolidated_status_only_from_the_day_it_was_set(story):
    hotline = story.measures["4.2.2"]
    from measures.models import Measure

    Measure.objects.filter(pk=hotline.pk).update(consolidated_at=datetime(2023, 2, 1, 12, tzinfo=UTC))
    before = report_numbers(Scope(kind="edition", edition=story.edition, period=story.periods["2022 H2"]), today=TODAY)
    assert {row.measure.number: row.consolidated for row in before.rows}["4.2.2"] is False
    after = report_numbers(Scope(kind="edition", edition=story.edition), today=TODAY)
    assert {row.measure.number: (row.status, row.consolidated) for row in after.rows}["4.2.2"] == (
        Status.DELAYED,
        True,
    )
