"""Recompute every measure's status under the rule of `measures.assessments`: only the responsible
bodies' approved updates count — the lead's latest when the lead has reported — never a partner's.

The rule is copied here, frozen as it was when this migration was written, so that later changes to
the application's code cannot change what this migration did. The measures are changed with
`update()`: no history row says that someone changed them, because no one did — the rule did.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import F

RESPONSIBLE_PARTS = ("executing", "recommended")


def status_under_the_new_rule(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    MeasureAgency = apps.get_model("measures", "MeasureAgency")
    StatusUpdate = apps.get_model("measures", "StatusUpdate")

    responsible, leads = defaultdict(set), defaultdict(set)
    for measure_id, agency_id, is_lead in MeasureAgency.objects.filter(part__in=RESPONSIBLE_PARTS).values_list(
        "measure_id", "agency_id", "is_lead"
    ):
        responsible[measure_id].add(agency_id)
        if is_lead:
            leads[measure_id].add(agency_id)

    latest, latest_of_lead = {}, {}
    approved = (
        StatusUpdate.objects.filter(state="approved")
        .order_by("period__start", F("reviewed_at").asc(nulls_first=True), "pk")
        .values_list("measure_id", "agency_id", "status", "progress")
    )
    for measure_id, agency_id, status, progress in approved.iterator(chunk_size=2000):
        if agency_id in responsible[measure_id]:
            latest[measure_id] = (status, progress)
        if agency_id in leads[measure_id]:
            latest_of_lead[measure_id] = (status, progress)

    changes = defaultdict(list)
    for pk, status, progress in Measure.objects.values_list("pk", "status", "progress").iterator(chunk_size=2000):
        wanted = latest_of_lead.get(pk) or latest.get(pk) or ("not_started", 0)
        if (status, progress) != wanted:
            changes[wanted].append(pk)
    for (status, progress), pks in changes.items():
        Measure.objects.filter(pk__in=pks).update(status=status, progress=progress)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_assessments_and_restricted"),
    ]

    operations = [
        migrations.RunPython(status_under_the_new_rule, migrations.RunPython.noop),
    ]
