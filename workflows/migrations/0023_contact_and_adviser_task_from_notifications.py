"""Contact and AdviserTask move from notifications to workflows (issue 23: they are casework ideas,
and workflows' services write tasks). Only Django's idea of them moves: the tables keep their names
(notifications_contact, notifications_advisertask), so no row, index or foreign key is touched.

Their content types are renamed in place (notifications.contact -> workflows.contact), so the
permissions the Adviser and Supervisor groups hold and the audit trail's entries follow them.
"""

import django.db.models.deletion
import phonenumber_field.modelfields
from django.db import migrations, models

import workflows.models
import workflows.validators

MOVED = ("contact", "advisertask")


def content_types_move(old_label, new_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            if ContentType.objects.filter(app_label=new_label, model=model).exists():
                continue
            ContentType.objects.filter(app_label=old_label, model=model).update(app_label=new_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        # The groups' migration names notifications.contact: it runs while that is so.
        ("governance", "0007_two_factor_audited"),
        ("notifications", "0021_message_segments"),
        ("workflows", "0022_backfill_case_closings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AdviserTask",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("delivery_failed", "A message could not be delivered"),
                                    ("check_deadline", "Check a date someone else owed"),
                                    ("inbound_sms", "The family replied by text"),
                                    ("overdue", "A reminder is late going out"),
                                    ("deadline_passed", "URGENT: a family deadline has passed"),
                                    ("dates_to_check", "Dates that look odd: check them"),
                                    ("family_date", "The family told us a date: confirm it"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("text", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="workflows.case",
                            ),
                        ),
                        (
                            "message",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="tasks",
                                to="notifications.outboundmessage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_advisertask",
                        "ordering": [
                            models.OrderBy(models.F("done_at"), nulls_first=True),
                            "-created_at",
                        ],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("done_at__isnull", True)),
                                fields=["case"],
                                name="open_task_by_case",
                            ),
                            models.Index(
                                condition=models.Q(("done_at__isnull", True)),
                                fields=["kind", "case", "message", "id"],
                                name="open_task_by_kind",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Contact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("parent", "Parent"),
                                    ("carer", "Carer"),
                                    ("young_person", "Young person (16 to 25)"),
                                ],
                                default="parent",
                                max_length=20,
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        (
                            "mobile",
                            phonenumber_field.modelfields.PhoneNumberField(
                                blank=True,
                                max_length=128,
                                region=None,
                                validators=[workflows.validators.validate_uk_mobile],
                            ),
                        ),
                        ("wants_sms", models.BooleanField(default=False, verbose_name="texts")),
                        ("wants_email", models.BooleanField(default=True, verbose_name="emails")),
                        (
                            "language",
                            models.CharField(
                                choices=[("en", "English")], default="en", max_length=5
                            ),
                        ),
                        (
                            "consent_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="consent given at"
                            ),
                        ),
                        (
                            "consent_source",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("phone", "By phone with an adviser"),
                                    ("in_person", "In person with an adviser"),
                                    ("written", "In writing (letter or email)"),
                                    ("web", "On the family's own page"),
                                    ("import", "Imported with the caseload"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "opt_out_token",
                            models.CharField(
                                default=workflows.models.new_contact_token,
                                editable=False,
                                max_length=16,
                                unique=True,
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="contacts",
                                to="workflows.case",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_contact",
                        "ordering": ["case", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("wants_sms", False),
                                    models.Q(("mobile", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="contact_sms_needs_mobile",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("wants_email", False),
                                    models.Q(("email", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="contact_email_needs_address",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("consent_at__isnull", True), ("consent_source", "")),
                                    models.Q(
                                        ("consent_at__isnull", False),
                                        models.Q(("consent_source", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="contact_consent_recorded_with_source",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_move("notifications", "workflows"),
            content_types_move("workflows", "notifications"),
        ),
    ]
