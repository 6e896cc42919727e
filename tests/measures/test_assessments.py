"""Whose word sets a measure's status: the responsible bodies' approved reports (the lead's first), or the
coordinator's consolidated status; an NGO partner's approved update stands beside it and never overwrites it."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from measures import assessments, services
from measures.models import Measure, MeasureAgency, Status, StatusUpdate
from measures.selectors import measure_history, ngo_assessments
from nap_tracker.models import User
from tests.factories import (
    AgencyFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    """Measure 4.1.1: MLSPP leads, MOJ co-executes, the Ombudsman is a recommended institution, Clean World
    (an NGO) and IOM (an international organisation) are partners."""
    edition = EditionFactory(code="NAP-RULE")
    measure = MeasureFactory(area__edition=edition, number="4.1.1")
    agencies = {
        "MLSPP": AgencyFactory(code="MLSPP"),
        "MOJ": AgencyFactory(code="MOJ"),
        "OMBUDSMAN": AgencyFactory(code="OMBUDSMAN", kind="state_body"),
        "CLEAN-WORLD": AgencyFactory(code="CLEAN-WORLD", kind="ngo"),
        "IOM": AgencyFactory(code="IOM", kind="international"),
    }
    MeasureAgencyFactory(measure=measure, agency=agencies["MLSPP"], is_lead=True)
    MeasureAgencyFactory(measure=measure, agency=agencies["MOJ"])
    MeasureAgencyFactory(measure=measure, agency=agencies["OMBUDSMAN"], part=MeasureAgency.Part.RECOMMENDED)
    MeasureAgencyFactory(measure=measure, agency=agencies["CLEAN-WORLD"], part=MeasureAgency.Part.PARTNER)
    MeasureAgencyFactory(measure=measure, agency=agencies["IOM"], part=MeasureAgency.Part.PARTNER)
    periods = {label: ReportingPeriodFactory(edition=edition, label=label) for label in ["2021 H2", "2022 H2"]}
    coordinator = UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None)
    second = UserFactory(username="coordinator-2", role=User.Role.COORDINATOR, agency=None)
    return measure, agencies, periods, coordinator, second


def approve(measure, agency, period, status, progress, reviewer, narrative="Done."):
    """Submit an update and approve it through the service, as the coordinator's office does."""
    update = StatusUpdateFactory(
        measure=measure,
        agency=agency,
        period=period,
        status=status,
        progress=progress,
        narrative=narrative,
        state=StatusUpdate.State.SUBMITTED,
    )
    services.update_approve(update_id=update.pk, reviewer=reviewer)
    measure.refresh_from_db()
    return update


# --- The order of statuses, and when two accounts disagree --------------------------------


def test_status_steps_run_from_nothing_done_to_done():
    assert assessments.STATUS_STEPS == (
        Status.NOT_IMPLEMENTED,
        Status.NOT_STARTED,
        Status.DELAYED,
        Status.IN_PROGRESS,
        Status.ONGOING,
        Status.COMPLETED,
    )
    assert set(assessments.STATUS_STEPS) == set(Status.values), "every status has its step"
    assert assessments.steps_apart(Status.IN_PROGRESS, Status.COMPLETED) == 2
    assert assessments.steps_apart(Status.COMPLETED, Status.ONGOING) == 1
    assert assessments.steps_apart(Status.NOT_IMPLEMENTED, Status.COMPLETED) == 5


@pytest.mark.parametrize(
    "ours, theirs, disagree",
    [
        ((Status.IN_PROGRESS, 60), (Status.IN_PROGRESS, 60), False),
        ((Status.IN_PROGRESS, 60), (Status.DELAYED, 40), False),  # one step, 20 points
        ((Status.IN_PROGRESS, 60), (Status.ONGOING, 85), False),  # one step, 25 points: the edge still agrees
        ((Status.IN_PROGRESS, 60), (Status.IN_PROGRESS, 86), True),  # 26 points
        ((Status.IN_PROGRESS, 60), (Status.NOT_STARTED, 60), True),  # two steps
        ((Status.COMPLETED, 100), (Status.IN_PROGRESS, 90), True),  # two steps, 10 points
        ((Status.ONGOING, 80), (Status.DELAYED, 40), True),
        ((Status.NOT_IMPLEMENTED, 0), (Status.NOT_STARTED, 0), False),
    ],
)
def test_disagreement_is_more_than_one_step_or_more_than_25_points(ours, theirs, disagree):
    assert assessments.disagree(*ours, *theirs) is disagree
    assert assessments.disagree(*theirs, *ours) is disagree


# --- The status in force -----------------------------------------------------------------


def test_the_leads_latest_approved_update_sets_the_status(setup):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["MLSPP"], periods["2021 H2"], Status.IN_PROGRESS, 40, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 40)
    # A co-executing body reports later and further: the lead has reported, so the lead's word stands.
    approve(measure, agencies["MOJ"], periods["2022 H2"], Status.COMPLETED, 100, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 40)
    approve(measure, agencies["MLSPP"], periods["2022 H2"], Status.DELAYED, 45, coordinator)
    assert (measure.status, measure.progress) == (Status.DELAYED, 45)


