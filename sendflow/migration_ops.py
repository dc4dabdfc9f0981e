"""Migration steps that only PostgreSQL takes: trigram indexes for the adviser's searches.

SQLite (the embedded default and the quick test run) has no pg_trgm; its searches read every
row, which is fine at a few thousand cases. The model state never holds these indexes, so
`makemigrations` stays in step on both databases."""

from __future__ import annotations

from django.db import migrations


def postgres_sql(forward: str, backward: str) -> migrations.RunPython:
    def run(sql: str):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return step

    return migrations.RunPython(run(forward), run(backward), elidable=False)


def trigram_index(name: str, table: str, expression: str) -> migrations.RunPython:
    """A GIN trigram index on `expression`, written as Django writes the searched column:
    `UPPER("col"::text)` for icontains, `"col"::text` for contains, so the planner matches it
    to the admin's `LIKE '%term%'`."""
    return postgres_sql(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)",
        f"DROP INDEX IF EXISTS {name}",
    )
