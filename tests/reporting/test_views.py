"""Every reporting URL × every role, the request form's limits, downloads, and fixed query counts."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import services
from nap_tracker.models import User
from reporting.forms import PENDING_KINDS
from reporting.models import Report
from tests.factories import AreaFactory, EditionFactory, ReportingPeriodFactory
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db
ROLES = ["admin", "coordinator", "focal_point", "ngo", "partner", "anonymous"]


@pytest.fixture
def own_report(people, plan):
    """A finished report that the partner asked for."""
    report = Report.objects.create(edition=plan.edition, requested_by=people["partner"], state=Report.State.QUEUED)
    report.file.save("nap-2020-2024-edition-en.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.state = Report.State.DONE
    report.save()
    return report


def url(name, report):
    return reverse(name, args=[report.pk]) if name == "reporting:download" else reverse(name)


# Expected status for GET: 302 = sent to sign in. The partner asked for `own_report`: the
# staff may download it too; the focal point and the NGO may not learn it exists.
MATRIX = {
    "reporting:dashboard": {
        "admin": 200,
        "coordinator": 200,
        "focal_point": 200,
        "ngo": 200,
        "partner": 200,
        "anonymous": 302,
    },
    "reporting:list": {
        "admin": 200,
        "coordinator": 200,
        "focal_point": 200,
        "ngo": 200,
        "partner": 200,
        "anonymous": 302,
    },
    "reporting:new": {
        "admin": 200,
        "coordinator": 200,
        "focal_point": 200,
        "ngo": 200,
        "partner": 200,
        "anonymous": 302,
    },
    "reporting:download": {
        "admin": 200,
        "coordinator": 200,
        "focal_point": 404,
        "ngo": 404,
        "partner": 200,
        "anonymous": 302,
    },
}


# Pages of one plan, in the site's matrix (tests/measures/test_permission_matrix.py), which names plans.
IN_THE_SITE_MATRIX = {"reporting:quality"}


def test_the_matrix_names_every_reporting_url():
    from reporting.urls import urlpatterns

    assert {f"reporting:{pattern.name}" for pattern in urlpatterns} == set(MATRIX) | IN_THE_SITE_MATRIX


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_may_open_each_reporting_page(client, people, own_report, name, role):
    if role != "anonymous":
        client.force_login(people[role])
    response = client.get(url(name, own_report))
    response.close()  # a download holds its file open until closed
    assert response.status_code == MATRIX[name][role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_download_serves_the_file_as_an_attachment(client, people, own_report):
    client.force_login(people["partner"])
    response = client.get(url("reporting:download", own_report))
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert 'attachment; filename="nap-2020-2024-edition-en.pdf"' in response["Content-Disposition"]


def test_a_report_not_yet_made_cannot_be_downloaded(client, people, plan):
    report = Report.objects.create(edition=plan.edition, requested_by=people["partner"])
    client.force_login(people["partner"])
    assert client.get(url("reporting:download", report)).status_code == 404


def form_data(plan, **overrides):
    data = {"kind": "edition", "edition": plan.edition.pk, "language": "en", "format": "pdf"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["admin", "coordinator", "partner"])
def test_staff_and_partners_may_request_every_kind(client, people, plan, role):
    client.force_login(people[role])
    form = client.get(reverse("reporting:new")).context["form"]
    built = [value for value in Report.Kind.values if value not in PENDING_KINDS]
    assert [value for value, _label in form.fields["kind"].choices] == built
    assert "quality" in built and "coverage" in built


def test_focal_point_is_offered_only_its_own_agencys_report(client, people, plan):
    client.force_login(people["focal_point"])
    form = client.get(reverse("reporting:new")).context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == ["agency"]
    assert list(form.fields["agency"].queryset) == [people["focal_point"].agency]


def test_focal_point_requests_its_agencys_report_and_gets_only_its_measures(
    client, people, plan, django_capture_on_commit_callbacks
):
    focal = people["focal_point"]  # of MLSPP, as in the plan
    client.force_login(focal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:new"), form_data(plan, kind="agency", agency=focal.agency_id))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:list")
    report = Report.objects.get(requested_by=focal)
    assert (report.kind, report.agency_id, report.state) == ("agency", focal.agency_id, "done")
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Amend the anti-trafficking law" in text and "Open a shelter in Ganja" not in text


@pytest.mark.parametrize(
    "tampered",
    [
        {"kind": "agency", "agency": "MOJ"},  # another agency's report
        {"kind": "edition"},  # the whole plan
        {"kind": "overdue"},
        {"kind": "edition", "agency": "MLSPP"},  # the own agency, but another kind
    ],
)
def test_focal_point_cannot_request_another_report_by_editing_the_post(client, people, plan, tampered):
    client.force_login(people["focal_point"])
    data = form_data(plan, kind=tampered["kind"])
    if "agency" in tampered:
        data["agency"] = plan.agencies[tampered["agency"]].pk
    response = client.post(reverse("reporting:new"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Report.objects.exists()


def test_ngo_cannot_request_the_ministrys_report(client, people, plan):
    client.force_login(people["ngo"])
    response = client.post(reverse("reporting:new"), form_data(plan, kind="agency", agency=plan.agencies["MLSPP"].pk))
    assert "agency" in response.context["form"].errors
    assert not Report.objects.exists()


def test_form_says_what_is_missing_next_to_the_field(client, people, plan):
    client.force_login(people["partner"])
    response = client.post(reverse("reporting:new"), form_data(plan, kind="area"))
    assert response.context["form"].errors["area"] == ["Choose the area the report covers."]
    other = ReportingPeriodFactory(edition=EditionFactory(code="NAP-OTHER"), label="2019 H2")
    response = client.post(reverse("reporting:new"), form_data(plan, period=other.pk))
    assert "period" in response.context["form"].errors
    assert not Report.objects.exists()


def test_my_reports_refreshes_itself_only_while_one_is_being_made(client, people, plan, own_report):
    client.force_login(people["partner"])
    page = client.get(reverse("reporting:list")).content.decode()
    assert "data-refresh-seconds" not in page and "Download" in page
    Report.objects.create(edition=plan.edition, requested_by=people["partner"])
    page = client.get(reverse("reporting:list")).content.decode()
    assert 'data-refresh-seconds="4"' in page and "reporting/refresh.js" in page and "Waiting" in page


def test_my_reports_lists_only_my_own(client, people, plan, own_report):
    client.force_login(people["coordinator"])
    assert list(client.get(reverse("reporting:list")).context["page"]) == []


def test_my_reports_runs_the_same_queries_for_3_or_30_reports(client, people, plan):
    client.force_login(people["partner"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reporting:list")).status_code == 200
        return len(captured)

    Report.objects.bulk_create([Report(edition=plan.edition, requested_by=people["partner"]) for _ in range(3)])
    few = queries()
    Report.objects.bulk_create([Report(edition=plan.edition, requested_by=people["partner"]) for _ in range(27)])
    # session, user, second factor, the user's agency (header), count, the page of reports with their plan,
    # period, agency, area, unread notifications (header)
    assert queries() == few == 7


def dashboard_queries(client, code):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reporting:dashboard"), {"edition": code})
    assert response.status_code == 200
    return len(captured), response


def test_dashboard_runs_the_same_queries_for_3_or_300_measures(client, people):
    from tests.reporting.test_numbers import _plan_with_updates

    client.force_login(people["partner"])
    # Each measure with its lead's approved report (with files, one restricted) and an NGO's assessment;
    # the bigger plan's deadlines revised twice.
    _plan_with_updates("NAP-SMALL", 3)
    _plan_with_updates("NAP-BIG", 300)
    small, _ = dashboard_queries(client, "NAP-SMALL")
    big, response = dashboard_queries(client, "NAP-BIG")
    assert response.context["numbers"].totals.total == 300
    assert response.context["numbers"].assessed == 300
    # session, user, second factor, the user's agency (header), unread notifications (header), the plans, then
    # the eleven of reporting.numbers.dashboard_numbers (areas, measures counted per area, deadline revisions
    # per area, measures counted per agency, those agencies, carried-over measures, periods, the progress
    # across them, the first overdue measures, the first disagreeing assessments and their updates) and the
    # six of reporting.results' summary (indicators, their values, money planned and spent summed by the
    # database, the funding sources and the bodies named)
    assert small == big == 23
    # Then from the cache: the six of the page around the numbers.
    assert dashboard_queries(client, "NAP-SMALL")[0] == dashboard_queries(client, "NAP-BIG")[0] == 6


def test_dashboard_shows_the_numbers_the_report_prints(client, people, plan):
    client.force_login(people["partner"])
    response = client.get(reverse("reporting:dashboard"))
    page = response.content.decode()
    numbers = response.context["numbers"]
    assert numbers.totals.total == 5
    assert "Train labour inspectors" in page  # overdue today
    charts = page.split('<main id="main"', 1)[1]  # the header has a bell icon
    assert charts.count("<svg") == 4  # the ring, by pillar, across periods, by area
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in page or "file:///etc/passwd" not in page


def test_everyone_signed_in_sees_the_demo_dashboard(client, demo):
    for username in ["admin", "coordinator", "focal", "ngo", "partner"]:
        client.force_login(User.objects.get(username=username))
        response = client.get(reverse("reporting:dashboard"))
        assert response.status_code == 200
        assert response.context["edition"].code == "NAP-2020-2024"
        assert response.context["numbers"].totals.total == 42
        assert response.context["numbers"].carried


def test_dashboard_counts_revised_deadlines_per_area_and_links_the_periods(client, people, plan):
    services.measure_revise_deadline(
        measure_id=plan.measures["4.2.1"].pk,
        user=people["coordinator"],
        new_deadline=date(2025, 6, 30),
        reason="The building needs repairs.",
    )
    client.force_login(people["partner"])
    response = client.get(reverse("reporting:dashboard"))
    html = response.content.decode()
    sections = {section.code: section.counts for section in response.context["numbers"].sections}
    assert (sections["4.1"].revised, sections["4.2"].revised, sections["4.2"].revisions) == (0, 1, 1)
    assert "Deadline revised for 1 measure (1 revision)" in html
    assert f"?edition={plan.edition.pk}&amp;revised=true" in html
    assert reverse("period_list", args=[plan.edition.code]) in html


# --- The request form: what each kind needs, plans too large to print whole, the message after ---


def test_the_form_marks_each_area_and_period_with_its_plan_and_loads_its_script(client, people, plan):
    client.force_login(people["partner"])
    page = client.get(reverse("reporting:new")).content.decode()
    area = plan.areas["4.1"]
    assert f'data-edition="{plan.edition.pk}" value="{area.pk}"' in page or (
        f'value="{area.pk}" data-edition="{plan.edition.pk}"' in page
    )
    assert 'data-kind-field="area"' in page and 'data-kind-field="agency"' in page
    assert "reporting/report-form.js" in page


def test_an_area_of_another_plan_gets_a_clear_message_not_an_error_page(client, people, plan):
    client.force_login(people["partner"])
    other_area = AreaFactory(edition=EditionFactory(code="NAP-OTHER"), code="9.9")
    response = client.post(reverse("reporting:new"), form_data(plan, kind="area", area=other_area.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == ["Choose an area of the chosen action plan."]
    assert not Report.objects.exists()


def test_fields_the_kind_does_not_use_are_ignored(client, people, plan, django_capture_on_commit_callbacks):
    # Chosen before the kind was changed to the whole plan, and sent by a browser without the script.
    client.force_login(people["partner"])
    other_area = AreaFactory(edition=EditionFactory(code="NAP-OTHER"), code="9.9")
    data = form_data(plan, kind="edition", area=other_area.pk, agency=plan.agencies["MOJ"].pk, format="csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:new"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.area, report.agency) == ("edition", None, None)


def test_a_plan_too_large_to_print_whole_is_said_before_and_refused_as_one_pdf(
    client, people, plan, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_FULL_PDF_MAX_MEASURES = 3  # the plan has 5 measures; area 4.1 has 3
    client.force_login(people["coordinator"])
    page = client.get(reverse("reporting:new")).content.decode()
    assert f'data-large-edition="{plan.edition.pk}"' in page and "summary edition" in page
    response = client.post(reverse("reporting:new"), form_data(plan, kind="edition"))
    assert "summary edition" in response.context["form"].errors["kind"][0]
    assert not Report.objects.exists()
    # What is offered instead is accepted: the summary edition, an area small enough, the workbook.
    for data in [
        form_data(plan, kind="summary"),
        form_data(plan, kind="area", area=plan.areas["4.1"].pk),
        form_data(plan, kind="edition", format="xlsx"),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("reporting:new"), data).status_code == 302, data
    assert Report.objects.filter(state="done").count() == 3


def test_the_message_after_a_request_says_how_the_report_really_stands(client, people, plan, monkeypatch):
    from reporting import services as reporting_services

    client.force_login(people["partner"])
    # Without a worker the report is made as the request commits, before the page answers (the test's
    # transaction never commits, so it is made at once): the message says it is ready.
    monkeypatch.setattr(reporting_services, "report_enqueue_on_commit", reporting_services.report_enqueue)
    response = client.post(reverse("reporting:new"), form_data(plan, format="csv"), follow=True)
    assert Report.objects.get().state == "done"
    assert "Your report is ready" in response.content.decode()
    # With a worker that has not picked it up yet, it is being prepared.
    monkeypatch.setattr(reporting_services, "report_enqueue_on_commit", lambda report_id: None)
    response = client.post(reverse("reporting:new"), form_data(plan, format="csv"), follow=True)
    assert "Your report is being prepared" in response.content.decode()