def test_without_a_report_from_the_lead_the_latest_responsible_body_speaks(setup):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["MOJ"], periods["2021 H2"], Status.IN_PROGRESS, 30, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 30)
    approve(measure, agencies["OMBUDSMAN"], periods["2022 H2"], Status.IN_PROGRESS, 50, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 50)  # a recommended institution counts


def test_an_ngo_or_other_partner_never_sets_the_status(setup):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["CLEAN-WORLD"], periods["2021 H2"], Status.COMPLETED, 100, coordinator)
    approve(measure, agencies["IOM"], periods["2021 H2"], Status.COMPLETED, 100, coordinator)
    assert (measure.status, measure.progress) == (Status.NOT_STARTED, 0)
    approve(measure, agencies["MLSPP"], periods["2021 H2"], Status.IN_PROGRESS, 40, coordinator)
    approve(measure, agencies["CLEAN-WORLD"], periods["2022 H2"], Status.DELAYED, 10, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 40)


def test_the_ngo_assessment_is_the_latest_approved_update_of_an_ngo_partner(setup):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["IOM"], periods["2022 H2"], Status.COMPLETED, 100, coordinator)  # not an NGO
    approve(measure, agencies["CLEAN-WORLD"], periods["2021 H2"], Status.DELAYED, 20, coordinator, "Early view.")
    later = approve(measure, agencies["CLEAN-WORLD"], periods["2022 H2"], Status.DELAYED, 35, coordinator, "Later.")
    StatusUpdateFactory(  # a draft never counts
        measure=measure, agency=agencies["CLEAN-WORLD"], period=ReportingPeriodFactory(edition=measure.edition)
    )
    other = MeasureFactory(area=measure.area, number="4.1.2")
    found = ngo_assessments([measure.pk, other.pk])
    assert found == {measure.pk: later}
    assert (found[measure.pk].agency.code, found[measure.pk].period.label) == ("CLEAN-WORLD", "2022 H2")
    updates = list(measure.updates.filter(state="approved").select_related("period"))
    assert assessments.ngo_assessment(updates, measure.assignments.select_related("agency")) == later


def test_an_ngo_that_executes_the_measure_reports_on_it_rather_than_assesses(setup):
    measure, agencies, periods, coordinator, _ = setup
    MeasureAgency.objects.filter(measure=measure, agency=agencies["CLEAN-WORLD"]).update(part="executing")
    MeasureAgency.objects.filter(measure=measure, agency=agencies["MLSPP"]).update(is_lead=False)
    approve(measure, agencies["CLEAN-WORLD"], periods["2021 H2"], Status.IN_PROGRESS, 55, coordinator)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 55)
    assert ngo_assessments([measure.pk]) == {}


def test_ngo_assessments_cost_one_query_for_any_number_of_measures(setup, django_assert_num_queries):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["CLEAN-WORLD"], periods["2021 H2"], Status.DELAYED, 20, coordinator)
    with django_assert_num_queries(1):
        found = ngo_assessments([measure.pk, *range(10_000, 10_300)])
        str(found[measure.pk].agency.name), found[measure.pk].period.label


# --- The coordinator's consolidated status -------------------------------------------------


def test_a_consolidated_status_wins_says_so_and_can_be_cleared(setup):
    measure, agencies, periods, coordinator, second = setup
    approve(measure, agencies["MLSPP"], periods["2021 H2"], Status.COMPLETED, 100, coordinator)
    services.measure_set_consolidated_status(
        measure_id=measure.pk,
        user=coordinator,
        status=Status.IN_PROGRESS,
        progress=70,
        note="  The law is adopted but its by-laws are not.  ",
    )
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 70)
    assert measure.is_consolidated and measure.consolidated_by == coordinator and measure.consolidated_at
    assert measure.consolidated_note == "The law is adopted but its by-laws are not."
    # A new approval changes nothing while the consolidated status stands.
    approve(measure, agencies["MLSPP"], periods["2022 H2"], Status.ONGOING, 90, second)
    assert (measure.status, measure.progress) == (Status.IN_PROGRESS, 70)
    # Cleared: the lead's latest approved report speaks again.
    services.measure_clear_consolidated_status(measure_id=measure.pk, user=second)
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == (Status.ONGOING, 90)
    assert not measure.is_consolidated and measure.consolidated_by is None and measure.consolidated_progress is None
    # The history says who did what, in plain words.
    history = measure_history(measure)
    assert [change.consolidation for change in history[:2]] == ["cleared", "set"]
    assert history[0].who == second and history[1].who == coordinator
    labels = {field.label for field in history[1].fields}
    assert {"Status", "Progress %", "Consolidated status", "Note on the consolidated status"} <= labels
    assert not {"Consolidated by", "Consolidated on"} & labels


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"note": "   "}, "note"),
        ({"status": Status.COMPLETED, "progress": 90}, "progress"),
        ({"progress": 101}, "progress"),
        ({"status": "finished"}, "status"),
    ],
)
def test_a_consolidated_status_needs_a_note_and_consistent_numbers(setup, changes, field):
    measure, _agencies, _periods, coordinator, _ = setup
    data = {"status": Status.IN_PROGRESS, "progress": 50, "note": "Reports disagree."} | changes
    with pytest.raises(services.MeasureError) as error:
        services.measure_set_consolidated_status(measure_id=measure.pk, user=coordinator, **data)
    assert error.value.field == field
    measure.refresh_from_db()
    assert not measure.is_consolidated and measure.status == Status.NOT_STARTED


