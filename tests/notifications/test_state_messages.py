"""Messages follow where the family stands: nothing more for a step already done, a passed date
said as passed (once) with an urgent task for the adviser, the last reminder on or before the
day to aim for, and the complaint's reply-by date checked the day after."""

import importlib
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import services
from notifications.backends import locmem
from notifications.models import OutboundMessage
from notifications.plan_core import passed_task_text
from tests.factories import AdviserFactory, CaseFactory, ContactFactory
from tests.helpers import london, set_date
from tests.hypothesis_profiles import examples
from workflows import rules
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends", "advice_service")]

Status = OutboundMessage.Status


def at(moment, service, **kwargs):
    with time_machine.travel(moment, tick=False):
        return service(**kwargs)


def pending(case, **filters):
    return OutboundMessage.objects.filter(case=case, status=Status.PENDING, **filters)


APPEAL_TASK = "Appeal to the SEND Tribunal: the family's date"
CONTACT_TASK = "Contact the mediation adviser: the family's date"


def urgent(case, starting=""):
    """The case's urgent "date passed" tasks; `starting`: only the one for that step."""
    return AdviserTask.objects.filter(
        case=case, kind=AdviserTask.Kind.DEADLINE_PASSED, text__startswith=starting
    )


def run_dispatch(now):
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    return {mid: services.message_send(message_id=mid, now=now) for mid in dispatch.claimed}


def bodies():
    return [m.body for m in locmem.outbox] + [m.body for m in mail.outbox]


# --- a step already done -------------------------------------------------------------------------


def test_a_recorded_certificate_cancels_every_reminder_to_contact_the_mediation_adviser(family):
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    assert pending(family, deadline_kind="mediation_adviser_contact", kind="reminder").count() == 10

    set_date(family, "certificate_issued", date(2026, 12, 1), at=london(date(2026, 12, 1)))

    assert not pending(family, deadline_kind="mediation_adviser_contact").exists()
    cancelled = OutboundMessage.objects.filter(
        case=family, deadline_kind="mediation_adviser_contact", status=Status.CANCELLED
    )
    assert {m.status_reason for m in cancelled} == {
        "step done: The mediation certificate was issued on Tuesday 1 December 2026"
    }
    # Nothing that goes out from now on tells the family to contact the adviser.
    mail.outbox.clear()
    for day in (date(2026, 12, 14), date(2027, 1, 4), date(2027, 1, 8), date(2027, 1, 11)):
        run_dispatch(london(day, 11))
    assert bodies()
    assert not any("contact the mediation adviser by" in b for b in bodies())


def test_an_appeal_sent_ends_the_reminders_to_contact_the_mediation_adviser(family):
    # A family whose appeal is in (with its certificate, or needing none) must not be told
    # "contact the mediation adviser now" while it waits for its hearing.
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    set_date(family, "appeal_submitted", date(2026, 12, 1), at=london(date(2026, 12, 1)))

    assert not pending(family, deadline_kind="mediation_adviser_contact").exists()
    mail.outbox.clear()
    for day in (date(2026, 12, 14), date(2027, 1, 8), date(2027, 1, 11), date(2027, 1, 12)):
        run_dispatch(london(day, 11))
    assert not any("mediation adviser" in b for b in bodies())


def test_removing_the_completing_event_reopens_the_deadline_and_replans(family):
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    set_date(
        family, "mediation_adviser_contacted", date(2026, 11, 20), at=london(date(2026, 11, 20))
    )
    deadline = family.deadlines.get(kind="mediation_adviser_contact")
    assert deadline.done_by == "mediation_adviser_contacted"
    assert not pending(family, deadline_kind="mediation_adviser_contact").exists()

    at(
        london(date(2026, 11, 21)),
        workflow_services.key_date_remove,
        case=family,
        event="mediation_adviser_contacted",
    )
    deadline.refresh_from_db()
    assert deadline.done_by == ""
    assert deadline.state(date(2026, 11, 21)) == rules.State.OPEN
    offsets = set(
        pending(family, deadline_kind="mediation_adviser_contact").values_list("offset", flat=True)
    )
    assert offsets == {"4w", "2w", "1w", "2wd", "0d"}


def test_a_later_event_reopens_nothing_already_done(family):
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    set_date(family, "mediation_requested", date(2026, 11, 20), at=london(date(2026, 11, 20)))
    set_date(family, "mediation_concluded", date(2026, 12, 15), at=london(date(2026, 12, 15)))
    done = dict(family.deadlines.values_list("kind", "done_by"))
    assert done["mediation_adviser_contact"] == "mediation_requested"  # still the first
    assert done["mediation_by"] == "mediation_concluded"
    assert done["certificate_due"] == ""  # the certificate is now owed
    assert not pending(family, deadline_kind="mediation_adviser_contact").exists()


