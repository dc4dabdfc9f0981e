"""A reminder policy per kind of date a letter gives ("given:hearing"), as the computed deadlines
have, so a supervisor can change or turn off the reminders for the Tribunal's timetable.

The defaults keep what the planner did before: the family's own dates count down like the
appeal; hearings and meetings get the working day before and the morning; what others owe
(the council's response, the Tribunal's decision) gets a check the working day after.
"""

from django.db import migrations, models

COUNTDOWN = "4w,2w,1w,2wd,0d"  # the appeal's default (0002)
MEETING = "1wd,0d"
DEFAULTS = {
    "given:final_evidence": ("countdown", COUNTDOWN),
    "given:attendance_form": ("countdown", COUNTDOWN),
    "given:other": ("countdown", COUNTDOWN),  # others' "other" dates get a check instead
    "given:hearing": ("countdown", MEETING),
    "given:mediation_meeting": ("countdown", MEETING),
    "given:annual_review_meeting": ("countdown", MEETING),
    "given:complaint_meeting": ("countdown", MEETING),
    "given:la_response": ("check", ""),
    "given:decision_expected": ("check", ""),
}


def create(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    for kind, (style, offsets) in DEFAULTS.items():
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": style, "offsets": offsets}
        )


def remove(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    ReminderPolicy.objects.filter(deadline_kind__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_given_dates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reminderpolicy",
            name="offsets",
            field=models.CharField(
                blank=True,
                help_text="Before the date, comma-separated: 4w = 4 weeks, 3d = 3 days, 2wd = 2 "
                "working days, 0d = the morning of the day. Check messages always go the working "
                "day after. A hearing's or meeting's 0d reminder goes at 08:00 (a text at the end "
                "of quiet hours), whatever the time below, so it arrives before it starts.",
                max_length=100,
            ),
        ),
        migrations.RunPython(create, remove),
    ]
