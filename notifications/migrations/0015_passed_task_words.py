"""An urgent "date has passed" task now starts with the step's name as advisers read it
("Appeal to the SEND Tribunal: the family's date, ...") instead of its code with spaces ("The
family's appeal date, ..."). The planner raises such a task only when the case has none with the
same text, so the tasks already raised are rewritten to the new form: otherwise every one of them
would be raised a second time by the next nightly run."""

from django.db import migrations

OLD_START = "The family's {spaced} date, "
NEW_START = "{label}: the family's date, "


def new_text(text: str, labels: dict[str, str]) -> str | None:
    """The task's text in the new form, or None when it is not an old-form passed task."""
    for kind, label in labels.items():
        old = OLD_START.format(spaced=kind.replace("_", " "))
        if text.startswith(old):
            return NEW_START.format(label=label) + text.removeprefix(old)
    return None


def forwards(apps, schema_editor):
    # The labels as they stand when this runs (a later change of a label needs its own step).
    from workflows.words import DEADLINE_LABELS

    AdviserTask = apps.get_model("notifications", "AdviserTask")
    tasks = AdviserTask.objects.filter(kind="deadline_passed", text__startswith="The family's ")
    for task in tasks.iterator():
        text = new_text(task.text, DEADLINE_LABELS)
        if text is not None:
            AdviserTask.objects.filter(pk=task.pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0014_dispatch_uses_status_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
