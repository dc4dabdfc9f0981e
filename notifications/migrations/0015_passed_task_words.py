"""An urgent "date has passed" task now starts with the step's name as advisers read it
("Appeal to the SEND Tribunal: the family's date, ...") instead of its code with spaces ("The
family's appeal date, ..."). The planner raises such a task only when the case has none with the
same text, so the tasks already raised are rewritten to the new form: otherwise every one of them
would be raised a second time by the next nightly run. Run it before the new code plans (the
compose file's worker and beat wait for web's migrate); going back, it restores the old form."""

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


def old_text(text: str, labels: dict[str, str]) -> str | None:
    """The task's text in the old form, or None when it is not a new-form passed task."""
    for kind, label in labels.items():
        new = NEW_START.format(label=label)
        if text.startswith(new):
            return OLD_START.format(spaced=kind.replace("_", " ")) + text.removeprefix(new)
    return None


def _rewrite(apps, rewritten) -> None:
    # The labels as they stand when this runs (a later change of a label needs its own step).
    from workflows.words import DEADLINE_LABELS

    AdviserTask = apps.get_model("notifications", "AdviserTask")
    for task in AdviserTask.objects.filter(kind="deadline_passed").iterator():
        text = rewritten(task.text, DEADLINE_LABELS)
        if text is not None:
            AdviserTask.objects.filter(pk=task.pk).update(text=text)


def forwards(apps, schema_editor):
    _rewrite(apps, new_text)


def backwards(apps, schema_editor):
    """Back to the old form, so the older planner, run again, finds its own tasks."""
    _rewrite(apps, old_text)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0014_dispatch_uses_status_index")]

    operations = [migrations.RunPython(forwards, backwards)]
