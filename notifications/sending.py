"""Send one claimed message: claim it (queued -> sending), check and render it under the case's
lock, call the provider outside any transaction, record the outcome (sent, retried later,
unknown, failed)."""

from __future__ import annotations

import functools
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications import combining, composing, gsm, rendering
from notifications.adviser_checks import check_task_create
from notifications.backends import get_backend
from notifications.backends.base import Backend, SendError
from notifications.email_html import email_html
from notifications.failed_sends import failed_tell
from notifications.models import OutboundMessage, Suppression
from notifications.opt_outs import suppress
from notifications.plan_core import DATE_PASSED, done_reason, first_allowed, quiet_hours
from sendflow.privacy import redact
from workflows import rules, words
from workflows.models import AdviserTask, Case, Deadline

# The outbox logs under one name, as it did before the split, so log searches still find it.
logger = logging.getLogger("notifications.services")

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
DEADLINE_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.DATE_CHANGED, Kind.PASSED, Kind.FALLBACK)


@functools.cache
def _backend(channel: str, configured: str) -> Backend:
    return get_backend(channel)


def backend_for(channel: str) -> Backend:
    return _backend(channel, settings.SMS_BACKEND if channel == "sms" else settings.EMAIL_BACKEND)


def message_send(*, message_id: int, now: datetime | None = None) -> str | None:
    """Send one queued message; return its new status, or None if it was not ours to send."""
    now = now or timezone.now()
    # The claim commits on its own, so "sending" is visible at once to sweepers and tests.
    # A row combined into another goes in that one's send, never on its own.
    claimed = OutboundMessage.objects.filter(
        id=message_id, status=Status.QUEUED, combined_into__isnull=True
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, sending_at=now, updated_at=now)
    if not claimed:
        return None  # already sent, cancelled, or another worker has it
    OutboundMessage.objects.filter(combined_into_id=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, sending_at=now, updated_at=now
    )
    prepared = _prepare(message_id, now=now)
    if isinstance(prepared, str):
        logger.info("Message %s not sent: %s", message_id, prepared)
        return prepared  # not sent: cancelled, suppressed or held
    message, items, rendered = prepared
    email = _email_parts(message, rendered) if message.channel == "email" else {}
    try:
        provider_id = backend_for(message.channel).send(
            to=message.to,
            subject=rendered.subject,
            body=rendered.body,
            reference=str(message.id),
            **email,
        )
    except SendError as error:
        return _handle_failure(message, error, now=now, items=items)
    _finish(message, Status.SENT, provider_id=provider_id, sent_at=now, last_error="")
    # Ids and kinds only: never an address, a name or the text.
    if len(items) > 1:
        logger.info(
            "Message %s (%s %s, %s in one) sent",
            message.id,
            message.channel,
            message.kind,
            len(items),
        )
    else:
        logger.info("Message %s (%s %s) sent", message.id, message.channel, message.kind)
    for item in items:
        _after_sent(item, now=now)
    return Status.SENT


def _after_sent(message: OutboundMessage, *, now: datetime) -> None:
    """What a sent message leaves for the adviser: a check raises a task to follow it up."""
    due = message.due_date  # a check and a change of date always have one
    if message.kind == Kind.CHECK and (obligation := message.obligation) is not None:
        # Sent, so its date is the row's (the send cancels a row whose date moved).
        AdviserTask.objects.get_or_create(
            case=message.case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=obligation.check_task_text(),
        )
    elif message.kind == Kind.CHECK and due is not None:  # its deadline has gone since
        check_task_create(case=message.case, kind=message.deadline_kind, due=due)
    if message.kind == Kind.DATE_CHANGED and due is not None and due < timezone.localdate(now):
        AdviserTask.objects.get_or_create(
            case=message.case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=f"The corrected date for {words.deadline_label(message.deadline_kind).lower()} "
            f"({due:%d/%m/%Y}) had already passed when the family was told. "
            "Contact them about what they can still do (for an appeal: ask the Tribunal to "
            "accept it late).",
        )


def _email_parts(message: OutboundMessage, rendered: rendering.Rendered) -> dict[str, str]:
    """The HTML alternative, and the one-click stop URL of a family's email (an adviser's test
    email has no contact, so nothing to stop)."""
    contact = message.contact
    return {
        "html": email_html(subject=rendered.subject, body=rendered.body),
        "unsubscribe_url": rendering.public_url(reverse("opt-out", args=[contact.opt_out_token]))
        if contact is not None
        else "",
    }


