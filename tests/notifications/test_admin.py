"""The adviser's admin for messages: outbox, tasks, policies, opt-outs, pausing and the preview."""

import re
from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from casework import admin_services, history
from notifications import planner, services
from notifications.backends import locmem
from notifications.backends.base import SendError
from notifications.models import OutboundMessage, ReminderPolicy, Suppression
from notifications.schedule import local_instant
from tests.factories import AdviserFactory, CaseFactory, ContactFactory, MessageFactory
from tests.helpers import london
from workflows import services as workflow_services
from workflows.models import AdviserTask, Case, GivenDate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status
NOW = local_instant(date(2026, 3, 10), time(11, 0))  # a Tuesday, outside quiet hours


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def message(case, **fields):
    """A pending appeal reminder by text to the case's first contact, due at NOW."""
    return MessageFactory(case=case, **{"send_at": NOW, **fields})


def family(reference="SF-1", name="Amira Khan"):
    case = CaseFactory(reference=reference)
    ContactFactory(case=case, name=name, email=f"{name.split()[0].lower()}@example.com")
    return case


def planned_family(reference="SF-1"):
    """A family with an appeal date, so the planner has reminders pending."""
    case = family(reference)
    workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 3, 2))
    return case


def label(model):
    """The app a model's admin URL names: AdviserTask moved to workflows (its migration 0021)."""
    return "workflows" if model == "advisertask" else "notifications"


def changelist(client, model, query=""):
    return client.get(reverse(f"admin:{label(model)}_{model}_changelist") + query)


def action(client, url, name, ids):
    return client.post(url, {"action": name, "_selected_action": [str(i) for i in ids]})


# --- one smoke test per ModelAdmin ----------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["outboundmessage", "advisertask", "reminderpolicy", "suppression"]
)
def test_changelists_open(admin_client_logged_in, model):
    assert changelist(admin_client_logged_in, model).status_code == 200


def test_change_pages_open(admin_client_logged_in):
    case = family()
    sent = message(
        case, status=Status.SENT, body="sendflow: the appeal is due.", to="+447400123456"
    )
    task = AdviserTask.objects.create(case=case, message=sent, kind="delivery_failed", text="Check")
    suppression = Suppression.objects.create(channel="sms", address="+447400123456", reason="web")
    policy = ReminderPolicy.objects.get(deadline_kind="appeal")
    for model, obj in [
        ("outboundmessage", sent),
        ("advisertask", task),
        ("reminderpolicy", policy),
        ("suppression", suppression),
    ]:
        url = reverse(f"admin:{label(model)}_{model}_change", args=[obj.pk])
        assert admin_client_logged_in.get(url).status_code == 200, model


def test_only_policies_can_be_added_by_hand(admin_client_logged_in):
    client = admin_client_logged_in
    assert client.get(reverse("admin:notifications_reminderpolicy_add")).status_code == 200
    for model in ("outboundmessage", "advisertask", "suppression"):
        assert client.get(reverse(f"admin:{label(model)}_{model}_add")).status_code == 403


