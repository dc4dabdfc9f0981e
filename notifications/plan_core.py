"""The planner's pure core: what one case's messages should be, worked out from what was read.

`_CasePlan` takes a case's contacts, deadlines, given dates, policies and outbox rows, already
read, and works out the rows to create, cancel and bring back and the adviser's urgent tasks;
it reads and writes nothing. Here too are the constants and small helpers it and the rest of
the outbox share: how far ahead rows are written (PLAN_AHEAD), the offsets and reasons stored on
a message, quiet hours, and the words of a passed date's task. The database side (reading a
batch of cases, writing what their plans say) is in notifications/planner.py.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from notifications import schedule
from notifications.models import OutboundMessage, ReminderPolicy
from notifications.outbox import NewMessage
from workflows import rules, words, working_days
from workflows.dated import DatedObligation
from workflows.models import Case, Deadline, DeadlineDates, GivenDate

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
# Statuses that mean the family has (or may have) read the message.
TOLD = (Status.SENDING, Status.SENT, Status.DELIVERED, Status.UNKNOWN)
PLANNED_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.DATE_CHANGED, Kind.PASSED)
_FROM_DATES = (Kind.REMINDER, Kind.CHECK, Kind.PASSED)  # worked out from the dates alone
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
# the step, so the family gets one alarming message, not two. The adviser's urgent task is never
# held back this way (urgent_tasks).
COVERED_BY = {"mediation_adviser_contact": "appeal"}
COVERED_WITHIN = timedelta(days=7)
# How far ahead messages become outbox rows, in London days. A message due later is worked out
# on every run but written only once its day is this close: the nightly recompute plans every
# open case, so the run on that day writes it, weeks before it goes. Ten weeks holds a fresh
# decision's whole countdown (its appeal is two months and a weekend away at most), and a
# caseload's far dates (hearings, reviews, imported decisions) no longer cost rows that a moved
# date would only cancel.
PLAN_AHEAD = timedelta(weeks=10)


def joins_outbox(send_at: datetime) -> date:
    """The day a message further ahead than PLAN_AHEAD is written to the outbox."""
    return timezone.localdate(send_at) - PLAN_AHEAD


# Dates a letter gives (workflows.GivenDate) follow the policy of their kind ("given:hearing"):
# the family's own dates and the meetings they go to count down with its offsets; what others
# owe gets a check the working day after. A meeting's morning reminder ("0d") goes at 08:00 (a
# text when quiet hours end), whatever the policy's time: a 10:00 reminder misses a 10:00 hearing.
GIVEN_MEETING_MORNING = time(8, 0)

# deadline, given date, contact, channel, kind, offset, due date
Key = tuple[int | None, int | None, int, str, str, str, date]


class Planned(NamedTuple):
    """What the planner reads of a message already in the outbox (not the whole row: a case's
    history can hold hundreds of bodies). `dates_told`, `sending_at` and `created_at` are read
    only for messages the family has (or may have) read (TOLD); others carry {}, None, None."""

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
    return _quiet_hours(settings.SENDFLOW_QUIET_HOURS)


@functools.lru_cache(maxsize=4)
def _quiet_hours(text: str) -> schedule.QuietHours:
    return schedule.QuietHours.parse(text)


@functools.lru_cache(maxsize=64)
def _offsets(text: str) -> tuple[schedule.Offset, ...]:
    return tuple(schedule.parse_offsets(text))


class Recipient(NamedTuple):
    """A contact as the planner reads it: who, not how (addresses are read when sending)."""

    id: int
    case_id: int


def first_allowed(channel: str, instant: datetime) -> datetime:
    """Texts wait for the end of quiet hours; emails can go at any time."""
    return quiet_hours().next_allowed(instant) if channel == "sms" else instant


class _CasePlan:
    def __init__(
        self,
        *,
        case,
        recipients,
        deadlines,
        messages,
        policies,
        now,
        today,
        given_dates=(),
        moments=None,
        later_too=False,
    ) -> None:
        self.case = case
        self.recipients = recipients  # [(Recipient, channel)]
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.moments = {} if moments is None else moments  # shared by a batch's cases
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
        # New rows wait until their day comes within PLAN_AHEAD (before the midnight after it).
        self.horizon = schedule.local_instant(today + PLAN_AHEAD + timedelta(days=1), time(0))
        # Desired, but further ahead: (key, send at, its deadline or date). Worked out in full
        # only when asked (messages_ahead): a batch needs them only to keep rows it has.
        self.later_too = later_too
        self.later: list[tuple[Key, datetime, DatedObligation]] = []
        self._with_rows: set[int] | None = None

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
            elif message.kind in _FROM_DATES and self._key(message) not in desired:
                self.cancel[self._why_not_wanted(message)].append(message.id)
            elif message.kind == Kind.DATE_CHANGED and not self._still_current(message):
                self.cancel["the date changed again"].append(message.id)
        # Whatever is desired stays (a row planned further ahead is never cancelled for it);
        # only new rows wait for the horizon. A message whose day has passed is neither written
        # nor brought back (the summary covers it); one due earlier today still goes, from now
        # (not hours late on paper, which the overdue check would flag): resumed in the
        # afternoon of an appeal's last day, the family still hears "today".
        horizon = self.horizon
        for key, (send_at, about) in desired.items():
            message = by_key.get(key)
            if message is None and send_at >= horizon:
                self.later.append((key, send_at, about))
                continue
            if send_at.astimezone(self.tz).date() < self.today:
                continue
            if send_at < self.now:
                send_at = first_allowed(key[3], self.now)
                if key[4] == Kind.REMINDER and send_at.astimezone(self.tz).date() > key[6]:
                    continue  # quiet hours carry it past its date: dispatch would cancel it
            if message is None:
                self.to_create.append(self._new(key, send_at, about))
            elif message.status == Status.CANCELLED:
                self.reactivate.append((message.id, send_at))
        if active:
            self._summaries()
            self._date_changes()

    # A message's Key: (deadline_id, given_date_id, contact_id, channel, kind, offset,
    # due_date), read in C (a batch reads it for tens of thousands of messages).
    _key = staticmethod(
        operator.itemgetter(
            *(
                Planned._fields.index(name)
                for name in (
                    "deadline_id",
                    "given_date_id",
                    "contact_id",
                    "channel",
                    "kind",
                    "offset",
                    "due_date",
                )
            )
        )
    )

    def _desired(self) -> dict[Key, tuple[datetime, DatedObligation]]:
        desired = self._desired_given()
        for deadline in self.deadlines:
            policy = self.policies.get(deadline.kind)
            if policy is None or deadline.status == Deadline.Status.MISSED:
                # Marked missed by the adviser: they take it from here, and dispatch would
                # cancel any message about it (which the next run would only bring back).
                continue
            due = deadline.effective_due
            if policy.style == ReminderPolicy.Style.COUNTDOWN and due < self.today:
                # Passed: no more countdown, one message saying so and what can still be done.
                if self._passed_notice_due(deadline):
                    self._add_passed(desired, deadline, policy)
            elif policy.style == ReminderPolicy.Style.COUNTDOWN:
                # Counted back from the day to act by, so the last one is never after it.
                act_by = deadline.effective_act_by
                self._add_moments(desired, deadline, policy, Kind.REMINDER, act_by)
            else:  # what others owe: done deadlines (it arrived) are not in self.deadlines
                self._add_moments(desired, deadline, policy, Kind.CHECK, due)
        return desired

    def _add_moments(self, desired: dict, deadline, policy, kind: str, day: date) -> None:
        """A countdown back from `day` (the day to act by), or the check the working day after
        it (the due date), to each recipient. Many cases in a batch share these dates and
        policies, so each instant is worked out once per batch (self.moments)."""
        found = self.moments.get((kind, policy.offsets, policy.send_time, day))
        if found is None:
            if kind == Kind.CHECK:
                days = [(CHECK_OFFSET, working_days.next_working_day(day))]
            else:
                days = [(o.text, o.date_before(day)) for o in _offsets(policy.offsets)]
            found = []
            for offset, on in days:
                send_at = schedule.local_instant(on, policy.send_time)
                found.append((offset, {c: first_allowed(c, send_at) for c in ("sms", "email")}))
            self.moments[(kind, policy.offsets, policy.send_time, day)] = found
        if not self.later_too and not self._has_rows(deadline.id):
            # Beyond the horizon with no row to keep: nothing to write or to cancel yet.
            found = [moment for moment in found if min(moment[1].values()) < self.horizon]
        due = deadline.effective_due
        for offset, allowed in found:
            for contact, channel in self.recipients:
                key = (deadline.id, None, contact.id, channel, kind, offset, due)
                desired[key] = (allowed[channel], deadline)

    def _has_rows(self, deadline_id: int) -> bool:
        if self._with_rows is None:
            self._with_rows = {m.deadline_id for m in self.messages if m.deadline_id}
        return deadline_id in self._with_rows

    def _desired_given(self) -> dict[Key, tuple[datetime, DatedObligation]]:
        desired: dict[Key, tuple[datetime, DatedObligation]] = {}
        for given in self.given:
            policy = self.policies.get(given.message_kind)
            if policy is None:
                continue  # no policy for its kind, or turned off: on the page, never messaged
            due = given.effective_due
            if policy.style == ReminderPolicy.Style.COUNTDOWN and (
                given.is_meeting or given.is_family_own
            ):
                if due < self.today:
                    # Passed: no more countdown. The family's own (the final evidence, the
                    # attendance form) gets one message saying so; a meeting has simply been.
                    # (No date a letter gives is COVERED_BY another: only the window counts.)
                    if given.is_family_own and self._passed_notice_due(given):
                        self._add_passed(desired, given, policy)
                    continue
                moments = []
                for offset in schedule.parse_offsets(policy.offsets):
                    at = policy.send_time
                    if given.is_meeting and offset.text == "0d":
                        at = min(at, GIVEN_MEETING_MORNING)
                    day = offset.date_before(given.effective_act_by)
                    moments.append((offset.text, schedule.local_instant(day, at)))
                kind = Kind.REMINDER
            else:  # what others owe: the working day after, has it come?
                day = working_days.next_working_day(due)
                moments = [(CHECK_OFFSET, schedule.local_instant(day, policy.send_time))]
                kind = Kind.CHECK
            deadline_id, given_date_id = _ids(given)
            for offset, send_at in moments:
                for contact, channel in self.recipients:
                    key = (deadline_id, given_date_id, contact.id, channel, kind, offset, due)
                    desired[key] = (first_allowed(channel, send_at), given)
        return desired

    def _add_passed(self, desired: dict, obligation: DatedObligation, policy) -> None:
        """The one "date has passed" message about a family's own date, to each recipient."""
        due = obligation.effective_due
        send_at = schedule.local_instant(due + timedelta(days=1), policy.send_time)
        send_at = max(send_at, self.now)  # told at once when we learn of it late
        deadline_id, given_date_id = _ids(obligation)
        for contact, channel in self.recipients:
            key = (deadline_id, given_date_id, contact.id, channel, Kind.PASSED, PASSED_OFFSET, due)
            desired[key] = (first_allowed(channel, send_at), obligation)

    def _passed_notice_due(self, obligation: DatedObligation) -> bool:
        """Whether a family's own passed date gets its "date has passed" message."""
        if obligation.effective_due < self.today - PASSED_NOTICE_WINDOW:
            return False
        return not self._covered(obligation)

    def _covered(self, obligation: DatedObligation) -> bool:
        """Another deadline's message carries this one's step (COVERED_BY): keyed on the
        message kind, so a date a letter gives ("given:...") is never covered."""
        covering = COVERED_BY.get(obligation.message_kind)
        if covering is None:
            return False
        return any(
            d.kind == covering
            and (
                d.effective_due < self.today
                or d.effective_due <= obligation.effective_due + COVERED_WITHIN
            )
            for d in self.deadlines
        )

    def urgent_tasks(self) -> list[tuple[int, str]]:
        """A family's own date passed with nothing to show it was done: the adviser acts today,
        whether or not the family gets messages. [(case id, the task's text)]"""
        if self.case.status != Case.Status.OPEN:
            return []
        tasks = []
        for deadline in self.deadlines:
            policy = self.policies.get(deadline.kind)
            if policy is None or policy.style != ReminderPolicy.Style.COUNTDOWN:
                continue
            due = deadline.effective_due
            # Never COVERED_BY: the family's "passed" message may wait for the appeal's, but in
            # August the mediation adviser's date passes a week or more before the appeal's
            # 1 September, and someone must know the day it passes undone (issue 20 part 7).
            if due >= self.today:
                continue
            tasks.append((self.case.id, passed_task_text(deadline.kind, due)))
        for given in self.given:
            policy = self.policies.get(given.message_kind)
            if (
                policy is None
                or policy.style != ReminderPolicy.Style.COUNTDOWN
                or not given.is_family_own
                or given.value >= self.today
            ):
                continue
            tasks.append((self.case.id, passed_given_task_text(given)))
        return tasks

    def _about(self, message: Planned, *, done_too: bool) -> DatedObligation | None:
        """The deadline or given date a message is about, if it still stands (and, unless
        `done_too`, is not done)."""
        if message.given_date_id:
            given = self.all_given if done_too else self.given_by_id
            return given.get(message.given_date_id)
        deadlines = self.all_deadlines if done_too else self.deadline_by_id
        return deadlines.get(message.deadline_id)

    def _why_not_wanted(self, message: Planned) -> str:
        """Sending's words (_reason_not_to_send) in the planner's own order, which the message
        history already holds: a moved date before a done step before a missed marking (sending
        asks about the marking first and the move last). The same for both kinds of date, but
        the words when it no longer stands, and the marking, which only a deadline carries."""
        current = self._about(message, done_too=True)
        if current is None:  # the words say which it was
            return f"the {'date' if message.given_date_id else 'deadline'} no longer stands"
        if current.effective_due != message.due_date:
            return f"the date moved to {current.effective_due.isoformat()}"
        if self._about(message, done_too=False) is None:
            return done_reason(current)
        # Only a computed deadline carries an adviser's marking (met, missed, waived).
        if isinstance(current, DeadlineDates) and current.status == Deadline.Status.MISSED:
            return f"deadline marked {current.status}"  # dispatch's words
        if message.kind == Kind.REMINDER and current.effective_due < self.today:
            return DATE_PASSED
        return "no longer planned"

    def _still_current(self, message: Planned) -> bool:
        current = self._about(message, done_too=False)
        return current is not None and current.effective_due == message.due_date

    def _new(self, key: Key, send_at: datetime, about: DatedObligation) -> NewMessage:
        deadline_id, given_date_id, contact_id, channel, kind, offset, due = key
        return NewMessage(
            self.case.id,
            contact_id,
            deadline_id,
            given_date_id,
            about.message_kind,
            kind,
            channel,
            offset,
            due,
            send_at,
        )

    def _summaries(self) -> None:
        """One summary of every date per person and channel, when the case first has dates."""
        if not any(o.message_kind in self.policies for o in (*self.deadlines, *self.given)):
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
        # A deadline is told of only under a policy and unless marked missed (as in _desired:
        # no message about a missed one goes); a date a letter gave, whenever it was told.
        deadlines = [
            d
            for d in self.deadlines
            if d.kind in self.policies and d.status != Deadline.Status.MISSED
        ]
        for obligation in (*deadlines, *self.given):
            due = obligation.effective_due
            told_key, said = obligation.told_key, due.isoformat()
            deadline_id, given_date_id = _ids(obligation)
            for contact, channel in self.recipients:
                last = told.get((contact.id, channel, told_key))
                if not last or last[1] == said:
                    continue
                # Keyed on the date they were told too: B -> C -> back to B is told each time.
                was = last[1].replace("-", "")
                key = (deadline_id, given_date_id, contact.id, channel, Kind.DATE_CHANGED, was, due)
                self._date_change(key, planned, obligation)

    def _date_change(self, key: Key, planned: dict, about: DatedObligation) -> None:
        channel = key[3]
        if key not in planned:
            self.to_create.append(self._new(key, first_allowed(channel, self.now), about))
        elif _held_by_pause(planned[key]):
            self.reactivate.append((planned[key].id, first_allowed(channel, self.now)))


