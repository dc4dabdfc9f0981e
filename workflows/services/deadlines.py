"""The adviser's marking and override of a deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workflows import rules
from workflows.case_summary import case_summaries_refresh
from workflows.models import Case, Deadline

OVERRIDE_RANGE = timedelta(days=365)


def override_out_of_range(*, due: date, override: date) -> str | None:
    """An override more than a year from the computed date is a typing slip, not a date."""
    earliest, latest = due - OVERRIDE_RANGE, due + OVERRIDE_RANGE
    if earliest <= override <= latest:
        return None
    return (
        f"{override:%d/%m/%Y} is more than a year from the computed date "
        f"({rules.long_date(due)}): an override must be between {earliest:%d/%m/%Y} and "
        f"{latest:%d/%m/%Y}. Check the year."
    )


@transaction.atomic
def deadline_update(
    *,
    deadline: Deadline,
    status: str,
    override_date: date | None,
    override_reason: str,
    by,
    status_reason: str = "",
    now: datetime | None = None,
) -> Deadline:
    """Set the adviser's status (with its reason) and override; an override always records
    who, when and why."""
    override_reason = override_reason.strip()
    status_reason = status_reason.strip() if status != Deadline.Status.OPEN else ""
    if problem := status_reason_missing(status=status, status_reason=status_reason):
        raise ValidationError(problem)
    if override_date and (
        problem := override_out_of_range(due=deadline.due, override=override_date)
    ):
        raise ValidationError(problem)
    if override_date and not override_reason:
        raise ValidationError("Say why you are overriding the computed date.")
    if override_reason and not override_date:
        raise ValidationError("Give the override date, or clear the reason.")
    # The case first, as deadlines_recompute_many locks it, then the row. Compare with the
    # stored row, not `deadline`: a bound admin form has already copied its data onto the
    # instance.
    Case.objects.select_for_update().filter(pk=deadline.case_id).values_list("pk").first()
    stored = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.status = status
    deadline.status_reason = status_reason
    deadline.override_date = override_date
    deadline.override_reason = override_reason
    if (override_date, override_reason) != (stored.override_date, stored.override_reason):
        deadline.overridden_by = by if override_date else None
        deadline.overridden_at = (now or timezone.now()) if override_date else None
    else:
        deadline.overridden_by, deadline.overridden_at = stored.overridden_by, stored.overridden_at
    deadline.full_clean()
    deadline.save()
    # The case list's next step follows the status and override (an override's own act-by).
    case_summaries_refresh(case_ids=[deadline.case_id], today=timezone.localdate(now))
    return deadline


# Marking a deadline missed or waived changes what the family is told (a waived one is no longer
# reminded; a missed one is what a late appeal must explain): whoever reads the case later must
# see why. "Met" is usually shown by a recorded event, so its reason may stay blank.
NEEDS_A_REASON = (Deadline.Status.MISSED, Deadline.Status.WAIVED)


def status_reason_missing(*, status: str, status_reason: str) -> str:
    """The adviser's mistake in words, or "" when a marking has the reason it needs."""
    if status in NEEDS_A_REASON and not status_reason.strip():
        return f"Say why it is marked {Deadline.Status(status).label.lower()}."
    return ""
