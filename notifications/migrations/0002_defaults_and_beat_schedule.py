"""Default reminder policies, and the handful of beat rows that drive the pipeline.

Operators see and pause these in the admin (Periodic tasks). There is never a row per reminder:
the dispatcher reads the outbox every minute instead.
"""

from django.db import migrations

COUNTDOWN = "4w,2w,1w,2wd,0d"
PARENT_DEADLINES = [
    "appeal",
    "mediation_adviser_contact",
    "draft_plan_comments",
    "amendment_comments",
    "discrimination_claim",
    "complaint_response",
    "ombudsman_complaint",
]
# Deadlines others owe the family, and the key dates that show it was done.
CHECKS = {
    "certificate_due": "certificate_issued",
    "mediation_by": "mediation_concluded,mediation_not_arranged,certificate_issued",
    "ehc_assessment_decision": "decision_sent,draft_plan_served",
    "ehc_final_plan": "decision_sent",
    "review_decision": "amendment_notice_sent,decision_sent",
    "final_amended_plan": "decision_sent",
}

BEAT = [
    # name, task, every (seconds) or crontab (minute, hour)
    ("Send due reminders", "notifications.tasks.messages_dispatch_task", 60, None),
    ("Recover stuck and unknown messages", "notifications.tasks.messages_sweep_task", 120, None),
    (
        "Recompute every open case",
        "notifications.tasks.deadlines_recompute_all_task",
        None,
        ("30", "2"),
    ),
]


def create(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    for kind in PARENT_DEADLINES:
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "countdown", "offsets": COUNTDOWN}
        )
    for kind, resolved_by in CHECKS.items():
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "check", "resolved_by": resolved_by}
        )

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, crontab in BEAT:
        schedule = {}
        if every:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=every, period="seconds"
            )
        else:
            minute, hour = crontab
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/London",
            )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, **schedule})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in BEAT]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
