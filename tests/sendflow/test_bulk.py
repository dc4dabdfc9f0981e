"""Batch writes: one UPDATE per batch sets exactly the rows given, and only those still as read."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, connection, transaction

from notifications import outbox
from notifications.models import OutboundMessage
from notifications.outbox import NewMessage
from sendflow import bulk
from tests.factories import CaseFactory, ContactFactory
from workflows.models import Case, Contact

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

    changed = bulk.rows_update(
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
        assert bulk.rows_update(OutboundMessage, fields=["status_reason"], rows=[]) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_awkward_values_as_given():
    case = CaseFactory()
    contact = ContactFactory(case=case)
    summer = datetime(2027, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    odd = 'tab\there\\ "q"\nline'
    outbox.messages_insert(
        [
            NewMessage(case.id, contact.id, None, None, odd, "reminder", "sms", "4w", None, summer),
            NewMessage(case.id, None, None, None, "", "summary", "email", "", None, WHEN),
        ],
        now=WHEN,
    )
    first, second = OutboundMessage.objects.order_by("id")
    assert (first.deadline_kind, first.due_date, first.dates_told) == (odd, None, {})
    assert first.send_at == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    assert (first.status, first.created_at) == ("pending", WHEN)
    assert (second.contact_id, second.offset, second.send_at) == (None, "", WHEN)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps any length")
def test_batch_update_refuses_text_longer_than_its_column_as_the_orm_does():
    contact = ContactFactory(case=CaseFactory())
    pending = message(contact, "4w")
    with pytest.raises(DataError), transaction.atomic():
        bulk.rows_update(OutboundMessage, fields=["status_reason"], rows=[(pending.id, "x" * 201)])
    pending.refresh_from_db()
    assert pending.status_reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_refuses_to_leave_a_column_to_a_default_the_database_does_not_have():
    with pytest.raises(ValueError, match="no value for .*status"):
        bulk.rows_insert(OutboundMessage, ["case_id"], [(1,)])


def test_insert_with_defaults_fills_each_row_and_calls_a_callable_default_per_row():
    case = CaseFactory()
    bulk.rows_insert(
        Contact,
        ["case_id", "name", "email"],
        [(case.id, "Ann", "ann@example.org"), (case.id, "Bob", "bob@example.org")],
        defaults=True,
    )
    ann, bob = Contact.objects.filter(case=case).order_by("name")
    assert (ann.role, ann.wants_email, bob.consent_source) == ("parent", True, "")
    assert len({ann.opt_out_token, bob.opt_out_token, ""}) == 3


def test_ids_filter_finds_exactly_the_ids_given_however_scattered():
    cases = [CaseFactory() for _ in range(6)]
    wanted = [cases[4].id, cases[1].id, cases[2].id]
    found = Case.objects.filter(bulk.ids_filter("id", wanted)).values_list("id", flat=True)
    assert sorted(found) == sorted(wanted)
    assert not Case.objects.filter(bulk.ids_filter("id", [])).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANY(array) is PostgreSQL's")
def test_ids_filter_sends_the_ids_as_the_columns_own_type():
    """An int4[] against a bigint column takes a cross-type `=` PostgreSQL cannot hash: the
    outbox's search over ten thousand families compared every row with each id (0.6 s at
    100,000 cases, against 16 ms with bigint[]; scripts/benchmark_scale.py)."""
    contact = ContactFactory(case=CaseFactory())
    wanted = message(contact, "4w")
    messages = OutboundMessage.objects.filter(bulk.ids_filter("case_id", [contact.case_id]))
    sql, _ = messages.query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert list(messages) == [wanted]
