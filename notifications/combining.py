"""One message per person, per channel, per London day.

Dispatch claims the rows that are due; this module then gathers, for each person and channel
among them, everything else due to them that day (and a countdown reminder due the next day, see
`_can_come_a_day_early`) into one send. The lowest row is the lead: it goes through the pipeline
as any message does (claim, render, provider, sweeper); the others are combined into it
(`OutboundMessage.combined_into`) and take its status, time and error. Each row keeps its own
deadline, offset and cancellation, so the outbox still shows why each was due.

A row that comes due after this person's message of the day has gone waits for the next
morning, unless its date is too close to wait (`_can_wait`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from notifications import schedule
from notifications.models import OutboundMessage

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
# Where a second message of the day waits to: the default reminder time (ReminderPolicy).
NEXT_MORNING = time(10, 0)
# A row may wait for tomorrow's message only if its date is at least this far off: a moved or
# new date a week away loses nothing by a night, and the day to act by (at most four days before
# a date at Easter) is never passed.
WAIT_ONLY_IF_DUE_AFTER = timedelta(days=7)
# The most rows a tick brings forward into one person's message (from later today or tomorrow).
PULL_IN_PER_PERSON = 20
# Statuses of a send that has gone, or is going, to the person today.
_GONE = (Status.QUEUED, Status.SENDING, Status.SENT, Status.DELIVERED, Status.UNKNOWN)


def london_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = schedule.local_instant(day, time(0, 0))
    return start, schedule.local_instant(day + timedelta(days=1), time(0, 0))


def messages_combine(*, claimed: list[int], token, now: datetime) -> tuple[list[int], list[int]]:
    """Group the claimed rows into one send per person and channel; return (lead ids, ids
    combined into a lead). Rows pulled in from later today (or tomorrow) are claimed with the
    same token. Rows that must wait for tomorrow go back to pending and are in neither list."""
    groups: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    alone, tried = [], set()
    for *row, attempts in OutboundMessage.objects.filter(id__in=claimed).values_list(
        "id", "contact_id", "channel", "kind", "send_at", "due_date", "attempts"
    ):
        message_id, contact_id, channel, kind, _, _ = row
        if attempts:
            tried.add(message_id)
        if contact_id is None or kind == Kind.TEST:
            alone.append(message_id)
        else:
            groups[(contact_id, channel)].append(tuple(row))
    if not groups:
        return alone, []
    today = timezone.localdate(now)
    _, end_of_tomorrow = london_day_bounds(today + timedelta(days=1))
    gone_today = _sent_today(groups.keys(), today=today, exclude_token=token)
    leads, waiting = list(alone), []
    sending = {}
    for key, members in groups.items():
        if key in gone_today and all(
            _can_wait(kind, due, today) for _, _, _, kind, _, due in members
        ):
            waiting.extend(m[0] for m in members)
        else:
            sending[key] = members
    pulled = _pull_in(sending.keys(), now=now, until=end_of_tomorrow, today=today, token=token)
    riders = []
    for key, members in sending.items():
        members.extend(pulled.get(key, []))
        # A send tried before (its outcome unknown, then no record) leads again: an email's
        # Message-ID comes from its lead, and must be the same on every attempt.
        members.sort(key=lambda m: (m[0] not in tried, m[4], m[0]))
        lead, *others = (m[0] for m in members)
        leads.append(lead)
        riders.extend(OutboundMessage(id=other, combined_into_id=lead) for other in others)
    # One statement for the batch: dispatch claims up to a thousand rows at a time.
    OutboundMessage.objects.bulk_update(riders, ["combined_into"], batch_size=1000)
    combined = [rider.id for rider in riders]
    if waiting:
        OutboundMessage.objects.filter(id__in=waiting, status=Status.QUEUED).update(
            status=Status.PENDING,
            claim_token=None,
            send_at=schedule.local_instant(today + timedelta(days=1), NEXT_MORNING),
            status_reason="waits for tomorrow's message: one message a day",
            updated_at=now,
        )
    return leads, combined


def _can_wait(kind: str, due: date | None, today: date) -> bool:
    if kind in (Kind.PASSED, Kind.CHECK, Kind.FALLBACK):
        return False  # about a date that has passed: today, not tomorrow
    return due is None or due - today >= WAIT_ONLY_IF_DUE_AFTER


def _sent_today(keys, *, today: date, exclude_token) -> set[tuple[int, str]]:
    """The (person, channel) pairs that already have today's message."""
    start, end = london_day_bounds(today)
    contact_ids = {contact_id for contact_id, _ in keys}
    gone = (
        OutboundMessage.objects.filter(
            contact_id__in=contact_ids,
            combined_into__isnull=True,
            status__in=_GONE,
            sending_at__gte=start,
            sending_at__lt=end,
        )
        .exclude(kind=Kind.TEST)
        .exclude(claim_token=exclude_token)
        .values_list("contact_id", "channel")
    )
    return set(gone) & set(keys)