def test_a_send_for_a_step_done_since_it_was_queued_is_cancelled(family):
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    reminder = pending(family, deadline_kind="mediation_adviser_contact", offset="4w").first()
    dispatch = services.messages_dispatch(now=london(date(2026, 12, 14), 10), enqueue=False)
    # The family's certificate is recorded between the claim and the send.
    from workflows.models import Deadline

    Deadline.objects.filter(case=family, kind="mediation_adviser_contact").update(
        done_by="certificate_issued", done_on=date(2026, 12, 14)
    )
    for message_id in dispatch.claimed:  # the day's one message to the family
        services.message_send(message_id=message_id, now=london(date(2026, 12, 14), 10))
    reminder.refresh_from_db()
    assert reminder.status == Status.CANCELLED
    assert reminder.status_reason.startswith("step done: The mediation certificate was issued")


# --- a date that has passed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "evening", "line", "promise", "text_line"),
    [
        (  # due on a working day: the last day is the date itself, for both dates
            date(2026, 10, 1),
            date(2026, 12, 1),
            "Appeal to the SEND Tribunal (today): Tuesday 1 December 2026",
            False,
            "Contact the mediation adviser: today is the last day. Their details are in the "
            "council's letter.\nThen the appeal to the SEND Tribunal: its date moves",
        ),
        (  # the mediation adviser's date is a Sunday: the day to aim for is the Friday before;
            # the appeal moves to the Monday, and its reminder on the day is still to come
            date(2026, 11, 10),
            date(2027, 1, 8),
            "Contact the mediation adviser (aim for today): Sunday 10 January 2027 - aim for "
            "Friday 8 January 2027",
            True,
            "Contact the mediation adviser: today is the last day.",
        ),
        (  # the Saturday between: the day to aim for has gone, the date has not
            date(2026, 11, 10),
            date(2027, 1, 9),
            "Contact the mediation adviser (past the day to aim for, so act today): Sunday 10 "
            "January 2027",
            True,
            "Contact the mediation adviser: do it today (the date is Sunday 10 January 2027).",
        ),
    ],
)
def test_a_summary_sent_on_the_last_day_says_so(
    family, decision, evening, line, promise, text_line
):
    """Seen by hand: set up at 18:00 on the last day, the summary listed the appeal under
    "Your dates ahead. We will remind you before each one", with no word that it was today."""
    evening = london(evening, 18)
    set_date(family, "decision_sent", decision, at=evening)

    run_dispatch(evening)
    summary = next(m for m in mail.outbox if m.subject.startswith("Your key dates"))
    assert line in summary.body
    assert ("We will remind you before each one" in summary.body) is promise
    (text,) = [m.body for m in locmem.outbox]
    assert text_line in text


def test_a_family_set_up_after_its_appeal_date_is_never_told_the_date_is_ahead(family):
    """Issue 6: decision sent 15 September, case set up 1 December."""
    set_date(family, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 1), 11))

    assert not pending(family, kind="reminder").exists()
    passed = pending(family, kind="passed")
    assert {(m.deadline_kind, m.channel) for m in passed} == {
        ("appeal", "sms"),
        ("appeal", "email"),  # the appeal's message covers the mediation adviser's date
    }
    task = urgent(family, APPEAL_TASK).get()
    assert task.text.startswith(
        "Appeal to the SEND Tribunal: the family's date, Monday 16 November 2026, has passed"
    )
    assert "accept it late" in task.text
    # The family's message for the mediation adviser's date waits for the appeal's, but the
    # adviser's urgent task never does: each of the family's dates passed undone is a task.
    assert urgent(family).count() == 2
    assert (
        urgent(family)
        .filter(text=passed_task_text("mediation_adviser_contact", date(2026, 11, 15)))
        .exists()
    )

    results = run_dispatch(london(date(2026, 12, 1), 11))
    assert set(results.values()) == {Status.SENT}
    # One email: the summary, which says the date passed, with the "has passed" row in it.
    (summary,) = mail.outbox
    assert summary.subject.startswith("Your key dates")
    assert "Appeal to the SEND Tribunal: Monday 16 November 2026 - PASSED" in summary.body
    assert "We will remind you before each one" not in summary.body
    assert "The Tribunal may still accept it late for a good reason" in summary.body
    assert "01632 960123" in summary.body
    passed_text = next(m for m in locmem.outbox if "has passed" in m.body)
    assert "Appeal to the SEND Tribunal: Monday 16 November 2026 has passed" in passed_text.body
    for body in bodies():
        assert "must reach the SEND Tribunal by Monday 16 November" not in body
        assert "That is in" not in body


