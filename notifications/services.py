"""Dispatch, send, sweep: the outbox rows are the truth, Celery only carries their ids.

Each step moves a row with a conditional UPDATE (compare-and-set), so a redelivered task, a second
dispatcher or a second beat finds nothing to do. Provider calls happen outside any transaction.
"""

from __future__ import annotations

import functools
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from notifications import combining, composing, gsm, rendering
from notifications.backends import get_backend
from notifications.backends.base import Backend, LookupUnavailable, SendError
from notifications.email_html import email_html
from notifications.models import OutboundMessage, ReminderPolicy, Suppression, WebhookReceipt
from notifications.planner import DATE_PASSED, done_reason, first_allowed, quiet_hours
from sendflow.privacy import mask_phone, redact
from workflows import rules, words
from workflows.models import AdviserTask, Case, Deadline

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status
DEADLINE_KINDS = (Kind.REMINDER, Kind.CHECK, Kind.DATE_CHANGED, Kind.PASSED, Kind.FALLBACK)


# --- dispatch ------------------------------------------------------------------------------------


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


def _supersede_older_reminders(rows) -> tuple[list[int], list[int]]:
    """After downtime several reminders for one date may be due: only the latest goes (for a
    hearing missed the day before, the morning's)."""
    latest: dict[tuple, tuple[datetime, int]] = {}
    keep, superseded = [], []
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


# --- send ----------------------------------------------------------------------------------------


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
    if message.kind == Kind.CHECK and message.given_date_id:
        AdviserTask.objects.get_or_create(
            case=message.case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=words.given_check_task(
                message.given_date.kind,
                message.given_date.date_in_words(),
                label=message.given_date.title,
            ),
        )
    elif message.kind == Kind.CHECK:
        check_task_create(case=message.case, kind=message.deadline_kind, due=message.due_date)
    if message.kind == Kind.DATE_CHANGED and message.due_date < timezone.localdate(now):
        AdviserTask.objects.get_or_create(
            case=message.case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=f"The corrected date for {words.deadline_label(message.deadline_kind).lower()} "
            f"({message.due_date:%d/%m/%Y}) had already passed when the family was told. "
            "Contact them about what they can still do (for an appeal: ask the Tribunal to "
            "accept it late).",
        )


def _email_parts(message: OutboundMessage, rendered: rendering.Rendered) -> dict[str, str]:
    """The HTML alternative, and the one-click stop URL of a family's email (an adviser's test
    email has no contact, so nothing to stop)."""
    return {
        "html": email_html(subject=rendered.subject, body=rendered.body),
        "unsubscribe_url": rendering.public_url(
            reverse("opt-out", args=[message.contact.opt_out_token])
        )
        if message.contact_id
        else "",
    }


@transaction.atomic
def _prepare(message_id: int, *, now: datetime):
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


def check_task_create(*, case: Case, kind: str, due) -> tuple[AdviserTask, bool]:
    """Someone owed the family something by a date: the adviser checks it came, once."""
    return AdviserTask.objects.get_or_create(
        case=case, kind=AdviserTask.Kind.CHECK_DEADLINE, text=words.check_task(kind, due)
    )


def check_tasks_for_passed_dates(*, today) -> int:
    """A task for every open "check" deadline whose date has passed with nothing recorded,
    whether or not the family gets messages (nightly)."""
    from workflows.working_days import next_working_day

    created = 0
    kinds = ReminderPolicy.objects.filter(enabled=True, style=ReminderPolicy.Style.CHECK)
    deadlines = (
        Deadline.objects.filter(
            kind__in=kinds.values("deadline_kind"),
            status=Deadline.Status.OPEN,
            due__lt=today,
            due__gte=today - timedelta(days=60),
            case__status=Case.Status.OPEN,
        )
        .filter(Q(done_by="") | Q(done_on__gt=today))
        .select_related("case")
    )
    for deadline in deadlines:
        if next_working_day(deadline.effective_due) <= today:
            _, new = check_task_create(
                case=deadline.case, kind=deadline.kind, due=deadline.effective_due
            )
            created += new
    return created


def _address(message: OutboundMessage) -> str:
    if message.kind == Kind.FALLBACK:  # email when a text failed, chosen or not
        return message.contact.email.lower()
    return dict(message.contact.channels()).get(message.channel, "")


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
    if message.kind in DEADLINE_KINDS and message.due_date and message.given_date_id:
        given = message.given_date
        if given.state(timezone.localdate(now)) == rules.State.DONE:
            return Status.CANCELLED, f"step done: marked done on {rules.long_date(given.done_on)}"
        if given.value != message.due_date:
            return Status.CANCELLED, f"the date moved to {given.value.isoformat()}"
        if _is_countdown(message) and message.due_date < timezone.localdate(now):
            return Status.CANCELLED, DATE_PASSED
    elif message.kind in DEADLINE_KINDS and message.due_date:  # a fallback summary has none
        deadline = message.deadline
        if deadline is None:
            return Status.CANCELLED, "the deadline no longer stands"
        if deadline.status != Deadline.Status.OPEN:
            return Status.CANCELLED, f"deadline marked {deadline.status}"
        if deadline.state(timezone.localdate(now)) == rules.State.DONE:
            return Status.CANCELLED, done_reason(deadline)
        if deadline.effective_due != message.due_date:
            return Status.CANCELLED, f"the date moved to {deadline.effective_due.isoformat()}"
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