@transaction.atomic
def _prepare(
    message_id: int, *, now: datetime
) -> str | tuple[OutboundMessage, list[OutboundMessage], rendering.Rendered]:
    """Check, render and record what is about to go, holding the case's lock.

    The planner takes the same lock when a key date changes, so either it moves the date first
    (and this send is cancelled) or this records the date it tells the family first (and the
    planner sends "your date changed"). Never an old date with no correction.
    """
    group = list(
        OutboundMessage.objects.select_related("case", "contact", "deadline", "given_date")
        .select_for_update(of=("case",))
        .filter(combining.group_ids(message_id), status=Status.SENDING)
        .order_by("id")
    )
    message = next(m for m in group if m.id == message_id)
    items = []
    for item in group:
        stop = _reason_not_to_send(item, now)
        if stop is None:
            items.append(item)
            continue
        status, reason = stop
        # This one's date moved or its step is done: the rest still go.
        OutboundMessage.objects.filter(id=item.id, status=Status.SENDING).update(
            status=status, status_reason=reason, combined_into=None, updated_at=timezone.now()
        )
    if not items:
        return message_status(message_id)
    if message not in items:
        # The lead's own reminder is no longer due: the first that is carries the send.
        lead, *riders = items
        OutboundMessage.objects.filter(id=lead.id).update(
            combined_into=None, attempts=message.attempts, sending_at=now
        )
        OutboundMessage.objects.filter(id__in=[r.id for r in riders]).update(combined_into=lead.id)
        lead.attempts, lead.combined_into_id, message = message.attempts, None, lead
    if message.channel == "sms" and quiet_hours().contains(now):  # even tests: no texts at night
        # Not a failed attempt: wait for the morning.
        _finish(
            message,
            Status.PENDING,
            send_at=quiet_hours().next_allowed(now),
            attempts=F("attempts") - 1,
            status_reason="held for quiet hours",
        )
        return Status.PENDING
    address = message.to if message.kind == Kind.TEST else _address(message)
    rendered = rendering.render_send(items, now=now)
    # Recorded before it goes: an unknown outcome is reconciled against it, and the planner
    # knows which dates the family has been told (each row the dates of its own item).
    OutboundMessage.objects.filter(id=message.id).update(
        to=address,
        subject=rendered.subject,
        body=rendered.body,
        dates_told=rendered.dates_told,
        segments=gsm.segments(rendered.body) if message.channel == "sms" else None,
    )
    for item in items:
        if item.id != message.id:
            OutboundMessage.objects.filter(id=item.id).update(
                to=address,
                subject=rendered.subject,
                body=rendered.body,  # what the family read, on each row it carried
                dates_told=rendered.told_by_row.get(item.id, {}),
            )
    message.to = address  # the failure path reports and suppresses this address
    for item in items:
        item.to = address
    return message, items, rendered


def message_status(message_id: int) -> str:
    return OutboundMessage.objects.values_list("status", flat=True).get(id=message_id)


def _address(message: OutboundMessage) -> str:
    contact = message.contact
    if contact is None:  # an adviser's test message: its address is on the row
        return ""
    if message.kind == Kind.FALLBACK:  # email when a text failed, chosen or not
        return contact.email.lower()
    address: str = dict(contact.channels()).get(message.channel, "")
    return address


