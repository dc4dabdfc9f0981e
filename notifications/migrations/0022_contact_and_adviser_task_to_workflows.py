"""Contact and AdviserTask now live in workflows (workflows 0021): notifications forgets them and
its messages point at workflows.Contact. State only: the tables and their foreign keys stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0021_message_segments"),
        ("workflows", "0023_contact_and_adviser_task_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outboundmessage",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="workflows.contact",
                    ),
                ),
                migrations.DeleteModel(name="AdviserTask"),
                migrations.DeleteModel(name="Contact"),
            ],
            database_operations=[],
        ),
    ]
