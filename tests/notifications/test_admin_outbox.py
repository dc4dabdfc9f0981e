"""The adviser's admin for messages: the outbox (filters, retries, search, its views)."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from casework import admin_services
from notifications import planner, services
from notifications.backends import locmem
from notifications.models import OutboundMessage
from tests.helpers import action, changelist, family, london, message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


# --- outbox --------------------------------------------------------------------------------------


def test_outbox_filters_by_status_channel_kind_and_date(admin_client_logged_in):
    one, two = family("SF-ONE", "Amira Khan"), family("SF-TWO", "Ben Jones")
    message(one, status=Status.FAILED, channel="sms", send_at=london(date(2026, 3, 10)))
    message(two, status=Status.SENT, channel="email", send_at=london(date(2026, 4, 2)))
    message(two, kind="summary", deadline_kind="", status=Status.SENT, channel="sms")

    def rows(query):
        # Sent rows are behind the "Show" filter; a chosen status shows every row of it.
        query = query if "status__" in query else f"{query}&show=all"
        page = changelist(admin_client_logged_in, "outboundmessage", query).content.decode()
        return sorted(re.findall(r"SF-(?:ONE|TWO)</a>", page))

    assert rows("?status__exact=failed") == ["SF-ONE</a>"]
    assert rows("?channel__exact=email") == ["SF-TWO</a>"]
    assert rows("?kind__exact=summary") == ["SF-TWO</a>"]
    assert rows("?send_at__year=2026&send_at__month=4") == ["SF-TWO</a>"]
    assert rows("?send_at__year=2026&send_at__month=3&send_at__day=10") == [
        "SF-ONE</a>",
        "SF-TWO</a>",
    ]
    assert rows("?q=ben+jones") == ["SF-TWO</a>", "SF-TWO</a>"]
    assert rows("?q=SF-ONE") == ["SF-ONE</a>"]


def test_outbox_shows_send_times_in_london(admin_client_logged_in):
    message(family(), send_at=london(date(2026, 7, 1), 10))  # 09:00 UTC in summer
    page = changelist(admin_client_logged_in, "outboundmessage").content.decode()
    assert "Wed 01 Jul 2026 10:00" in page


def test_retry_now_puts_failed_messages_back_in_the_queue_and_leaves_cancelled_ones(
    admin_client_logged_in, now
):
    case = family()
    failed = message(
        case, status=Status.FAILED, channel="email", send_at=london(date(2026, 3, 1)), attempts=6
    )
    cancelled = message(case, status=Status.CANCELLED, offset="2w", status_reason="case closed")
    sent = message(case, status=Status.SENT, offset="1w")
    response = action(
        admin_client_logged_in,
        reverse("admin:notifications_outboundmessage_changelist"),
        "retry_now",
        [failed.id, cancelled.id, sent.id],
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.send_at, failed.claim_token) == (Status.PENDING, now, None)
    assert failed.status_reason.startswith("retried by")
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.status_reason) == (Status.CANCELLED, "case closed")
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert services.messages_dispatch(now=now, enqueue=False).claimed == [failed.id]


def test_retry_after_a_pause_never_sends_future_reminders_early(admin_client_logged_in):
    """Issue 10: retrying messages a pause had cancelled sent the "on the day" email for
    1 March 2027 on 1 December 2026 and superseded every earlier reminder for good."""
    from tests.factories import ContactFactory
    from workflows import services as workflow_services

    case = family()
    ContactFactory(case=case)
    moment = london(date(2026, 12, 1))
    with time_machine.travel(moment, tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
        admin_services.case_pause_set(case=case, paused=True)
        held = list(OutboundMessage.objects.filter(case=case, status=Status.CANCELLED))
        assert held
        response = action(
            admin_client_logged_in,
            reverse("admin:notifications_outboundmessage_changelist"),
            "retry_now",
            [m.id for m in held],
        )
        assert response.status_code == 302
        admin_services.case_pause_set(case=case, paused=False)
    dispatch = services.messages_dispatch(now=moment, enqueue=False)
    went = OutboundMessage.objects.filter(id__in=dispatch.claimed)
    assert set(went.values_list("kind", flat=True)) == {"summary"}
    assert not OutboundMessage.objects.filter(case=case, status=Status.SUPERSEDED).exists()
    assert OutboundMessage.objects.filter(
        case=case, kind="reminder", offset="4w", status=Status.PENDING
    ).exists()
    # The day itself (1 March) is further ahead than the outbox holds: still planned.
    ahead = planner.messages_ahead(case=case, now=moment)
    assert ("reminder", "0d") in {(m.kind, m.offset) for m in ahead}


def test_retry_asks_the_provider_before_resending_an_unknown_message(now):
    case = family()
    went = message(case, status=Status.UNKNOWN, body="sendflow: ...", to="+447400123456")
    lost = message(case, status=Status.UNKNOWN, body="sendflow: ...", to="+447400123456")
    locmem.outbox.append(locmem.SentSMS("+447400123456", "sendflow: ...", str(went.id), "SM1"))
    result = admin_services.messages_retry(message_ids=[went.id, lost.id])
    assert (result.found_sent, result.resent) == (1, 1)
    went.refresh_from_db()
    lost.refresh_from_db()
    assert (went.status, went.provider_id) == (Status.SENT, "SM1")
    assert lost.status == Status.PENDING


# --- finding a family's messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["SF-7", "sf-7", "Amira", "amira@example", "07400 123456", "+44 7400 123456"]
)
def test_the_outbox_search_finds_a_family_s_messages_by_reference_name_email_or_mobile(
    superuser_client, typed
):
    amira = family("SF-7", "Amira Khan")
    amira.contacts.update(mobile="+447400123456")
    other = family("SF-8", "Ben Jones")
    other.contacts.update(mobile="+447911654321")
    mine, theirs = message(amira), message(other)
    page = changelist(superuser_client, "outboundmessage", f"?q={typed}")
    shown = {m.pk for m in page.context["cl"].result_list}
    assert shown == {mine.pk}
    assert theirs.pk not in shown


# --- the outbox's views (issue 19, part 4) -------------------------------------------------------


def outbox_ids(client, query=""):
    """The ids of the outbox list's rows, in the order shown."""
    page = changelist(client, "outboundmessage", query).content.decode()
    return [int(i) for i in re.findall(r'name="_selected_action" value="(\d+)"', page)]


