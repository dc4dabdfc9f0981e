"""What happened on a case, for people: why a message waits, and the case's chronology (the
dated record for the appeal form and any argument for a late appeal).

Admin composition across workflows, notifications and governance, so it lives on the
notifications side (STYLE.md 11); labels come from workflows/words.py and the models' choices.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from notifications.models import AdviserTask, OutboundMessage
from notifications.planner import CLOSED, PAUSED
from notifications.schedule import LONDON
from workflows import rules, words

Status = OutboundMessage.Status


def _clock(moment: datetime, now: datetime) -> str:
    local, today = timezone.localtime(moment, LONDON), timezone.localtime(now, LONDON).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%H:%M} on {local:%a %-d %b}"


def waiting_reason(message: OutboundMessage, *, now: datetime) -> str:
    """Why a message has not gone yet, in words ("held until 09:00: quiet hours"); "" when
    it is not waiting."""
    if message.status == Status.PENDING:
        at = _clock(message.send_at, now)
        if message.status_reason == "held for quiet hours":
            return f"Held until {at}: quiet hours"
        if message.attempts and message.last_error:
            return f"Retry {message.attempts + 1} of {settings.SENDFLOW_MAX_ATTEMPTS} at {at}"
        if message.send_at > now:
            return f"Planned for {at}"
        return "Due now: goes at the next dispatch (within a minute)"
    if message.status == Status.CANCELLED and message.status_reason == PAUSED:
        return "Paused: goes again when reminders resume"
    if message.status == Status.CANCELLED and message.status_reason == CLOSED:
        return "Case closed: goes again if it reopens"
    if message.status == Status.QUEUED:
        return "Queued: waiting for a worker"
    if message.status == Status.SENDING:
        return "Being sent now"
    return ""


def message_about(message: OutboundMessage) -> str:
    if message.deadline_kind:
        return words.deadline_label(message.deadline_kind)
    return message.get_kind_display()


# --- the chronology ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    when: datetime | date  # an instant, or a legal date (a key date's day)
    what: str
    detail: str = ""
    who: str = ""

    @property
    def sort_key(self) -> tuple:
        if isinstance(self.when, datetime):
            local = timezone.localtime(self.when, LONDON)
            return (local.date(), 1, local.time())
        return (self.when, 0, None)

    @property
    def when_text(self) -> str:
        if isinstance(self.when, datetime):
            return f"{timezone.localtime(self.when, LONDON):%a %-d %b %Y %H:%M}"
        return f"{self.when:%a %-d %b %Y}"


def _who(user) -> str:
    return user.get_username() if user else ""


def case_chronology(case) -> list[Entry]:
    """Everything that happened on the case, oldest first."""
    from auditlog.models import LogEntry

    from governance.models import AuditEvent

    entries: list[Entry] = []
    for key_date in case.key_dates.select_related("recorded_by"):
        who = _who(key_date.recorded_by) or key_date.get_source_display()
        confirmed = "" if key_date.confirmed else " (not yet confirmed by an adviser)"
        entries.append(
            Entry(
                key_date.value,
                words.event_label(key_date.event),
                f"Recorded {timezone.localtime(key_date.recorded_at, LONDON):%d/%m/%Y %H:%M}"
                f"{confirmed}",
                who,
            )
        )
    for reported in case.reported_dates.select_related("decided_by"):
        entries.append(
            Entry(
                reported.reported_at,
                f"The family told us: {words.event_label(reported.event).lower()} on "
                f"{rules.long_date(reported.value)}",
                reported.get_status_display(),
                "The family",
            )
        )
    deadlines = list(case.deadlines.all())
    for deadline in deadlines:
        detail = f"{words.owner_label(deadline.owner)}: {deadline.date_in_words()}"
        if deadline.override_date:
            detail += f" (overridden: {deadline.override_reason})"
        entries.append(
            Entry(
                deadline.computed_at, f"Deadline worked out: {deadline.get_kind_display()}", detail
            )
        )
    # When deadlines moved: django-auditlog keeps each change of date, status or override.
    ids = {d.pk: d for d in deadlines}
    moves = LogEntry.objects.filter(
        content_type__app_label="workflows",
        content_type__model="deadline",
        object_pk__in=[str(pk) for pk in ids],
        action=LogEntry.Action.UPDATE,
    ).select_related("actor")
    for log in moves:
        deadline = ids.get(int(log.object_pk))
        changes = log.changes_dict if hasattr(log, "changes_dict") else {}
        shown = [
            f"{field.replace('_', ' ')} {before} \u2192 {after}"
            for field, (before, after) in changes.items()
            if field in ("due", "status", "override_date", "act_by")
        ]
        if deadline and shown:
            entries.append(
                Entry(
                    log.timestamp,
                    f"Deadline changed: {deadline.get_kind_display()}",
                    "; ".join(shown),
                    _who(log.actor),
                )
            )
    for message in case.messages.select_related("contact"):
        when = message.sent_at or message.send_at
        status = message.get_status_display()
        if message.status_reason:
            status += f" ({message.status_reason})"
        if message.delivered_at:
            status += f", delivered {timezone.localtime(message.delivered_at, LONDON):%d/%m %H:%M}"
        entries.append(
            Entry(
                when,
                f"{message.get_channel_display()} {message.get_kind_display().lower()}: "
                f"{message_about(message)}",
                status,
                message.contact.name if message.contact else "",
            )
        )
    for task in AdviserTask.objects.filter(case=case):
        entries.append(Entry(task.created_at, f"Task: {task.get_kind_display()}", task.text))
        if task.done_at:
            entries.append(Entry(task.done_at, f"Task done: {task.get_kind_display()}"))
    for event in AuditEvent.objects.filter(case=case).exclude(action=AuditEvent.Action.VIEW):
        detail = ""
        if event.action == AuditEvent.Action.DEADLINE_MOVED:
            moved = event.detail
            detail = (
                f"{words.deadline_label(moved['deadline'])}: from "
                f"{rules.long_date(date.fromisoformat(moved['from']))} to "
                f"{rules.long_date(date.fromisoformat(moved['to']))}"
            )
        entries.append(Entry(event.at, event.get_action_display(), detail, event.actor_name))
    return sorted(entries, key=lambda e: e.sort_key)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: make it text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def chronology_csv(entries: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "what", "detail", "who"])
    for entry in entries:
        writer.writerow([_cell(v) for v in (entry.when_text, entry.what, entry.detail, entry.who)])
    return out.getvalue()
