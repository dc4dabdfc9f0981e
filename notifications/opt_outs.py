"""Opt-outs: addresses the outbox never sends to (a STOP reply, an unsubscribe, the provider's
word)."""

from __future__ import annotations

from collections.abc import Iterable

from notifications.models import Suppression


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