def test_outbox_is_read_only_and_shows_the_text_as_sent(admin_client_logged_in):
    case = family()
    sent = message(
        case,
        channel="email",
        status=Status.SENT,
        to="amira@example.com",
        subject="Appeal: Monday 1 March 2027",
        body="Dear Amira,\n\nYour appeal must reach the Tribunal by Monday 1 March 2027.",
    )
    url = reverse("admin:notifications_outboundmessage_change", args=[sent.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert "Appeal: Monday 1 March 2027" in page
    assert "Your appeal must reach the Tribunal by Monday 1 March 2027." in page
    assert 'name="_save"' not in page
    response = admin_client_logged_in.post(url, {"status": "pending"})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == Status.SENT


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


# --- adviser tasks -------------------------------------------------------------------------------


def test_tasks_list_open_first_and_mark_done(admin_client_logged_in, now):
    case = family("SF-TASK")
    done = AdviserTask.objects.create(case=case, kind="overdue", text="Done one", done_at=NOW)
    task = AdviserTask.objects.create(case=case, kind="delivery_failed", text="Open one")
    page = changelist(admin_client_logged_in, "advisertask").content.decode()
    assert page.index("Open one") < page.index("Done one")
    assert reverse("admin:workflows_case_change", args=[case.pk]) in page
    open_only = changelist(admin_client_logged_in, "advisertask", "?state=open").content.decode()
    assert "Open one" in open_only
    assert "Done one" not in open_only

    url = reverse("admin:workflows_advisertask_changelist")
    assert action(admin_client_logged_in, url, "mark_done", [task.id, done.id]).status_code == 302
    task.refresh_from_db()
    assert task.done_at == now
    done.refresh_from_db()
    assert done.done_at == NOW  # unchanged


# --- policies ------------------------------------------------------------------------------------


def policy_list_data(policies, **changes):
    data = {
        "form-TOTAL_FORMS": str(len(policies)),
        "form-INITIAL_FORMS": str(len(policies)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, p in enumerate(policies):
        data.update(
            {
                f"form-{i}-id": str(p.id),
                f"form-{i}-style": p.style,
                f"form-{i}-offsets": p.offsets,
                f"form-{i}-send_time": p.send_time.strftime("%H:%M"),
                f"form-{i}-enabled": "on" if p.enabled else "",
            }
        )
        for name, value in changes.get(p.deadline_kind, {}).items():
            data[f"form-{i}-{name}"] = value
    return data


def test_policies_are_edited_in_the_list_and_bad_offsets_are_shown(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    url = reverse("admin:notifications_reminderpolicy_changelist")
    policies = list(ReminderPolicy.objects.order_by("deadline_kind"))
    response = admin_client_logged_in.post(
        url, policy_list_data(policies, appeal={"offsets": "4w,fortnight"})
    )
    assert response.status_code == 200
    assert "&#x27;fortnight&#x27; is not an offset" in response.content.decode()
    assert ReminderPolicy.objects.get(deadline_kind="appeal").offsets == "4w,2w,1w,2wd,0d"

    with django_capture_on_commit_callbacks() as replans:
        response = admin_client_logged_in.post(
            url, policy_list_data(policies, appeal={"offsets": "3w,1w", "send_time": "09:30"})
        )
    assert response.status_code == 302
    assert replans  # pending messages follow the new policy without waiting for the night
    appeal = ReminderPolicy.objects.get(deadline_kind="appeal")
    assert (appeal.offsets, appeal.send_time) == ("3w,1w", time(9, 30))


def test_a_policy_for_a_deadline_the_rules_no_longer_know_is_an_error_on_its_row(
    admin_client_logged_in,
):
    ReminderPolicy.objects.create(deadline_kind="retired_deadline", style="countdown")
    policies = list(ReminderPolicy.objects.order_by("deadline_kind"))
    response = admin_client_logged_in.post(
        reverse("admin:notifications_reminderpolicy_changelist"),
        policy_list_data(policies, retired_deadline={"offsets": "1w"}),
    )
    assert response.status_code == 200
    assert "Unknown deadline &#x27;retired_deadline&#x27;" in response.content.decode()


# --- opt-outs -----------------------------------------------------------------------------------


def test_an_opt_out_can_be_found_and_removed(admin_client_logged_in):
    Suppression.objects.create(channel="sms", address="+447400123456", reason="stop_reply")
    other = Suppression.objects.create(channel="email", address="ben@example.com", reason="web")
    page = changelist(admin_client_logged_in, "suppression", "?q=7400123").content.decode()
    assert "+447400123456" in page
    assert "ben@example.com" not in page
    url = reverse("admin:notifications_suppression_delete", args=[other.id])
    assert admin_client_logged_in.post(url, {"post": "yes"}).status_code == 302
    assert not Suppression.objects.filter(id=other.id).exists()


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


# --- preview and test sends ----------------------------------------------------------------------


def preview_rows(page):
    return re.findall(
        r'data-key="([^"]+)" data-channel="sms" data-segments="(\d+)"', page, flags=re.S
    )


def test_preview_renders_every_template_and_saves_nothing(admin_client_logged_in, now):
    cases, messages_ = Case.objects.count(), OutboundMessage.objects.count()
    response = admin_client_logged_in.get(reverse("admin:notifications_reminderpolicy_preview"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = dict(preview_rows(page))
    kinds = set(ReminderPolicy.objects.values_list("deadline_kind", flat=True))
    given = {f"given:{kind}" for kind in GivenDate.Kind.values}  # dates a letter gives
    assert {key.split(":", 1)[1] for key in rows} == kinds | {""} | given
    assert {"summary:", "reminder:appeal", "date_changed:appeal", "check:certificate_due"} <= set(
        rows
    )
    assert "This message cannot be rendered" not in page
    assert "Your appeal must reach the SEND Tribunal by" in page
    assert (Case.objects.count(), OutboundMessage.objects.count()) == (cases, messages_)


def test_preview_shows_every_text_within_two_segments(admin_client_logged_in, now):
    """The summary is shown at its longest: the longest deadline names first."""
    page = admin_client_logged_in.get(
        reverse("admin:notifications_reminderpolicy_preview")
    ).content.decode()
    segments = dict(preview_rows(page))
    # Every policy: its reminder or check and "date changed"; a countdown also "date passed".
    computed = ReminderPolicy.objects.exclude(deadline_kind__startswith="given:")
    countdowns = computed.filter(style="countdown").count()
    # And every kind of date a letter gives, with its own policy: its reminder or check, and
    # "date changed".
    given = 2 * len(GivenDate.Kind)
    assert len(segments) == 1 + 2 * computed.count() + countdowns + given
    assert "passed:appeal" in segments
    assert {key: n for key, n in segments.items() if int(n) > 3} == {}
    assert "segments: over 2" not in page


def test_preview_flags_a_text_over_two_segments_in_red(admin_client_logged_in, now, settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "the Exampleshire SEND Information, Advice and " * 5
    page = admin_client_logged_in.get(
        reverse("admin:notifications_reminderpolicy_preview")
    ).content.decode()
    assert '<tr class="too-long" data-key="reminder:appeal" data-channel="sms"' in page
    assert "segments: over 2" in page


def send_test(client, **data):
    url = reverse("admin:notifications_reminderpolicy_preview")
    return client.post(url, {"sample": "reminder:appeal", **data}, follow=True)


def test_send_a_test_text_to_the_adviser(admin_client_logged_in, now):
    response = send_test(admin_client_logged_in, channel="sms", mobile="07400 123456")
    assert "The test text to +447400123456 was sent." in response.content.decode()
    [sms] = locmem.outbox
    assert sms.to == "+447400123456"
    assert "Appeal to the SEND Tribunal by" in sms.body
    test = OutboundMessage.objects.get(kind="test")
    assert (test.status, test.case.reference, test.body) == (Status.SENT, "SENDFLOW-TEST", sms.body)


def test_send_a_test_email_to_the_adviser(admin_client_logged_in, adviser, now):
    response = send_test(admin_client_logged_in, channel="email", sample="summary:")
    assert f"The test email to {adviser.email} was sent." in response.content.decode()
    [email] = mail.outbox
    assert email.to == [adviser.email]
    assert email.subject.startswith("[Test] Your key dates")


def test_a_test_email_needs_the_advisers_address(client, now):
    adviser = AdviserFactory(username="noemail", email="")
    client.force_login(adviser)
    response = send_test(client, channel="email")
    assert "Your user account has no email address" in response.content.decode()
    assert not mail.outbox
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("mobile", "error"),
    [
        ("", "Type the mobile number to send the test text to."),
        ("0161 496 0000", "is not a mobile number, so it cannot receive texts"),
        ("07700 900123", "is not a valid phone number"),
    ],
)
def test_a_test_text_needs_a_uk_mobile(admin_client_logged_in, now, mobile, error):
    response = send_test(admin_client_logged_in, channel="sms", mobile=mobile)
    assert error in response.content.decode()
    assert not locmem.outbox
    assert not OutboundMessage.objects.exists()


def test_a_failed_test_text_says_why(admin_client_logged_in, now, settings):
    settings.SMS_BACKEND = "tests.notifications.test_admin.RefusingBackend"
    response = send_test(admin_client_logged_in, channel="sms", mobile="07400123456")
    assert "The test text to +447400123456 failed: Invalid &#x27;To&#x27; number" in (
        response.content.decode()
    )
    test = OutboundMessage.objects.get(kind="test")
    assert test.status == Status.FAILED
    assert not AdviserTask.objects.filter(done_at__isnull=True).exists()


class RefusingBackend(locmem.LocmemSMSBackend):
    def send(self, *, to, subject, body, reference, html="", unsubscribe_url=""):
        raise SendError("Invalid 'To' number (21211)", permanent=True)


def test_a_test_text_in_quiet_hours_waits_for_the_morning(admin_client_logged_in):
    with time_machine.travel(london(date(2026, 3, 10), 22), tick=False):
        response = send_test(admin_client_logged_in, channel="sms", mobile="07400123456")
    assert "was not sent yet (held for quiet hours). It will go at Wed 11 Mar 2026 09:00" in (
        response.content.decode()
    )
    assert not locmem.outbox


def test_the_test_case_is_reused(now):
    for _ in range(2):
        admin_services.adviser_message_send(
            channel="email", to="a@example.com", subject="s", body="b"
        )
    assert Case.objects.filter(reference="SENDFLOW-TEST").count() == 1


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


def test_the_moved_models_old_admin_addresses_still_arrive(admin_client_logged_in):
    """Contact and AdviserTask moved to workflows: a bookmark of the old page redirects."""
    old = admin_client_logged_in.get("/admin/notifications/advisertask/?state=open")
    assert old.status_code == 302
    assert old["Location"] == "/admin/workflows/advisertask/?state=open"
    assert admin_client_logged_in.get(old["Location"]).status_code == 200
