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
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

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


class FakeNotify:
    def __init__(self, *, api_key: str, hang_limit: float = 30.0) -> None:
        match = _KEY.match(api_key)
        assert match, "not a Notify key"
        self.service_id = match["service"]
        self.secret = match["secret"]
        self.hang_limit = hang_limit
        self.notifications: list[Notification] = []
        self.requests: list[Received] = []
        self.errors: list[BaseException] = []
        self._next_sends: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    def start(self) -> FakeNotify:
        self._server = _Server(("127.0.0.1", 0), _Handler, fake=self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def release(self) -> None:
        with self._lock:
            self._release.set()
            self._release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

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

    def _send(self, kind: str, body: dict) -> tuple[int, dict, bool]:
        to = body.get("phone_number" if kind == "sms" else "email_address")
        if not to or not body.get("template_id"):
            return _error(400, "ValidationError", "template_id is a required property")
        with self._lock:
            reply = self._next_sends.popleft() if self._next_sends else Reply.OK
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
        return 201, answer, reply == Reply.TIMEOUT

    def _list(self, query: dict[str, str]) -> tuple[int, dict, bool]:
        with self._lock:
            found = [
                n.as_json()
                for n in reversed(self.notifications)
                if not query.get("reference") or n.reference == query["reference"]
            ]
        return (
            200,
            {"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}},
            False,
        )

    def _hold(self) -> None:
        with self._lock:
            release = self._release
        release.wait(timeout=self.hang_limit)


def _error(status: int, error: str, message: str) -> tuple[int, dict, bool]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}, False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler, *, fake: FakeNotify) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:
        self.fake.errors.append(sys.exc_info()[1])


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        self._serve("POST", body)

    def do_GET(self) -> None:
        self._serve("GET", {})

    def _serve(self, method: str, body: dict | None) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        authorised = fake.authorised(self.headers.get("Authorization", ""))
        fake.requests.append(Received(method, parts.path, query, body or {}, authorised))
        hold = False
        if not authorised:
            status, answer, _ = _error(
                403, "AuthError", "Invalid token: signature, api token not found"
            )
        elif body is None:
            status, answer, _ = _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        elif method == "POST" and parts.path in (
            "/v2/notifications/sms",
            "/v2/notifications/email",
        ):
            status, answer, hold = fake._send(parts.path.rsplit("/", 1)[1], body)
        elif method == "GET" and parts.path == "/v2/notifications":
            status, answer, hold = fake._list(query)
        else:
            status, answer, _ = _error(404, "ResourceNotFound", "Not found")
        if hold:
            fake._hold()
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args) -> None:
        pass
