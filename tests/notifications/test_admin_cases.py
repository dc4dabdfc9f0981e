"""The adviser's admin for messages: cases (pausing, problems, message history)."""

import re
from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from casework import admin_services, history
from notifications import services
from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from tests.helpers import action, family, message, planned_family
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


# --- cases: pause, problems, history ------------------------------------------------------------


def test_pause_cancels_pending_messages_and_resume_plans_them_again(admin_client_logged_in, now):
    case = planned_family()
    reminders = OutboundMessage.objects.filter(case=case, kind="reminder")
    before = set(reminders.filter(status=Status.PENDING).values_list("id", flat=True))
    assert before
    url = reverse("admin:workflows_case_changelist")

    assert action(admin_client_logged_in, url, "pause_reminders", [case.id]).status_code == 302
    case.refresh_from_db()
    assert case.reminders_paused
    assert not OutboundMessage.objects.filter(case=case, status=Status.PENDING).exists()
    assert (
        set(
            reminders.filter(status=Status.CANCELLED, status_reason="reminders paused").values_list(
                "id", flat=True
            )
        )
        == before
    )

    assert action(admin_client_logged_in, url, "resume_reminders", [case.id]).status_code == 302
    case.refresh_from_db()
    assert not case.reminders_paused
    assert set(reminders.filter(status=Status.PENDING).values_list("id", flat=True)) == before


