"""The outbox holds the next ten weeks (plan_core.PLAN_AHEAD): messages further ahead are worked
out on every run, shown to the family and the adviser, and written by the nightly recompute in
time. Nothing a family would get is lost or late for it."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework import family
from notifications import plan_core, planner, services
from notifications.models import OutboundMessage
from notifications.schedule import LONDON
from tests.factories import CaseFactory, ContactFactory
from workflows import services as workflow_services
from workflows.models import Case

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
RECORDED = datetime(2027, 1, 4, 10, 0, tzinfo=LONDON)  # a Monday
HEARING = date(2027, 6, 8)  # 22 weeks on: its reminders are far ahead


def far_case(reference: str) -> Case:
    """A decision today (its appeal two months on, within the outbox's reach) and a Tribunal
    timetable months ahead (beyond it), for a parent on text and email."""
    case = CaseFactory(reference=reference)
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    letter = "Tribunal letter of 1 January 2027"
    with time_machine.travel(RECORDED, tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=RECORDED.date())
        workflow_services.given_date_set(
            case=case, kind="final_evidence", value=date(2027, 5, 21), source=letter
        )
        workflow_services.given_date_set(
            case=case, kind="hearing", value=HEARING, time=time(10, 0), source=letter
        )
    return case


def plan_of(messages) -> set[tuple]:
    return {(m.deadline_kind, m.kind, m.offset, m.channel, m.due_date, m.send_at) for m in messages}


def test_far_messages_are_not_rows_yet_but_nothing_is_missing_from_the_plan(monkeypatch):
    case = far_case("SF-NEAR")
    rows = OutboundMessage.objects.filter(case=case, status=Status.PENDING)
    ahead = planner.messages_ahead(case=case, now=RECORDED)
    last_day = RECORDED.date() + plan_core.PLAN_AHEAD  # 15 March: ten weeks on
    assert rows
    assert ahead
    assert max(timezone.localdate(m.send_at) for m in rows) <= last_day
    assert min(timezone.localdate(m.send_at) for m in ahead) > last_day
    assert {m.deadline_kind for m in ahead} == {"given:hearing", "given:final_evidence"}
    assert [m.send_at for m in ahead] == sorted(m.send_at for m in ahead)  # soonest first

    # With no horizon, the same case plans exactly the rows and those further ahead.
    monkeypatch.setattr(plan_core, "PLAN_AHEAD", timedelta(days=3650))
    everything = far_case("SF-ALL")
    assert plan_of(rows) | plan_of(ahead) == plan_of(everything.messages.all())
    assert planner.messages_ahead(case=everything, now=RECORDED) == []


def test_a_row_already_planned_further_ahead_is_kept_not_cancelled(monkeypatch):
    monkeypatch.setattr(plan_core, "PLAN_AHEAD", timedelta(days=3650))
    case = far_case("SF-OLD")  # as planned before the outbox had a horizon
    monkeypatch.undo()
    before = plan_of(case.messages.filter(status=Status.PENDING))
    a_day_on = RECORDED + timedelta(days=1)
    with time_machine.travel(a_day_on, tick=False):
        workflow_services.deadlines_recompute_open_cases()
    assert plan_of(case.messages.filter(status=Status.PENDING)) == before
    assert planner.messages_ahead(case=case, now=a_day_on) == []


def simulate(case: Case, until: date) -> list[OutboundMessage]:
    """Every night at 02:30 the recompute, every day at noon a dispatch that sends what is due:
    as beat would run them. Returns the case's messages sent, in order."""
    day = RECORDED.date() + timedelta(days=1)
    while day <= until:
        with time_machine.travel(datetime.combine(day, time(2, 30), LONDON), tick=False):
            workflow_services.deadlines_recompute_open_cases()
        noon = datetime.combine(day, time(12, 0), LONDON)
        with time_machine.travel(noon, tick=False):
            for message_id in services.messages_dispatch(now=noon, enqueue=False).claimed:
                services.message_send(message_id=message_id, now=noon)
        day += timedelta(days=1)
    return list(case.messages.filter(status=Status.SENT).order_by("send_at", "id"))


@pytest.mark.slow
def test_the_nightly_recompute_writes_each_far_message_weeks_before_it_goes(monkeypatch):
    # What a case with no horizon sends, night by night to the day after the hearing...
    monkeypatch.setattr(plan_core, "PLAN_AHEAD", timedelta(days=3650))
    unbounded = far_case("SF-ALL")
    # The hearing's reminders are rows at once: the reference really has no horizon.
    assert unbounded.messages.filter(deadline_kind="given:hearing").exists()
    reference = simulate(unbounded, until=HEARING + timedelta(days=1))
    monkeypatch.undo()
    Case.objects.filter(reference="SF-ALL").update(status=Case.Status.CLOSED)

    # ...is what a case sends with it, each message written weeks before it went.
    case = far_case("SF-NEAR")
    sent = simulate(case, until=HEARING + timedelta(days=1))
    assert plan_of(sent) == plan_of(reference)
    hearing = [m for m in sent if m.deadline_kind == "given:hearing"]
    assert {(m.offset, m.channel) for m in hearing} >= {("0d", "sms"), ("0d", "email")}
    # Reminders and checks are written weeks ahead; a "passed" message is written when the date
    # passes, with or without the horizon.
    for message in (m for m in sent if m.kind in (m.Kind.REMINDER, m.Kind.CHECK)):
        written_ahead = message.send_at - message.created_at
        assert written_ahead >= min(plan_core.PLAN_AHEAD, message.send_at - RECORDED), (
            message.deadline_kind,
            message.offset,
            message.created_at,
        )


def test_the_family_and_the_adviser_see_the_messages_further_ahead(client, adviser):
    case = far_case("SF-SHOWN")
    with time_machine.travel(RECORDED, tick=False):
        shown = family.planned_messages(case, limit=50)
        client.force_login(adviser)
        page = client.get(reverse("admin:workflows_case_change", args=[case.pk])).content.decode()
    hearing_day = [p for p in shown if p.day == HEARING]
    assert {(p.about, p.channel) for p in hearing_day} == {
        ("Reminder: Tribunal hearing", "Text"),
        ("Reminder: Tribunal hearing", "Email"),
    }
    assert [p.day for p in shown] == sorted(p.day for p in shown)
    # The soonest ten, latest first: final evidence's day (21 May) joins on 12 March, ten weeks
    # before; the hearing's four are counted above them.
    assert "Further ahead: goes into the outbox on Fri 12 Mar 2027" in page
    assert "And 4 more further ahead, after these" in page
    assert page.count('class="message-ahead"') == 11


def test_a_message_joins_the_outbox_on_the_night_its_day_comes_within_ten_weeks():
    case = far_case("SF-NIGHT")
    morning = ("given:hearing", "0d", "email")
    key = lambda m: (m.deadline_kind, m.offset, m.channel)  # noqa: E731
    [ahead] = [m for m in planner.messages_ahead(case=case, now=RECORDED) if key(m) == morning]
    assert plan_core.joins_outbox(ahead.send_at) == date(2027, 3, 30)
    for night, written in ((date(2027, 3, 29), False), (date(2027, 3, 30), True)):
        with time_machine.travel(datetime.combine(night, time(2, 30), LONDON), tick=False):
            workflow_services.deadlines_recompute_open_cases()
        rows = case.messages.filter(status=Status.PENDING)
        assert any(key(m) == morning for m in rows) is written, night
    row = next(m for m in case.messages.filter(status=Status.PENDING) if key(m) == morning)
    assert row.send_at == ahead.send_at


def test_a_case_whose_dates_were_refused_still_gets_its_far_messages_written(monkeypatch):
    """The nightly run plans every open case from its stored deadlines, even one whose key
    dates the rules refuse tonight (its deadlines are left as they were)."""
    case = far_case("SF-REFUSED")
    morning = case.messages.filter(deadline_kind="given:hearing", offset="0d")
    assert not morning.exists()

    def refuse(facts):
        raise workflow_services.rules.FactsError("The dates contradict each other.")

    monkeypatch.setattr(workflow_services.rules, "compute_deadlines", refuse)
    with time_machine.travel(datetime(2027, 3, 30, 2, 30, tzinfo=LONDON), tick=False):
        failures = workflow_services.deadlines_recompute_many(case_ids=[case.pk])
    assert failures == {case.pk: "The dates contradict each other."}
    assert morning.exists()


def test_between_midnight_and_the_nightly_run_a_message_due_to_join_is_still_shown(client, adviser):
    """On 30 March the hearing's morning reminder comes within reach at midnight; until the
    nightly run writes it at 02:30 it is in neither the outbox nor "further ahead" by date."""
    case = far_case("SF-MIDNIGHT")
    just_after_midnight = datetime(2027, 3, 30, 0, 30, tzinfo=LONDON)
    with time_machine.travel(just_after_midnight, tick=False):
        ahead = planner.messages_ahead(case=case)
        client.force_login(adviser)
        page = client.get(reverse("admin:workflows_case_change", args=[case.pk])).content.decode()
    morning = [m for m in ahead if (m.deadline_kind, m.offset) == ("given:hearing", "0d")]
    assert {m.channel for m in morning} == {"sms", "email"}
    assert not case.messages.filter(deadline_kind="given:hearing", offset="0d").exists()
    assert "Not in the outbox yet: goes in at the next nightly run" in page


def test_a_batch_skips_far_moments_only_where_it_changes_nothing():
    """The batch planner does not work out the moments of a far deadline with no rows (only
    messages_ahead needs them): what it writes, cancels and brings back is the same."""
    case = CaseFactory(reference="SF-EHC")
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    with time_machine.travel(RECORDED, tick=False):
        # The council's final plan is due 20 weeks after the request: a check far ahead.
        workflow_services.key_date_set(
            case=case, event="ehc_request_received", value=RECORDED.date()
        )
    inputs = planner._inputs([case.pk], lock=False)
    later = datetime(2027, 1, 5, 2, 30, tzinfo=LONDON)
    (full,) = planner._case_plans(inputs, now=later, later_too=True)
    (batch,) = planner._case_plans(inputs, now=later)
    assert any(key[4] == "check" for key, _, _ in full.later)  # the final plan's, far ahead
    assert batch.later == []
    assert (batch.to_create, dict(batch.cancel), batch.reactivate) == (
        full.to_create,
        dict(full.cancel),
        full.reactivate,
    )
