"""Sweep: recover from lost broker messages, killed workers and unanswered provider calls. An
unknown send is settled by asking the provider before anything goes again."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import dispatch
from notifications.backends.base import LookupUnavailable
from notifications.models import OutboundMessage
from notifications.sending import backend_for
from workflows.models import AdviserTask

# The outbox logs under one name, as it did before the split, so log searches still find it.
logger = logging.getLogger("notifications.services")

Status = OutboundMessage.Status


@dataclass
class Sweep:
    requeued: int = 0
    unknown: int = 0
    reconciled_sent: int = 0
    resent: int = 0
    overdue: int = 0


def messages_release_stale(*, now: datetime | None = None) -> int:
    """Without a broker (cron and --sync), queued rows whose process died go back to pending."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SENDFLOW_QUEUED_STALE_SECONDS)
    return OutboundMessage.objects.filter(status=Status.QUEUED, queued_at__lt=stale).update(
        status=Status.PENDING, claim_token=None, combined_into=None, updated_at=now
    )


def messages_sweep(*, now: datetime | None = None) -> Sweep:
    """Recover from lost broker messages, killed workers and unanswered provider calls."""
    now = now or timezone.now()
    result = Sweep()
    # 1. Queued but never picked up (Redis restarted, publish failed): enqueue again. The
    #    queued -> sending claim makes a second copy of the task harmless.
    stale = now - timedelta(seconds=settings.SENDFLOW_QUEUED_STALE_SECONDS)
    with transaction.atomic():
        # All of them: after a Redis loss this may be a whole burst, not one batch.
        ids = list(
            OutboundMessage.objects.filter(
                status=Status.QUEUED, queued_at__lt=stale, combined_into__isnull=True
            ).values_list("id", flat=True)
        )
        if ids:
            OutboundMessage.objects.filter(id__in=ids, status=Status.QUEUED).update(queued_at=now)
            transaction.on_commit(functools.partial(dispatch.enqueue_sends, ids))
    result.requeued = len(ids)
    # 2. Sending for longer than any task may run: the worker died mid-call.
    limit = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    result.unknown = OutboundMessage.objects.filter(
        status=Status.SENDING, sending_at__lt=limit
    ).update(status=Status.UNKNOWN, last_error="the worker stopped during the send", updated_at=now)
    # 3. Ask the provider about every unknown before anything is sent again.
    unknown = OutboundMessage.objects.filter(status=Status.UNKNOWN, combined_into__isnull=True)
    for message in unknown[:500]:
        outcome = message_reconcile(message=message, now=now)
        if outcome == Status.SENT:
            result.reconciled_sent += 1
        elif outcome == Status.PENDING:
            result.resent += 1
    # 4. Anything due long ago and still not out is an adviser's problem now.
    result.overdue = _flag_overdue(now=now)
    return result


# Why a message went again without the provider's word that the first attempt had not arrived.
MAY_HAVE_GONE_TWICE = (
    "sent again: the first try may have arrived too, so the family may have it twice"
)


def message_reconcile(*, message: OutboundMessage, now: datetime) -> str | None:
    """Settle an unknown send: sent if the provider has it, pending (resend) if it has not."""
    resent_because = "resent: provider had no record"
    if not message.body:
        verdict = None  # it was never rendered, so it never went
    else:
        try:
            since = (message.sending_at or message.updated_at) - timedelta(minutes=5)
            verdict = backend_for(message.channel).lookup(
                to=message.to, body=message.body, reference=str(message.id), since=since
            )
        except LookupUnavailable:
            if backend_for(message.channel).looks_up:
                return None  # the provider could not answer now; ask again next sweep
            # This provider cannot be asked (email never can). A missed legal reminder costs
            # more than a duplicate, so send again, and say the family may have it twice (an
            # email goes with the same Message-ID, so most mail apps show it once).
            verdict = None
            resent_because = MAY_HAVE_GONE_TWICE
    riders = OutboundMessage.objects.filter(combined_into_id=message.id, status=Status.UNKNOWN)
    if verdict:
        updated = OutboundMessage.objects.filter(id=message.id, status=Status.UNKNOWN).update(
            status=Status.SENT, provider_id=verdict, sent_at=message.sending_at, updated_at=now
        )
        if updated:
            riders.update(status=Status.SENT, sent_at=message.sending_at, updated_at=now)
        return Status.SENT if updated else None
    again = {"send_at": now, "updated_at": now, "status_reason": resent_because}
    updated = OutboundMessage.objects.filter(id=message.id, status=Status.UNKNOWN).update(
        status=Status.PENDING, **again
    )
    if updated:
        riders.update(status=Status.PENDING, combined_into=None, claim_token=None, **again)
    return Status.PENDING if updated else None


def _flag_overdue(*, now: datetime) -> int:
    late = now - timedelta(seconds=settings.SENDFLOW_OVERDUE_ALERT_SECONDS)
    overdue = (
        OutboundMessage.objects.filter(
            Q(status=Status.PENDING) | Q(status=Status.QUEUED),
            send_at__lt=late,
            combined_into__isnull=True,  # its lead is flagged
        )
        .exclude(tasks__kind=AdviserTask.Kind.OVERDUE)
        .select_related("case")[:200]
    )
    tasks = [
        AdviserTask(
            case=message.case,
            message=message,
            kind=AdviserTask.Kind.OVERDUE,
            text=f"A {message.get_channel_display()} due at "
            f"{timezone.localtime(message.send_at):%d/%m/%Y %H:%M} has not gone out "
            f"(status {message.status}{': ' + message.last_error if message.last_error else ''}).",
        )
        for message in overdue
    ]
    AdviserTask.objects.bulk_create(tasks)
    if tasks:
        logger.error("%s messages are more than an hour overdue", len(tasks))
    return len(tasks)
