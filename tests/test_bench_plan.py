"""The benchmark's plan generator (bench/plan.py) builds a plan the application accepts: a tiny one
here, so that the generator cannot rot while nobody runs the benchmark. No timing: the benchmark
itself is bench/scale_bench.py, run by hand."""

import pytest
from django.db.models import F

from bench.plan import build_large_plan
from measures.models import (
    DeadlineRevision,
    Measure,
    MeasureAgency,
    ReportingPeriod,
    StatusUpdate,
)
from nap_tracker.models import User

pytestmark = pytest.mark.django_db


def test_a_tiny_plan_has_the_shape_of_a_real_one(client):
    plan = build_large_plan(measures=20, updates=200, seed=7)
    measures = Measure.objects.filter(edition=plan.edition)
    updates = StatusUpdate.objects.filter(measure__edition=plan.edition)

    assert measures.count() == 20
    assert updates.count() == 200 == plan.counts["updates"]
    # Every measure has exactly one lead, an executing body, and at least one other body.
    for measure in measures:
        parts = list(MeasureAgency.objects.filter(measure=measure))
        assert [p.part for p in parts if p.is_lead] == [MeasureAgency.Part.EXECUTING]
        assert len(parts) >= 2
    assert MeasureAgency.objects.filter(measure__edition=plan.edition, part=MeasureAgency.Part.PARTNER).exists()
    # Half-yearly periods, one of them closed; updates in every state of the workflow.
    periods = ReportingPeriod.objects.filter(edition=plan.edition)
    assert {p.label[-2:] for p in periods} == {"H1", "H2"}
    assert periods.filter(closed_at__isnull=False).count() == 1
    assert set(updates.values_list("state", flat=True)) >= {"approved", "submitted", "draft"}
    # The status in force is the lead's latest approved report.
    measure = measures.filter(updates__state="approved").first()
    lead = measure.assignments.get(is_lead=True).agency
    latest = updates.filter(measure=measure, agency=lead, state="approved").order_by("-period__start").first()
    assert (measure.status, measure.progress) == (latest.status, latest.progress)
    # Each update's author is a focal point of the update's own body.
    assert not updates.exclude(author__agency=F("agency")).exists()
    revised = DeadlineRevision.objects.filter(measure__edition=plan.edition).count()
    assert revised == plan.counts["deadline revisions"] >= 1

    # The pages the benchmark measures answer with this data.
    client.force_login(User.objects.get(username=plan.people["focal_point"]))
    assert client.get("/").status_code == 200
    assert client.get(f"/measures/{measure.pk}/").status_code == 200