@pytest.mark.parametrize("role", ["focal_point", "ngo", "partner"])
def test_only_the_coordinators_office_consolidates(setup, role):
    measure, agencies, *_ = setup
    person = UserFactory(username=f"someone-{role}", role=role, agency=agencies["MLSPP"])
    with pytest.raises(services.MeasureError):
        services.measure_set_consolidated_status(
            measure_id=measure.pk, user=person, status=Status.COMPLETED, progress=100, note="Done, we say."
        )
    assert not Measure.objects.get(pk=measure.pk).is_consolidated


def test_a_closed_plans_status_is_not_consolidated_and_nothing_to_clear_is_an_error(setup):
    measure, _agencies, _periods, coordinator, _ = setup
    with pytest.raises(services.MeasureError, match="no consolidated status"):
        services.measure_clear_consolidated_status(measure_id=measure.pk, user=coordinator)
    measure.edition.state = "closed"
    measure.edition.save()
    with pytest.raises(services.MeasureError, match="closed"):
        services.measure_set_consolidated_status(
            measure_id=measure.pk, user=coordinator, status=Status.DELAYED, progress=10, note="Late."
        )


def test_the_consolidation_form_sets_and_clears_from_the_measure_page(client, setup):
    measure, agencies, periods, coordinator, _ = setup
    approve(measure, agencies["MLSPP"], periods["2021 H2"], Status.IN_PROGRESS, 40, coordinator)
    approve(measure, agencies["CLEAN-WORLD"], periods["2021 H2"], Status.NOT_STARTED, 5, coordinator, "Nothing seen.")
    client.force_login(coordinator)
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert reverse("measure_consolidate", args=[measure.pk]) in page and "Set a consolidated status" in page
    assert "Independent assessment" in page and "Nothing seen." in page
    assert "Disagrees with the status in force" in page  # in progress 40 vs not started 5: two steps
    url = reverse("measure_consolidate", args=[measure.pk])
    response = client.post(url, {"status": "in_progress", "progress": 60, "note": ""})
    assert response.status_code == 400 and "Say why the coordinator" in response.content.decode()
    response = client.post(url, {"status": "in_progress", "progress": 60, "note": "The working group decided."})
    assert response.status_code == 302
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "Consolidated by the coordinator's office on" in page and "The working group decided." in page
    assert "set a consolidated status" in page  # in the history
    assert client.post(url, {"action": "clear"}).status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.progress, measure.is_consolidated) == (Status.IN_PROGRESS, 40, False)


@pytest.mark.parametrize("role", ["focal_point", "ngo", "partner"])
def test_the_consolidation_link_shows_only_for_the_coordinators_office(client, setup, role):
    measure, agencies, *_ = setup
    client.force_login(UserFactory(username=f"reader-{role}", role=role, agency=agencies["MOJ"]))
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert reverse("measure_consolidate", args=[measure.pk]) not in page


# --- The data migration ----------------------------------------------------------------------


def test_the_migration_recomputes_every_status_without_writing_history(setup):
    measure, agencies, periods, coordinator, _ = setup
    lead = StatusUpdateFactory(
        measure=measure, agency=agencies["MLSPP"], period=periods["2021 H2"], state="approved", progress=30
    )
    StatusUpdateFactory(  # the NGO's later approved update set the status under the old rule
        measure=measure,
        agency=agencies["CLEAN-WORLD"],
        period=periods["2022 H2"],
        state="approved",
        status=Status.COMPLETED,
        progress=100,
    )
    Measure.objects.filter(pk=measure.pk).update(status=Status.COMPLETED, progress=100)
    orphan = MeasureFactory(area=measure.area, number="4.1.9")
    Measure.objects.filter(pk=orphan.pk).update(status=Status.DELAYED, progress=20)
    history_rows = Measure.history.count()
    migration = importlib.import_module("measures.migrations.0008_status_from_responsible_bodies")
    migration.status_under_the_new_rule(django_apps, None)
    measure.refresh_from_db()
    orphan.refresh_from_db()
    assert (measure.status, measure.progress) == (lead.status, 30)
    assert (orphan.status, orphan.progress) == (Status.NOT_STARTED, 0)
    assert Measure.history.count() == history_rows
