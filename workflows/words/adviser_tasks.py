"""Tasks about a family's dates, in the adviser's voice."""

from __future__ import annotations

from datetime import date

from workflows import rules
from workflows.words.sentences import due_sentence, given_sentence

# --- tasks about a family's dates, in the adviser's voice ----------------------------------------
# A task's text is also its identity where a service raises it once (notifications/migrations/
# 0018 rewrote the ones raised in the family's voice): each text is written in one place.


def family_date_waiting_task(*, label: str, value: date, recorded: date) -> str:
    """The family told us a key date other than the one an adviser confirmed."""
    return (
        f"The family says: {label} on {rules.long_date(value)}. The case has "
        f"{rules.long_date(recorded)}, confirmed by an adviser. Their date is not used until "
        "an adviser accepts it (Family-reported dates)."
    )


def family_given_date_waiting_task(*, label: str, value: date, recorded: date) -> str:
    """The family told us a date from a letter other than the one an adviser confirmed."""
    return (
        f"The family says: {label} on {rules.long_date(value)}. The case has "
        f"{rules.long_date(recorded)}, confirmed by an adviser. Their date is not used: check "
        "the letter and change the date on the case if theirs is right."
    )


def check_task(kind: str, due: date) -> str:
    """Someone owed the family something by a date that has passed: the adviser checks."""
    return check_task_words(kind, rules.date_in_words(due=due, act_by=due))


def check_task_words(kind: str, due_words: str) -> str:
    return (
        f"{due_sentence(kind, due_words)} Check with the family whether it has arrived, and "
        "record its date on the case."
    )


def given_check_task(kind: str, due_words: str, *, label: str) -> str:
    """A date a letter gave has passed: the adviser checks it happened."""
    return (
        f"{given_sentence(kind, due_words, label=label)} Check with the family whether it "
        "happened, and mark the date done on the case."
    )
