"""A fake Twilio REST API on 127.0.0.1, so the real twilio SDK runs against it over HTTP.

It answers the two calls sendflow makes, shaped as Twilio answers them:

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form: To, Body, From or
  MessagingServiceSid, StatusCallback, ValidityPeriod): 201 and the new Message;
- ``GET /2010-04-01/Accounts/{AccountSid}/Messages.json`` (To, DateSent>, DateSent<, DateSent,
  PageSize): one page of Messages, newest first, ``next_page_uri`` null.

Both check HTTP Basic auth against the account SID and auth token. Each create is answered as the
next queued reply says (``queue``), else as its number says (``reply_to``), else OK. A TIMEOUT
reply records the message as accepted and then holds the answer until ``release()`` or ``stop()``,
so the client's read timeout fires without the test sleeping. After ``stop()`` nothing listens on
``url``, so connections are refused.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum

from tests.fakes.http_fake import Answer, HttpFake, Replies, Request, first_values

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class Reply(StrEnum):
    OK = "ok"
    INVALID_NUMBER = "invalid_number"  # 400, error 21211
    UNSUBSCRIBED = "unsubscribed"  # 400, error 21610: the recipient replied STOP
    RATE_LIMITED = "rate_limited"  # 429, error 20429: never processed, safe to retry
    SERVER_ERROR = "server_error"  # 500: the client cannot tell whether it went
    TIMEOUT = "timeout"  # accepted, but the answer comes after the client has given up
    DROP = "drop"  # request read, connection closed with no answer, nothing accepted


_ERRORS = {
    Reply.INVALID_NUMBER: (400, 21211, "The 'To' number {to} is not a valid phone number."),
    Reply.UNSUBSCRIBED: (400, 21610, "Attempt to send to unsubscribed recipient"),
    Reply.RATE_LIMITED: (429, 20429, "Too Many Requests"),
    Reply.SERVER_ERROR: (500, 20500, "Internal Server Error"),
}


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    authorised: bool


@dataclass
class Message:
    """A message the fake accepted: what Twilio would bill for and what list() finds."""

    account_sid: str
    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    validity_period: str | None
    date_created: datetime

    def as_json(self, *, status: str, date_sent: datetime | None) -> dict:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": _rfc2822(self.date_created),
            "date_sent": _rfc2822(date_sent) if date_sent else None,
            "date_updated": _rfc2822(date_sent or self.date_created),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


class FakeTwilio(HttpFake):
    name = "Twilio"
    content_type = "application/json; charset=utf-8"
    keep_blank_query_values = True

    def __init__(self, *, account_sid: str, auth_token: str, hang_limit: float = 30.0) -> None:
        super().__init__(hang_limit=hang_limit)  # a TIMEOUT answer is held at most this long
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.now: datetime | None = None  # the fake's clock (aware); None: the real time
        self.messages: list[Message] = []  # accepted, in order
        self.requests: list[Received] = []  # every request, in order
        self._by_number: dict[str, Reply] = {}
        self._next_creates = Replies()
        self._next_lists = Replies()

    # --- programming replies ---------------------------------------------------------------------

    def reply_to(self, number: str, reply: Reply) -> None:
        """Answer every create to this number with `reply` (unless a queued reply comes first)."""
        self._by_number[number] = reply

    def queue(self, *replies: Reply) -> None:
        """Answer the next creates, whatever their number, with these replies in order."""
        self._next_creates.extend(replies)

    def queue_list(self, *replies: Reply) -> None:
        """Answer the next list calls with these replies in order (OK, errors or TIMEOUT)."""
        self._next_lists.extend(replies)

    # --- what happened ---------------------------------------------------------------------------

    @property
    def creates(self) -> list[Received]:
        """Every create request that reached the fake, accepted or not."""
        return [r for r in self.requests if r.method == "POST"]

    @property
    def lists(self) -> list[Received]:
        return [r for r in self.requests if r.method == "GET"]

    def clock(self) -> datetime:
        return (self.now or datetime.now(UTC)).astimezone(UTC)

    # --- serving (called on the server's threads) ------------------------------------------------

    def answer(self, request: Request) -> Answer | None:
        form = first_values(request.body.decode(), keep_blank_values=True)
        match = _MESSAGES_PATH.match(request.path)
        authorised = bool(match) and self._authorised(
            request.headers.get("Authorization", ""), match["account"]
        )
        self._record(Received(request.method, request.path, request.query, form, authorised))
        if not match:
            return _error(404, 20404, f"The requested resource {request.path} was not found")
        if not authorised:
            return _error(401, 20003, "Authenticate")
        if request.method == "POST":
            return self._create(form)
        return self._list(request.query)

    def _create(self, form: dict[str, str]) -> Answer | None:
        to, body = form.get("To", ""), form.get("Body", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _error(
                400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send"
            )
        reply = self._next_creates.next(self._by_number.get(to, Reply.OK))
        if reply == Reply.OK and not _E164.match(to):
            reply = Reply.INVALID_NUMBER
        if reply == Reply.DROP:
            return None
        if reply in _ERRORS:
            status, code, text = _ERRORS[reply]
            return _error(status, code, text.format(to=to))
        message = Message(
            account_sid=self.account_sid,
            sid="SM" + secrets.token_hex(16),
            to=to,
            body=body,
            from_=form.get("From") or None,
            messaging_service_sid=form.get("MessagingServiceSid") or None,
            status_callback=form.get("StatusCallback") or None,
            validity_period=form.get("ValidityPeriod") or None,
            date_created=self.clock(),
        )
        with self._lock:
            self.messages.append(message)
        # With a Messaging Service Twilio first says "accepted"; it has sent nothing yet.
        status = "accepted" if message.messaging_service_sid else "queued"
        return Answer(
            201, message.as_json(status=status, date_sent=None), hold=reply == Reply.TIMEOUT
        )

    def _list(self, query: dict[str, str]) -> Answer | None:
        reply = self._next_lists.next(Reply.OK)
        if reply == Reply.DROP:
            return None
        if reply in _ERRORS:
            status, code, text = _ERRORS[reply]
            return _error(status, code, text.format(to=query.get("To", "")))
        after, before = _instant(query.get("DateSent>")), _instant(query.get("DateSent<"))
        on_day = query.get("DateSent", "")[:10]
        with self._lock:
            found = []
            for m in reversed(self.messages):  # Twilio lists the newest first
                sent = m.date_created  # the fake hands each message on the moment it accepts it
                if query.get("To") and m.to != query["To"]:
                    continue
                if (after and sent < after) or (before and sent > before):
                    continue
                if on_day and sent.date().isoformat() != on_day:
                    continue
                found.append(m.as_json(status="sent", date_sent=sent))
        page_size = int(query.get("PageSize") or 50)
        uri = (
            f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json?PageSize={page_size}&Page=0"
        )
        page = {
            "end": max(min(len(found), page_size) - 1, 0),
            "first_page_uri": uri,
            "messages": found[:page_size],
            "next_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }
        return Answer(200, page, hold=reply == Reply.TIMEOUT)

    def _authorised(self, header: str, account: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}" and account == self.account_sid


def _error(status: int, code: int, message: str) -> Answer:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Answer(status, body)


def _rfc2822(instant: datetime) -> str:
    return format_datetime(instant.astimezone(UTC))  # "Tue, 20 Jan 2026 10:00:00 +0000"


def _instant(value: str | None) -> datetime | None:
    """Twilio's date filters: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, in UTC."""
    if not value:
        return None
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
