"""The email that goes in place of a text says why, in the family's words, near the top; and
when there is no email address the adviser is told, in the adviser's voice."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from notifications import rendering, services
from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_notify import Reply
from tests.notifications.test_notify_webhooks import from_notify, receipt, sent_text
from tests.notifications.test_twilio_backend import planned_appeal_text
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
CHARACTERS = (
    "We could not send this as a text message because it contains characters our text "
    "service cannot send, so we have emailed it instead."
)
NUMBER = (
    "We could not send this as a text message to the mobile number we have for you, so we "
    "have emailed it instead."
)
ANY = "We could not send this as a text message, so we have emailed it instead."


def send(message, now):
    status = services.message_send(message_id=message.id, now=now)
    message.refresh_from_db()
    return status


def the_email_in_its_place(notify, text, now):
    """Send the email the planner queued in place of `text`; what Notify was asked to send."""
    fallback = OutboundMessage.objects.get(case=text.case, kind=OutboundMessage.Kind.FALLBACK)
    assert fallback.channel == "email"
    OutboundMessage.objects.filter(id=fallback.id).update(status=Status.QUEUED, queued_at=now)
    assert send(fallback, now) == Status.SENT
    (email,) = [n for n in notify.notifications if n.type == "email"]
    return email.personalisation["subject"], email.personalisation["body"]


def opening(body: str) -> list[str]:
    """The email's first paragraphs after its greeting."""
    return [p.strip() for p in re.split(r"\n\s*\n", body)][1:3]


def test_a_text_notify_cannot_send_goes_by_email_saying_why(notify, settings):
    # A Welsh service name: "ŵ" is not a GSM character, and Notify sends texts in GSM only.
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Gwasanaeth Cefnogi SEND Caerdydd a'r Fro ŵ"
    text = planned_appeal_text(wants_email=False, email="amira@example.com")

    assert send(text, text.send_at) == Status.FAILED
    assert notify.sends == []

    subject, body = the_email_in_its_place(notify, text, text.send_at + timedelta(seconds=1))
    assert body.startswith("Dear ")
    assert opening(body)[0] == CHARACTERS
    assert body.count("text message") == 1
    task = AdviserTask.objects.get(message=text)
    assert "The words of the text were the problem, not the family's details." in task.text
    assert "Check the contact details" not in task.text
    assert "queued to go by email to amira@example.com instead" in task.text


def test_a_number_that_cannot_take_texts_goes_by_email_saying_so(notify):
    text = planned_appeal_text(wants_email=False, email="amira@example.com")
    notify.queue(Reply.BAD_NUMBER)

    assert send(text, text.send_at) == Status.FAILED

    _, body = the_email_in_its_place(notify, text, text.send_at + timedelta(seconds=1))
    assert opening(body)[0].startswith(NUMBER)
    assert "If your number has changed, please let us know." in opening(body)[0]


def test_a_text_that_failed_on_the_way_goes_by_email_saying_only_that_it_could_not_go(
    client, notify
):
    text = sent_text(notify, wants_email=False, email="amira@example.com")
    assert from_notify(client, "notify-status", receipt(text, "technical-failure")).status_code
    text.refresh_from_db()
    assert text.status == Status.FAILED

    _, body = the_email_in_its_place(notify, text, text.send_at + timedelta(minutes=1))
    assert opening(body)[0] == ANY


def test_without_an_email_address_the_adviser_is_told_in_the_advisers_voice(notify, settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Gwasanaeth Cefnogi SEND ŵ"
    text = planned_appeal_text(wants_email=False, email="")

    assert send(text, text.send_at) == Status.FAILED

    assert not OutboundMessage.objects.filter(case=text.case, channel="email").exists()
    task = AdviserTask.objects.get(message=text)
    assert task.kind == AdviserTask.Kind.DELIVERY_FAILED
    assert "The family has no email address on the case" in task.text
    assert "tell them another way" in task.text
    assert not re.search(r"\byou(r)?\b", task.text, re.I), task.text


def test_an_email_the_family_chose_says_nothing_about_texts(notify):
    text = planned_appeal_text(wants_email=True, email="amira@example.com")
    email = OutboundMessage.objects.filter(
        case=text.case, channel="email", kind="reminder", offset="4w"
    ).first()

    assert "text message" not in rendering.render(email, now=email.send_at).body


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ("GOV.UK Notify sends texts in GSM characters only, and this text has 'ŵ'", "characters"),
        ("Twilio 400 error 21614: 'To' number is not a valid mobile number", "number"),
        ("Twilio 400 error 21211: Invalid 'To' Phone Number", "number"),
        ("GOV.UK Notify says this is not a mobile number it can text (...)", "number"),
        (
            "GOV.UK Notify: the phone number or email address does not exist or cannot receive",
            "number",
        ),
        ("Twilio undelivered (error 30003)", ""),
        ("GOV.UK Notify refused our API key (403: ...)", ""),
    ],
)
def test_why_a_text_failed_in_the_familys_terms(error, why):
    assert rendering.text_failed_because(error) == why


def test_the_stop_link_still_ends_the_email(notify, settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "SEND Cefn ŵ"
    text = planned_appeal_text(wants_email=False, email="amira@example.com")
    send(text, text.send_at)
    _, body = the_email_in_its_place(notify, text, text.send_at + timedelta(seconds=1))
    stop = reverse("opt-out", args=[text.contact.opt_out_token])
    assert body.rstrip().endswith(stop)


def test_a_text_about_a_date_from_a_letter_goes_by_email_with_that_date(notify):
    # The Tribunal's timetable gave the date: the email in place of the text must carry it, not
    # be cancelled as having nothing to say.
    contact = ContactFactory(
        case=CaseFactory(), mobile="+447400123456", email="amira@example.com", wants_email=False
    )
    with time_machine.travel(datetime(2027, 4, 1, 10, tzinfo=UTC), tick=False):
        given = workflow_services.given_date_set(
            case=contact.case, kind="final_evidence", value=date(2027, 5, 10)
        )
    text = OutboundMessage.objects.filter(given_date=given, channel="sms").earliest("send_at")
    OutboundMessage.objects.filter(id=text.id).update(status=Status.QUEUED, queued_at=text.send_at)
    notify.queue(Reply.BAD_NUMBER)

    assert send(text, text.send_at) == Status.FAILED

    subject, body = the_email_in_its_place(notify, text, text.send_at + timedelta(seconds=1))
    assert subject == "Final evidence to the Tribunal: Monday 10 May 2027 (in 4 weeks)"
    assert opening(body)[0].startswith(NUMBER)
    assert "Your final evidence must reach the Tribunal by Monday 10 May 2027." in body
