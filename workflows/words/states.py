"""A deadline's state today and the adviser's marking, in the adviser's voice."""

from __future__ import annotations

from datetime import date

from workflows import rules, working_days
from workflows.words.counting import working_days_counted
from workflows.words.labels import event_label, fallback_label, sentence_start

# --- a deadline's state and the adviser's marking, in the adviser's voice -----------------------
# Two things an adviser must not confuse: where a deadline stands today (worked out from the dates
# and the events recorded: open, done, passed) and what the adviser marked it (met, missed,
# waived). Lists and the case page show the first in words, then the second, labelled.

# The events that complete a deadline, said to the adviser mid-sentence: their label
# (ADVISER_EVENT_WORDS in labels.py) begun in lower case, or these shorter words.
DONE_EVENT_WORDS: dict[str, str] = {
    "appeal_submitted": "the family sent the appeal",
    "complaint_sent": "the family sent the complaint",
    "discrimination_claim_sent": "the family sent the disability discrimination claim",
    "ombudsman_complaint_sent": "the family complained to the Ombudsman",
}

STATE_COLUMN = "state today"
MARKING_COLUMN = "adviser's marking"

MARKING_LABELS: dict[str, str] = {
    "open": "Not marked",
    "met": "Marked met",
    "missed": "Marked missed",
    "waived": "Marked waived",
}


def done_event_words(event: str) -> str:
    """ "appeal_submitted" -> "the family sent the appeal": the adviser's voice, mid-sentence."""
    if event in DONE_EVENT_WORDS:
        return DONE_EVENT_WORDS[event]
    return sentence_start(event_label(event))


def deadline_state_words(
    *,
    state: str,
    due: date,
    today: date,
    status: str = "open",
    done_by: str = "",
    done_on: date | None = None,
) -> str:
    """A deadline's state on `today`, said to the adviser: "Open: due Monday 1 March 2027 (in 12
    working days)", "Done on Tuesday 1 December 2026 (the family sent the appeal)", "Passed
    Monday 23 November 2026, 10 working days ago". `due` is the effective date (an override
    replaces the computed one); the counts are working days in England (working_days.py)."""
    if state == rules.State.DONE:
        if done_by and done_on is not None and done_on <= today:
            return f"Done on {rules.long_date(done_on)} ({done_event_words(done_by)})"
        return f"Done (the adviser marked it {status})"
    if state == rules.State.PASSED:
        if due >= today:  # marked missed before its date
            return f"Passed (the adviser marked it missed); due {rules.long_date(due)}"
        ago = -working_days.working_days_until(today, due)
        since = f"{working_days_counted(ago)} ago" if ago else "no working day since"
        return f"Passed {rules.long_date(due)}, {since}"
    if due == today:
        return f"Open: due today, {rules.long_date(due)}"
    left = working_days.working_days_until(today, due)
    until = f"in {working_days_counted(left)}" if left else "no working day before it"
    return f"Open: due {rules.long_date(due)} ({until})"


def marking_words(
    *,
    status: str,
    status_reason: str = "",
    override_date: date | None = None,
    override_reason: str = "",
) -> str:
    """The adviser's own marking, labelled apart from the state: "Not marked", "Marked met";
    with its reason, "Marked waived: the family chose another route"; with an override, "Not
    marked; date moved to Monday 1 March 2027: the letter came late"."""
    words = MARKING_LABELS.get(status) or fallback_label(status)
    if status_reason and status != "open":
        words += f": {status_reason}"
    if override_date:
        words += f"; date moved to {rules.long_date(override_date)}"
        if override_reason:
            words += f": {override_reason}"
    return words


def marking_choices() -> list[tuple[str, str]]:
    return list(MARKING_LABELS.items())
