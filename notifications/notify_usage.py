"""GOV.UK Notify as operators watch it: a refused API key, and the free text allowance.

Read from the outbox rows, so web, worker and /healthz agree without a shared cache: a message
failed with Notify's 403 and none sent through Notify since is a key that is still refused; the
texts Notify took since 1 April (its allowance resets then) counted in fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum

from notifications import gsm
from notifications.backends import NOTIFY_EMAIL
from notifications.backends.notify import KEY_REFUSED
from notifications.models import OutboundMessage

Status = OutboundMessage.Status
WARN_AT = 0.8  # of the free allowance
KEY_ALARM_HOURS = 24
COUNT_EVERY_SECONDS = 300
# Notify's ids; Twilio's (SM...), the console's and the file backend's never look like this.
NOTIFY_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# What erasing a case leaves of a Notify id: which provider took the text, and no id to look it
# up by; the year's allowance still counts it.
ERASED_NOTIFY_ID = "notify"


def channels() -> list[str]:
    """The channels that go through Notify here."""
    used = []
    if settings.SMS_BACKEND == "notify":
        used.append("sms")
    if settings.EMAIL_BACKEND in ("notify", NOTIFY_EMAIL):
        used.append("email")
    return used


def key_refused(*, now: datetime) -> str:
    """Why the pipeline is alarmed about Notify's key, or "" when it is not."""
    used = channels()
    if not used:
        return ""
    refused = (
        OutboundMessage.objects.filter(
            channel__in=used,
            status=Status.FAILED,
            last_error__startswith=KEY_REFUSED,
            updated_at__gte=now - timedelta(hours=KEY_ALARM_HOURS),
        )
        .order_by("-sending_at")
        .values_list("sending_at", flat=True)
        .first()
    )
    if refused is None:
        return ""
    # A send begun after the refused one that Notify took: the key has been put right.
    put_right = OutboundMessage.objects.filter(
        channel__in=used,
        status__in=[Status.SENT, Status.DELIVERED],
        sending_at__gt=refused,
        provider_id__regex=NOTIFY_ID,
    ).exists()
    if put_right:
        return ""
    return (
        f"{KEY_REFUSED} at {refused.isoformat()}: messages are failing. Set NOTIFY_API_KEY to a "
        "live key from Notify's API integration page"
    )


@dataclass(frozen=True)
class Allowance:
    since: date  # 1 April of this financial year
    used: int  # text fragments
    free: int  # NOTIFY_FREE_TEXT_FRAGMENTS

    @property
    def share(self) -> float:
        return self.used / self.free if self.free else 1.0

    @property
    def warning(self) -> bool:
        return self.share >= WARN_AT

    def __str__(self) -> str:
        text = (
            f"{self.used:,} of {self.free:,} free text fragments used since "
            f"{self.since.day} April {self.since.year} ({self.share:.0%})"
        )
        if self.used > self.free:
            return f"{text}: texts beyond the allowance are charged"
        if self.warning:
            return f"{text}: {WARN_AT:.0%} or more of the year's free texts are used"
        return text


def financial_year_start(today: date) -> date:
    return date(today.year if today >= date(today.year, 4, 1) else today.year - 1, 4, 1)


def allowance(*, today: date) -> Allowance:
    """Fragments of the texts Notify took this financial year (a combined send counts once),
    counted at most every few minutes: monitors poll /healthz each minute, and a year's texts
    are many."""
    since = financial_year_start(today)
    used = cache.get_or_set(
        f"sendflow:notify-fragments:{since.isoformat()}",
        lambda: _fragments_since(since),
        timeout=COUNT_EVERY_SECONDS,
    )
    return Allowance(since=since, used=used, free=settings.NOTIFY_FREE_TEXT_FRAGMENTS)


def allowance_to(day: date) -> Allowance:
    """The same count for the financial year that `day` is in, up to the end of `day` (London):
    the report's period end. Not cached: a past year's count does not change."""
    since = financial_year_start(day)
    return Allowance(
        since=since,
        used=_fragments_since(since, until=day + timedelta(days=1)),
        free=settings.NOTIFY_FREE_TEXT_FRAGMENTS,
    )


def _fragments_since(since: date, *, until: date | None = None) -> int:
    from notifications.schedule import local_instant

    start = local_instant(since, datetime.min.time())
    bodies = OutboundMessage.objects.filter(
        channel="sms",
        combined_into__isnull=True,
        # send_at (indexed) is never after sent_at; the month's slack covers a send held back.
        send_at__gte=start - timedelta(days=31),
        sent_at__gte=start,
    ).filter(Q(provider_id__regex=NOTIFY_ID) | Q(provider_id=ERASED_NOTIFY_ID))
    if until is not None:
        bodies = bodies.filter(sent_at__lt=local_instant(until, datetime.min.time()))
    # The segments stored at the send (notifications.services) are the body's; rows sent before
    # that column was kept are counted from their body.
    stored = bodies.aggregate(n=Sum("segments"))["n"] or 0
    return stored + sum(
        gsm.segments(body)
        for body in bodies.filter(segments__isnull=True)
        .values_list("body", flat=True)
        .iterator(chunk_size=2000)
    )
