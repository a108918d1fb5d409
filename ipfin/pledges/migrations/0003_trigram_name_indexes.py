"""pg_trgm GIN indexes for the public search by pledgor / pledgee name ("contains", SC-13).

PostgreSQL only: on SQLite the search falls back to a LIKE scan (development databases are small).
``pg_trgm`` is a trusted extension (PostgreSQL ≥ 13), so the database owner may create it.
"""

from django.db import migrations

INDEXES = {
    "pledge_ann_pledgor_trgm": "pledgor_name",
    "pledge_ann_pledgee_trgm": "pledgee_name",
}
TABLE = "pledges_pledgeannouncement"


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_sla_and_search_indexes")]

    operations = [migrations.RunPython(create, drop)]
