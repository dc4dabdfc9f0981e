"""Give the roles what the family page added: advisers decide on the dates a family told us
(on their own cases); supervisors also manage the councils."""

from django.db import migrations

GRANTS = {
    "Adviser": [
        ("familyreporteddate", ["view", "change"]),
    ],
    "Supervisor": [
        ("familyreporteddate", ["view", "change"]),
        ("localauthority", ["view", "add", "change"]),
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.get(name=name)
        for model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="workflows",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GRANTS:
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="workflows",
                    content_type__model__in=["familyreporteddate", "localauthority"],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_retention_beat"),
        ("workflows", "0007_local_authority_example"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
