"""What confirming an import will do, said before the adviser confirms it.

The outlook is the import itself, written in a transaction that is always rolled back: the
rules, the planner and its first summaries run exactly as on confirm, the outbox rows they would
create are counted and each case's next step read, and then nothing of it stays (no row, no
audit event, no task queued after commit). Counting from the planner's own run keeps the
sentence honest as the planner changes; a second copy of its logic would drift.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from casework.importing import ImportClash, Row, write
from notifications.models import OutboundMessage
from workflows import rules, words
from workflows.models import Case

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
BATCH = 5000  # references or ids per query (SQLite takes 32,766 variables at most)


@dataclass
class CaseOutlook:
    """One row of the file as the preview shows it: the dates read and what they mean."""

    row: Row
    dates: list[str] = field(default_factory=list)
    next_step: str = ""

    @property
    def reference(self) -> str:
        return self.row.reference

    @property
    def parent_name(self) -> str:
        return self.row.parent_name


@dataclass
class Outlook:
    cases: dict[str, CaseOutlook] = field(default_factory=dict)  # by reference, file order
    # Per family (case) that gets a first summary: how many texts and emails, and the last day.
    summaries: dict[int, tuple[int, int]] = field(default_factory=dict)
    summary_days: dict[str, date] = field(default_factory=dict)  # the last day, by channel
    planned: int = 0  # every other message the confirm puts in the outbox
    planned_today: int = 0
    errors: list[str] = field(default_factory=list)  # dates that clash with stored ones
    today: date | None = None

    @property
    def summary_count(self) -> int:
        return sum(texts + emails for texts, emails in self.summaries.values())

    def sentence(self) -> str:
        return confirm_words(self)

    def no_summary_sentence(self) -> str:
        return no_summary_words(self)


class _RolledBack(Exception):
    """Raised to undo the trial write."""


def import_outlook(rows: list[Row]) -> Outlook:
    """What confirming these rows would do, with nothing written."""
    now = timezone.now()
    outlook = Outlook(today=timezone.localdate(now))
    outlook.cases = {row.reference: CaseOutlook(row, dates=_dates_read(row)) for row in rows}
    refs = list(outlook.cases)
    try:
        with transaction.atomic():
            pending_before = set()
            for i in range(0, len(refs), BATCH):
                pending_before.update(
                    OutboundMessage.objects.filter(
                        case__reference__in=refs[i : i + BATCH], status=Status.PENDING
                    ).values_list("id", flat=True)
                )
            write(rows)
            _read(outlook, refs, pending_before)
            raise _RolledBack
    except _RolledBack:
        pass
    except ImportClash as clash:
        outlook.errors = clash.errors
    return outlook


def _read(outlook: Outlook, refs: list[str], pending_before: set[int]) -> None:
    today = outlook.today
    tz = timezone.get_current_timezone()
    per_case: dict[int, list[int]] = {}
    for i in range(0, len(refs), BATCH):
        for case_id, reference, kind, label, owner, due in Case.objects.filter(
            reference__in=refs[i : i + BATCH]
        ).values_list("id", "reference", "next_kind", "next_label", "next_owner", "next_due"):
            outlook.cases[reference].next_step = next_step_words(
                kind=kind, label=label, owner=owner, due=due, today=today
            )
            per_case[case_id] = [0, 0]
    ids = list(per_case)
    for i in range(0, len(ids), BATCH):
        for message_id, case_id, kind, channel, send_at in OutboundMessage.objects.filter(
            case_id__in=ids[i : i + BATCH], status=Status.PENDING
        ).values_list("id", "case_id", "kind", "channel", "send_at"):
            if message_id in pending_before:
                continue  # planned by an earlier import or change, not by this one
            day = send_at.astimezone(tz).date()
            if kind == Kind.SUMMARY:
                per_case[case_id][0 if channel == "sms" else 1] += 1
                outlook.summary_days[channel] = max(day, outlook.summary_days.get(channel, day))
            else:
                outlook.planned += 1
                outlook.planned_today += day <= today
    outlook.summaries = {case_id: tuple(n) for case_id, n in per_case.items() if any(n)}


def _dates_read(row: Row) -> list[str]:
    dates = [
        f"{words.event_label(event)}: {rules.long_date(value)}"
        for event, value in sorted(row.events.items(), key=lambda item: item[1])
    ]
    for kind, (value, at) in sorted(row.given.items(), key=lambda item: item[1][0]):
        when = rules.long_date(value) + (f", {words.time_words(at)}" if at else "")
        dates.append(f"{words.given_kind_label(kind)}: {when}")
    return dates


def next_step_words(*, kind: str, label: str, owner: str, due: date | None, today: date) -> str:
    """The case's next step in the adviser's words: "Appeal to the SEND Tribunal by Monday 1
    March 2027"; who owes it when it is not the family."""
    if not kind or due is None:
        return "No deadline from these dates yet"
    step = label or words.deadline_label(kind)
    if owner != rules.Owner.PARENT:
        step = f"{step} ({words.owner_label(owner).lower()})"
    if due < today:
        return f"{step}: was due {rules.long_date(due)}, passed"
    return f"{step} by {rules.long_date(due)}"


