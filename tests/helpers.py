"""Small helpers the message and case tests share (fixtures live in tests/conftest.py)."""

from datetime import date, datetime, time

import time_machine

from notifications.schedule import local_instant
from workflows import services as workflow_services


def london(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """That wall-clock time in London on `day`, as an aware instant."""
    return local_instant(day, time(hour, minute))


def set_date(case, event: str, value: date, *, at: datetime):
    """Record a key date as an adviser would at the instant `at` (what is planned depends on
    the day a date is recorded)."""
    with time_machine.travel(at, tick=False):
        return workflow_services.key_date_set(case=case, event=event, value=value)
