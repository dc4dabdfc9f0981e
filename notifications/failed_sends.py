"""After a send failed for good: each item falls back to email where it should, and the adviser
gets one task saying what failed and what to do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifications import rendering
from notifications.models import OutboundMessage, Suppression
from workflows import words
from workflows.models import AdviserTask

Kind = OutboundMessage.Kind


def failed_tell(
    message: OutboundMessage,
    items: Sequence[OutboundMessage],
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
    message: OutboundMessage,
    error: str,
    fallback: OutboundMessage | None,
    *,
    items: Sequence[OutboundMessage] = (),
    ours: bool = False,
    tried: int = 0,
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
    if fallback and fallback.contact:  # a fallback is always to a contact
        lines.append(f"It has been queued to go by email to {fallback.contact.email} instead.")
    elif message.channel == "sms" and message.contact and not message.contact.email:
        lines.append(
            "The family has no email address on the case, so it could not go by email "
            "instead: tell them another way."
        )
    return " ".join(lines)
