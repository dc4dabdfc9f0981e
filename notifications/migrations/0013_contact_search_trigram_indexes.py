from django.db import migrations

from sendflow.migration_ops import trigram_index


class Migration(migrations.Migration):
    """Searching for a family by name, email or mobile (the case list and the outbox) through
    trigram indexes instead of reading every contact."""

    dependencies = [
        ("notifications", "0012_planner_index_slimming"),
        ("workflows", "0013_search_trigram_indexes"),  # creates pg_trgm
    ]

    operations = [
        trigram_index("contact_name_trgm", "notifications_contact", 'UPPER("name"::text)'),
        trigram_index("contact_email_trgm", "notifications_contact", 'UPPER("email"::text)'),
        trigram_index("contact_mobile_trgm", "notifications_contact", '"mobile"::text'),
    ]
