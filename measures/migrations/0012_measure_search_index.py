"""Trigram indexes for the measures list's free-text search (`q=`), on PostgreSQL only.

The search matches the number's beginning (`number LIKE 'x%'`) or any part of a title in any of
the three languages (`UPPER(title_xx) LIKE UPPER('%x%')`, Django's `icontains`). Without an index
each search read the whole table twice (the count and the page); a GIN index of trigrams answers
both patterns. The indexes are made on the expressions the queries use, so PostgreSQL picks them.

SQLite (the embedded default) has no trigram indexes: there this migration does nothing. The
indexes are not part of the models' state (no `Meta.indexes`), so that rebuilding a table on
SQLite in a later migration never tries to create them.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models import OrderBy
from django.db.models.functions import Collate, Upper
from django.db.models.indexes import IndexExpression


class PostgreSQLTrigramExtension(TrigramExtension):
    """`CREATE EXTENSION IF NOT EXISTS pg_trgm`, skipped on other databases (as Django's operation
    already does going forwards, but not backwards: unapplying on SQLite asked for pg_extension)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_indexes() -> list[GinIndex]:
    """One GIN index of trigrams per expression that MeasureFilter.filter_text's query writes:
    `"number"::text LIKE 'x%'` and `UPPER("title_xx"::text) LIKE UPPER('%x%')`."""
    return [
        # On the column itself: PostgreSQL matches `"number"::text` (varchar to text, no conversion) to it.
        GinIndex(fields=["number"], opclasses=["gin_trgm_ops"], name="measure_number_trgm"),
        *(
            GinIndex(OpClass(Upper(f"title_{code}"), name="gin_trgm_ops"), name=f"measure_title_{code}_trgm")
            for code in ("en", "az", "ru")
        ),
    ]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # What django.contrib.postgres does when installed (it is not, here): put an operator class after
    # the parenthesised expression, `(UPPER("title_en")) gin_trgm_ops`, not inside it.
    IndexExpression.register_wrappers(OrderBy, OpClass, Collate)
    measure = apps.get_model("measures", "Measure")
    for index in search_indexes():
        schema_editor.add_index(measure, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    measure = apps.get_model("measures", "Measure")
    for index in search_indexes():
        schema_editor.remove_index(measure, index)


class Migration(migrations.Migration):
    dependencies = [("measures", "0011_measure_recommendation_history")]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on other databases. pg_trgm is a trusted
        # extension (PostgreSQL 13 and later): the database's owner may create it without being a superuser.
        PostgreSQLTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
