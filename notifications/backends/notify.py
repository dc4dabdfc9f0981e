"""The only module that knows GOV.UK Notify: the official client, explicit timeouts, and Notify's
errors sorted by whether a retry can help.

Both channels go through pass-through templates the service creates once in Notify: a text
template of just ``((body))`` and an email template of ``((subject))`` / ``((body))``. The outbox
row's id goes as Notify's ``reference``, by which an unknown send is looked up before any resend.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications import gsm
from notifications.backends.base import Backend, LookupUnavailable, Receipt, SendError

NOTIFY_API = "https://api.notifications.service.gov.uk"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# "<key name>-<service id>-<secret>", as Notify's API integration page shows it.
API_KEY = re.compile(rf"\A\S+-{_UUID}-{_UUID}\Z")
# The start of last_error for a refused key: /healthz and the index read it (notifications.usage).
KEY_REFUSED = "GOV.UK Notify refused our API key"

# Notify's delivery receipts: its status, ours, and for a failure the adviser's words.
RECEIPTS = {
    "delivered": ("delivered", ""),
    "sent": ("sent", ""),  # sent abroad: no receipt will follow
    "sending": ("sent", ""),
    "created": ("sent", ""),
    "permanent-failure": (
        "failed",
        "GOV.UK Notify: the phone number or email address does not exist or cannot receive "
        "messages (permanent-failure)",
    ),
    "temporary-failure": (
        "failed",
        "GOV.UK Notify: the phone was off or the inbox full for 3 days, so the message was not "
        "delivered (temporary-failure)",
    ),
    "technical-failure": (
        "failed",
        "GOV.UK Notify: a problem between Notify and the phone or email provider, so the "
        "message was not sent (technical-failure)",
    ),
}

_local = threading.local()  # the client is not thread-safe: one per thread


def is_api_key(value: str) -> bool:
    return bool(API_KEY.match(value or ""))


def client() -> NotificationsAPIClient:
    key, base = settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL or NOTIFY_API
    if not is_api_key(key):
        raise ImproperlyConfigured("NOTIFY_API_KEY is not a GOV.UK Notify API key")
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != (key, base, settings.NOTIFY_TIMEOUT_SECONDS):
        made = NotificationsAPIClient(key, base_url=base, timeout=settings.NOTIFY_TIMEOUT_SECONDS)
        cached = _local.client = ((key, base, settings.NOTIFY_TIMEOUT_SECONDS), made)
    return cached[1]


class NotifyBackend(Backend):
    looks_up = True  # Notify finds a notification by our reference: no resend without asking

    def lookup(self, *, to: str, body: str, reference: str, since: datetime) -> str | None:
        try:
            found = client().get_all_notifications(reference=reference)
        except APIError as exc:
            raise LookupUnavailable(f"GOV.UK Notify lookup failed: {exc}") from exc
        for notification in found.get("notifications", []):
            if notification.get("reference") == reference:
                return str(notification["id"])
        return None

    @classmethod
    def read_receipt(cls, *, provider_status: str, error_code: str = "") -> Receipt:
        status, failed_because = RECEIPTS.get(provider_status, (None, ""))
        return Receipt(
            provider_status=provider_status, status=status, failed_because=failed_because
        )


class NotifySMSBackend(NotifyBackend):
    channel = "sms"

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
        body = gsm.normalise(body)
        if not gsm.is_gsm7(body):
            odd = "".join(sorted({c for c in body if not gsm.is_gsm7(c)}))
            # Notify sends GSM characters only: the text goes by email instead.
            raise SendError(
                f"GOV.UK Notify {gsm.NOT_GSM}, and this text has {odd!r}",
                permanent=True,
            )
        sender = {"sms_sender_id": settings.NOTIFY_SMS_SENDER_ID or None}
        return _call(
            lambda: client().send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
                reference=reference,
                **sender,
            )
        )


class NotifyEmailBackend(NotifyBackend):
    channel = "email"

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
        # Notify makes its own HTML from the template; the body goes as text (Notify's markdown).
        return _call(
            lambda: client().send_email_notification(
                email_address=to,
                template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation={"subject": subject, "body": body},
                reference=reference,
                email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
                one_click_unsubscribe_url=unsubscribe_url or None,
            )
        )


class NotifyDjangoEmailBackend(BaseEmailBackend):
    """EMAIL_BACKEND=notify for Django's own emails (a password link): each through the email
    pass-through template. The outbox's emails use NotifyEmailBackend, which can look them up."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        backend = NotifyEmailBackend()
        for message in email_messages:
            for address in message.recipients():
                try:
                    backend.send(
                        to=address,
                        # A lazy string (gettext_lazy) as Django's backends allow: Notify's
                        # client encodes the request as JSON, which takes only plain text.
                        subject=str(message.subject),
                        body=str(message.body),
                        reference=message.extra_headers.get("X-Sendflow-Reference", ""),
                    )
                except SendError:
                    if not self.fail_silently:
                        raise
                    continue
                sent += 1
        return sent