def _finish(message: OutboundMessage, status: str, **fields) -> None:
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
    message: OutboundMessage, error: SendError, *, now: datetime, items=None
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
        _failed_tell(message, items or [message], text, now=now, ours=error.config, tried=tried)
    return Status.FAILED


def _failed_tell(
    message: OutboundMessage,
    items,
    error: str,
    *,
    now: datetime,
    ours: bool = False,
    tried: int = 0,
) -> None:
    """Each item of a failed send falls back to email where it should; the adviser gets one
    task for the send."""
    fallbacks = [f for f in (_fall_back_to_email(item, now=now) for item in items) if f]
    AdviserTask.objects.create(
        case=message.case,
        message=message,
        kind=AdviserTask.Kind.DELIVERY_FAILED,
        text=_failure_text(
            message,
            error,
            fallbacks[0] if fallbacks else None,
            items=items,
            ours=ours,
            tried=tried,
        ),
    )


def backoff(attempts: int) -> timedelta:
    """Exponential, capped, with jitter so retries after an outage do not arrive together."""
    base = settings.SENDFLOW_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    capped = min(base, settings.SENDFLOW_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.8, 1.2))


def _fall_back_to_email(message: OutboundMessage, *, now: datetime) -> OutboundMessage | None:
    contact = message.contact
    if message.channel != "sms" or contact is None or not contact.email:
        return None
    if contact.wants_email and message.kind != Kind.SUMMARY:
        return None  # the same reminder goes by email anyway
    if Suppression.objects.filter(channel="email", address=contact.email.lower()).exists():
        return None
    fallback, _ = OutboundMessage.objects.get_or_create(
        deadline=message.deadline,
        given_date=message.given_date,  # a date from a letter: else the email has no date
        contact=contact,
        channel="email",
        kind=Kind.FALLBACK,
        offset=message.offset,
        due_date=message.due_date,
        defaults={
            "case": message.case,
            "deadline_kind": message.deadline_kind,
            "send_at": now,
        },
    )
    return fallback


def _about(message: OutboundMessage) -> str:
    if message.deadline_kind:
        return words.deadline_label(message.deadline_kind)
    return message.get_kind_display().lower()


def _failure_text(
    message: OutboundMessage, error: str, fallback, *, items=(), ours: bool = False, tried: int = 0
) -> str:
    what = _about(message)
    if len(items) > 1:
        what = "; ".join(_about(item) for item in items)
        what = f"{len(items)} dates in one message ({what})"
    lines = [
        f"A {message.get_channel_display()} about {what} to {message.to or 'the family'} failed: "
        f"{error}."
    ]
    if ours:
        lines.append(
            "This is sendflow's set-up with the provider, not the family's details: whoever "
            "runs sendflow has been alerted."
        )
    elif tried:
        lines.append(
            f"It was tried {tried} times and the provider did not take it: this is the "
            "provider, not the family's details."
        )
    elif rendering.text_failed_because(error) == "characters":
        lines.append("The words of the text were the problem, not the family's details.")
    else:
        lines.append("Check the contact details with the family and correct them on the case.")
    if fallback:
        lines.append(f"It has been queued to go by email to {fallback.contact.email} instead.")
    elif message.channel == "sms" and message.contact and not message.contact.email:
        lines.append(
            "The family has no email address on the case, so it could not go by email "
            "instead: tell them another way."
        )
    return " ".join(lines)


# --- sweepers ------------------------------------------------------------------------------------


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
            transaction.on_commit(functools.partial(enqueue_sends, ids))
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
                return None  # Twilio or Notify could not answer now; ask again next sweep
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


# --- opt-outs and provider callbacks -------------------------------------------------------------


def suppress(*, channel: str, address: str, reason: str) -> Suppression | None:
    if not address:
        return None
    suppression, _ = Suppression.objects.get_or_create(
        channel=channel,
        address=address.lower() if channel == "email" else address,
        defaults={"reason": reason},
    )
    return suppression


def unsuppress(*, channel: str, address: str, reasons: Iterable[str] | None = None) -> None:
    """Lift opt-outs for an address; `reasons` limits which (START lifts only a STOP)."""
    suppressions = Suppression.objects.filter(channel=channel, address=address)
    if reasons is not None:
        suppressions = suppressions.filter(reason__in=list(reasons))
    suppressions.delete()


# Provider statuses only ever move a row forward.
_RANK = {
    # A report about a row set back for a resend proves the first attempt went: take it.
    Status.PENDING: -1,
    Status.QUEUED: -1,
    Status.SENDING: 1,
    Status.UNKNOWN: 2,
    Status.SENT: 3,
    Status.DELIVERED: 4,
    Status.FAILED: 4,
}
_TWILIO_TO_STATUS = {
    "accepted": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
}


