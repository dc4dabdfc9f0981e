"""A fake GOV.UK Notify API on 127.0.0.1, so the real notifications-python-client runs against it.

It answers the calls sendflow makes, shaped as Notify's v2 API answers them:

- ``POST /v2/notifications/sms`` (phone_number, template_id, personalisation, reference,
  sms_sender_id) and ``POST /v2/notifications/email`` (email_address, template_id, personalisation,
  reference, email_reply_to_id, one_click_unsubscribe_url): 201 and the new notification;
- ``GET /v2/notifications?reference=...``: ``{"notifications": [...], "links": {...}}``.

Every request must carry ``Authorization: Bearer <JWT>`` checked as Notify checks it: HS256, the
key's service id as ``iss``, signed with the key's secret, ``iat`` within 30 seconds of now.
Anything else is a 403 ``AuthError``. Errors have Notify's shape: ``{"status_code": N, "errors":
[{"error": "BadRequestError", "message": "..."}]}``.

Each send is answered as the next queued reply says (``queue``), else OK. A TIMEOUT reply records
the notification as accepted and holds the answer until ``release()`` or ``stop()``, so the
client's read timeout fires without the test sleeping.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import jwt

from tests.fakes.http_fake import Answer, HttpFake, Replies, Request

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY = re.compile(rf"^(?P<name>.+)-(?P<service>{_UUID})-(?P<secret>{_UUID})$")
JWT_BOUND_SECONDS = 30


def make_api_key(name: str = "sendflow_test") -> str:
    """A key in Notify's format: its name, the service's id and the secret."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


class Reply(StrEnum):
    OK = "ok"
    BAD_NUMBER = "bad_number"  # 400 ValidationError: not a UK mobile number
    TRIAL_MODE = "trial_mode"  # 400 BadRequestError: a recipient outside the team in trial mode
    BAD_KEY = "bad_key"  # 403 AuthError
    RATE_LIMITED = "rate_limited"  # 429 RateLimitError
    DAILY_LIMIT = "daily_limit"  # 429 TooManyRequestsError
    SERVER_ERROR = "server_error"  # 500
    TIMEOUT = "timeout"  # accepted, but the answer comes after the client has given up
    # Accepted, and then a gateway in front of Notify lost the answer: a 502 for a sent message.
    ACCEPTED_THEN_BAD_GATEWAY = "accepted_then_bad_gateway"


_ERRORS = {
    Reply.BAD_NUMBER: (400, "ValidationError", "phone_number Not a UK mobile number"),
    Reply.TRIAL_MODE: (
        400,
        "BadRequestError",
        "Can't send to this recipient when service is in trial mode - see "
        "https://www.notifications.service.gov.uk/trial-mode",
    ),
    Reply.BAD_KEY: (403, "AuthError", "Invalid token: API key not found"),
    Reply.RATE_LIMITED: (
        429,
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    Reply.DAILY_LIMIT: (429, "TooManyRequestsError", "Exceeded send limits (250000) for today"),
    Reply.SERVER_ERROR: (500, "Exception", "Internal server error"),
}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: dict
    authorised: bool


@dataclass
class Notification:
    id: str
    type: str  # "sms" | "email"
    to: str
    template_id: str
    personalisation: dict
    reference: str | None
    sender_id: str | None
    one_click_unsubscribe_url: str | None
    created_at: datetime
    status: str = "created"
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "reference": self.reference,
            "email_address": self.to if self.type == "email" else None,
            "phone_number": self.to if self.type == "sms" else None,
            "type": self.type,
            "status": self.status,
            "template": {"id": self.template_id, "version": 1, "uri": "/v2/template/x"},
            "body": self.personalisation.get("body", ""),
            "subject": self.personalisation.get("subject") if self.type == "email" else None,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "sent_at": None,
            "completed_at": None,
        }


class FakeNotify(HttpFake):
    name = "Notify"

    def __init__(self, *, api_key: str, hang_limit: float = 30.0) -> None:
        super().__init__(hang_limit=hang_limit)
        match = _KEY.match(api_key)
        assert match, "not a Notify key"
        self.service_id = match["service"]
        self.secret = match["secret"]
        self.notifications: list[Notification] = []
        self.requests: list[Received] = []
        self._next_sends = Replies()

    def queue(self, *replies: Reply) -> None:
        """Answer the next sends, whatever their recipient, with these replies in order."""
        self._next_sends.extend(replies)

    @property
    def sends(self) -> list[Received]:
        return [r for r in self.requests if r.method == "POST"]

    @property
    def lookups(self) -> list[Received]:
        return [r for r in self.requests if r.method == "GET"]

    # --- serving ---------------------------------------------------------------------------------

    def authorised(self, header: str) -> bool:
        """Notify's check: a Bearer JWT, HS256, iss = the service id, iat within 30 s."""
        if not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            if unverified.get("iss") != self.service_id or "iat" not in unverified:
                return False
            jwt.decode(token, key=self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return False
        now = datetime.now(UTC).timestamp()
        return abs(now - int(unverified["iat"])) <= JWT_BOUND_SECONDS

    def answer(self, request: Request) -> Answer:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        authorised = self.authorised(request.headers.get("Authorization", ""))
        self._record(Received(request.method, request.path, request.query, body or {}, authorised))
        if not authorised:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if body is None:
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        if request.method == "POST" and request.path in (
            "/v2/notifications/sms",
            "/v2/notifications/email",
        ):
            return self._send(request.path.rsplit("/", 1)[1], body)
        if request.method == "GET" and request.path == "/v2/notifications":
            return self._list(request.query)
        return _error(404, "ResourceNotFound", "Not found")

    def _send(self, kind: str, body: dict) -> Answer:
        to = body.get("phone_number" if kind == "sms" else "email_address")
        if not to or not body.get("template_id"):
            return _error(400, "ValidationError", "template_id is a required property")
        reply = self._next_sends.next(Reply.OK)
        if reply in _ERRORS:
            return _error(*_ERRORS[reply])
        notification = Notification(
            id=str(uuid.uuid4()),
            type=kind,
            to=to,
            template_id=body["template_id"],
            personalisation=body.get("personalisation") or {},
            reference=body.get("reference"),
            sender_id=body.get("sms_sender_id") or body.get("email_reply_to_id"),
            one_click_unsubscribe_url=body.get("one_click_unsubscribe_url"),
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self.notifications.append(notification)
        if reply == Reply.ACCEPTED_THEN_BAD_GATEWAY:
            return _error(502, "BadGateway", "Bad gateway")
        content = {"body": notification.personalisation.get("body", "")}
        if kind == "email":
            content["subject"] = notification.personalisation.get("subject", "")
        answer = {
            "id": notification.id,
            "reference": notification.reference,
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification.id}",
            "template": {"id": notification.template_id, "version": 1, "uri": "/v2/template/x"},
            "scheduled_for": None,
        }
        return Answer(201, answer, hold=reply == Reply.TIMEOUT)

    def _list(self, query: dict[str, str]) -> Answer:
        with self._lock:
            found = [
                n.as_json()
                for n in reversed(self.notifications)
                if not query.get("reference") or n.reference == query["reference"]
            ]
        links = {"current": f"{self.url}/v2/notifications"}
        return Answer(200, {"notifications": found, "links": links})


def _error(status: int, error: str, message: str) -> Answer:
    return Answer(status, {"status_code": status, "errors": [{"error": error, "message": message}]})
