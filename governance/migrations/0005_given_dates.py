"""Both roles record the dates a letter gives (the Tribunal's timetable, meetings, hearings) on
the cases they may see, as they do key dates."""

from django.db import migrations

ACTIONS = ["view", "add", "change", "delete"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["Adviser", "Supervisor"]):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="workflows",
                codename__in=[f"{action}_givendate" for action in ACTIONS],
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["Adviser", "Supervisor"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="workflows", content_type__model="givendate"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_family_dates_and_councils"),
        ("workflows", "0009_given_dates"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