def test_a_reminder_due_earlier_today_that_the_pause_held_goes_when_reminders_resume():
    """Seen by hand: paused on the morning of the appeal's last day and resumed that afternoon,
    the family's "today is the day" reminder (10:00) stayed cancelled for good, while a new
    case planned that afternoon would have sent it at once."""
    case = family()  # a parent on text and email
    last_day = date(2026, 12, 1)  # two months from the decision
    with time_machine.travel(local_instant(last_day, time(9, 0)), tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
        admin_services.case_pause_set(case=case, paused=True)
    on_the_day = OutboundMessage.objects.get(
        case=case, kind="reminder", deadline_kind="appeal", offset="0d", channel="email"
    )
    assert (on_the_day.status, on_the_day.status_reason) == (Status.CANCELLED, "reminders paused")
    afternoon = local_instant(last_day, time(15, 0))
    with time_machine.travel(afternoon, tick=False):
        admin_services.case_pause_set(case=case, paused=False)
    on_the_day.refresh_from_db()
    # Due from now, not five hours late on paper (the overdue check would flag it).
    assert (on_the_day.status, on_the_day.send_at) == (Status.PENDING, afternoon)
    # The welcome summary is not this test's: only the day's reminders go.
    OutboundMessage.objects.filter(case=case, kind="summary").delete()
    dispatch = services.messages_dispatch(now=afternoon, enqueue=False)
    assert on_the_day.id in dispatch.claimed
    services.message_send(message_id=on_the_day.id, now=afternoon)
    # One email for the day: the mediation adviser and the appeal, both on their last day.
    (email,) = [m for m in mail.outbox if "SEND Tribunal" in m.body]
    assert "Contact the mediation adviser: today is the last day." in email.body


def test_resumed_in_quiet_hours_on_the_last_day_the_email_goes_and_the_text_does_not():
    """A text held until the morning would arrive after its date: it is not brought back."""
    case = family()
    last_day = date(2026, 12, 1)
    with time_machine.travel(local_instant(last_day, time(9, 0)), tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
        admin_services.case_pause_set(case=case, paused=True)
    late_evening = local_instant(last_day, time(21, 0))
    with time_machine.travel(late_evening, tick=False):
        admin_services.case_pause_set(case=case, paused=False)
    on_the_day = OutboundMessage.objects.filter(
        case=case, kind="reminder", deadline_kind="appeal", offset="0d"
    )
    assert on_the_day.get(channel="email").status == Status.PENDING
    assert on_the_day.get(channel="sms").status == Status.CANCELLED


def test_a_reminder_whose_day_passed_during_the_pause_stays_held_and_says_why():
    case = family()
    with time_machine.travel(local_instant(date(2026, 11, 24), time(9, 0)), tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
        admin_services.case_pause_set(case=case, paused=True)  # holds 1w, 2wd and 0d
    next_morning = local_instant(date(2026, 11, 25), time(9, 0))
    with time_machine.travel(next_morning, tick=False):
        admin_services.case_pause_set(case=case, paused=False)
    appeal = OutboundMessage.objects.filter(case=case, deadline_kind="appeal", channel="email")
    week_before = appeal.get(kind="reminder", offset="1w")  # Tuesday 24 November, 10:00
    assert week_before.status == Status.CANCELLED
    assert history.waiting_reason(week_before, now=next_morning) == (
        "Not sent: its day passed while reminders were paused"
    )
    assert {m.offset for m in appeal.filter(kind="reminder", status=Status.PENDING)} == {
        "2wd",
        "0d",
    }


def test_resume_sends_the_summary_the_pause_held(now):
    case = planned_family()
    admin_services.case_pause_set(case=case, paused=True)
    admin_services.case_pause_set(case=case, paused=False)
    assert OutboundMessage.objects.filter(case=case, kind="summary", status=Status.PENDING).exists()


def test_ticking_paused_on_the_case_page_holds_its_messages(admin_client_logged_in, now):
    case = planned_family()
    key_date = case.key_dates.get()
    data = {
        "reference": case.reference,
        "local_authority": case.local_authority,
        "status": "open",
        "reminders_paused": "on",
        "notes": "",
        "key_dates-0-id": key_date.id,
        "key_dates-0-case": case.id,
        "key_dates-0-event": key_date.event,
        "key_dates-0-value": key_date.value.isoformat(),
    }
    for prefix, total in [
        ("contacts", 0),
        ("routes", 0),
        ("deadlines", 0),
        ("given_dates", 0),
        ("key_dates", 1),
    ]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": str(total),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    url = reverse("admin:workflows_case_change", args=[case.id])
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not OutboundMessage.objects.filter(case=case, status=Status.PENDING).exists()
    assert OutboundMessage.objects.filter(
        case=case, status=Status.CANCELLED, status_reason="reminders paused"
    ).exists()


def test_case_list_flags_problems_and_filters_cases_with_failed_or_unknown_messages(
    admin_client_logged_in,
):
    failed, unknown, fine, tasked = (
        family(ref, name)
        for ref, name in [
            ("SF-FAILED", "Ann A"),
            ("SF-UNKNOWN", "Bob B"),
            ("SF-FINE", "Cat C"),
            ("SF-TASKED", "Dan D"),
        ]
    )
    message(failed, status=Status.FAILED)
    message(failed, status=Status.FAILED, offset="2w")
    message(unknown, status=Status.UNKNOWN)
    message(fine, status=Status.SENT)
    AdviserTask.objects.create(case=tasked, kind="inbound_sms", text="They texted")
    url = reverse("admin:workflows_case_changelist")
    page = admin_client_logged_in.get(url).content.decode()
    assert "2 failed or unknown" in page
    assert "1 open task<" in page
    assert page.count('class="case-problems"') == 3

    def refs(query):
        body = admin_client_logged_in.get(url + query).content.decode()
        return {r for r in ("SF-FAILED", "SF-UNKNOWN", "SF-FINE", "SF-TASKED") if r in body}

    links = re.findall(r'class="case-problems"[^>]*><a href="([^"]+)"', page)
    for link in links:  # each count opens the matching outbox or task list
        response = admin_client_logged_in.get(link.replace("&amp;", "&"))
        assert response.status_code == 200
        assert "?e=1" not in response.get("Location", "")
    outbox = admin_client_logged_in.get(links[0].replace("&amp;", "&")).content.decode()
    assert outbox.count("SF-FAILED</a>") == 2
    assert "SF-UNKNOWN</a>" not in outbox

    assert refs("?problems=messages") == {"SF-FAILED", "SF-UNKNOWN"}
    assert refs("?problems=tasks") == {"SF-TASKED"}
    assert refs("?problems=none") == {"SF-FINE"}


def test_case_list_query_count_does_not_grow_with_the_cases(
    admin_client_logged_in, django_assert_max_num_queries
):
    def add_cases(start, count):
        for i in range(start, start + count):
            case = family(f"SF-{i:03d}", f"Parent {i}")
            message(case, status=Status.FAILED)
            AdviserTask.objects.create(case=case, kind="overdue", text="Late")

    url = reverse("admin:workflows_case_changelist")
    add_cases(0, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client_logged_in.get(url)
    add_cases(2, 10)
    with django_assert_max_num_queries(len(few)):
        admin_client_logged_in.get(url)


def test_case_page_shows_message_history_and_open_tasks(admin_client_logged_in):
    case = family()
    message(case, status=Status.FAILED, last_error="Twilio undelivered (error 30005)")
    message(case, status=Status.DELIVERED, provider_status="delivered", offset="4w")
    AdviserTask.objects.create(case=case, kind="delivery_failed", text="Check the number")
    page = admin_client_logged_in.get(
        reverse("admin:workflows_case_change", args=[case.id])
    ).content.decode()
    history = page[page.index('id="case-messages"') :]
    assert "Twilio undelivered (error 30005)" in history
    assert "delivered" in history
    assert "Check the number" in page[page.index('id="case-tasks"') :]
