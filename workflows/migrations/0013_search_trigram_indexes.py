from django.db import migrations

from sendflow.migration_ops import postgres_sql, trigram_index


class Migration(migrations.Migration):
    """The case list's and the outbox's search for a reference: "123" finds SC-0000123 among
    100,000 cases through a trigram index instead of reading every case."""

    dependencies = [("workflows", "0012_planner_index_slimming")]

    operations = [
        # pg_trgm is a trusted extension: the database's owner may create it, no superuser.
        postgres_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm", "SELECT 1"),
        trigram_index("case_reference_trgm", "workflows_case", 'UPPER("reference"::text)'),
    ]
