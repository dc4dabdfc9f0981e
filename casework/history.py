"""What happened on a case, for people: why a message waits, and the case's chronology (the
dated record for the appeal form and any argument for a late appeal).

It composes workflows, notifications and governance, so it lives in casework, on top (STYLE.md
1); labels come from workflows/words/ and the models' choices.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications import plan_core, planner
from notifications.models import Channel, OutboundMessage
from notifications.plan_core import CLOSED, PAUSED
from notifications.schedule import LONDON
from workflows import rules, words
from workflows.models import AdviserTask

Status = OutboundMessage.Status


def _clock(moment: datetime, now: datetime) -> str:
    local, today = timezone.localtime(moment, LONDON), _today(now)
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
    if message.status == Status.CANCELLED and message.status_reason in (PAUSED, CLOSED):
        return _held_reason(message, now=now)
    if message.status == Status.QUEUED:
        return "Queued: waiting for a worker"
    if message.status == Status.SENDING:
        return "Being sent now"
    return ""


def _held_reason(message: OutboundMessage, *, now: datetime) -> str:
    """A message the pause (or the case's closing) cancelled. While the case is held it goes
    again when the case resumes, unless its day passes first; once the case resumed, the planner
    brought back every one still wanted, so one left here will not go."""
    paused = message.status_reason == PAUSED
    case = message.case
    day_passed = timezone.localtime(message.send_at, LONDON).date() < _today(now)
    if case.status != case.Status.OPEN and not day_passed:
        status = case.get_status_display().lower()
        if case.reminders_paused:
            return f"Case {status}, reminders paused: goes again once both are lifted"
        return f"Case {status}: goes again if it reopens"
    if case.reminders_paused and not day_passed:
        return "Paused: goes again when reminders resume"
    if day_passed:
        held = "reminders were paused" if paused else "the case was not open"
        return f"Not sent: its day passed while {held}"
    if paused:
        return "Not sent: no longer due when reminders resumed"
    return "Not sent: no longer due when the case reopened"


def _today(now: datetime) -> date:
    return timezone.localtime(now, LONDON).date()


@dataclass(frozen=True)
class Ahead:
    """A message the case will get, too far ahead to be in the outbox yet (plan_core.PLAN_AHEAD),
    as the case page's message history lists it."""

    when: datetime
    to: str
    channel: str
    kind: str
    about: str
    why: str


AHEAD_LIMIT = 10  # on the case page, above its message history
AHEAD_WEEKS = plan_core.PLAN_AHEAD.days // 7


def _joins(send_at: datetime, today: date) -> str:
    day = plan_core.joins_outbox(send_at)
    if day <= today:  # its day has come: tonight's run (or the next) writes it
        return "Not in the outbox yet: goes in at the next nightly run"
    return f"Further ahead: goes into the outbox on {day:%a %-d %b %Y}"


def messages_ahead(case, *, now: datetime) -> tuple[list[Ahead], int]:
    """The case page's rows for the soonest messages further ahead, latest first like its
    history, and how many more there are beyond them."""
    ahead = planner.messages_ahead(case=case, now=now)
    if not ahead:
        return [], 0
    names = dict(case.contacts.values_list("id", "name"))
    rows = [
        Ahead(
            when=new.send_at,
            to=names.get(new.contact_id, ""),
            channel=Channel(new.channel).label,
            kind=OutboundMessage.Kind(new.kind).label,
            about=words.deadline_label(new.deadline_kind),
            why=_joins(new.send_at, timezone.localdate(now)),
        )
        for new in reversed(ahead[:AHEAD_LIMIT])
    ]
    return rows, max(len(ahead) - AHEAD_LIMIT, 0)


def message_about(message: OutboundMessage) -> str:
    if message.deadline_kind:
        return words.deadline_label(message.deadline_kind)
    return message.get_kind_display()


# --- combined sends ------------------------------------------------------------------------------


def with_send_size(messages: QuerySet) -> QuerySet:
    """Annotate each row with `send_riders`: how many rows are combined into the lead of its
    send (0 when it went alone). One probe of message_combined_into per row shown, in the
    list's own query: no query per row."""
    riders = (
        OutboundMessage.objects.filter(
            combined_into_id=Coalesce(OuterRef("combined_into_id"), OuterRef("id"))
        )
        .order_by()
        .values("combined_into_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return messages.annotate(send_riders=Coalesce(Subquery(riders), 0))


def send_riders(message: OutboundMessage) -> int:
    riders = getattr(message, "send_riders", None)
    if riders is None:  # a row not read through with_send_size
        lead = message.combined_into_id or message.id
        riders = OutboundMessage.objects.filter(combined_into_id=lead).count()
    return riders


def sent_together(message: OutboundMessage) -> str:
    """How a row shared one send with others, in the adviser's words; "" when it went alone.
    A row combined into another: "Sent in one message with 1 other" (its lead is named
    beside it); the lead: "One message with 2 others in it"."""
    riders = send_riders(message)
    if message.combined_into_id:
        others = words.counted(riders, "other")  # the lead and the rest but this one
        if message.status in (Status.SENT, Status.DELIVERED):
            return f"Sent in one message with {others}"
        if message.status in (Status.QUEUED, Status.SENDING):
            return f"Going in one message with {others}"
        return f"In one message with {others}"
    if riders:
        return f"One message with {words.counted(riders, 'other')} in it"
    return ""


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
            if field in ("due", "status", "status_reason", "override_date", "act_by")
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
    entries.extend(_given_date_entries(case))
    # Messages that went, or were tried: planned, cancelled and superseded ones never reached
    # the family (the case's message history lists them).
    for message in case.messages.filter(status__in=ATTEMPTED).select_related("contact"):
        entries.append(_message_entry(message))
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
    # One row per thing that happened: the same message text to the same person at the same
    # minute (a retry, a second planning of one summary) reads as a duplicate, so it is one row.
    return sorted(dict.fromkeys(entries), key=lambda e: e.sort_key)


ATTEMPTED = (
    Status.SENDING,
    Status.SENT,
    Status.DELIVERED,
    Status.FAILED,
    Status.UNKNOWN,
    Status.SUPPRESSED,
)


def _message_entry(message: OutboundMessage) -> Entry:
    """ "SMS: summary of every date" / "Email reminder: Tribunal hearing", with what it told
    and its delivery status."""
    channel = message.get_channel_display()
    if message.kind == OutboundMessage.Kind.SUMMARY or not message.deadline_kind:
        what = f"{channel}: {message.get_kind_display().lower()}"
        told = len(message.dates_told or {})
        about = f"Listed {told} date{'s' if told != 1 else ''}" if told else ""
    else:
        what = f"{channel} {message.get_kind_display().lower()}: {message_about(message)}"
        about = f"For {rules.long_date(message.due_date)}" if message.due_date else ""
    status = message.get_status_display()
    if message.status_reason:
        status += f" ({message.status_reason})"
    if message.delivered_at:
        status += f", delivered {timezone.localtime(message.delivered_at, LONDON):%d/%m %H:%M}"
    if message.status == Status.FAILED and message.last_error:
        status += f": {message.last_error}"
    detail = f"{about}. {status}" if about else status
    return Entry(
        message.sent_at or message.sending_at or message.send_at,
        what,
        detail,
        message.contact.name if message.contact else "",
    )


# --- dates a letter gave: recorded, moved, done, from django-auditlog's change history ----------


def _given_when(value, at) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    text = rules.long_date(day)
    if at not in (None, "", "None"):
        at = time.fromisoformat(at) if isinstance(at, str) else at
        text += f" at {words.time_words(at)}"
    return text


def _given_who(log, state: dict) -> str:
    from workflows.models import GivenDate

    if log.actor is not None:
        return _who(log.actor)
    source = state.get("recorded_source") or GivenDate.Source.ADVISER
    return GivenDate.Source(source).label if source in GivenDate.Source.values else ""


def _given_title(state: dict) -> str:
    if state.get("kind") == "other" and state.get("label"):
        return state["label"]
    return words.given_kind_label(state.get("kind") or "other")


def _given_date_entries(case) -> list[Entry]:
    """Each date a letter gave: when it was recorded (what, when, who acts, from which letter,
    and who typed it in), moved, confirmed, done or removed."""
    from auditlog.models import LogEntry
    from django.db.models import Q

    from workflows.models import GivenDate

    current = {str(g.pk): g for g in case.given_dates.all()}
    logs = (
        LogEntry.objects.filter(
            content_type__app_label="workflows", content_type__model="givendate"
        )
        .filter(Q(additional_data__case_id=case.pk) | Q(object_pk__in=list(current)))
        .select_related("actor")
        .order_by("timestamp", "id")
    )
    fields = ("kind", "label", "value", "time", "owner", "source", "recorded_source")
    states: dict[str, dict] = {}
    entries: list[Entry] = []
    for log in logs:
        changes = {
            field: [None if v in ("None", "") else v for v in pair]
            for field, pair in (log.changes_dict or {}).items()
        }
        state = states.get(log.object_pk)
        if state is None:  # no entry from its creation: start from the row as it is now
            given = current.get(log.object_pk)
            state = (
                {f: getattr(given, f) for f in (*fields, "done_on", "confirmed")} if given else {}
            )
            for field, (before, _) in changes.items():
                state[field] = before
        for field, (_, after) in changes.items():
            state[field] = after
        states[log.object_pk] = state
        if not state.get("value"):
            continue
        title, who = _given_title(state), _given_who(log, state)
        when = _given_when(state["value"], state.get("time"))
        source = f" Source: {state['source']}." if state.get("source") else ""
        if log.action == LogEntry.Action.CREATE:
            owner = words.owner_label(state.get("owner") or "parent")
            owner = owner[:1].lower() + owner[1:]  # mid-sentence: "Who acts: the council."
            unconfirmed = (
                "" if state.get("confirmed", True) else " Not yet confirmed by an adviser."
            )
            entries.append(
                Entry(
                    log.timestamp,
                    f"Date from a letter recorded: {title}",
                    f"{when}. Who acts: {owner}.{source}{unconfirmed}",
                    who,
                )
            )
        elif log.action == LogEntry.Action.DELETE:
            entries.append(Entry(log.timestamp, f"Date from a letter removed: {title}", when, who))
        else:
            entries.extend(_given_update_entries(log, changes, state, title, when, source, who))
    for pk, given in current.items():
        if pk not in states:  # recorded before the change history kept it
            entries.append(
                Entry(
                    given.recorded_at,
                    f"Date from a letter recorded: {given.title}",
                    f"{given.date_in_words()}. Who acts: "
                    f"{words.owner_label(given.owner)[:1].lower()}{words.owner_label(given.owner)[1:]}."
                    + (f" Source: {given.source}." if given.source else ""),
                    GivenDate.Source(given.recorded_source).label,
                )
            )
    return entries


def _given_update_entries(log, changes, state, title, when, source, who) -> list[Entry]:
    found = []
    if "value" in changes or "time" in changes:
        before_value = changes.get("value", [state["value"]])[0] or state["value"]
        before_time = changes.get("time", [state.get("time")])[0]
        before = _given_when(before_value, before_time)
        found.append(
            Entry(
                log.timestamp,
                f"Date from a letter moved: {title}",
                f"From {before} to {when}.{source}",
                who,
            )
        )
    if "done_on" in changes:
        done_on = changes["done_on"][1]
        if done_on:
            detail = f"Done on {rules.long_date(date.fromisoformat(str(done_on)))}."
            found.append(Entry(log.timestamp, f"Date from a letter done: {title}", detail, who))
        else:
            reopened = f"Date from a letter reopened: {title}"
            found.append(Entry(log.timestamp, reopened, "No longer marked done.", who))
    if "confirmed" in changes and changes["confirmed"][1] in (True, "True"):
        found.append(Entry(log.timestamp, f"Date from a letter confirmed: {title}", when, who))
    others = [
        f"{label}: {changes[field][0] or '(none)'} \u2192 {changes[field][1] or '(none)'}"
        for field, label in (("source", "source"), ("owner", "who acts"), ("label", "label"))
        if field in changes and "value" not in changes and "time" not in changes
    ]
    if others:
        found.append(
            Entry(log.timestamp, f"Date from a letter changed: {title}", "; ".join(others), who)
        )
    return found


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