def message_status_from_provider(
    *,
    message_id: int | None,
    provider_id: str,
    provider_status: str,
    error_code: str = "",
    provider: str = "twilio",
) -> OutboundMessage | None:
    """Apply a delivery report (Twilio's or GOV.UK Notify's); repeats and out-of-order reports
    change nothing."""
    if provider == "notify":
        from notifications.backends.notify import RECEIPTS

        new_status, failed_because = RECEIPTS.get(provider_status, (None, ""))
    else:
        new_status = _TWILIO_TO_STATUS.get(provider_status)
        failed_because = f"Twilio {provider_status} (error {error_code or 'none'})"
    with transaction.atomic():
        rows = OutboundMessage.objects.select_for_update()
        message = rows.filter(id=message_id).first() if message_id else None
        if message is None and provider_id:
            # Saying `<> ''` too lets PostgreSQL use message_by_provider_id, which holds only
            # messages a provider has taken.
            message = rows.filter(provider_id=provider_id).exclude(provider_id="").first()
        if message is None or new_status is None:
            return message
        if _RANK.get(message.status, 99) >= _RANK[new_status] and message.status != Status.UNKNOWN:
            return message  # a repeat, or older news than we have
        message.status = new_status
        message.provider_status = provider_status
        message.provider_id = message.provider_id or provider_id
        if new_status == Status.DELIVERED:
            message.delivered_at = timezone.now()
        if new_status == Status.FAILED:
            message.last_error = failed_because
        message.save(
            update_fields=[
                "status",
                "provider_status",
                "provider_id",
                "delivered_at",
                "last_error",
                "updated_at",
            ]
        )
        # The rows combined into this send share its report.
        riders = list(
            OutboundMessage.objects.select_related("case", "contact").filter(
                combined_into_id=message.id
            )
        )
        OutboundMessage.objects.filter(id__in=[r.id for r in riders]).update(
            status=new_status,
            provider_status=provider_status,
            delivered_at=message.delivered_at,
            last_error=message.last_error,
            updated_at=timezone.now(),
        )
        if new_status == Status.FAILED:
            if provider == "twilio" and error_code == "21610":
                suppress(channel="sms", address=message.to, reason="provider")
            _failed_tell(message, [message, *riders], message.last_error, now=timezone.now())
    return message


def inbound_text_record(*, number: str, text: str) -> list[AdviserTask]:
    """A text that is not a keyword: each case with that number gets a task for its adviser."""
    from workflows.models import Contact

    cases = {c.case for c in Contact.objects.filter(mobile=number).select_related("case")}
    body = (
        f'The family texted from {_number_shown(number)}: "{text[:1000]}". Reply to them directly.'
    )
    if not cases:
        logger.warning("A text from a number on no case (%s)", mask_phone(number))
        return [AdviserTask.objects.create(kind=AdviserTask.Kind.INBOUND_SMS, text=body)]
    return [
        AdviserTask.objects.create(case=case, kind=AdviserTask.Kind.INBOUND_SMS, text=body)
        for case in cases
    ]


def inbound_stop_record(*, number: str, text: str) -> list[AdviserTask]:
    """A text that stopped texts: tell each case's adviser, in words, what the family said."""
    from workflows.models import Contact

    cases = {c.case for c in Contact.objects.filter(mobile=number).select_related("case")}
    said = f'"{" ".join(text.split())[:1000]}" from {_number_shown(number)}'
    stopped = (
        "texts to this number have stopped. They can reply START to have them again; "
        "emails are not affected."
    )
    logger.info("A reply stopped texts to %s", mask_phone(number))
    if not cases:
        body = f"A number on no case replied {said}: {stopped}"
        return [AdviserTask.objects.create(kind=AdviserTask.Kind.INBOUND_SMS, text=body)]
    body = f"The family replied {said}: {stopped}"
    return [
        AdviserTask.objects.create(case=case, kind=AdviserTask.Kind.INBOUND_SMS, text=body)
        for case in cases
    ]


def _number_shown(number: str) -> str:
    """A UK number as people write it (07700 900123); any other as it came."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code != 44:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def webhook_receipt_record(
    *, kind: str, message_sid: str, event: str = "", idempotency_token: str = ""
) -> bool:
    """Record a Twilio webhook as acted on; False if it already was (a replay: do nothing).

    Call it in the transaction that acts on the webhook, so a request that fails is not
    recorded and Twilio's retry is acted on.
    """
    if not message_sid and not idempotency_token:
        return True  # nothing to know it by
    seen = Q(idempotency_token=idempotency_token) if idempotency_token else Q(pk__in=[])
    if message_sid:
        seen |= Q(kind=kind, message_sid=message_sid, event=event)
    if WebhookReceipt.objects.filter(seen).exists():
        return False
    try:
        with transaction.atomic():  # the same request twice at once: one insert wins
            WebhookReceipt.objects.create(
                kind=kind,
                message_sid=message_sid,
                event=event,
                idempotency_token=idempotency_token,
            )
    except IntegrityError:
        return False
    return True