def test_the_passed_message_and_task_come_once_however_often_the_planner_runs(family):
    set_date(family, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 1), 11))
    run_dispatch(london(date(2026, 12, 1), 11))
    for day in range(2, 6):  # nightly recomputes, then a correction that changes nothing
        at(london(date(2026, 12, day), 2, 30), workflow_services.deadlines_recompute, case=family)
    set_date(family, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 6), 12))
    run_dispatch(london(date(2026, 12, 6), 13))
    passed = OutboundMessage.objects.filter(case=family, kind="passed")
    assert passed.count() == 2
    assert set(passed.values_list("status", flat=True)) == {Status.SENT}
    assert urgent(family, APPEAL_TASK).count() == 1
    assert urgent(family, CONTACT_TASK).count() == 1


def test_a_date_that_passes_while_open_gets_its_message_the_next_morning(family):
    set_date(family, "decision_sent", date(2026, 12, 31), at=london(date(2027, 2, 1)))
    # The night after the appeal date, the nightly recompute finds it passed.
    at(london(date(2027, 3, 2), 2, 30), workflow_services.deadlines_recompute, case=family)
    passed = pending(family, kind="passed", deadline_kind="appeal")
    assert {m.send_at for m in passed} == {london(date(2027, 3, 2), 10)}
    assert not pending(family, kind="reminder", deadline_kind="appeal").exists()
    assert AdviserTask.objects.filter(case=family, kind="deadline_passed").exists()


def test_a_date_long_passed_texts_nobody_but_still_tells_the_adviser(family):
    set_date(family, "decision_sent", date(2025, 9, 15), at=london(date(2026, 12, 1), 11))
    assert not pending(family, kind="passed").exists()
    # Only the adviser can judge whether a late appeal is still worth asking for.
    assert urgent(family, APPEAL_TASK).count() == 1
    assert urgent(family, CONTACT_TASK).count() == 1
    run_dispatch(london(date(2026, 12, 1), 11))
    summary = next(m for m in mail.outbox if m.subject.startswith("Your key dates"))
    assert "PASSED" in summary.body


def test_the_adviser_is_told_even_when_the_family_gets_no_messages():
    case = CaseFactory(reference="SF-NOCONTACT")
    set_date(case, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 1), 11))
    assert urgent(case, APPEAL_TASK).count() == 1
    assert urgent(case, CONTACT_TASK).count() == 1
    assert not OutboundMessage.objects.filter(case=case).exists()


# --- the day to aim for --------------------------------------------------------------------------


def test_the_last_reminder_goes_on_the_friday_before_a_sunday_date(family):
    """Issue 6: the "on the day" reminder was planned for Sunday 10 January, after the real last
    chance."""
    set_date(family, "decision_sent", date(2026, 11, 10), at=london(date(2026, 11, 11)))
    reminders = pending(family, deadline_kind="mediation_adviser_contact", channel="email")
    days = {
        m.offset: m.send_at.astimezone(london(date(2027, 1, 1)).tzinfo).date() for m in reminders
    }
    assert days["0d"] == date(2027, 1, 8)  # Friday, the last working day before
    assert days["2wd"] == date(2027, 1, 6)
    assert max(days.values()) == date(2027, 1, 8)
    run_dispatch(london(date(2026, 11, 11), 11))  # the summaries
    locmem.outbox.clear()
    run_dispatch(london(date(2027, 1, 8), 11))
    text = next(m.body for m in locmem.outbox if "mediation adviser" in m.body)
    assert "Contact the mediation adviser: today is the last day." in text
    # With the appeal's reminder two working days before its Monday date, in one email.
    email = [m.body for m in mail.outbox if "mediation adviser" in m.body][-1]
    assert "1. Contact the mediation adviser: today is the last day." in email
    assert "2. Then the appeal to the SEND Tribunal, by Monday 11 January 2027" in email


