"""Batch writes: one UPDATE per batch sets exactly the rows given, and only those still as read."""

from datetime import UTC, date, datetime

import pytest

from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory
from workflows import batch_sql

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
WHEN = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


def message(contact, offset, status=Status.PENDING):
    return OutboundMessage.objects.create(
        case=contact.case,
        contact=contact,
        kind=OutboundMessage.Kind.REMINDER,
        channel="email",
        offset=offset,
        due_date=date(2027, 2, 1),
        send_at=WHEN,
        status=status,
    )


def test_batch_update_sets_the_rows_given_and_skips_rows_no_longer_as_read():
    contact = ContactFactory(case=CaseFactory())
    cancel, keep, claimed = message(contact, "4w"), message(contact, "2w"), message(contact, "1w")
    claimed.status = Status.QUEUED  # dispatch took it after the planner read it
    claimed.save()
    later = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

    changed = batch_sql.rows_update(
        OutboundMessage,
        fields=["status_reason", "due_date"],
        rows=[(cancel.id, "the date moved", None), (claimed.id, "the date moved", None)],
        also={"status": Status.CANCELLED, "updated_at": later},
        only_if={"status": Status.PENDING},
    )

    assert changed == 1
    cancel.refresh_from_db()
    assert (cancel.status, cancel.status_reason, cancel.due_date, cancel.updated_at) == (
        Status.CANCELLED,
        "the date moved",
        None,
        later,
    )
    for untouched in (keep, claimed):
        before = untouched.status, untouched.status_reason, untouched.due_date
        untouched.refresh_from_db()
        assert (untouched.status, untouched.status_reason, untouched.due_date) == before


def test_batch_update_of_nothing_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert batch_sql.rows_update(OutboundMessage, fields=["status_reason"], rows=[]) == 0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        (True, "t"),
        (7, "7"),
        ("tab\there\\and\nnew line", "tab\\there\\\\and\\nnew line"),
        (date(2027, 3, 1), "2027-03-01"),
        (datetime(2027, 3, 1, 9, 30, tzinfo=UTC), "2027-03-01T09:30:00+00:00"),
    ],
)
def test_copy_text_escapes_what_copy_would_misread(value, text):
    assert batch_sql.copy_value(value) == text


def test_copy_text_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="naive"):
        batch_sql.copy_value(datetime(2027, 3, 1, 9, 30))  # noqa: DTZ001
