"""Dispatch: claim due rows (pending -> queued) by compare-and-set, leave older reminders for
the same date behind, combine what goes together and enqueue the sends once the claim commits."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from notifications import combining
from notifications.models import OutboundMessage

# The outbox logs under one name, as it did before the split, so log searches still find it.
logger = logging.getLogger("notifications.services")

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status


@dataclass
class Dispatch:
    claimed: list[int] = field(default_factory=list)  # one id a send: the lead of a combined one
    superseded: list[int] = field(default_factory=list)
    combined: list[int] = field(default_factory=list)  # rows that go in a lead's send


@transaction.atomic
def messages_dispatch(
    *, now: datetime | None = None, limit: int | None = None, enqueue: bool = True
) -> Dispatch:
    """Claim due rows (pending -> queued) and enqueue their sends once the claim commits."""
    now = now or timezone.now()
    limit = limit or settings.SENDFLOW_DISPATCH_BATCH
    due = OutboundMessage.objects.filter(status=Status.PENDING, send_at__lte=now).order_by(
        "send_at", "id"
    )
    if connection.features.has_select_for_update_skip_locked:
        # Two dispatchers (or two beats) each take different rows; neither waits.
        due = due.select_for_update(skip_locked=True)
    rows = list(
        due.values_list(
            "id", "kind", "deadline_id", "given_date_id", "contact_id", "channel", "send_at"
        )[:limit]
    )
    if not rows:
        return Dispatch()

    keep, superseded = _supersede_older_reminders(rows)
    token = uuid.uuid4()
    # The status condition is the claim on SQLite, which has no row locks.
    OutboundMessage.objects.filter(id__in=keep, status=Status.PENDING).update(
        status=Status.QUEUED, claim_token=token, queued_at=now, updated_at=now
    )
    OutboundMessage.objects.filter(id__in=superseded, status=Status.PENDING).update(
        status=Status.SUPERSEDED,
        status_reason="a later reminder for the same date went instead",
        updated_at=now,
    )
    claimed = list(
        OutboundMessage.objects.filter(claim_token=token, status=Status.QUEUED)
        .order_by("send_at", "id")
        .values_list("id", flat=True)
    )
    leads, combined = combining.messages_combine(claimed=claimed, token=token, now=now)
    sends = set(leads)
    claimed = [message_id for message_id in claimed if message_id in sends]
    if enqueue and claimed:
        transaction.on_commit(functools.partial(enqueue_sends, claimed))
    return Dispatch(claimed=claimed, superseded=superseded, combined=combined)


def messages_dispatch_due(*, budget_seconds: float = 45.0) -> int:
    """Claim batch after batch until nothing is due or the budget is spent (one beat tick), so
    a burst of 100,000 is queued in seconds, not one batch a minute."""
    started = time.monotonic()
    total = 0
    while True:
        claimed = len(messages_dispatch().claimed)
        total += claimed
        if (
            claimed < settings.SENDFLOW_DISPATCH_BATCH
            or time.monotonic() - started > budget_seconds
        ):
            return total


# A due row as dispatch reads it, and what makes reminders "for the same date".
DueRow = tuple[int, str, int | None, int | None, int | None, str, datetime]
SameDate = tuple[int | None, int | None, int | None, str]


def _supersede_older_reminders(rows: Iterable[DueRow]) -> tuple[list[int], list[int]]:
    """After downtime several reminders for one date may be due: only the latest goes (for a
    hearing missed the day before, the morning's)."""
    latest: dict[SameDate, tuple[datetime, int]] = {}
    keep: list[int] = []
    superseded: list[int] = []
    for message_id, kind, deadline_id, given_date_id, contact_id, channel, send_at in rows:
        if kind != Kind.REMINDER:
            keep.append(message_id)
            continue
        key = (deadline_id, given_date_id, contact_id, channel)
        if key in latest:
            superseded.append(latest[key][1])
        latest[key] = (send_at, message_id)
    reminder_rows = [(key, sent_at, message_id) for key, (sent_at, message_id) in latest.items()]
    if reminder_rows:
        # A later reminder already on its way also makes an older one pointless.
        deadline_ids = {key[0] for key, _, _ in reminder_rows if key[0]}
        given_ids = {key[1] for key, _, _ in reminder_rows if key[1]}
        ahead = set(
            OutboundMessage.objects.filter(
                Q(deadline_id__in=deadline_ids) | Q(given_date_id__in=given_ids),
                kind=Kind.REMINDER,
                status__in=[Status.QUEUED, Status.SENDING, Status.SENT, Status.DELIVERED],
            ).values_list("deadline_id", "given_date_id", "contact_id", "channel", "send_at")
        )
        for key, send_at, message_id in reminder_rows:
            if any(a[:4] == key and a[4] > send_at for a in ahead):
                superseded.append(message_id)
            else:
                keep.append(message_id)
    return keep, superseded


def enqueue_sends(message_ids: list[int]) -> None:
    """Publish send tasks in chunks over one broker connection."""
    from notifications.tasks import messages_send_task

    size = settings.SENDFLOW_SEND_CHUNK
    try:
        with messages_send_task.app.producer_or_acquire() as producer:
            for i in range(0, len(message_ids), size):
                messages_send_task.apply_async((message_ids[i : i + size],), producer=producer)
    except Exception:
        # The rows stay queued; the sweeper re-enqueues them, so a broker outage only delays.
        logger.exception("Could not enqueue %s messages; the sweeper will retry", len(message_ids))