def done_reason(obligation: DatedObligation) -> str:
    """Why a done deadline's or given date's messages stop, for the message history."""
    return f"step done: {obligation.done_in_words()}"[:200]


def _ids(obligation: DatedObligation) -> tuple[int | None, int | None]:
    """Its place in a Key: (deadline id, None) for a deadline, (None, id) for a given date."""
    return (obligation.id, None) if obligation.computed else (None, obligation.id)


def passed_task_text(kind: str, due: date) -> str:
    """The urgent task's text, which is also its identity: the planner raises a task only when
    the case has none with this text (notifications/migrations/0015 rewrote the older form)."""
    return (
        f"{words.deadline_label(kind)}: the family's date, {rules.long_date(due)}, has passed "
        "and nothing on the case shows it was done. Contact the family today. If it was done, "
        "record the date on the case. If not, say what can still be done (for an appeal: send "
        "it now and ask the Tribunal to accept it late, with the reasons)."
    )


def passed_given_task_text(given: GivenDate) -> str:
    return (
        f"The family's date from a letter, {given.title} ({rules.long_date(given.value)}), has "
        "passed and nothing on the case shows it was done. Contact the family today. If it was "
        "done, mark the date done on the case. If not, ask the Tribunal (or whoever set it) "
        "whether it can still be done late."
    )


def _held_by_pause(message: Planned) -> bool:
    """Cancelled only because the case was paused or closed: it goes once the case resumes."""
    return message.status == Status.CANCELLED and message.status_reason in (PAUSED, CLOSED)
