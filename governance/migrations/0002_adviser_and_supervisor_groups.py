"""The two roles, as groups with exactly the permissions they need.

Adviser: their own and the unassigned cases (the scope is workflows.selectors), with those
cases' contacts, routes, key dates, deadlines, messages (and "Retry now") and tasks ("Mark
done"); the calculator and the message preview. Supervisor: all of that for every adviser's
cases, and assigning cases, reminder policies, suppressions, the audit trail, export and
erasure. Users, groups and the beat tables are for superusers only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADVISER = [
    ("workflows", "case", ["view", "add", "change"]),
    ("workflows", "route", ["view", "add", "change", "delete"]),
    ("workflows", "keydate", ["view", "add", "change", "delete"]),
    ("workflows", "deadline", ["view", "change"]),
    ("notifications", "contact", ["view", "add", "change", "delete"]),
    ("notifications", "outboundmessage", ["view", "change"]),
    ("notifications", "advisertask", ["view", "change"]),
]
SUPERVISOR = [
    *ADVISER,
    ("workflows", "case", ["view_all_cases", "assign_case", "export_case", "erase_case"]),
    ("notifications", "reminderpolicy", ["view", "add", "change"]),
    ("notifications", "suppression", ["view", "delete"]),
    ("governance", "auditevent", ["view"]),
    ("auditlog", "logentry", ["view"]),
]
GROUPS = {"Adviser": ADVISER, "Supervisor": SUPERVISOR}


def codenames(app_label, model, actions):
    # "view" -> view_case; a custom permission is already its codename.
    return [a if "_" in a else f"{a}_{model}" for a in actions]


def create(apps, schema_editor):
    # Permissions are made after migrate; these need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for app_label, model, actions in grants:
            for codename in codenames(app_label, model, actions):
                wanted.append(
                    Permission.objects.get(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename=codename,
                    )
                )
        group.permissions.set(wanted)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("workflows", "0004_case_closed_erased_and_roles"),
        ("notifications", "0006_webhook_receipt"),
        ("auditlog", "0017_add_actor_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
