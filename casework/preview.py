"""What the family will get next: a case's pending outbox rows, grouped as dispatch will send
them (one message per person, per channel, per London day: notifications.combining) and
rendered as each message will read. Nothing is written: rendering only reads."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from notifications import combining, gsm, plan_core, rendering
from notifications.composing import SMS_SEGMENTS
from notifications.models import Channel, OutboundMessage, Suppression
from notifications.schedule import LONDON
from sendflow.privacy import mask_links
from workflows import words

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
# What the planner writes for a family (a test goes to an adviser; an email fallback is made
# only when a text fails, so it is never planned).
PREVIEWED_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.PASSED, Kind.DATE_CHANGED, Kind.SUMMARY)


@dataclass(frozen=True)
class NextSend:
    """One message a person will get: on `day`, by `channel`, made of `rows` outbox rows."""

    day: date
    at: datetime  # when its first row is due (or now, for a row already due)
    due_now: bool  # goes at the next dispatch
    channel: str
    to: str  # the contact's name
    rows: int
    dates: int = 0  # the dates it tells (a summary: every open one)
    subject: str = ""
    body: str = ""
    error: str = ""  # the message could not be rendered: the case page says so, not a 500
    will_not_go: str = ""  # why dispatch will stop it after all, in the adviser's words

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def segments(self) -> int:
        return gsm.segments(self.body)

    @property
    def characters(self) -> int:
        return len(self.body)

    @property
    def gsm7(self) -> bool:
        return gsm.is_gsm7(self.body)

    @property
    def too_long(self) -> bool:
        return self.channel == Channel.SMS and self.segments > SMS_SEGMENTS

    @property
    def size(self) -> str:
        """A text's cost: "2 segments, 296 characters"."""
        if self.channel != Channel.SMS or not self.body:
            return ""
        size = f"{words.counted(self.segments, 'segment')}, "
        size += words.counted(self.characters, "character")
        return size if self.gsm7 else f"{size}, not GSM-7 (costs double)"

    @property
    def body_shown(self) -> str:
        """The body with the family's private links shortened, as the outbox shows them."""
        return mask_links(self.body)


def next_sends(case, *, now: datetime, days: int = 3) -> list[NextSend]:
    """The messages of the case's next `days` send days (London days of its pending rows),
    one per person and channel a day, soonest first; a message that would say nothing (a
    summary with no open dates) is left out, as dispatch leaves it unsent."""
    rows = list(
        case.messages.filter(
            status=OutboundMessage.Status.PENDING,
            kind__in=PREVIEWED_KINDS,
            contact__isnull=False,
        )
        .select_related("case", "contact", "deadline", "given_date")
        .order_by("send_at", "id")
    )
    groups = _combined(rows, now=now)
    chosen = sorted({day for (_, _, day) in groups})[:days]
    stopped = _opted_out(rows)
    sends = []
    for (_, _, day), members in groups.items():
        if day not in chosen:
            continue
        send = _render(members, day=day, now=now, stopped=stopped)
        if send.body or send.error:
            sends.append(send)
    return sorted(sends, key=lambda s: (s.day, s.to, s.channel != Channel.SMS))


def _moment(message: OutboundMessage, now: datetime) -> datetime:
    """When a row goes: its time, or the next dispatch for one already due; a text not
    inside quiet hours (dispatch holds it to their end)."""
    moment = max(message.send_at, now)
    if message.channel == Channel.SMS:
        moment = plan_core.quiet_hours().next_allowed(moment)
    return moment


def _combined(rows: list[OutboundMessage], *, now: datetime) -> dict[tuple, list]:
    """The rows by (contact, channel, London day), with a day's rows moved into the day
    before when dispatch would bring them a day early (combining._can_come_a_day_early: a
    countdown reminder still more than a week from its date, and only when all of that day's
    rows can come)."""
    by_day: dict[tuple[int, str], dict[date, list]] = defaultdict(lambda: defaultdict(list))
    for message in rows:
        day = timezone.localtime(_moment(message, now), LONDON).date()
        by_day[(message.contact_id, message.channel)][day].append(message)
    groups = {}
    for key, days in by_day.items():
        for day in sorted(days):
            if day not in days:
                continue  # gone with the day before
            tomorrow = days.get(day + timedelta(days=1), [])
            if tomorrow and all(
                combining._can_come_a_day_early(_as_row(m), today=day) for m in tomorrow
            ):
                days[day].extend(days.pop(day + timedelta(days=1)))
            groups[(*key, day)] = days[day]
    return groups


def _as_row(message: OutboundMessage) -> tuple:
    """A row as combining reads it: (id, contact, channel, kind, send_at, due date)."""
    return (
        message.id,
        message.contact_id,
        message.channel,
        message.kind,
        message.send_at,
        message.due_date,
    )


def _address(contact, channel: str) -> str:
    """The address dispatch will use (as notifications.services does); "" if none."""
    return dict(contact.channels()).get(channel, "")


def _opted_out(rows: list[OutboundMessage]) -> set[tuple[str, str]]:
    """The (channel, address) pairs among these rows' that asked to stop."""
    addresses = {(m.channel, _address(m.contact, m.channel)) for m in rows}
    wanted = {address for _, address in addresses if address}
    if not wanted:
        return set()
    found = Suppression.objects.filter(address__in=wanted).values_list("channel", "address")
    return set(found) & addresses


def _render(
    members: list[OutboundMessage], *, day: date, now: datetime, stopped: set[tuple[str, str]]
) -> NextSend:
    first = members[0]
    contact = first.contact
    address = _address(contact, first.channel)
    channel = Channel(first.channel).label
    will_not_go = ""
    if not address:
        will_not_go = f"Will not be sent: the family no longer wants {channel}"
    elif (first.channel, address) in stopped:
        will_not_go = "Will not be sent: this address has opted out"
    at = _moment(first, now)
    base = {
        "day": day,
        "at": at,
        "due_now": at == now,
        "channel": first.channel,
        "to": contact.name,
        "rows": len(members),
        "will_not_go": will_not_go,
    }
    try:
        rendered = rendering.render_send(members, now=at)
    except Exception as exc:
        # A broken template must not take the case page down: show it, and log it.
        logger.exception("Preview of the next message for message %s failed", first.id)
        return NextSend(**base, error=f"{type(exc).__name__}: {exc}")
    return NextSend(
        **base, dates=len(rendered.dates_told), subject=rendered.subject, body=rendered.body
    )
