"""Today's passed family dates read most recent first along an index (today_paging), and the
planner told how the effective date (an override, else the computed due) is spread: PostgreSQL
ignores a partial index's statistics when it estimates, and without these it took the 77,000
deadlines passed in the last 8 weeks for 1,000 and hashed them all to count 501."""

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from sendflow.migration_ops import postgres_sql


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0018_today_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("override_date", "due"),
                    descending=True,
                ),
                models.OrderBy(models.F("id")),
                condition=models.Q(("owner", "parent"), ("status__in", ["open", "missed"])),
                name="deadline_family_undone_by_due",
            ),
        ),
        postgres_sql(
            "CREATE STATISTICS IF NOT EXISTS deadline_effective_due "
            "ON (COALESCE(override_date, due)) FROM workflows_deadline",
            "DROP STATISTICS IF EXISTS deadline_effective_due",
        ),
    ]
