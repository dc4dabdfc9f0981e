"""One message per person, per channel, per London day (DESIGN.md, "Messages")."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import gsm, services
from notifications.backends import locmem
from notifications.backends.base import SendError
from notifications.backends.twilio_sms import TwilioBackend
from notifications.models import OutboundMessage, Suppression
from tests.factories import CaseFactory, ContactFactory
from tests.helpers import london, set_date
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status
DECISION = date(2027, 1, 4)  # both the mediation adviser and the appeal: Thursday 4 March 2027
FOUR_WEEKS = date(2027, 2, 4)


@pytest.fixture
def family(family):
    """A parent on text and email, whose welcome summary has gone."""
    set_date(family, "decision_sent", DECISION, at=london(DECISION, 11))
    run_dispatch(london(DECISION, 11))
    locmem.outbox.clear()
    mail.outbox.clear()
    return family


def run_dispatch(now):
    dispatch = services.messages_dispatch(now=now, enqueue=False)
    return {mid: services.message_send(message_id=mid, now=now) for mid in dispatch.claimed}


def rows(case, day, **filters):
    start = london(day, 0)
    return OutboundMessage.objects.filter(
        case=case, send_at__gte=start, send_at__lt=start + timedelta(days=1), **filters
    ).order_by("id")


def test_two_dates_due_the_same_day_go_as_one_text_and_one_email(family):
    run_dispatch(london(FOUR_WEEKS, 10, 1))

    (text,) = locmem.outbox
    assert text.body.index("Contact the mediation adviser by Thursday 4 March 2027") < (
        text.body.index("Then the appeal to the SEND Tribunal, the same day")
    )
    assert gsm.segments(text.body) <= 2
    (email,) = mail.outbox
    assert email.subject == "2 things to do by Thursday 4 March 2027"
    # Each reminder keeps its row: sent, sharing the one send and its provider id.
    for channel in ("sms", "email"):
        mediation, appeal = rows(family, FOUR_WEEKS, channel=channel, kind="reminder")
        lead, rider = sorted([mediation, appeal], key=lambda m: m.combined_into_id or 0)
        assert (lead.status, rider.status) == (Status.SENT, Status.SENT)
        assert rider.combined_into_id == lead.id
        assert lead.provider_id
        assert not rider.provider_id
        assert rider.body == lead.body
        assert rider.dates_told == {rider.deadline_kind: "2027-03-04"}


def test_a_delivery_report_for_the_send_reaches_every_row_in_it(family):
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    lead = OutboundMessage.objects.get(
        case=family, channel="sms", status=Status.SENT, combined_into=None, kind="reminder"
    )
    services.message_status_from_provider(
        message_id=lead.id,
        provider_id=lead.provider_id,
        receipt=TwilioBackend.read_receipt(provider_status="delivered"),
    )
    texts = rows(family, FOUR_WEEKS, channel="sms")
    assert {m.status for m in texts} == {Status.DELIVERED}


def test_a_reminder_whose_step_was_done_since_the_claim_drops_out_and_the_rest_goes(family):
    dispatch = services.messages_dispatch(now=london(FOUR_WEEKS, 10, 1), enqueue=False)
    # The family contacted the mediation adviser between the claim and the send.
    with time_machine.travel(london(FOUR_WEEKS, 10, 1), tick=False):
        workflow_services.key_date_set(
            case=family, event="mediation_adviser_contacted", value=FOUR_WEEKS
        )
    for message_id in dispatch.claimed:
        services.message_send(message_id=message_id, now=london(FOUR_WEEKS, 10, 2))

    (text,) = locmem.outbox
    assert "mediation adviser by" not in text.body
    assert "Appeal to the SEND Tribunal by Thursday 4 March 2027 (in 4 weeks)." in text.body
    mediation = rows(family, FOUR_WEEKS, channel="sms", deadline_kind="mediation_adviser_contact")
    (cancelled,) = mediation
    assert cancelled.status == Status.CANCELLED
    assert cancelled.status_reason.startswith("step done")
    assert cancelled.combined_into_id is None


def test_a_send_that_fails_for_now_is_retried_as_one_message(family, monkeypatch):
    from notifications.backends.locmem import LocmemSMSBackend

    real_send = LocmemSMSBackend.send

    def down(self, **kwargs):
        raise SendError("Twilio 503")

    monkeypatch.setattr(LocmemSMSBackend, "send", down)
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    texts = rows(family, FOUR_WEEKS, channel="sms")
    assert {m.status for m in texts} == {Status.PENDING}
    assert {m.combined_into_id for m in texts} == {None}
    retry_at = max(m.send_at for m in texts)

    monkeypatch.setattr(LocmemSMSBackend, "send", real_send)
    run_dispatch(retry_at)
    (text,) = locmem.outbox
    assert "mediation adviser" in text.body
    assert "SEND Tribunal" in text.body
    assert {m.status for m in rows(family, FOUR_WEEKS, channel="sms")} == {Status.SENT}


def test_a_send_that_fails_for_good_fails_every_row_and_tells_the_adviser_once(family, monkeypatch):
    from notifications.backends.locmem import LocmemSMSBackend

    def refused(self, **kwargs):
        raise SendError("The 'To' number is not valid", permanent=True)

    monkeypatch.setattr(LocmemSMSBackend, "send", refused)
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    assert {m.status for m in rows(family, FOUR_WEEKS, channel="sms")} == {Status.FAILED}
    (task,) = AdviserTask.objects.filter(case=family, kind=AdviserTask.Kind.DELIVERY_FAILED)
    assert "2 dates in one message" in task.text
    assert "Contact the mediation adviser" in task.text
    assert "Appeal to the SEND" in task.text
    # The email went anyway, as one.
    assert len(mail.outbox) == 1


def test_texts_held_by_quiet_hours_go_together_in_the_morning(family):
    evening = london(FOUR_WEEKS, 21)
    with time_machine.travel(evening, tick=False):
        OutboundMessage.objects.filter(case=family, status=Status.PENDING).filter(
            send_at__date=london(FOUR_WEEKS).date()
        ).update(send_at=evening)
    texts = list(rows(family, FOUR_WEEKS, channel="sms").values_list("id", flat=True))
    run_dispatch(evening)
    assert locmem.outbox == []
    assert len(mail.outbox) == 1  # emails have no quiet hours
    held = OutboundMessage.objects.filter(id__in=texts)
    assert {(m.status, m.status_reason, m.send_at) for m in held} == {
        (Status.PENDING, "held for quiet hours", london(FOUR_WEEKS + timedelta(days=1), 9))
    }

    run_dispatch(london(FOUR_WEEKS + timedelta(days=1), 9, 1))
    (text,) = locmem.outbox
    assert "mediation adviser" in text.body
    assert "SEND Tribunal" in text.body


def test_a_stopped_channel_stops_every_row_and_the_other_channel_still_goes(family):
    Suppression.objects.create(channel="sms", address="+447400123456", reason="stop_reply")
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    assert locmem.outbox == []
    assert {m.status for m in rows(family, FOUR_WEEKS, channel="sms")} == {Status.SUPPRESSED}
    assert len(mail.outbox) == 1


def test_a_message_that_comes_due_after_the_days_message_waits_for_the_next_morning(family):
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    assert len(locmem.outbox) == 1
    # That afternoon the adviser corrects the decision date: both dates move to Monday 8 March,
    # a month away, so the news waits for tomorrow's message.
    afternoon = london(FOUR_WEEKS, 15)
    with time_machine.travel(afternoon, tick=False):
        workflow_services.key_date_set(case=family, event="decision_sent", value=date(2027, 1, 8))
    waiting = OutboundMessage.objects.filter(
        case=family, status=Status.PENDING, kind="date_changed", channel="sms"
    )
    assert waiting.count() == 2
    run_dispatch(afternoon)
    assert len(locmem.outbox) == 1
    tomorrow = london(FOUR_WEEKS + timedelta(days=1))
    assert set(
        OutboundMessage.objects.filter(id__in=list(waiting.values_list("id", flat=True)))
        .values_list("status", "send_at", "status_reason")
        .distinct()
    ) == {(Status.PENDING, tomorrow, "waits for tomorrow's message: one message a day")}


def test_a_countdown_reminder_due_tomorrow_comes_with_todays_message(family):
    """Neighbouring days for one person: one message, never later than planned."""
    with time_machine.travel(london(FOUR_WEEKS, 9), tick=False):
        workflow_services.given_date_set(
            case=family,
            kind="final_evidence",
            value=date(2027, 3, 5) + timedelta(days=28),  # its 4-week reminder: 5 March
            source="Tribunal letter of 3 February 2027",
        )
    reminder_tomorrow = OutboundMessage.objects.get(
        case=family,
        channel="sms",
        kind="reminder",
        offset="4w",
        deadline_kind="given:final_evidence",
    )
    # Brought forward to the day the appeal's 1-week reminders go (Thursday 25 February).
    day = date(2027, 2, 25)
    OutboundMessage.objects.filter(
        case=family, kind="reminder", offset="4w", deadline_kind="given:final_evidence"
    ).update(send_at=london(day + timedelta(days=1)))
    run_dispatch(london(day, 10, 1))
    (text,) = locmem.outbox
    assert "And 1 more on your page." in text.body  # the soonest two fit
    (email,) = mail.outbox
    assert "3. Final evidence to the Tribunal by Friday 2 April 2027 (in 36 days)." in email.body
    reminder_tomorrow.refresh_from_db()
    assert reminder_tomorrow.status == Status.SENT
    assert run_dispatch(london(day + timedelta(days=1), 10, 1)) == {}


def test_an_unknown_outcome_settles_every_row_of_the_send(family, monkeypatch):
    from notifications.backends.locmem import LocmemSMSBackend

    def timed_out(self, **kwargs):
        raise SendError("read timeout", ambiguous=True)

    monkeypatch.setattr(LocmemSMSBackend, "send", timed_out)
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    texts = rows(family, FOUR_WEEKS, channel="sms")
    assert {m.status for m in texts} == {Status.UNKNOWN}
    # The provider has no record: both go again, as one text.
    monkeypatch.undo()
    result = services.messages_sweep(now=london(FOUR_WEEKS, 10, 30))
    assert result.resent == 1
    run_dispatch(london(FOUR_WEEKS, 10, 31))
    (text,) = locmem.outbox
    assert "mediation adviser" in text.body
    assert "SEND Tribunal" in text.body
    assert {m.status for m in rows(family, FOUR_WEEKS, channel="sms")} == {Status.SENT}


def test_a_summary_with_no_open_dates_is_not_sent():
    case = CaseFactory(reference="SF-DONE")
    ContactFactory(case=case, name="Ben Jones", email="ben@example.com")
    moment = london(date(2027, 3, 1), 11)
    with time_machine.travel(moment, tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=DECISION)
        workflow_services.key_date_set(
            case=case, event="certificate_issued", value=date(2027, 2, 1)
        )
        workflow_services.key_date_set(case=case, event="appeal_submitted", value=date(2027, 2, 20))
    run_dispatch(moment)
    assert locmem.outbox == []
    assert mail.outbox == []
    summaries = OutboundMessage.objects.filter(case=case, kind="summary")
    assert {(m.status, m.status_reason) for m in summaries} == {
        (Status.CANCELLED, "nothing to tell: every step is done")
    }


def test_a_date_the_council_owed_says_it_passed_and_how_to_reach_its_sen_team():
    from workflows.models import LocalAuthority

    council = LocalAuthority.objects.create(
        name="Exampleshire County Council", sen_team_phone="01632 960000"
    )
    family = CaseFactory(reference="SF-OWED", council=council)
    ContactFactory(case=family, name="Amira Khan", email="amira@example.com")
    with time_machine.travel(london(date(2027, 3, 15)), tick=False):
        workflow_services.given_date_set(
            case=family,
            kind="la_response",
            value=date(2027, 4, 30),
            source="Tribunal letter of 12 March 2027",
        )
    OutboundMessage.objects.filter(case=family, kind="summary").delete()  # not this test's
    run_dispatch(london(date(2027, 5, 4), 10, 1))  # the working day after (3 May: bank holiday)
    (text,) = locmem.outbox
    assert (
        "The Tribunal told the council to send its response to your appeal by Friday 30 April"
        in (text.body)
    )
    assert "Exampleshire County Council SEN team: 01632 960000." in text.body
    (email,) = mail.outbox
    assert "Exampleshire County Council SEN team: 01632 960000." in email.body


def test_a_passed_date_told_on_a_saturday_names_the_day_the_service_next_answers():
    case = CaseFactory(reference="SF-WEEKEND")
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    decision = date(2027, 1, 5)  # the appeal: Friday 5 March 2027
    with time_machine.travel(london(decision, 11), tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=decision)
    saturday = date(2027, 3, 6)
    with time_machine.travel(london(saturday, 2, 30), tick=False):
        workflow_services.deadlines_recompute(case=case)
    # Only the "has passed" notices: the summary and the countdown went long ago.
    OutboundMessage.objects.filter(case=case).exclude(kind="passed").delete()
    run_dispatch(london(saturday, 10, 1))
    (text,) = locmem.outbox
    assert "Appeal to the SEND Tribunal: Friday 5 March 2027 has passed." in text.body
    assert "Contact your adviser on Monday 8 March 2027." in text.body
    assert "today" not in text.body
    (email,) = mail.outbox
    assert "contact your adviser on Monday 8 March 2027" in email.body
