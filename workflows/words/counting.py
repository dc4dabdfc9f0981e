"""Counts in words: "3 messages", "1 working day left"."""

from __future__ import annotations

from sendflow.words import counted  # noqa: F401  (its home is below every app; callers read it here)


def working_days_words(left: int, *, today: bool = False, passed: bool = False) -> str:
    """Working days to a date, said: "Today", "1 working day left", "Passed 3 working days
    ago"."""
    if today:
        return "Today"
    if passed and left == 0:
        return "Passed (not a working day since)"
    if left >= 0:
        return f"{working_days_counted(left)} left"
    return f"Passed {working_days_counted(-left)} ago"


def working_days_counted(count: int) -> str:
    """ "1 working day", "12 working days": as counted() says it, but without a thousands
    separator (a date passed years ago reads "1234 working days ago", as it always has)."""
    return f"{count} working day{'s' if count != 1 else ''}"