def _reason_not_to_send(message: OutboundMessage, now: datetime) -> tuple[str, str] | None:
    """Re-check at the last moment: things change between planning, claiming and sending."""
    case = message.case
    if message.kind == Kind.TEST:
        if Suppression.objects.filter(channel=message.channel, address=message.to).exists():
            return Status.SUPPRESSED, "opted out"
        return None
    if case.status != Case.Status.OPEN:
        return Status.CANCELLED, "case closed"
    if case.reminders_paused:
        return Status.CANCELLED, "reminders paused"
    address = _address(message) if message.contact else ""
    if not address:
        return Status.CANCELLED, f"the family no longer wants {message.get_channel_display()}"
    if Suppression.objects.filter(channel=message.channel, address=address).exists():
        return Status.SUPPRESSED, "opted out"
    if message.kind == Kind.SUMMARY and not composing.case_items(
        case, today=timezone.localdate(now)
    ):
        return Status.CANCELLED, "nothing to tell: every step is done"
    if message.kind in DEADLINE_KINDS and message.due_date:  # a fallback summary has none
        obligation = message.obligation
        if obligation is None:
            return Status.CANCELLED, "the deadline no longer stands"
        # Only a computed deadline carries an adviser's marking (met, missed, waived).
        if isinstance(obligation, Deadline) and obligation.status != Deadline.Status.OPEN:
            return Status.CANCELLED, f"deadline marked {obligation.status}"
        if obligation.state(timezone.localdate(now)) == rules.State.DONE:
            return Status.CANCELLED, done_reason(obligation)
        if obligation.effective_due != message.due_date:
            return Status.CANCELLED, f"the date moved to {obligation.effective_due.isoformat()}"
        if _is_countdown(message) and message.due_date < timezone.localdate(now):
            # A countdown after the date would call it ahead; the "passed" message says it.
            return Status.CANCELLED, DATE_PASSED
    return None


def _is_countdown(message: OutboundMessage) -> bool:
    """A reminder before a date (or its email fallback), as opposed to a check or a change."""
    if message.kind == Kind.FALLBACK:
        return rendering.fallback_of(message) == Kind.REMINDER
    return message.kind == Kind.REMINDER


# What the rows combined into a send take from it when it ends (never its provider id, by which
# a delivery report finds the one row that made the send).
_SHARED = ("sent_at", "last_error", "status_reason", "send_at")


def _finish(message: OutboundMessage, status: str, **fields: Any) -> None:  # the row's fields
    now = timezone.now()
    OutboundMessage.objects.filter(id=message.id, status=Status.SENDING).update(
        status=status, updated_at=now, **fields
    )
    shared = {name: value for name, value in fields.items() if name in _SHARED}
    riders = OutboundMessage.objects.filter(combined_into_id=message.id, status=Status.SENDING)
    if status == Status.PENDING:
        # Held or retried: they go back to wait with it, and dispatch combines them again.
        riders.update(status=status, combined_into=None, claim_token=None, updated_at=now, **shared)
    else:
        riders.update(status=status, updated_at=now, **shared)


def _handle_failure(
    message: OutboundMessage,
    error: SendError,
    *,
    now: datetime,
    items: list[OutboundMessage] | None = None,
) -> str:
    text = str(error)[:500]
    # Providers' errors quote the address ("The 'To' number +44... is not valid").
    logger.warning("Message %s (%s) not sent: %s", message.id, message.channel, redact(text))
    if error.ambiguous:
        _finish(message, Status.UNKNOWN, last_error=text)
        return Status.UNKNOWN
    if error.config and not error.permanent:
        # Our credentials or sender, not the family's address: keep it due, and shout. The
        # overdue sweep turns it into a task for the adviser if it goes on.
        logger.error(
            "Provider configuration error, message %s kept pending: %s", message.id, redact(text)
        )
        retry_at = first_allowed(message.channel, now + backoff(settings.SENDFLOW_MAX_ATTEMPTS))
        _finish(
            message, Status.PENDING, send_at=retry_at, attempts=F("attempts") - 1, last_error=text
        )
        return Status.PENDING
    attempts = message.attempts  # loaded after the claim incremented it
    if not error.permanent and attempts < settings.SENDFLOW_MAX_ATTEMPTS:
        retry_at = first_allowed(message.channel, now + backoff(attempts))
        _finish(message, Status.PENDING, send_at=retry_at, last_error=text)
        return Status.PENDING
    with transaction.atomic():  # failed, fallbacks and task together, or none of them
        _finish(message, Status.FAILED, last_error=text)
        if error.unsubscribed:
            suppress(channel=message.channel, address=message.to, reason="provider")
        tried = 0 if error.permanent else attempts  # a transient error, every try used
        failed_tell(message, items or [message], text, now=now, ours=error.config, tried=tried)
    return Status.FAILED


def backoff(attempts: int) -> timedelta:
    """Exponential, capped, with jitter so retries after an outage do not arrive together."""
    base = settings.SENDFLOW_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    capped = min(base, settings.SENDFLOW_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.8, 1.2))