def _each(count: int, singular: str, plural: str = "") -> str:
    """ "a text", "an email", "2 texts"."""
    if count == 1:
        return f"an {singular}" if singular[0] in "aeiou" else f"a {singular}"
    return words.counted(count, singular, plural)


def _channels(texts: int, emails: int) -> str:
    return " and ".join(_each(n, noun) for n, noun in ((texts, "text"), (emails, "email")) if n)


def _when(outlook: Outlook) -> str:
    """ "" when every summary goes today; else when each channel's go (texts wait for the end
    of quiet hours)."""
    days = outlook.summary_days
    if all(day <= outlook.today for day in days.values()):
        return ""
    parts = []
    for channel, noun, wait in (("email", "emails", ""), ("sms", "texts", " after quiet hours")):
        if (day := days.get(channel)) is not None:
            on = "today" if day <= outlook.today else f"on {rules.long_date(day)}{wait}"
            parts.append(f"the {noun} {on}")
    return ": " + ", ".join(parts)


def confirm_words(outlook: Outlook) -> str:
    """ "On confirm, 3 families get a text and an email today with their dates; 12 more
    messages are planned." Counted from what the planner created in the trial write."""
    families = len(outlook.summaries)
    if families:
        groups = Counter(_channels(*n) for n in outlook.summaries.values())
        when = _when(outlook)
        today = "" if when else " today"
        if len(groups) == 1:
            (what,) = groups
            verb = "gets" if families == 1 else "get"
            told = f"{words.counted(families, 'family', 'families')} {verb} {what}{today} "
            told += f"with their dates{when}"
        else:
            ways = ", ".join(
                f"{n:,} by {what.replace('a text', 'text').replace('an email', 'email')}"
                for what, n in groups.most_common()
            )
            told = f"{words.counted(families, 'family', 'families')} get their dates{today} "
            told += f"({ways}){when}"
        more = "more "
    else:
        told = "no family is sent a summary of its dates"
        more = ""
    planned = outlook.planned
    if planned == 1:
        rest = f"1 {more}message is planned"
    elif planned:
        rest = f"{planned:,} {more}messages are planned"
    else:
        rest = f"no {more or 'other '}messages are planned yet"
    if outlook.planned_today:
        rest += f" ({outlook.planned_today:,} of them today)"
    return f"On confirm, {told}; {rest}."


def no_summary_words(outlook: Outlook) -> str:
    """What the "no first summary" option changes, in the same counts."""
    summaries = outlook.summary_count
    if not summaries:
        return "There is no first summary to leave out."
    families = len(outlook.summaries)
    planned = words.counted(outlook.planned, "planned message")
    rest = f"the {planned} still go" if outlook.planned else "later reminders still go"
    return (
        f"Without the first summary, the {words.counted(summaries, 'summary', 'summaries')} to "
        f"{words.counted(families, 'family', 'families')} are cancelled, with the reason, and "
        f"not sent later; {rest}, each on its day."
    )
