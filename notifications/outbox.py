"""Insert planned messages fast: the planner writes tens of thousands of rows in an import or a
nightly recompute, and Django's bulk_create spends most of that time preparing values row by
row. The rows go through sendflow.bulk.rows_insert: COPY on PostgreSQL, elsewhere bulk_create."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from notifications.models import OutboundMessage
from sendflow import bulk


class NewMessage(NamedTuple):
    case_id: int
    contact_id: int | None
    deadline_id: int | None
    given_date_id: int | None
    deadline_kind: str
    kind: str
    channel: str
    offset: str
    due_date: date | None
    send_at: datetime


# Every other column a new row needs, with the value a new message starts with.
_FRESH = {
    "status": OutboundMessage.Status.PENDING.value,
    "status_reason": "",
    "attempts": 0,
    "provider_id": "",
    "provider_status": "",
    "last_error": "",
    "to": "",
    "subject": "",
    "body": "",
}
_NULL = (
    "claim_token",
    "queued_at",
    "sending_at",
    "sent_at",
    "delivered_at",
    "combined_into_id",
    "segments",
)
_STAMPS = ("created_at", "updated_at")
# dates_told starts empty (rows_insert encodes a constant's JSON once, not again every row).
_NO_DATES_TOLD: dict = {}


def columns() -> list[str]:
    """The columns COPY fills: every concrete field but the id."""
    return [*NewMessage._fields, *_FRESH, *_NULL, "dates_told", *_STAMPS]


def messages_insert(rows: list[NewMessage], *, now: datetime) -> None:
    bulk.rows_insert(
        OutboundMessage,
        NewMessage._fields,
        rows,
        constant=(*_FRESH.values(), *(None for _ in _NULL), _NO_DATES_TOLD, now, now),
        constant_names=(*_FRESH, *_NULL, "dates_told", *_STAMPS),
    )
