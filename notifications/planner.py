"""Turn a case's deadlines into outbox rows, in the same transaction as the change that moved them.

The planner is idempotent: it works out the messages the case should have, cancels pending rows
that no longer match, creates the missing ones, and queues a "your date changed" message when a
family was told a date that has since moved. Running it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import schedule
from notifications.models import AdviserTask, Contact, OutboundMessage, ReminderPolicy
from notifications.outbox import NewMessage, messages_insert
from workflows import rules, working_days
from workflows.case_summary import case_summaries_refresh
from workflows.models import Case, Deadline, GivenDate

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
# Statuses that mean the family has (or may have) read the message.
TOLD = (Status.SENDING, Status.SENT, Status.DELIVERED, Status.UNKNOWN)
PLANNED_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.DATE_CHANGED, Kind.PASSED)
PAUSED, CLOSED = "reminders paused", "case closed"
DATE_PASSED = "the date has passed"
CHECK_OFFSET = "+1wd"  # the working day after the date
PASSED_OFFSET = "passed"  # the one message saying a family's own date has passed
# A family's own date that passed longer ago than this is listed as passed in the summary, but
# gets no message of its own: an imported caseload would otherwise text every old family at
# once. The adviser's urgent task comes whatever the age: only they can judge a late appeal.
PASSED_NOTICE_WINDOW = timedelta(weeks=8)
# The mediation adviser's date passes a day or so before the appeal's (a weekend, a bank
# holiday): while the appeal is that close, its reminders and its own "passed" message carry
# the step, so the family gets one alarming message, not two.
COVERED_BY = {"mediation_adviser_contact": "appeal"}
COVERED_WITHIN = timedelta(days=7)

# Dates a letter gives (workflows.GivenDate) follow the policy of their kind ("given:hearing"):
# the family's own dates and the meetings they go to count down with its offsets; what others
# owe gets a check the working day after. A meeting's morning reminder ("0d") goes at 08:00 (a
# text when quiet hours end), whatever the policy's time: a 10:00 reminder misses a 10:00 hearing.
GIVEN_MEETING_MORNING = time(8, 0)

# deadline, given date, contact, channel, kind, offset, due date
Key = tuple[int | None, int | None, int, str, str, str, date]


class Planned(NamedTuple):
    """What the planner reads of a message already in the outbox (not the whole row: a case's
    history can hold hundreds of bodies)."""

    id: int
    case_id: int
    contact_id: int | None
    deadline_id: int | None
    given_date_id: int | None
    kind: str
    channel: str
    offset: str
    due_date: date | None
    status: str
    status_reason: str
    dates_told: dict
    sending_at: datetime | None
    created_at: datetime


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
    for deadline in Deadline.objects.filter(case_id__in=case_ids).defer("steps", "warnings"):
        deadlines[deadline.case_id].append(deadline)
    given: dict[int, list[GivenDate]] = defaultdict(list)
    for given_date in GivenDate.objects.filter(case_id__in=case_ids):
        given[given_date.case_id].append(given_date)
    existing: dict[int, list[Planned]] = defaultdict(list)
    for values in (
        OutboundMessage.objects.filter(case_id__in=case_ids)
        .exclude(kind=Kind.TEST)
        .values_list(*Planned._fields)
    ):
        message = Planned(*values)
        existing[message.case_id].append(message)

    to_create: list[NewMessage] = []
    cancel: dict[str, list[int]] = defaultdict(list)
    reactivate: list[tuple[int, datetime]] = []
    urgent: list[AdviserTask] = []
    for case_id, case in cases.items():
        plan = _CasePlan(
            case=case,
            contacts=contacts[case_id],
            deadlines=deadlines[case_id],
            given_dates=given[case_id],
            messages=existing[case_id],
            policies=policies,
            now=now,
        )
        plan.work_out()
        urgent.extend(plan.urgent_tasks())
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
    messages_insert(to_create, now=now)
    _create_new_tasks(urgent)
    # Every recompute, given-date change and pause ends here: the case list's next step
    # follows in the same transaction.
    case_summaries_refresh(case_ids=case_ids, today=timezone.localdate(now))


def _create_new_tasks(tasks: list[AdviserTask]) -> None:
    """Raise each urgent task once, however often the planner runs."""
    if not tasks:
        return
    have = set(
        AdviserTask.objects.filter(
            case_id__in={t.case_id for t in tasks}, kind=AdviserTask.Kind.DEADLINE_PASSED
        ).values_list("case_id", "text")
    )
    AdviserTask.objects.bulk_create([t for t in tasks if (t.case_id, t.text) not in have])


class _CasePlan:
    def __init__(
        self, *, case, contacts, deadlines, messages, policies, now, given_dates=()
    ) -> None:
        self.case = case
        self.recipients = [(c, channel) for c in contacts for channel, _ in c.channels()]
        self.today = timezone.localdate(now)
        self.all_deadlines = {d.id: d for d in deadlines}
        # What still needs the family or the adviser: neither done nor marked by the adviser.
        self.deadlines = [d for d in deadlines if d.state(self.today) != rules.State.DONE]
        self.deadline_by_id = {d.id: d for d in self.deadlines}
        self.all_given = {g.id: g for g in given_dates}
        self.given = [g for g in given_dates if g.state(self.today) != rules.State.DONE]
        self.given_by_id = {g.id: g for g in self.given}
        self.messages = messages
        self.policies = policies
        self.now = now
        self.to_create: list[NewMessage] = []
        self.cancel: dict[str, list[int]] = defaultdict(list)
        self.reactivate: list[tuple[int, datetime]] = []

    def work_out(self) -> None:
        active = self.case.status == Case.Status.OPEN and not self.case.reminders_paused
        desired = self._desired() if active else {}
        by_key = {
            self._key(m): m
            for m in self.messages
            if m.kind in PLANNED_KINDS and (m.deadline_id or m.given_date_id)
        }
        for message in self.messages:
            if message.status != Status.PENDING:
                continue
            if not active:
                reason = PAUSED if self.case.reminders_paused else CLOSED
                self.cancel[reason].append(message.id)
            elif (
                message.kind in (Kind.REMINDER, Kind.CHECK, Kind.PASSED)
                and self._key(message) not in desired
            ):
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
    def _key(message: Planned) -> Key:
        return (
            message.deadline_id,
            message.given_date_id,
            message.contact_id,
            message.channel,
            message.kind,
            message.offset,
            message.due_date,
        )

    def _desired(self) -> dict[Key, tuple[datetime, Deadline | GivenDate]]:
        desired = self._desired_given()
        for deadline in self.deadlines:
            policy = self.policies.get(deadline.kind)
            if policy is None:
                continue
            due = deadline.effective_due
            if policy.style == ReminderPolicy.Style.COUNTDOWN and due < self.today:
                # Passed: no more countdown, one message saying so and what can still be done.
                if not self._passed_notice_due(deadline):
                    continue
                moments = [(PASSED_OFFSET, due + timedelta(days=1))]
                kind = Kind.PASSED
            elif policy.style == ReminderPolicy.Style.COUNTDOWN:
                # Counted back from the day to act by, so the last one is never after it.
                act_by = deadline.effective_act_by
                moments = [
                    (offset.text, offset.date_before(act_by))
                    for offset in schedule.parse_offsets(policy.offsets)
                ]
                kind = Kind.REMINDER
            else:  # what others owe: done deadlines (it arrived) are not in self.deadlines
                moments = [(CHECK_OFFSET, working_days.next_working_day(due))]
                kind = Kind.CHECK
            for offset, day in moments:
                send_at = schedule.local_instant(day, policy.send_time)
                if kind == Kind.PASSED:
                    send_at = max(send_at, self.now)  # told at once when we learn of it late
                for contact, channel in self.recipients:
                    key = (deadline.id, None, contact.id, channel, kind, offset, due)
                    desired[key] = (first_allowed(channel, send_at), deadline)
        return desired

    def _desired_given(self) -> dict[Key, tuple[datetime, Deadline | GivenDate]]:
        desired: dict[Key, tuple[datetime, Deadline | GivenDate]] = {}
        for given in self.given:
            policy = self.policies.get(given.message_kind)
            if policy is None:
                continue  # no policy for its kind, or turned off: on the page, never messaged
            due = given.value
            if policy.style == ReminderPolicy.Style.COUNTDOWN and (
                given.is_meeting or given.is_family_own
            ):
                if due < self.today:
                    continue  # passed: shown as passed, no more reminders
                moments = []
                for offset in schedule.parse_offsets(policy.offsets):
                    at = policy.send_time
                    if given.is_meeting and offset.text == "0d":
                        at = min(at, GIVEN_MEETING_MORNING)
                    day = offset.date_before(given.act_by)
                    moments.append((offset.text, schedule.local_instant(day, at)))
                kind = Kind.REMINDER
            else:  # what others owe: the working day after, has it come?
                day = working_days.next_working_day(due)
                moments = [(CHECK_OFFSET, schedule.local_instant(day, policy.send_time))]
                kind = Kind.CHECK
            for offset, send_at in moments:
                for contact, channel in self.recipients:
                    key = (None, given.id, contact.id, channel, kind, offset, due)
                    desired[key] = (first_allowed(channel, send_at), given)
        return desired

    def _passed_notice_due(self, deadline: Deadline) -> bool:
        """Whether a family's own passed date gets its "date has passed" message."""
        if deadline.effective_due < self.today - PASSED_NOTICE_WINDOW:
            return False
        return not self._covered(deadline)

    def _covered(self, deadline: Deadline) -> bool:
        covering = COVERED_BY.get(deadline.kind)
        return any(
            d.kind == covering
            and (
                d.effective_due < self.today
                or d.effective_due <= deadline.effective_due + COVERED_WITHIN
            )
            for d in self.deadlines
        )

    def urgent_tasks(self) -> list[AdviserTask]:
        """A family's own date passed with nothing to show it was done: the adviser acts today,
        whether or not the family gets messages."""
        if self.case.status != Case.Status.OPEN:
            return []
        tasks = []
        for deadline in self.deadlines:
            policy = self.policies.get(deadline.kind)
            if policy is None or policy.style != ReminderPolicy.Style.COUNTDOWN:
                continue
            due = deadline.effective_due
            if due >= self.today or self._covered(deadline):
                continue
            tasks.append(
                AdviserTask(
                    case=self.case,
                    kind=AdviserTask.Kind.DEADLINE_PASSED,
                    text=passed_task_text(deadline.kind, due),
                )
            )
        return tasks

    def _why_not_wanted(self, message: Planned) -> str:
        if message.given_date_id:
            given = self.all_given.get(message.given_date_id)
            if given is None:
                return "the date no longer stands"
            if given.value != message.due_date:
                return f"the date moved to {given.value.isoformat()}"
            if given.id not in self.given_by_id:
                return f"step done: marked done on {rules.long_date(given.done_on)}"[:200]
            if message.kind == Kind.REMINDER and given.value < self.today:
                return DATE_PASSED
            return "no longer planned"
        current = self.all_deadlines.get(message.deadline_id)
        if current is None:
            return "the deadline no longer stands"
        if current.effective_due != message.due_date:
            return f"the date moved to {current.effective_due.isoformat()}"
        if current.id not in self.deadline_by_id:
            return done_reason(current)
        if message.kind == Kind.REMINDER and current.effective_due < self.today:
            return DATE_PASSED
        return "no longer planned"

    def _still_current(self, message: Planned) -> bool:
        if message.given_date_id:
            given = self.given_by_id.get(message.given_date_id)
            return given is not None and given.value == message.due_date
        current = self.deadline_by_id.get(message.deadline_id)
        return current is not None and current.effective_due == message.due_date

    def _new(self, key: Key, send_at: datetime, about: Deadline | GivenDate) -> NewMessage:
        deadline_id, given_date_id, contact_id, channel, kind, offset, due = key
        return NewMessage(
            self.case.id,
            contact_id,
            deadline_id,
            given_date_id,
            about.message_kind if isinstance(about, GivenDate) else about.kind,
            kind,
            channel,
            offset,
            due,
            send_at,
        )

    def _summaries(self) -> None:
        """One summary of every date per person and channel, when the case first has dates."""
        if not any(d.kind in self.policies for d in self.deadlines) and not any(
            g.message_kind in self.policies for g in self.given
        ):
            return
        have = {(m.contact_id, m.channel): m for m in self.messages if m.kind == Kind.SUMMARY}
        for contact, channel in self.recipients:
            held = have.get((contact.id, channel))
            if held is not None and _held_by_pause(held):
                self.reactivate.append((held.id, first_allowed(channel, self.now)))
            elif held is None:
                send_at = first_allowed(channel, self.now)
                self.to_create.append(
                    NewMessage(
                        self.case.id,
                        contact.id,
                        None,
                        None,
                        "",
                        Kind.SUMMARY,
                        channel,
                        "",
                        None,
                        send_at,
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
                key = (deadline.id, None, contact.id, channel, Kind.DATE_CHANGED, was, due)
                self._date_change(key, planned, deadline)
        for given in self.given:
            for contact, channel in self.recipients:
                last = told.get((contact.id, channel, given.told_key))
                if not last or last[1] == given.value.isoformat():
                    continue
                was = last[1].replace("-", "")
                key = (None, given.id, contact.id, channel, Kind.DATE_CHANGED, was, given.value)
                self._date_change(key, planned, given)

    def _date_change(self, key: Key, planned: dict, about: Deadline | GivenDate) -> None:
        channel = key[3]
        if key not in planned:
            self.to_create.append(self._new(key, first_allowed(channel, self.now), about))
        elif _held_by_pause(planned[key]):
            self.reactivate.append((planned[key].id, first_allowed(channel, self.now)))


def done_reason(deadline: Deadline) -> str:
    """Why a done deadline's messages stop, for the message history."""
    return f"step done: {deadline.done_in_words()}"[:200]


def passed_task_text(kind: str, due: date) -> str:
    what = kind.replace("_", " ")
    return (
        f"The family's {what} date, {rules.long_date(due)}, has passed and nothing on the case "
        "shows it was done. Contact the family today. If it was done, record the date on the "
        "case. If not, say what can still be done (for an appeal: send it now and ask the "
        "Tribunal to accept it late, with the reasons)."
    )


def _held_by_pause(message: Planned) -> bool:
    """Cancelled only because the case was paused or closed: it goes once the case resumes."""
    return message.status == Status.CANCELLED and message.status_reason in (PAUSED, CLOSED)