def _pull_in(keys, *, now: datetime, until: datetime, today: date, token) -> dict:
    """Pending rows for these people and channels due later today, and tomorrow's countdown
    reminders when all of a person's can come a day early: claimed now, to go in today's
    message. {(contact, channel): rows}, in one query and one update for the batch."""
    keys = set(keys)
    if not keys:
        return {}
    _, end_of_today = london_day_bounds(today)
    # Each person's first few: a person has a few rows a day, and one with thousands (an import
    # gone wrong) must not make every tick read them all. Rows left out go at their own time.
    # Not locked (PostgreSQL has no FOR UPDATE with a window): the claim below is conditional.
    later = (
        OutboundMessage.objects.filter(
            contact_id__in={contact_id for contact_id, _ in keys},
            status=Status.PENDING,
            send_at__gt=now,
            send_at__lt=until,
        )
        .exclude(kind=Kind.TEST)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("contact_id"), F("channel")],
                order_by=[F("send_at").asc(), F("id").asc()],
            )
        )
        .filter(place__lte=PULL_IN_PER_PERSON)
    )
    found: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for row in later.values_list("id", "contact_id", "channel", "kind", "send_at", "due_date"):
        if (row[1], row[2]) in keys:
            found[(row[1], row[2])].append(row)
    pulled = {}
    for key, rows in found.items():
        today_rows = [row for row in rows if row[4] < end_of_today]
        tomorrow = [row for row in rows if row[4] >= end_of_today]
        # Only when that leaves tomorrow with no message of its own: else nothing is saved.
        if all(_can_come_a_day_early(row, today=today) for row in tomorrow):
            today_rows.extend(tomorrow)
        if today_rows:
            pulled[key] = today_rows
    ids = [row[0] for rows in pulled.values() for row in rows]
    if not ids:
        return {}
    # Compare-and-set: a row another dispatcher took, or the planner cancelled, since the read
    # stays where it is.
    OutboundMessage.objects.filter(id__in=ids, status=Status.PENDING).update(
        status=Status.QUEUED, claim_token=token, queued_at=now, updated_at=now
    )
    ours = set(
        OutboundMessage.objects.filter(id__in=ids, claim_token=token).values_list("id", flat=True)
    )
    return {key: [r for r in rows if r[0] in ours] for key, rows in pulled.items()}


def _can_come_a_day_early(row, *, today: date) -> bool:
    """Tomorrow's countdown reminder goes with today's message rather than alone tomorrow ("in
    8 days" read a day early is still true), unless tomorrow is its date's last days: the
    morning-of reminder, and a date two working days or less away, keep their own day."""
    _, _, _, kind, _, due = row
    if kind != Kind.REMINDER or due is None:
        return False
    return due - today > timedelta(days=7)


def group_ids(lead_id: int) -> Q:
    """The lead and every row combined into it."""
    return Q(id=lead_id) | Q(combined_into_id=lead_id)
