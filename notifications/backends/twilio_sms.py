"""The only module that knows Twilio: the official SDK with explicit timeouts."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.backends.base import Backend, LookupUnavailable, Receipt, SendError

TWILIO_API = "https://api.twilio.com"
# 21211 invalid number, 21614 not a mobile, 21612 cannot route to it, 21408 region not enabled,
# 21610 replied STOP: retrying cannot help.
PERMANENT_CODES = {21211, 21408, 21610, 21612, 21614}
UNSUBSCRIBED_CODES = {21610}
# Twilio's message statuses in the outbox's: from "accepted" on, Twilio has the text.
STATUSES = {
    "accepted": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


# The SDK has no type hints (pyproject.toml): TwilioHttpClient is Any to mypy.
class _RoutedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Send the SDK's requests to TWILIO_API_BASE_URL (a local fake in tests), else to Twilio."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        # Read proxy settings (HTTPS_PROXY...) once, not by scanning the environment on every
        # request as requests does by default: a measurable share of a send's CPU.
        super().__init__(proxy=urllib.request.getproxies() or None, **kwargs)
        if self.session is not None:
            self.session.trust_env = False
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.base_url and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def _client() -> Client:
    sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
    if not sid or not token:
        raise ImproperlyConfigured(
            "SMS_BACKEND is twilio: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
        )
    if not (settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER):
        raise ImproperlyConfigured(
            "SMS_BACKEND is twilio: set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER"
        )
    http = _RoutedHttpClient(
        settings.TWILIO_API_BASE_URL,
        timeout=settings.TWILIO_TIMEOUT_SECONDS,
        pool_connections=True,
    )
    return Client(sid, token, http_client=http)


class TwilioBackend(Backend):
    channel = "sms"
    looks_up = True

    def __init__(self) -> None:
        self.client = _client()

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reference: str,
        html: str = "",
        unsubscribe_url: str = "",
    ) -> str:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        # The reference in the callback finds the row even before the SID is stored.
        callback = (
            f"{settings.SENDFLOW_PUBLIC_URL.rstrip('/')}/webhooks/twilio/status/?m={reference}"
        )
        try:
            message = self.client.messages.create(
                to=to,
                body=body,
                status_callback=callback,
                # A reminder that sits in Twilio's queue for hours is worse than none.
                validity_period=settings.TWILIO_VALIDITY_PERIOD_SECONDS,
                **sender,
            )
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except requests.ConnectionError as exc:
            if _never_left(exc):
                raise SendError(f"Could not reach Twilio: {exc}") from exc  # safe to retry
            raise SendError(f"Twilio connection dropped: {exc}", ambiguous=True) from exc
        except requests.RequestException as exc:  # read timeouts and the like
            raise SendError(f"Twilio did not answer in time: {exc}", ambiguous=True) from exc
        sid: str = message.sid  # the SDK's MessageInstance, untyped
        return sid

    def lookup(self, *, to: str, body: str, reference: str, since: datetime) -> str | None:
        """Twilio has no idempotency key: find the text by number, date and body."""
        try:
            # The SDK prints the wall-clock time with a "Z": give it UTC or it asks for the wrong
            # hour in summer.
            since = since.astimezone(UTC)
            # No date filter: a text still in Twilio's queue has no sent date yet. The newest
            # come first; compare creation time and body here.
            for message in self.client.messages.list(to=to, limit=50):
                created = message.date_created
                if message.body == body and (created is None or created >= since):
                    found: str = message.sid
                    return found
        # A failed page fetch raises the base TwilioException, not TwilioRestException.
        except (TwilioException, requests.RequestException) as exc:
            raise LookupUnavailable(f"Twilio message list failed: {exc}") from exc
        return None

    @classmethod
    def read_receipt(cls, *, provider_status: str, error_code: str = "") -> Receipt:
        return Receipt(
            provider_status=provider_status,
            status=STATUSES.get(provider_status),
            failed_because=f"Twilio {provider_status} (error {error_code or 'none'})",
            unsubscribed=error_code in {str(code) for code in UNSUBSCRIBED_CODES},
        )


def _never_left(exc: requests.ConnectionError) -> bool:
    """True when no connection was made, so Twilio cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.ConnectTimeoutError)  # incl. refused, DNS


def _classify(exc: TwilioRestException) -> SendError:
    text = f"Twilio {exc.status} error {exc.code}: {exc.msg}"
    if exc.status == 429 or exc.code == 20429:
        return SendError(text)  # never processed: always safe to retry
    if exc.status in (401, 403):
        return SendError(text, config=True)  # our credentials, not the family's number
    if exc.code in PERMANENT_CODES:
        return SendError(text, permanent=True, unsubscribed=exc.code in UNSUBSCRIBED_CODES)
    if exc.status >= 500:
        return SendError(text, ambiguous=True)
    return SendError(text, permanent=True)
