"""Tasks for the adviser to check that someone who owed the family something by a date did it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from notifications.models import ReminderPolicy
from workflows import words
from workflows.models import AdviserTask, Case, Deadline


def check_task_create(*, case: Case, kind: str, due: date) -> tuple[AdviserTask, bool]:
    """Someone owed the family something by a date: the adviser checks it came, once."""
    return AdviserTask.objects.get_or_create(
        case=case, kind=AdviserTask.Kind.CHECK_DEADLINE, text=words.check_task(kind, due)
    )


def check_tasks_for_passed_dates(*, today: date) -> int:
    """A task for every open "check" deadline whose date has passed with nothing recorded,
    whether or not the family gets messages (nightly)."""
    from workflows.working_days import next_working_day

    created = 0
    kinds = ReminderPolicy.objects.filter(enabled=True, style=ReminderPolicy.Style.CHECK)
    deadlines = (
        Deadline.objects.filter(
            kind__in=kinds.values("deadline_kind"),
            status=Deadline.Status.OPEN,
            due__lt=today,
            due__gte=today - timedelta(days=60),
            case__status=Case.Status.OPEN,
        )
        .filter(Q(done_by="") | Q(done_on__gt=today))
        .select_related("case")
    )
    for deadline in deadlines:
        if next_working_day(deadline.effective_due) <= today:
            _, new = check_task_create(
                case=deadline.case, kind=deadline.kind, due=deadline.effective_due
            )
            created += new
    return created