def test_outbox_opens_on_what_is_to_come_problems_first_then_soonest(admin_client_logged_in):
    case = family()
    day = date(2026, 3, 10)
    later = message(case, send_at=london(day, 15))
    soon = message(case, send_at=london(day, 9), deadline_kind="mediation_adviser_contact")
    queued = message(case, status=Status.QUEUED, send_at=london(day, 12))
    failed = message(case, status=Status.FAILED, send_at=london(day, 14), last_error="Bad number")
    unknown = message(case, status=Status.UNKNOWN, send_at=london(day, 8))
    for status in (Status.SENT, Status.DELIVERED, Status.CANCELLED, Status.SUPERSEDED):
        message(case, status=status, send_at=london(day, 11))

    assert outbox_ids(admin_client_logged_in) == [
        unknown.pk,
        failed.pk,
        soon.pk,
        queued.pk,
        later.pk,
    ]
    page = changelist(admin_client_logged_in, "outboundmessage").content.decode()
    assert "To come and problems" in page
    assert "Bad number" in page


def test_outbox_show_filter_lists_sent_cancelled_or_everything(admin_client_logged_in):
    case = family()
    pending = message(case)
    sent = message(case, status=Status.SENT, send_at=london(date(2026, 3, 1)))
    delivered = message(case, status=Status.DELIVERED, send_at=london(date(2026, 3, 2)))
    cancelled = message(case, status=Status.CANCELLED, send_at=london(date(2026, 3, 3)))
    superseded = message(case, status=Status.SUPERSEDED, send_at=london(date(2026, 3, 4)))
    suppressed = message(case, status=Status.SUPPRESSED, send_at=london(date(2026, 3, 5)))

    # Newest first behind the filter, as the outbox always was.
    assert outbox_ids(admin_client_logged_in, "?show=sent") == [delivered.pk, sent.pk]
    assert outbox_ids(admin_client_logged_in, "?show=not_sent") == [
        suppressed.pk,
        superseded.pk,
        cancelled.pk,
    ]
    assert len(outbox_ids(admin_client_logged_in, "?show=all")) == 6
    assert pending.pk in outbox_ids(admin_client_logged_in, "?show=all")
    # The status filter still finds any status.
    assert outbox_ids(admin_client_logged_in, "?status__exact=cancelled") == [cancelled.pk]


