import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


def snapshot_current_links(apps, schema_editor):
    """A measure's history now keeps the recommendations it answers. Give each measure's latest record the
    links it has today, so that the first change after this shows only what that change did."""
    historical_measure = apps.get_model("measures", "HistoricalMeasure")
    historical_links = apps.get_model("measures", "HistoricalMeasure_recommendations")
    links = apps.get_model("measures", "Measure").recommendations.through
    latest = dict(
        historical_measure.objects.order_by()
        .values("id")
        .annotate(last=models.Max("history_id"))
        .values_list("id", "last")
    )
    historical_links.objects.bulk_create(
        [
            historical_links(
                id=link.id,
                history_id=latest[link.measure_id],
                measure_id=link.measure_id,
                recommendation_id=link.recommendation_id,
            )
            for link in links.objects.all()
            if link.measure_id in latest
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0010_update_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalMeasure_recommendations",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="measures.historicalmeasure",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.measure",
                    ),
                ),
                (
                    "recommendation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.recommendation",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalMeasure_recommendations",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(snapshot_current_links, migrations.RunPython.noop),
    ]