def _call(send: Callable[[], dict[str, Any]]) -> str:
    """Make one Notify request (`send`: the client's call) and return the notification's id."""
    try:
        answer = send()
    except APIError as exc:
        raise classify(exc) from exc
    return str(answer["id"])


def _words(exc: APIError) -> str:
    message = exc.message
    if isinstance(message, list):
        message = "; ".join(str(e.get("message", e)) for e in message if isinstance(e, dict))
    return str(message)


# Notify's 429 for the day's limit (TooManyRequestsError, "Exceeded send limits (N) for today"),
# as opposed to its per-minute rate limit (RateLimitError).
_DAILY_LIMIT = re.compile(r"TooManyRequestsError|send limits|for today", re.I)
DAILY_LIMIT_WORDS = (
    "GOV.UK Notify's daily sending limit for the service is used up: the message goes after "
    "midnight, when it resets"
)


def _error_names(exc: APIError) -> str:
    message = exc.message
    if isinstance(message, list):
        return " ".join(str(e.get("error", "")) for e in message if isinstance(e, dict))
    return ""


# Notify's 400 messages, in words an adviser can act on.
_PLAIN = [
    (
        re.compile(r"not a (uk )?mobile|phone_number|invalid phone|too (long|short)", re.I),
        "GOV.UK Notify says this is not a mobile number it can text",
    ),
    (
        re.compile(r"email_address|not a valid email", re.I),
        "GOV.UK Notify says this is not an email address it can send to",
    ),
    (
        re.compile(r"trial mode|team-only|team only|guest list", re.I),
        "GOV.UK Notify is in trial mode (or the key is a team key) and only sends to the "
        "service's own team: ask whoever runs sendflow to make the Notify service live",
    ),
    (
        re.compile(r"template", re.I),
        "GOV.UK Notify refused the message template: whoever runs sendflow should check "
        "NOTIFY_SMS_TEMPLATE_ID and NOTIFY_EMAIL_TEMPLATE_ID",
    ),
]


def classify(exc: APIError) -> SendError:
    """Sort a Notify error by what to do: fail (400, 403), retry (429, never reached), or
    reconcile before anything is sent again (5xx, or the request went and no answer came)."""
    response = exc.response
    if response is None:
        cause = exc.__cause__
        if _never_left(cause):
            return SendError(f"Could not reach GOV.UK Notify: {cause}")  # safe to retry
        return SendError(f"GOV.UK Notify did not answer in time: {cause}", ambiguous=True)
    status, said = response.status_code, _words(exc)
    text = f"GOV.UK Notify {status}: {said}"
    if status == 403:
        # Our key, not the family's details: failed, and /healthz raises the alarm.
        return SendError(f"{KEY_REFUSED} ({status}: {said})", permanent=True, config=True)
    if status == 429 and _DAILY_LIMIT.search(f"{_error_names(exc)} {said}"):
        # The service's own limit for the day, not the family's details: kept due (tries do
        # not count) and sent once the limit resets at midnight, never failed for it.
        return SendError(f"{DAILY_LIMIT_WORDS} ({text})", config=True)
    if status >= 500:
        # Notify's own trouble, or a gateway in front of it: it may have taken the message
        # before the error, so the sweeper asks Notify by reference before anything goes again.
        return SendError(text, ambiguous=True)
    if status == 429:
        return SendError(text)  # the rate limit: later
    if 400 <= status < 500:
        plain = next((words for pattern, words in _PLAIN if pattern.search(said)), "")
        return SendError(f"{plain} ({text})" if plain else text, permanent=True)
    return SendError(text)


def _never_left(cause: BaseException | None) -> bool:
    """True when no connection was made, so Notify cannot have seen the request."""
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.ConnectionError):
        reason = getattr(cause.args[0], "reason", None) if cause.args else None
        return isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        )
    return False