def test_a_combined_send_is_one_row_naming_its_items(admin_client_logged_in):
    case = family()
    lead = message(case, due_date=date(2026, 4, 7))
    rider = message(
        case,
        deadline_kind="mediation_adviser_contact",
        due_date=date(2026, 4, 7),
        combined_into=lead,
        offset="2w",
    )
    alone = message(case, channel="email", deadline_kind="", kind="summary")

    assert outbox_ids(admin_client_logged_in) == [lead.pk, alone.pk]
    page = changelist(admin_client_logged_in, "outboundmessage").content.decode()
    start = page.index(f'name="_selected_action" value="{lead.pk}"')
    row = page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]
    assert "One message with 1 other in it" in row
    assert "Appeal to the SEND Tribunal: Tue 7 Apr 2026" in row
    assert "mediation adviser" in row.lower()
    # The row combined into it is still listed under "All", linked to the lead.
    assert rider.pk in outbox_ids(admin_client_logged_in, "?show=all")


def test_outbox_sorted_by_when_keeps_problems_first(admin_client_logged_in):
    case = family()
    day = date(2026, 3, 10)
    later = message(case, send_at=london(day, 15))
    soon = message(case, send_at=london(day, 9))
    failed = message(case, status=Status.FAILED, send_at=london(day, 14))

    assert outbox_ids(admin_client_logged_in, "?o=4") == [failed.pk, soon.pk, later.pk]
    assert outbox_ids(admin_client_logged_in, "?o=-4") == [later.pk, soon.pk, failed.pk]


def test_outbox_date_hierarchy_spans_what_is_to_come_not_the_sent_history(admin_client_logged_in):
    case = family()
    message(case, status=Status.SENT, send_at=london(date(2024, 5, 1)))
    message(case, status=Status.FAILED, send_at=london(date(2026, 3, 10)))
    message(case, send_at=london(date(2026, 3, 20)))

    page = changelist(admin_client_logged_in, "outboundmessage").content.decode()
    # One month of rows to come or gone wrong: the hierarchy offers its days, not 2024.
    assert "send_at__day=10" in page
    assert "send_at__day=20" in page
    assert "send_at__year=2024" not in page
    assert "send_at__year=2024" in (
        changelist(admin_client_logged_in, "outboundmessage", "?show=all").content.decode()
    )
    # A day chosen narrows the rows; the view's other filters still apply.
    assert len(outbox_ids(admin_client_logged_in, "?send_at__year=2026&send_at__month=3")) == 2
    march_20 = "?send_at__year=2026&send_at__month=3&send_at__day=20"
    assert len(outbox_ids(admin_client_logged_in, march_20)) == 1
    assert outbox_ids(admin_client_logged_in, f"{march_20}&channel__exact=email") == []


OUTBOX_QUERIES = [
    ("", "message_outbox_open"),
    ("?channel__exact=sms", "message_outbox_open"),
    ("?kind__exact=summary", "message_outbox_open"),  # or message_outbox_open_by_kind
    ("?send_at__year=2026&send_at__month=3", "message_outbox_open"),
    ("?adviser=none", "message_outbox_open"),
    ("?o=4", "message_outbox_open"),  # the "when" column, soonest first
    ("?o=-4", "message_outbox_open"),  # and latest first
    ("?show=sent", "message_outbox_sent"),
]


@pytest.mark.parametrize(("query", "index"), OUTBOX_QUERIES)
def test_outbox_views_page_in_index_order_on_postgresql(admin_client_logged_in, query, index):
    """The default view's page reads message_outbox_open (or its by-kind twin) in order and
    stops at the page, as "Sent" does message_outbox_sent: at 100,000 cases a sort of the open
    rows took over a second. Fails if the list's ORDER BY and the index's expression part ways."""
    if connection.vendor != "postgresql":
        pytest.skip("the index's plan is PostgreSQL's (SQLite binds the CASE's values)")
    case = family()
    message(case)
    message(case, status=Status.FAILED, kind="summary", send_at=london(date(2026, 3, 2)))
    cl = changelist(admin_client_logged_in, "outboundmessage", query).context["cl"]
    with connection.cursor() as cursor:
        # On a table of two rows any plan is cheap: ask for the index-served one, which
        # exists only if the ORDER BY is the index's own expression (else a Sort remains).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = cl.queryset[:100].explain()
    assert index in plan, plan
    assert "Sort" not in plan, plan
