"""What "overdue" means, everywhere a user meets it (docs: DESIGN.md, "Decisions taken since the first wave"):
work still expected — the deadline in force has passed, the measure is neither completed nor continuous
("ongoing"), and its plan is active. In a closed plan the same measure is "not completed by the plan's end".
The list's filter and badge, the measure's page, the CSV, the dashboard and the API all say the same."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from measures.models import Edition, Measure, MeasureAgency, Status
from nap_tracker.models import User
from reporting.numbers import dashboard_numbers
from reporting.quality import quality_review
from tests.factories import AgencyFactory, AreaFactory, EditionFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db

PAST = date(2021, 12, 31)
NOT_BY_END = "Not completed by the plan's end"


class Plans:
    """A running plan and a closed one, each with measures whose deadline passed in 2021."""

    def __init__(self):
        self.running = EditionFactory(code="NAP-RUNNING", state=Edition.State.ACTIVE)
        self.closed = EditionFactory(code="NAP-CLOSED", state=Edition.State.CLOSED, start_year=2016, end_year=2020)
        body = AgencyFactory(code="MLSPP")
        run_area, closed_area = AreaFactory(edition=self.running, code="1"), AreaFactory(edition=self.closed, code="1")

        def measure(area, number, status, progress):
            made = MeasureFactory(area=area, number=number, deadline=PAST, status=status, progress=progress)
            MeasureAgency.objects.create(measure=made, agency=body, part="executing", is_lead=True)
            return made

        self.late = measure(run_area, "1.1", Status.IN_PROGRESS, 40)
        self.ongoing = measure(run_area, "1.2", Status.ONGOING, 60)
        self.done = measure(run_area, "1.3", Status.COMPLETED, 100)
        self.unfinished = measure(closed_area, "1.1", Status.IN_PROGRESS, 70)
        self.closed_ongoing = measure(closed_area, "1.2", Status.ONGOING, 80)


@pytest.fixture
def plans():
    return Plans()


@pytest.fixture
def partner(client):
    client.force_login(
        UserFactory(username="partner", role=User.Role.PARTNER, agency=AgencyFactory(code="IOM", kind="international"))
    )
    return client


def list_ids(client, query):
    page = client.get(reverse("measure_list") + query).context["page"]
    return {measure.pk for measure in page.object_list}


def list_row(html, measure):
    """The measures list's row of `measure`, as HTML."""
    url = reverse("measure_detail", args=[measure.pk])
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f'href="{url}"' in row]
    assert len(rows) == 1
    return rows[0]


def test_only_work_still_expected_in_a_running_plan_is_overdue(plans):
    assert set(Measure.objects.overdue()) == {plans.late}
    # The same rule, measure by measure.
    loaded = Measure.objects.select_related("edition")
    assert {m.number + m.edition.code for m in loaded if m.is_overdue()} == {"1.1NAP-RUNNING"}
    assert {m.pk for m in loaded if m.is_unfinished()} == {plans.unfinished.pk, plans.closed_ongoing.pk}


def test_the_list_filters_and_marks_only_the_running_plans_late_work(partner, plans):
    assert list_ids(partner, "?overdue=true") == {plans.late.pk}
    assert list_ids(partner, "?overdue=false") == {
        plans.ongoing.pk,
        plans.done.pk,
        plans.unfinished.pk,
        plans.closed_ongoing.pk,
    }

    html = partner.get(reverse("measure_list")).content.decode()
    assert "badge-overdue" in list_row(html, plans.late)
    assert "badge-overdue" not in list_row(html, plans.ongoing)
    assert "badge-overdue" not in list_row(html, plans.done)
    closed_row = list_row(html, plans.unfinished)
    assert "badge-overdue" not in closed_row and NOT_BY_END in closed_row
    assert NOT_BY_END not in list_row(html, plans.late) + list_row(html, plans.ongoing)


def test_the_quality_reviews_link_lists_what_a_closed_plan_did_not_complete(partner, plans):
    assert list_ids(partner, "?completed=unfinished") == {plans.unfinished.pk, plans.closed_ongoing.pk}
    figure = quality_review(plans.closed).delivery.overdue
    assert figure.count == 2 and "completed=unfinished" in figure.url
    assert quality_review(plans.running).delivery.overdue.count == 1


def test_the_measure_page_says_overdue_or_not_completed_by_the_plans_end(partner, plans):
    def page(measure):
        return partner.get(reverse("measure_detail", args=[measure.pk])).content.decode()

    late = page(plans.late)
    assert "badge-overdue" in late and NOT_BY_END not in late
    ongoing = page(plans.ongoing)
    assert "badge-overdue" not in ongoing and NOT_BY_END not in ongoing
    closed = page(plans.unfinished)
    assert "badge-overdue" not in closed and NOT_BY_END in closed


def test_the_csv_marks_only_the_running_plans_late_work(partner, plans):
    response = partner.get(reverse("measure_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    overdue = {(row["Action plan"], row["Number"]) for row in rows if row["Overdue"]}
    assert overdue == {("NAP-RUNNING", "1.1")}


def test_the_dashboard_counts_only_the_running_plans_late_work(plans):
    running = dashboard_numbers(plans.running)
    assert running.totals.overdue == 1
    assert [row.measure for row in running.overdue_rows] == [plans.late]
    assert [line.counts.overdue for line in running.by_agency] == [1]
    assert dashboard_numbers(plans.closed).totals.overdue == 0


def test_the_api_says_the_same(partner, plans):
    rows = {row["id"]: row["overdue"] for row in partner.get("/api/v1/measures/?page_size=100").json()["results"]}
    assert rows == {
        plans.late.pk: True,
        plans.ongoing.pk: False,
        plans.done.pk: False,
        plans.unfinished.pk: False,
        plans.closed_ongoing.pk: False,
    }
    overdue = partner.get("/api/v1/measures/?overdue=true").json()["results"]
    assert [row["id"] for row in overdue] == [plans.late.pk]