@settings(
    max_examples=examples(30),  # 15 under `make test`, 60 in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    decision=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 10, 31)),
    set_up_after=st.integers(min_value=0, max_value=90),
    done_after=st.none() | st.integers(min_value=0, max_value=80),
    completer=st.sampled_from(
        ["mediation_adviser_contacted", "certificate_issued", "appeal_submitted"]
    ),  # recorded on or after the set-up day: a future one completes nothing until its day
)
def test_no_reminder_after_the_day_to_aim_for_and_none_for_a_done_step(
    decision, set_up_after, done_after, completer
):
    with transaction.atomic():
        case = CaseFactory()
        ContactFactory(case=case)
        now = london(decision + timedelta(days=set_up_after), 11)
        events = {"decision_sent": decision}
        if done_after is not None:
            events[completer] = decision + timedelta(days=done_after)
        for event, value in events.items():
            set_date(case, event, value, at=now)
        for deadline in case.deadlines.all():
            messages = pending(case, deadline=deadline)
            if deadline.state(now.date()) == rules.State.DONE:
                assert not messages.exists(), f"{deadline.kind} is done"
            for message in messages.filter(kind="reminder"):
                day = message.send_at.astimezone(now.tzinfo).date()
                assert day <= deadline.effective_act_by, (deadline.kind, message.offset)
            if deadline.state(now.date()) == rules.State.PASSED:
                assert not messages.filter(kind="reminder").exists()
        transaction.set_rollback(True)


# --- the complaint's reply-by date --------------------------------------------------------------


def test_a_reply_by_date_that_passes_tells_the_family_what_next_and_the_adviser(family):
    set_date(family, "complaint_sent", date(2026, 11, 2), at=london(date(2026, 11, 2)))
    set_date(
        family, "complaint_response_requested", date(2026, 12, 1), at=london(date(2026, 11, 2))
    )
    run_dispatch(london(date(2026, 11, 2), 11))  # the summary of their dates
    check = pending(family, kind="check", deadline_kind="complaint_response", channel="email").get()
    assert check.send_at == london(date(2026, 12, 2))  # the working day after the reply-by date
    assert not pending(family, kind="reminder", deadline_kind="complaint_response").exists()

    mail.outbox.clear()
    run_dispatch(london(date(2026, 12, 2), 11))
    email = next(m for m in mail.outbox if "complaint" in m.subject.lower())
    assert "The council's reply to your complaint is due by Tuesday 1 December 2026." in email.body
    assert "That date has passed." in email.body
    assert "Ask for the next stage of your complaint" in email.body
    assert "Ombudsman" in email.body
    assert AdviserTask.objects.filter(case=family, kind="check_deadline").exists()


def test_the_reply_arriving_cancels_the_check(family):
    set_date(
        family, "complaint_response_requested", date(2026, 12, 1), at=london(date(2026, 11, 2))
    )
    set_date(
        family, "complaint_response_received", date(2026, 11, 25), at=london(date(2026, 11, 25))
    )
    assert not pending(family, deadline_kind="complaint_response").exists()


# --- from the review of issue 6 ----------------------------------------------------------------


def test_a_late_final_complaint_reply_is_checked_even_after_an_earlier_reply(family):
    """The stage 1 reply (before escalating) must not silence the check on the stage 2 one."""
    set_date(family, "complaint_sent", date(2026, 11, 2), at=london(date(2026, 11, 2)))
    set_date(
        family, "complaint_response_received", date(2026, 11, 10), at=london(date(2026, 11, 10))
    )
    set_date(family, "complaint_escalated", date(2026, 11, 12), at=london(date(2026, 11, 12)))
    stage2 = family.deadlines.get(kind="complaint_stage2_response")
    checks = pending(family, kind="check", deadline_kind="complaint_stage2_response")
    assert {m.channel for m in checks} == {"sms", "email"}
    services.check_tasks_for_passed_dates(today=stage2.due + timedelta(days=3))
    assert AdviserTask.objects.filter(case=family, kind="check_deadline").exists()


def test_on_the_appeal_s_last_day_the_mediation_adviser_date_raises_no_second_alarm(family):
    # Decision 15 January 2026: the adviser's date is Sunday 15 March, the appeal Monday 16.
    set_date(family, "decision_sent", date(2026, 1, 15), at=london(date(2026, 1, 16)))
    at(london(date(2026, 3, 16), 2, 30), workflow_services.deadlines_recompute, case=family)
    assert not pending(family, kind="passed").exists()  # the appeal's reminders carry the step
    # The adviser is told the day the family's own date passes undone (issue 20 part 7).
    assert list(urgent(family).values_list("text", flat=True)) == [
        passed_task_text("mediation_adviser_contact", date(2026, 3, 15))
    ]
    at(london(date(2026, 3, 17), 2, 30), workflow_services.deadlines_recompute, case=family)
    assert {m.deadline_kind for m in pending(family, kind="passed")} == {"appeal"}
    assert urgent(family, APPEAL_TASK).count() == 1
    assert urgent(family).count() == 2


