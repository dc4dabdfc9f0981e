"""What the providers' webhooks do to the outbox: delivery reports move rows forward, texts
from families become tasks for their advisers, and each webhook is acted on once."""

from __future__ import annotations

import logging

import phonenumbers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.backends.base import Receipt
from notifications.failed_sends import failed_tell
from notifications.models import OutboundMessage, WebhookReceipt
from notifications.opt_outs import suppress
from sendflow.privacy import mask_phone
from workflows.models import AdviserTask, Contact

# The outbox logs under one name, as it did before the split, so log searches still find it.
logger = logging.getLogger("notifications.services")

Status = OutboundMessage.Status


# Provider statuses only ever move a row forward.
_RANK: dict[str, int] = {
    # A report about a row set back for a resend proves the first attempt went: take it.
    Status.PENDING: -1,
    Status.QUEUED: -1,
    Status.SENDING: 1,
    Status.UNKNOWN: 2,
    Status.SENT: 3,
    Status.DELIVERED: 4,
    Status.FAILED: 4,
}


def message_status_from_provider(
    *,
    message_id: int | None,
    provider_id: str,
    receipt: Receipt,
) -> OutboundMessage | None:
    """Apply a delivery report, read by its provider's backend; repeats and out-of-order
    reports change nothing."""
    new_status = Status(receipt.status) if receipt.status else None
    provider_status, failed_because = receipt.provider_status, receipt.failed_because
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
            if receipt.unsubscribed:
                suppress(channel=message.channel, address=message.to, reason="provider")
            failed_tell(message, [message, *riders], message.last_error, now=timezone.now())
    return message


def inbound_text_record(*, number: str, text: str) -> list[AdviserTask]:
    """A text that is not a keyword: each case with that number gets a task for its adviser."""
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
    """Record a provider's webhook as acted on; False if it already was (a replay: do nothing).

    Call it in the transaction that acts on the webhook, so a request that fails is not
    recorded and the provider's retry is acted on.
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
