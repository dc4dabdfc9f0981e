"""From key dates to messages: planning, dispatch, sending and recovery, as a family sees them."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import services
from notifications.backends import locmem
from notifications.backends.base import SendError
from notifications.models import OutboundMessage, Suppression
from tests.factories import CaseFactory, ContactFactory
from tests.helpers import london, set_date
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


@pytest.fixture
def family(family):
    """The shared family, with its parent: (case, contact)."""
    return family, family.contacts.get()


def pending(case, **filters):
    return OutboundMessage.objects.filter(case=case, status=Status.PENDING, **filters)


def run_dispatch(now):
    """One beat tick and the sends it queues, in this process (what --sync does)."""
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    return {mid: services.message_send(message_id=mid, now=now) for mid in dispatch.claimed}


def test_a_new_decision_date_plans_a_summary_and_countdown_reminders_on_each_channel(family):
    case, contact = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31), 15))
    appeal = pending(case, deadline_kind="appeal", kind="reminder")
    assert {(m.channel, m.offset) for m in appeal} == {
        (channel, offset)
        for channel in ("sms", "email")
        for offset in ("4w", "2w", "1w", "2wd", "0d")
    }
    four_weeks = appeal.get(channel="sms", offset="4w")
    assert four_weeks.send_at == london(date(2027, 2, 1))  # 10:00 London, 4 weeks before 1 Mar
    assert four_weeks.due_date == date(2027, 3, 1)
    assert pending(case, kind="summary").count() == 2


def test_planning_twice_changes_nothing(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31), 15))
    before = sorted(OutboundMessage.objects.values_list("id", "status", "send_at"))
    with time_machine.travel(london(date(2026, 12, 31), 16), tick=False):
        workflow_services.deadlines_recompute(case=case)
    assert sorted(OutboundMessage.objects.values_list("id", "status", "send_at")) == before


def test_reminders_already_in_the_past_are_not_planned(family):
    case, _ = family
    # Set up 10 days before the appeal date: only 1 week, 2 working days and the day remain.
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2027, 2, 19), 15))
    offsets = set(pending(case, deadline_kind="appeal").values_list("offset", flat=True))
    assert offsets == {"1w", "2wd", "0d"}


def test_a_later_certificate_replaces_the_reminders_and_never_tells_the_old_date(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 10, 1), at=london(date(2026, 10, 2)))
    results = run_dispatch(london(date(2026, 10, 2), 11))  # the summaries go out
    assert set(results.values()) == {Status.SENT}
    assert "Tuesday 1 December 2026" in locmem.outbox[0].body

    set_date(case, "certificate_issued", date(2026, 11, 30), at=london(date(2026, 11, 30), 12))

    cancelled = OutboundMessage.objects.filter(
        case=case, deadline_kind="appeal", status="cancelled"
    )
    assert cancelled.exists()
    assert {m.status_reason for m in cancelled} == {"the date moved to 2027-01-04"}
    new = pending(case, deadline_kind="appeal", kind="reminder")
    assert set(new.values_list("due_date", flat=True)) == {date(2027, 1, 4)}
    changed = pending(case, kind="date_changed")
    assert {m.channel for m in changed} == {"sms", "email"}

    # Everything that goes from now on carries the new date and never the old one.
    locmem.outbox.clear()
    mail.outbox.clear()
    run_dispatch(london(date(2027, 1, 4), 11))
    bodies = [m.body for m in locmem.outbox] + [m.body for m in mail.outbox]
    assert bodies
    assert all("1 December 2026" not in body for body in bodies)
    assert any("Monday 4 January 2027" in body for body in bodies)


def test_a_second_dispatch_at_the_same_instant_sends_nothing(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    first = run_dispatch(london(date(2026, 12, 31), 11))
    assert len(first) == 2
    assert run_dispatch(london(date(2026, 12, 31), 11)) == {}
    assert len(locmem.outbox) == 1
    assert len(mail.outbox) == 1


def test_no_text_at_half_past_eleven_at_night_but_the_email_goes(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31), 23, 30))
    sms_summary = pending(case, kind="summary", channel="sms").get()
    assert sms_summary.send_at == london(date(2027, 1, 1), 9)  # held until 09:00
    results = run_dispatch(london(date(2026, 12, 31), 23, 30))
    assert list(results.values()) == [Status.SENT]
    assert locmem.outbox == []
    assert len(mail.outbox) == 1


def test_a_text_claimed_before_quiet_hours_waits_for_the_morning(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31), 19, 59))
    dispatch = services.messages_dispatch(now=london(date(2026, 12, 31), 19, 59), enqueue=False)
    sms = OutboundMessage.objects.get(id__in=dispatch.claimed, channel="sms")
    status = services.message_send(message_id=sms.id, now=london(date(2026, 12, 31), 20, 5))
    assert status == Status.PENDING
    sms.refresh_from_db()
    assert sms.send_at == london(date(2027, 1, 1), 9)
    assert sms.attempts == 0
    assert locmem.outbox == []


def test_after_downtime_only_the_latest_overdue_reminder_goes(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    run_dispatch(london(date(2026, 12, 31), 11))  # summaries
    locmem.outbox.clear()
    # Nothing ran between 1 Feb and 23 Feb: the 4w, 2w and 1w reminders are all overdue.
    run_dispatch(london(date(2027, 2, 23)))
    sms = OutboundMessage.objects.filter(case=case, deadline_kind="appeal", channel="sms")
    assert sms.get(offset="1w").status == Status.SENT
    assert {sms.get(offset=o).status for o in ("4w", "2w")} == {Status.SUPERSEDED}
    appeal_texts = [m for m in locmem.outbox if "SEND Tribunal" in m.body]
    assert len(appeal_texts) == 1
    # Sent late, on 23 February, with the mediation adviser's (due first) in the same text.
    assert "Contact the mediation adviser by Friday 26 February 2027 (in 3 days)" in (
        appeal_texts[0].body
    )
    assert "Then the appeal to the SEND Tribunal, by Monday 1 March 2027" in appeal_texts[0].body


def test_marking_a_deadline_met_stops_its_reminders(family, adviser):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    contact_deadline = case.deadlines.get(kind="mediation_adviser_contact")
    with time_machine.travel(london(date(2027, 1, 5)), tick=False):
        workflow_services.deadline_update(
            deadline=contact_deadline,
            status="met",
            override_date=None,
            override_reason="",
            by=adviser,
        )
        workflow_services.deadlines_recompute(case=case)
    assert not pending(case, deadline_kind="mediation_adviser_contact").exists()
    assert pending(case, deadline_kind="appeal").exists()


def test_marking_a_deadline_missed_stops_its_reminders_for_good(family, adviser):
    """The adviser takes a missed date from there: no countdown for it, not one that dispatch
    cancels and the next plan of the day brings back."""
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    appeal = case.deadlines.get(kind="appeal")
    with time_machine.travel(london(date(2027, 2, 1), 9), tick=False):
        workflow_services.deadline_update(
            deadline=appeal,
            status="missed",
            status_reason="The family decided not to appeal",
            override_date=None,
            override_reason="",
            by=adviser,
        )
        workflow_services.case_replan(case=case)
    assert not pending(case, deadline_kind="appeal").exists()
    reasons = set(
        OutboundMessage.objects.filter(
            case=case, deadline_kind="appeal", kind="reminder"
        ).values_list("status_reason", flat=True)
    )
    assert reasons == {"deadline marked missed"}
    run_dispatch(london(date(2027, 2, 1), 11))  # the day of the four-week reminder
    with time_machine.travel(london(date(2027, 2, 1), 12), tick=False):
        workflow_services.case_replan(case=case)
    assert not pending(case, deadline_kind="appeal").exists()
    assert not OutboundMessage.objects.filter(
        case=case, deadline_kind="appeal", status=Status.SENT
    ).exists()


def test_a_missed_deadline_given_another_date_sends_no_date_changed_message(family, adviser):
    """Dispatch would cancel it ("deadline marked missed"): the family would see it on their
    page as coming, and never get it."""
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    run_dispatch(london(date(2026, 12, 31), 11))  # the summary tells the family the dates
    appeal = case.deadlines.get(kind="appeal")
    with time_machine.travel(london(date(2027, 1, 4), 9), tick=False):
        workflow_services.deadline_update(
            deadline=appeal,
            status="missed",
            status_reason="The family was in hospital",
            override_date=appeal.due + timedelta(days=7),
            override_reason="The Tribunal's letter gives this date",
            by=adviser,
        )
        workflow_services.case_replan(case=case)
    assert not OutboundMessage.objects.filter(case=case, kind="date_changed").exists()


def test_pausing_a_case_cancels_and_resuming_replans(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    case.reminders_paused = True
    case.save()
    with time_machine.travel(london(date(2027, 1, 5)), tick=False):
        workflow_services.case_replan(case=case)
    assert not pending(case).exists()
    assert set(
        OutboundMessage.objects.filter(case=case).values_list("status_reason", flat=True)
    ) == {"reminders paused"}
    case.reminders_paused = False
    case.save()
    with time_machine.travel(london(date(2027, 1, 6)), tick=False):
        workflow_services.case_replan(case=case)
    assert pending(case, deadline_kind="appeal", offset="4w").count() == 2


def test_a_check_goes_the_working_day_after_and_tells_the_adviser(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 10, 1), at=london(date(2026, 10, 2)))
    run_dispatch(london(date(2026, 10, 2), 11))  # the summary of their dates
    set_date(case, "mediation_declined", date(2026, 10, 15), at=london(date(2026, 10, 15)))
    check = pending(case, kind="check", channel="email").get()
    assert check.deadline_kind == "certificate_due"
    assert check.send_at == london(date(2026, 10, 21))  # due Tue 20 Oct, checked Wed 21
    run_dispatch(london(date(2026, 10, 21), 10, 1))
    body = next(m.body for m in mail.outbox if "certificate should have arrived" in m.body)
    assert "Tuesday 20 October 2026" in body
    task = AdviserTask.objects.get(case=case, kind="check_deadline")
    assert "Tuesday 20 October 2026" in task.text


def test_recording_what_was_owed_cancels_the_check(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 10, 1), at=london(date(2026, 10, 2)))
    set_date(case, "mediation_declined", date(2026, 10, 15), at=london(date(2026, 10, 15)))
    set_date(case, "certificate_issued", date(2026, 10, 19), at=london(date(2026, 10, 19)))
    assert not pending(case, kind="check").exists()


def test_removing_a_key_date_cancels_messages_about_deadlines_that_no_longer_stand(family):
    case, _ = family
    set_date(case, "draft_plan_served", date(2027, 1, 4), at=london(date(2027, 1, 4)))
    assert pending(case, deadline_kind="draft_plan_comments").exists()
    with time_machine.travel(london(date(2027, 1, 5)), tick=False):
        workflow_services.key_date_remove(case=case, event="draft_plan_served")
    assert not pending(case, deadline_kind="draft_plan_comments").exists()


def test_an_opt_out_recorded_after_the_claim_suppresses_the_send(family):
    case, contact = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    dispatch = services.messages_dispatch(now=london(date(2026, 12, 31), 11), enqueue=False)
    services.suppress(channel="sms", address=contact.mobile.as_e164, reason="stop_reply")
    statuses = {
        services.message_send(message_id=mid, now=london(date(2026, 12, 31), 11))
        for mid in dispatch.claimed
    }
    assert statuses == {Status.SUPPRESSED, Status.SENT}  # the email still goes
    assert locmem.outbox == []


def test_a_contact_with_no_channels_gets_nothing():
    case = CaseFactory()
    ContactFactory(case=case, wants_sms=False, wants_email=False)
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    assert not OutboundMessage.objects.filter(case=case).exists()


def test_transient_errors_retry_later_with_backoff(family, monkeypatch):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    now = london(date(2026, 12, 31), 11)
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    sms_id = OutboundMessage.objects.get(id__in=dispatch.claimed, channel="sms").id

    def busy(self, **kwargs):
        raise SendError("Twilio 429 error 20429: Too Many Requests")

    monkeypatch.setattr(locmem.LocmemSMSBackend, "send", busy)
    assert services.message_send(message_id=sms_id, now=now) == Status.PENDING
    message = OutboundMessage.objects.get(id=sms_id)
    assert message.attempts == 1
    assert message.send_at > now
    assert "429" in message.last_error
    assert not AdviserTask.objects.exists()


def test_a_permanent_text_failure_falls_back_to_email_and_tells_the_adviser(monkeypatch):
    case = CaseFactory()
    ContactFactory(case=case, email="ben@example.com", wants_email=False, wants_sms=True)
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    now = london(date(2026, 12, 31), 11)

    def invalid(self, **kwargs):
        raise SendError("Twilio 400 error 21211: invalid 'To' number", permanent=True)

    monkeypatch.setattr(locmem.LocmemSMSBackend, "send", invalid)
    run_dispatch(now)
    summary = OutboundMessage.objects.get(case=case, channel="sms", kind="summary")
    assert summary.status == Status.FAILED
    task = AdviserTask.objects.get(case=case, kind="delivery_failed")
    assert "21211" in task.text
    assert "ben@example.com" in task.text
    run_dispatch(now)
    assert [m.to for m in mail.outbox] == [["ben@example.com"]]


def test_a_send_the_provider_may_have_taken_is_reconciled_not_repeated(family, monkeypatch):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    now = london(date(2026, 12, 31), 11)
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    sms_id = OutboundMessage.objects.get(id__in=dispatch.claimed, channel="sms").id
    real_send = locmem.LocmemSMSBackend.send

    def sent_but_no_answer(self, **kwargs):
        real_send(self, **kwargs)
        raise SendError("Twilio did not answer in time", ambiguous=True)

    monkeypatch.setattr(locmem.LocmemSMSBackend, "send", sent_but_no_answer)
    assert services.message_send(message_id=sms_id, now=now) == Status.UNKNOWN
    monkeypatch.setattr(locmem.LocmemSMSBackend, "send", real_send)
    result = services.messages_sweep(now=london(date(2026, 12, 31), 11, 5))
    assert result.reconciled_sent == 1
    assert OutboundMessage.objects.get(id=sms_id).status == Status.SENT
    assert len(locmem.outbox) == 1  # not sent twice


def test_a_send_left_hanging_by_a_killed_worker_is_recovered(family, settings):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    now = london(date(2026, 12, 31), 11)
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    # The worker claimed it (queued -> sending) and died before rendering or sending.
    OutboundMessage.objects.filter(id__in=dispatch.claimed).update(
        status=Status.SENDING, sending_at=now
    )
    later = london(date(2026, 12, 31), 11, 10)
    result = services.messages_sweep(now=later)
    assert result.unknown == 2
    assert result.resent == 2  # nothing was rendered, so nothing can have gone
    assert set(run_dispatch(later).values()) == {Status.SENT}


def test_queued_rows_the_broker_lost_are_enqueued_again(
    family, enqueued, django_capture_on_commit_callbacks
):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    now = london(date(2026, 12, 31), 11)
    with django_capture_on_commit_callbacks(execute=True):
        claimed = services.messages_dispatch(now=now).claimed
    assert enqueued == claimed
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_sweep(now=london(date(2026, 12, 31), 11, 10))
    assert sorted(enqueued) == sorted(claimed)


def test_messages_long_overdue_become_a_task_for_the_adviser(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    result = services.messages_sweep(now=london(date(2026, 12, 31), 13))
    assert result.overdue == 2
    assert AdviserTask.objects.filter(case=case, kind="overdue").count() == 2
    assert services.messages_sweep(now=london(date(2026, 12, 31), 14)).overdue == 0


def test_suppression_survives_for_other_cases_with_the_same_number(family):
    case, contact = family
    other = CaseFactory()
    ContactFactory(case=other, mobile=contact.mobile, email="other@example.com")
    services.suppress(channel="sms", address=contact.mobile.as_e164, reason="stop_reply")
    set_date(other, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    results = run_dispatch(london(date(2026, 12, 31), 11))
    assert sorted(results.values()) == [Status.SENT, Status.SUPPRESSED]
    assert Suppression.objects.count() == 1


def test_advisers_get_a_check_task_even_when_the_family_gets_no_messages():
    case = CaseFactory()
    ContactFactory(case=case, wants_sms=False, wants_email=False)
    set_date(case, "mediation_declined", date(2026, 10, 15), at=london(date(2026, 10, 15)))
    assert services.check_tasks_for_passed_dates(today=date(2026, 10, 20)) == 0  # due that day
    assert services.check_tasks_for_passed_dates(today=date(2026, 10, 21)) == 1
    assert services.check_tasks_for_passed_dates(today=date(2026, 10, 22)) == 0  # once
    task = AdviserTask.objects.get(case=case)
    assert "certificate should have arrived by Tuesday 20 October 2026" in task.text


def test_texts_and_emails_are_plain_text_not_html_escaped(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    run_dispatch(london(date(2026, 12, 31), 11))
    run_dispatch(london(date(2027, 2, 25), 10))  # 2 working days before the adviser deadline
    bodies = [m.body for m in locmem.outbox] + [m.body for m in mail.outbox]
    assert any("the council's decision letter" in b for b in bodies)
    assert not any("&#x27;" in b or "&amp;" in b for b in bodies)


def test_a_correction_to_a_date_already_passed_is_still_told_and_the_adviser_asked(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 10, 1), at=london(date(2026, 10, 2)))
    run_dispatch(london(date(2026, 10, 2), 11))  # told: appeal Tuesday 1 December 2026
    set_date(case, "decision_sent", date(2026, 9, 25), at=london(date(2026, 11, 27)))
    mail.outbox.clear()
    run_dispatch(london(date(2026, 11, 27), 11))
    (email,) = [m for m in mail.outbox if "Date changed" in m.body and "SEND Tribunal" in m.body]
    # The corrected appeal date, said as passed.
    assert "Appeal to the SEND Tribunal was Wednesday 25 November 2026, which has passed" in (
        email.body
    )
    assert AdviserTask.objects.filter(case=case, text__contains="had already passed").exists()


def test_a_date_that_moves_back_to_an_earlier_value_is_announced_again(family):
    case, _ = family
    set_date(case, "decision_sent", date(2026, 10, 1), at=london(date(2026, 10, 2)))
    run_dispatch(london(date(2026, 10, 2), 11))  # told 1 December
    set_date(case, "certificate_issued", date(2026, 11, 20), at=london(date(2026, 11, 20)))
    run_dispatch(london(date(2026, 11, 20), 11))  # told 21 December
    with time_machine.travel(london(date(2026, 11, 23)), tick=False):
        workflow_services.key_date_remove(case=case, event="certificate_issued")
    back = pending(case, kind="date_changed", channel="email").get()
    assert back.due_date == date(2026, 12, 1)


def test_one_beat_tick_queues_a_whole_burst_batch_by_batch(
    settings, enqueued, django_capture_on_commit_callbacks
):
    settings.SENDFLOW_DISPATCH_BATCH = 3
    for _ in range(4):
        case = CaseFactory()
        ContactFactory(case=case, wants_sms=False)
        set_date(case, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    with (
        time_machine.travel(london(date(2026, 12, 31), 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.messages_dispatch_due() == 4
    assert len(enqueued) == 4


def test_a_send_task_hands_on_what_it_cannot_finish_before_its_time_limit(
    settings, enqueued, monkeypatch
):
    from notifications import tasks

    settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.TWILIO_TIMEOUT_SECONDS = 60, 10
    clock = iter([0.0, 1.0, 50.0])  # the third send would start 50 s in: too late
    monkeypatch.setattr(tasks.time, "monotonic", lambda: next(clock))
    sent = []
    monkeypatch.setattr(tasks.services, "message_send", lambda message_id: sent.append(message_id))
    tasks.messages_send_task.run([1, 2, 3, 4])
    assert sent == [1]
    assert enqueued == [2, 3, 4]
