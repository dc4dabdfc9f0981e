"""Turn a case's deadlines into outbox rows, in the same transaction as the change that moved them.

The planner is idempotent: it works out the messages the case should have, cancels pending rows
that no longer match, creates the missing ones, and queues a "your date changed" message when a
family was told a date that has since moved. Running it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import schedule
from notifications.models import Contact, OutboundMessage, ReminderPolicy
from workflows import working_days
from workflows.models import Case, Deadline, KeyDate

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
# Statuses that mean the family has (or may have) read the message.
TOLD = (Status.SENDING, Status.SENT, Status.DELIVERED, Status.UNKNOWN)
PLANNED_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.DATE_CHANGED)
PAUSED, CLOSED = "reminders paused", "case closed"
CHECK_OFFSET = "+1wd"  # the working day after the date

Key = tuple[int, int, str, str, str, date]  # deadline, contact, channel, kind, offset, due date


def quiet_hours() -> schedule.QuietHours:
    return schedule.QuietHours.parse(settings.SENDFLOW_QUIET_HOURS)


def first_allowed(channel: str, instant: datetime) -> datetime:
    """Texts wait for the end of quiet hours; emails can go at any time."""
    return quiet_hours().next_allowed(instant) if channel == "sms" else instant


@transaction.atomic
def messages_plan(*, case_ids: Iterable[int], now: datetime | None = None) -> None:
    now = now or timezone.now()
    case_ids = list(case_ids)
    policies = {p.deadline_kind: p for p in ReminderPolicy.objects.filter(enabled=True)}
    cases = {c.id: c for c in Case.objects.filter(id__in=case_ids)}
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(case_id__in=case_ids):
        contacts[contact.case_id].append(contact)
    deadlines: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in Deadline.objects.filter(case_id__in=case_ids):
        deadlines[deadline.case_id].append(deadline)
    events: dict[int, set[str]] = defaultdict(set)
    for case_id, event in KeyDate.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "event"
    ):
        events[case_id].add(event)
    existing: dict[int, list[OutboundMessage]] = defaultdict(list)
    for message in OutboundMessage.objects.filter(case_id__in=case_ids).exclude(kind=Kind.TEST):
        existing[message.case_id].append(message)

    to_create: list[OutboundMessage] = []
    cancel: dict[str, list[int]] = defaultdict(list)
    reactivate: list[tuple[int, datetime]] = []
    for case_id, case in cases.items():
        plan = _CasePlan(
            case=case,
            contacts=contacts[case_id],
            deadlines=deadlines[case_id],
            events=events[case_id],
            messages=existing[case_id],
            policies=policies,
            now=now,
        )
        plan.work_out()
        to_create.extend(plan.to_create)
        reactivate.extend(plan.reactivate)
        for reason, ids in plan.cancel.items():
            cancel[reason].extend(ids)

    for reason, ids in cancel.items():
        OutboundMessage.objects.filter(id__in=ids, status=Status.PENDING).update(
            status=Status.CANCELLED, status_reason=reason, updated_at=now
        )
    for message_id, send_at in reactivate:
        OutboundMessage.objects.filter(id=message_id, status=Status.CANCELLED).update(
            status=Status.PENDING, status_reason="", send_at=send_at, updated_at=now
        )
    OutboundMessage.objects.bulk_create(to_create, batch_size=1000)


class _CasePlan:
    def __init__(self, *, case, contacts, deadlines, events, messages, policies, now) -> None:
        self.case = case
        self.recipients = [(c, channel) for c in contacts for channel, _ in c.channels()]
        self.deadlines = [d for d in deadlines if d.status == Deadline.Status.OPEN]
        self.deadline_by_id = {d.id: d for d in self.deadlines}
        self.events = events
        self.messages = messages
        self.policies = policies
        self.now = now
        self.today = timezone.localdate(now)
        self.to_create: list[OutboundMessage] = []
        self.cancel: dict[str, list[int]] = defaultdict(list)
        self.reactivate: list[tuple[int, datetime]] = []

    def work_out(self) -> None:
        active = self.case.status == Case.Status.OPEN and not self.case.reminders_paused
        desired = self._desired() if active else {}
        by_key = {
            self._key(m): m for m in self.messages if m.kind in PLANNED_KINDS and m.deadline_id
        }
        for message in self.messages:
            if message.status != Status.PENDING:
                continue
            if not active:
                reason = PAUSED if self.case.reminders_paused else CLOSED
                self.cancel[reason].append(message.id)
            elif message.kind in (Kind.REMINDER, Kind.CHECK) and self._key(message) not in desired:
                self.cancel[self._why_not_wanted(message)].append(message.id)
            elif message.kind == Kind.DATE_CHANGED and not self._still_current(message):
                self.cancel["the date changed again"].append(message.id)
        for key, (send_at, deadline) in desired.items():
            message = by_key.get(key)
            if message is None:
                if timezone.localdate(send_at) >= self.today:  # past ones: the summary covers them
                    self.to_create.append(self._new(key, send_at, deadline))
            elif message.status == Status.CANCELLED and send_at >= self.now:
                self.reactivate.append((message.id, send_at))
        if active:
            self._summaries()
            self._date_changes()

    @staticmethod
    def _key(message: OutboundMessage) -> Key:
        return (
            message.deadline_id,
            message.contact_id,
            message.channel,
            message.kind,
            message.offset,
            message.due_date,
        )

    def _desired(self) -> dict[Key, tuple[datetime, Deadline]]:
        desired = {}
        for deadline in self.deadlines:
            policy = self.policies.get(deadline.kind)
            if policy is None:
                continue
            due = deadline.effective_due
            if policy.style == ReminderPolicy.Style.COUNTDOWN:
                moments = [
                    (offset.text, offset.date_before(due))
                    for offset in schedule.parse_offsets(policy.offsets)
                ]
                kind = Kind.REMINDER
            else:
                if self.events & set(policy.resolved_event_names()):
                    continue  # what was owed has arrived
                moments = [(CHECK_OFFSET, working_days.next_working_day(due))]
                kind = Kind.CHECK
            for offset, day in moments:
                send_at = schedule.local_instant(day, policy.send_time)
                for contact, channel in self.recipients:
                    key = (deadline.id, contact.id, channel, kind, offset, due)
                    desired[key] = (first_allowed(channel, send_at), deadline)
        return desired

    def _why_not_wanted(self, message: OutboundMessage) -> str:
        current = self.deadline_by_id.get(message.deadline_id)
        if current is None:
            return "the deadline no longer stands"
        if current.effective_due != message.due_date:
            return f"the date moved to {current.effective_due.isoformat()}"
        return "no longer planned"

    def _still_current(self, message: OutboundMessage) -> bool:
        current = self.deadline_by_id.get(message.deadline_id)
        return current is not None and current.effective_due == message.due_date

    def _new(self, key: Key, send_at: datetime, deadline: Deadline) -> OutboundMessage:
        deadline_id, contact_id, channel, kind, offset, due = key
        return OutboundMessage(
            case=self.case,
            contact_id=contact_id,
            deadline_id=deadline_id,
            deadline_kind=deadline.kind,
            kind=kind,
            channel=channel,
            offset=offset,
            due_date=due,
            send_at=send_at,
        )

    def _summaries(self) -> None:
        """One summary of every date per person and channel, when the case first has dates."""
        if not any(d.kind in self.policies for d in self.deadlines):
            return
        have = {(m.contact_id, m.channel): m for m in self.messages if m.kind == Kind.SUMMARY}
        for contact, channel in self.recipients:
            held = have.get((contact.id, channel))
            if held is not None and _held_by_pause(held):
                self.reactivate.append((held.id, first_allowed(channel, self.now)))
            elif held is None:
                self.to_create.append(
                    OutboundMessage(
                        case=self.case,
                        contact=contact,
                        kind=Kind.SUMMARY,
                        channel=channel,
                        send_at=first_allowed(channel, self.now),
                    )
                )

    def _date_changes(self) -> None:
        """Tell the family when a date they were given has moved; never repeat the old one."""
        told: dict[tuple[int, str, str], tuple[datetime, str]] = {}
        for m in self.messages:
            if m.status not in TOLD or not m.contact_id:
                continue
            for kind, day in m.dates_told.items():
                key = (m.contact_id, m.channel, kind)
                when = m.sending_at or m.created_at
                if key not in told or when > told[key][0]:
                    told[key] = (when, day)
        if not told:
            return
        planned = {self._key(m): m for m in self.messages if m.kind == Kind.DATE_CHANGED}
        for deadline in self.deadlines:
            if deadline.kind not in self.policies:
                continue
            due = deadline.effective_due
            for contact, channel in self.recipients:
                last = told.get((contact.id, channel, deadline.kind))
                if not last or last[1] == due.isoformat():
                    continue
                # Keyed on the date they were told too: B -> C -> back to B is told each time.
                was = last[1].replace("-", "")
                key = (deadline.id, contact.id, channel, Kind.DATE_CHANGED, was, due)
                if key not in planned:
                    self.to_create.append(
                        self._new(key, first_allowed(channel, self.now), deadline)
                    )
                elif _held_by_pause(planned[key]):
                    self.reactivate.append((planned[key].id, first_allowed(channel, self.now)))


def _held_by_pause(message: OutboundMessage) -> bool:
    """Cancelled only because the case was paused or closed: it goes once the case resumes."""
    return message.status == Status.CANCELLED and message.status_reason in (PAUSED, CLOSED)
