"""Dates a letter gives (the Tribunal's timetable, hearings, meetings): their states and act-by
day, and their messages through the planner: planned, sent, moved, done and passed."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Q

from notifications import rendering, services
from notifications.models import OutboundMessage
from notifications.plan_core import first_allowed, quiet_hours
from notifications.schedule import LONDON
from tests.factories import GivenDateFactory
from tests.helpers import london
from workflows import rules
from workflows import services as workflow_services
from workflows.models import AdviserTask, GivenDate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends", "advice_service")]

Status = OutboundMessage.Status
Kind = OutboundMessage.Kind


def record(case, *, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return workflow_services.given_date_set(case=case, **fields)


def planned(case, **filters):
    """The pending messages about single dates (the summary of every date is tested apart)."""
    return OutboundMessage.objects.filter(case=case, status=Status.PENDING, **filters).exclude(
        kind=Kind.SUMMARY
    )


def send_due(now):
    with time_machine.travel(now, tick=False):
        claimed = services.messages_dispatch(now=now, enqueue=False).claimed
        for message_id in claimed:
            services.message_send(message_id=message_id, now=now)
    # With the rows combined into each send (one message per person, channel and day).
    sent = Q(id__in=claimed) | Q(combined_into__in=claimed)
    return OutboundMessage.objects.filter(sent).exclude(kind=Kind.SUMMARY)


# --- the model: states, act-by day, working --------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "act_by"),
    [
        # The family's own date on a Sunday: aim for the Friday before.
        ("final_evidence", date(2027, 5, 9), date(2027, 5, 7)),
        ("attendance_form", date(2027, 5, 10), date(2027, 5, 10)),
        # A hearing is the day itself, whatever day it is.
        ("hearing", date(2027, 5, 9), date(2027, 5, 9)),
        # What the council owes is due on its date.
        ("la_response", date(2027, 5, 9), date(2027, 5, 9)),
    ],
)
def test_given_date_act_by_is_the_day_itself_for_meetings_and_aims_earlier_for_the_family(
    family, kind, value, act_by
):
    given = GivenDateFactory(case=family, kind=kind, value=value)
    assert given.act_by == act_by


def test_given_date_state_open_passed_and_done(family):
    given = GivenDateFactory(case=family, kind="final_evidence", value=date(2027, 5, 10))
    assert given.state(date(2027, 5, 10)) == rules.State.OPEN
    assert given.state(date(2027, 5, 11)) == rules.State.PASSED
    given.done_on = date(2027, 5, 12)
    assert given.state(date(2027, 5, 11)) == rules.State.PASSED  # not done until that day
    assert given.state(date(2027, 5, 12)) == rules.State.DONE


def test_given_date_owner_defaults_from_its_kind_and_other_needs_a_label(family):
    assert GivenDateFactory(case=family, kind="la_response", value=date(2027, 5, 10)).owner
    given = GivenDate(case=family, kind="hearing", value=date(2027, 5, 10))
    given.full_clean()
    assert given.owner == rules.Owner.PARENT
    with pytest.raises(ValidationError) as error:
        GivenDate(case=family, kind="other", value=date(2027, 5, 10)).full_clean()
    assert "label" in error.value.message_dict


def test_given_date_working_says_which_letter_set_it(family):
    given = GivenDate(
        case=family,
        kind="hearing",
        value=date(2027, 6, 2),
        time=time(10, 30),
        source="Tribunal letter of 12 March 2027",
    )
    assert given.working() == "The Tribunal set this date in its letter of 12 March 2027."
    assert given.date_in_words() == "Wednesday 2 June 2027 at 10:30am"


# --- the planner -----------------------------------------------------------------------------


def test_hearing_gets_a_reminder_the_working_day_before_and_on_the_morning_outside_quiet_hours(
    family,
):
    # Monday 7 June 2027: the working day before is Friday 4 June.
    record(
        family,
        moment=london(date(2027, 4, 1)),
        kind="hearing",
        value=date(2027, 6, 7),
        time=time(10, 0),
        source="Tribunal letter of 12 March 2027",
    )
    rows = planned(family, kind=Kind.REMINDER).order_by("send_at", "channel")
    moments = {(m.channel, m.offset): m.send_at.astimezone(LONDON) for m in rows}
    assert moments == {
        ("email", "1wd"): london(date(2027, 6, 4), 10),
        ("sms", "1wd"): london(date(2027, 6, 4), 10),
        ("email", "0d"): london(date(2027, 6, 7), 8),
        ("sms", "0d"): london(date(2027, 6, 7), 9),  # a text waits for the end of quiet hours
    }
    for message in rows:
        if message.channel == "sms":
            assert not quiet_hours().contains(message.send_at)
        assert message.deadline_id is None
        assert message.deadline_kind == "given:hearing"

    day_before = send_due(london(date(2027, 6, 4), 10, 1)).get(channel="sms")
    assert "Your Tribunal hearing is on Monday 7 June 2027 at 10am. That is in 3 days" in (
        day_before.body
    )
    sent = send_due(london(date(2027, 6, 7), 9, 1))
    text = sent.get(channel="sms")
    assert text.status == Status.SENT
    assert "Your Tribunal hearing is on Monday 7 June 2027 at 10am. That is today." in text.body
    assert "bundle" in text.body  # what to prepare, from templates/notifications/given/
    assert "our calculation" not in text.body  # the Tribunal's date, not ours
    email = sent.get(channel="email")
    assert email.subject == "Tribunal hearing: Monday 7 June 2027 at 10am (today)"
    assert "The Tribunal set this date in its letter of 12 March 2027." in email.body
    assert text.dates_told == {f"given-{text.given_date_id}": "2027-06-07"}


def test_family_own_given_date_counts_down_with_the_appeal_policy(family):
    record(family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 9))
    offsets = set(planned(family, channel="email").values_list("offset", flat=True))
    assert offsets == {"4w", "2w", "1w", "2wd", "0d"}
    # Counted back from the day to act by (Friday 7 May, the date being a Sunday).
    last = planned(family, channel="email", offset="0d").get()
    assert last.send_at == london(date(2027, 5, 7))


def test_date_others_owe_gets_a_check_the_working_day_after_and_a_task(family):
    record(family, moment=london(date(2027, 3, 15)), kind="la_response", value=date(2027, 4, 30))
    check = planned(family, channel="email").get()
    assert (check.kind, check.offset) == (Kind.CHECK, "+1wd")
    assert check.send_at == london(date(2027, 5, 4))  # Monday 3 May 2027 is a bank holiday
    send_due(london(date(2027, 5, 4), 10, 1))
    task = AdviserTask.objects.get(case=family, kind=AdviserTask.Kind.CHECK_DEADLINE)
    assert "respon" in task.text


def test_moved_given_date_cancels_its_old_reminders_and_tells_the_family(family):
    given = record(
        family, moment=london(date(2027, 3, 15)), kind="attendance_form", value=date(2027, 5, 10)
    )
    # The 4-week reminder goes on Monday 12 April 2027.
    sent = send_due(london(date(2027, 4, 12), 10, 1))
    assert {m.offset for m in sent} == {"4w"}
    assert "Your attendance form must reach the Tribunal by Monday 10 May 2027" in sent[0].body

    # A later letter moves it.
    record(
        family,
        moment=london(date(2027, 4, 14), 11),
        given_date=given,
        kind="attendance_form",
        value=date(2027, 5, 24),
        source="Tribunal letter of 13 April 2027",
    )
    old = OutboundMessage.objects.filter(case=family, due_date=date(2027, 5, 10), offset="2w")
    assert {m.status for m in old} == {Status.CANCELLED}
    assert {m.status_reason for m in old} == {"the date moved to 2027-05-24"}
    changed = planned(family, kind=Kind.DATE_CHANGED)
    assert {m.channel for m in changed} == {"sms", "email"}
    assert {m.due_date for m in changed} == {date(2027, 5, 24)}
    sent = send_due(london(date(2027, 4, 14), 11, 1))
    text = sent.get(channel="sms")
    assert "Date changed: Attendance form to the Tribunal is now Monday 24 May 2027" in text.body
    # And the countdown starts again for the new date.
    assert planned(family, kind=Kind.REMINDER, due_date=date(2027, 5, 24)).exists()


def test_given_date_marked_done_stops_its_reminders(family):
    given = record(
        family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 10)
    )
    assert planned(family).exists()
    with time_machine.travel(london(date(2027, 4, 20)), tick=False):
        workflow_services.given_date_done(given_date=given, done_on=date(2027, 4, 20))
    assert not planned(family, given_date=given).exists()
    reasons = set(
        OutboundMessage.objects.filter(given_date=given, status=Status.CANCELLED).values_list(
            "status_reason", flat=True
        )
    )
    assert reasons == {"step done: marked done on Tuesday 20 April 2027"}


def test_passed_given_date_gets_no_more_reminders(family):
    given = record(
        family, moment=london(date(2027, 3, 15)), kind="hearing", value=date(2027, 5, 10)
    )
    with time_machine.travel(london(date(2027, 5, 11)), tick=False):
        assert given.state(date(2027, 5, 11)) == rules.State.PASSED
        workflow_services.case_replan(case=family)
    # The morning reminder went out of date unsent (the worker was down): it is not sent late.
    assert not planned(family, given_date=given, send_at__gte=london(date(2027, 5, 11))).exists()
    sent = send_due(london(date(2027, 5, 11), 10))
    assert not sent.exists()


def test_a_family_s_own_given_date_that_passes_undone_is_said_once_and_tasks_the_adviser(family):
    given = record(
        family,
        moment=london(date(2027, 3, 15)),
        kind="final_evidence",
        value=date(2027, 5, 10),
        source="Tribunal letter of 12 March 2027",
    )
    # The day after, the nightly replan: one "has passed" message per channel, and the adviser
    # is asked to act today.
    for _ in range(2):  # however often the planner runs
        with time_machine.travel(london(date(2027, 5, 11), 2, 30), tick=False):
            workflow_services.case_replan(case=family)
    passed = planned(family, given_date=given, kind=Kind.PASSED)
    assert {m.channel for m in passed} == {"sms", "email"}
    tasks = AdviserTask.objects.filter(case=family, kind=AdviserTask.Kind.DEADLINE_PASSED)
    assert [t.text[:70] for t in tasks] == [
        "The family's date from a letter, Final evidence to the Tribunal (Monda"
    ]
    # The welcome summary went long ago (this test never sent it): the notice goes on its own.
    OutboundMessage.objects.filter(case=family, kind=Kind.SUMMARY).delete()
    sent = send_due(london(date(2027, 5, 11), 10, 1))
    email = sent.get(channel="email")
    assert "Final evidence to the Tribunal: the date was Monday 10 May 2027, and it has passed" in (
        email.body
    )
    assert "The Tribunal set this date in its letter" in email.body
    assert "our calculation" not in email.body
    assert "our calculation" not in sent.get(channel="sms").body


def test_the_same_date_given_twice_makes_one_task_when_it_passes(family):
    for _ in range(2):  # recorded twice (two letters, the same date)
        record(
            family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 10)
        )
    with time_machine.travel(london(date(2027, 5, 11), 2, 30), tick=False):
        workflow_services.case_replan(case=family)
    assert (
        AdviserTask.objects.filter(case=family, kind=AdviserTask.Kind.DEADLINE_PASSED).count() == 1
    )


def test_a_passed_meeting_or_a_done_given_date_is_not_said_as_passed(family):
    hearing = record(
        family, moment=london(date(2027, 3, 15)), kind="hearing", value=date(2027, 5, 10)
    )
    evidence = record(
        family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 7)
    )
    with time_machine.travel(london(date(2027, 5, 6)), tick=False):
        workflow_services.given_date_done(given_date=evidence, done_on=date(2027, 5, 6))
    with time_machine.travel(london(date(2027, 5, 11), 2, 30), tick=False):
        workflow_services.case_replan(case=family)
    assert not planned(family, kind=Kind.PASSED).exists()
    assert not AdviserTask.objects.filter(case=family, kind=AdviserTask.Kind.DEADLINE_PASSED)
    assert hearing.pk  # the meeting has simply been


def test_every_given_kind_renders_its_reminder_within_three_texts(family):
    for kind in GivenDate.Kind:
        given = GivenDate.objects.create(
            case=family,
            kind=kind,
            label="Case management hearing by phone",
            value=date(2027, 6, 7),
            time=time(14, 30),
        )
        message = OutboundMessage(
            case=family,
            contact=family.contacts.get(),
            given_date=given,
            deadline_kind=given.message_kind,
            kind=Kind.REMINDER,
            channel="sms",
            offset="1wd",
            due_date=given.value,
            send_at=london(date(2027, 6, 4)),
        )
        rendered = rendering.render_send([message], now=london(date(2027, 6, 4)))
        assert rendered.segments <= 2, (kind, rendered.body)
        assert "{" not in rendered.body
    assert first_allowed("email", london(date(2027, 6, 7), 8)) == london(date(2027, 6, 7), 8)


def test_after_downtime_only_the_hearings_morning_reminder_goes(family):
    record(family, moment=london(date(2027, 4, 1)), kind="hearing", value=date(2027, 6, 7))
    # Nothing was dispatched on Friday 4 June: on Monday morning both are due.
    sent = send_due(london(date(2027, 6, 7), 9, 1))
    assert {(m.channel, m.offset) for m in sent} == {("sms", "0d"), ("email", "0d")}
    superseded = OutboundMessage.objects.filter(case=family, status=Status.SUPERSEDED)
    assert {(m.channel, m.offset) for m in superseded} == {("sms", "1wd"), ("email", "1wd")}