def test_in_august_the_adviser_is_told_when_the_mediation_adviser_date_passes_undone(family):
    """Decision 25 June 2026: the mediation adviser's date is Tuesday 25 August, the appeal's
    raw date falls in August, so it is Tuesday 1 September (r.12(3)(a)). The family's "passed"
    message for the adviser's date waits for the appeal's (due within 7 days), so the adviser's
    urgent task is the only alarm: it comes the day after the date passes undone."""
    set_date(family, "decision_sent", date(2026, 6, 25), at=london(date(2026, 6, 26)))
    appeal = family.deadlines.get(kind="appeal")
    assert appeal.due == date(2026, 9, 1)
    at(london(date(2026, 8, 25), 2, 30), workflow_services.deadlines_recompute, case=family)
    assert not urgent(family).exists()  # the date itself: still open
    at(london(date(2026, 8, 26), 2, 30), workflow_services.deadlines_recompute, case=family)
    assert not pending(family, kind="passed").exists()
    (task,) = urgent(family)
    assert task.text == passed_task_text("mediation_adviser_contact", date(2026, 8, 25))


def test_a_reviewed_translation_is_a_template_file_and_needs_no_code(family, settings, tmp_path):
    """Issue 8: a service adds a language by adding templates under notifications/<code>/."""
    import copy

    folder = tmp_path / "notifications" / "cy" / "sms"
    folder.mkdir(parents=True)
    (folder / "send.txt").write_text("Eich dyddiadau: {{ family_url }}\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    text = next(t for t in templates if t.get("NAME") == "text")
    text["DIRS"] = [tmp_path, *text["DIRS"]]
    settings.TEMPLATES = templates  # the engines are rebuilt from the changed setting
    contact = family.contacts.get()
    type(contact).objects.filter(pk=contact.pk).update(language="cy")
    set_date(family, "decision_sent", date(2026, 12, 31), at=london(date(2026, 12, 31)))
    run_dispatch(london(date(2026, 12, 31), 11))
    assert locmem.outbox[0].body.startswith("Eich dyddiadau: https://sendflow.example.org/f/")
    assert "Your key dates" in mail.outbox[0].subject  # no Welsh email yet: English


# --- who the family is told their adviser is -----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "told"),
    [("Ann", "Patel", "(your adviser is Ann Patel)"), ("", "", None)],
)
def test_a_family_reads_its_adviser_s_name_never_a_login_name(first, last, told):
    adviser = AdviserFactory(username="apatel2", first_name=first, last_name=last)
    case = CaseFactory(reference="SF-9", adviser=adviser)
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    moment = london(date(2026, 12, 1))
    set_date(case, "decision_sent", date(2026, 11, 20), at=moment)
    run_dispatch(moment)
    summary = next(m.body for m in mail.outbox if "Dear Amira Khan" in m.body)
    assert "apatel2" not in summary
    if told:
        assert told in summary
    else:
        assert "your adviser is" not in summary


def test_a_task_raised_before_its_wording_changed_is_not_raised_again(family):
    """notifications/migrations/0015 rewrote the urgent tasks already raised ("The family's
    appeal date, ...") to the new form, which the planner matches: no second task."""
    from tests.moved_models import apps

    step = importlib.import_module("notifications.migrations.0015_passed_task_words")
    set_date(family, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 1), 11))
    task = urgent(family, APPEAL_TASK).get()
    old_form = task.text.replace(
        "Appeal to the SEND Tribunal: the family's date, ", "The family's appeal date, "
    )
    AdviserTask.objects.filter(pk=task.pk).update(text=old_form)

    step.forwards(apps, None)
    at(london(date(2026, 12, 2), 2, 30), workflow_services.deadlines_recompute, case=family)

    assert list(urgent(family, "Appeal").values_list("text", flat=True)) == [task.text]
    assert urgent(family).count() == 2  # and the mediation adviser's date, never rewritten
    # Going back restores the old form, which the older planner matches.
    step.backwards(apps, None)
    assert urgent(family, "The family's appeal date").get().text == old_form


def test_an_urgent_task_names_the_step_as_advisers_read_it(family):
    set_date(family, "decision_sent", date(2026, 9, 15), at=london(date(2026, 12, 1), 11))
    for text in urgent(family).values_list("text", flat=True):
        assert "_" not in text
        assert "appeal date" not in text
