"""Counts in words: "3 messages", "1 working day left"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 message", "3 messages", "0 messages": a count in words, never "message(s)"."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def working_days_words(left: int, *, today: bool = False, passed: bool = False) -> str:
    """Working days to a date, said: "Today", "1 working day left", "Passed 3 working days
    ago"."""
    if today:
        return "Today"
    if passed and left == 0:
        return "Passed (not a working day since)"
    if left >= 0:
        return f"{left} working day{'s' if left != 1 else ''} left"
    ago = -left
    return f"Passed {ago} working day{'s' if ago != 1 else ''} ago"
