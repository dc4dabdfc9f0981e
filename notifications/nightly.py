"""The nightly run: every open case recomputed, then the adviser's checks of dates passed."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from notifications.adviser_checks import check_tasks_for_passed_dates
from workflows import services as workflow_services


def deadlines_recompute_all(*, today: date | None = None) -> int:
    """New holiday data or a fixed rule reaches every open case, and advisers get a task for
    each date someone else owed that has passed with nothing recorded; return the cases
    recomputed. `today` defaults to the day the recompute ends (a run may pass midnight)."""
    count = workflow_services.deadlines_recompute_open_cases()
    check_tasks_for_passed_dates(today=today or timezone.localdate())
    return count
