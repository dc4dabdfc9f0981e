"""What one family receives from the council's decision to the appeal's last day, day by day,
under a moved clock (scripts/messages_over_an_appeal.py prints the same from the file backends)."""

from collections import Counter
from datetime import date, time, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import gsm, services
from notifications.backends import locmem
from notifications.schedule import local_instant
from notifications.tasks import deadlines_recompute_all_task
from tests.factories import CaseFactory, ContactFactory
from workflows import services as workflow_services

pytestmark = pytest.mark.django_db

DECISION = date(2027, 1, 4)  # Monday 4 January 2027


@pytest.fixture(autouse=True)
def _realistic(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SENDFLOW_PUBLIC_URL = "https://sendiass.example.org"
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_QUIET_HOURS = "20:00-09:00"
    locmem.outbox.clear()


def whole_appeal(*, certificate: bool) -> list[tuple[date, str, str]]:
    """(day, channel, text) of everything sent, dispatching at noon each day after the nightly
    run, until the appeal's date."""
    case = CaseFactory(reference="SF-APPEAL")
    ContactFactory(case=case, name="Sam Parent", email="sam@example.com")  # texts and emails
    with time_machine.travel(local_instant(DECISION, time(9)), tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=DECISION)
    sent: list[tuple[date, str, str]] = []
    day = DECISION
    while day <= case.deadlines.get(kind="appeal").effective_due:
        if day != DECISION:
            with time_machine.travel(local_instant(day, time(2, 30)), tick=False):
                deadlines_recompute_all_task()
        if certificate and day in (date(2027, 1, 20), date(2027, 2, 10)):
            event = "mediation_adviser_contacted" if day.day == 20 else "certificate_issued"
            with time_machine.travel(local_instant(day, time(11)), tick=False):
                workflow_services.key_date_set(case=case, event=event, value=day)
        noon = local_instant(day, time(12))
        with time_machine.travel(noon, tick=False):
            for message_id in services.messages_dispatch(now=noon, enqueue=False).claimed:
                services.message_send(message_id=message_id, now=noon)
        sent += [(day, "sms", m.body) for m in locmem.outbox]
        sent += [(day, "email", m.body) for m in mail.outbox]
        locmem.outbox.clear()
        mail.outbox.clear()
        day += timedelta(days=1)
    return sent


@pytest.mark.parametrize(
    ("certificate", "texts", "segments"),
    [(False, 6, 12), (True, 7, 14)],
    ids=["no-certificate", "certificate"],
)
def test_a_family_gets_one_short_text_and_one_email_a_day_at_most(certificate, texts, segments):
    sent = whole_appeal(certificate=certificate)
    per_day = Counter((day, channel) for day, channel, _ in sent)
    assert max(per_day.values()) == 1
    bodies = [body for _, channel, body in sent if channel == "sms"]
    assert all(gsm.segments(body) <= 2 for body in bodies)
    assert all(gsm.is_gsm7(body) for body in bodies)
    # Issue 18's ceiling is 14 segments over the whole appeal (33 before).
    assert (len(bodies), sum(gsm.segments(b) for b in bodies)) == (texts, segments)
    assert len([1 for _, channel, _ in sent if channel == "email"]) == texts


def test_on_a_day_both_fall_due_the_mediation_adviser_comes_before_the_appeal():
    sent = whole_appeal(certificate=False)
    both = [body for _, _, body in sent if "mediation adviser" in body and "Tribunal" in body]
    assert len(both) == 12  # every text and email: the two dates fall on the same days
    for body in both:
        assert body.index("mediation adviser") < body.index("SEND Tribunal")


def test_the_last_day_says_how_to_act_today_never_send_it_early():
    sent = whole_appeal(certificate=True)
    last_day, _, text = sent[-2]
    assert last_day == date(2027, 3, 10)
    assert "Appeal to the SEND Tribunal: today is the last day." in text
    assert "by email or online, before 5pm" in text
    assert all("Send it early" not in body for day, _, body in sent if day == last_day)
