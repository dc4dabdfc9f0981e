"""What Twilio tells us (delivery reports, texts from families) and the web opt-out page."""

import secrets
from datetime import date, time
from xml.etree import ElementTree

import pytest
import time_machine
from django.urls import reverse
from twilio.request_validator import RequestValidator

from notifications import services
from notifications.backends import locmem
from notifications.models import OutboundMessage, Suppression, WebhookReceipt
from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory
from tests.notifications.conftest import PUBLIC_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
MOBILE = "+447400123456"
OTHER_MOBILE = "+447911123456"
NOW = local_instant(date(2026, 1, 20), time(10, 0))
STOP_REPLY = "you will get no more texts from us"
START_REPLY = "texts about your dates are back on"


@pytest.fixture(autouse=True)
def _webhook_settings(settings, fresh_backends):
    settings.SMS_BACKEND = "locmem"
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.SENDFLOW_PUBLIC_URL = PUBLIC_URL
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Parents' & Carers' SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"


def from_twilio(client, url, params, *, signature=None, token=TWILIO_AUTH_TOKEN, **headers):
    """POST as Twilio does: form params, signed over the full public URL it called."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(url.removeprefix(PUBLIC_URL), params, **headers)


def appeal_text(*, status=Status.QUEUED, **contact_fields):
    """The planner's 4-week appeal text for a family, moved on to `status`."""
    contact = ContactFactory(case=CaseFactory(), mobile=MOBILE, **contact_fields)
    with time_machine.travel(NOW, tick=False):
        workflow_services.key_date_set(
            case=contact.case, event="decision_sent", value=date(2026, 1, 15)
        )
    message = OutboundMessage.objects.get(
        case=contact.case, deadline_kind="appeal", kind="reminder", channel="sms", offset="4w"
    )
    fields = {"status": status, "queued_at": message.send_at}
    if status == Status.SENT:
        fields.update(to=MOBILE, provider_id="SM" + "0" * 32, sent_at=message.send_at)
    OutboundMessage.objects.filter(id=message.id).update(**fields)
    message.refresh_from_db()
    return message


# --- delivery reports ---------------------------------------------------------------------------


def status_url(message):
    return f"{PUBLIC_URL}{reverse('twilio-status')}?m={message.id}"


def report(message, status, **extra):
    return {
        "AccountSid": TWILIO_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": "+447900000001",
        "MessageSid": message.provider_id,
        "MessageStatus": status,
        "SmsSid": message.provider_id,
        "SmsStatus": status,
        "To": MOBILE,
        **extra,
    }


def test_a_delivery_report_to_the_callback_url_we_gave_twilio_marks_the_text_delivered(
    client, twilio
):
    message = OutboundMessage.objects.create(
        case=CaseFactory(),
        kind="test",
        channel="sms",
        to=MOBILE,
        body="Test",
        send_at=NOW,
        status=Status.QUEUED,
        queued_at=NOW,
    )
    assert services.message_send(message_id=message.id, now=NOW) == Status.SENT
    (accepted,) = twilio.messages
    message.refresh_from_db()

    response = from_twilio(client, accepted.status_callback, report(message, "delivered"))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.provider_status == "delivered"
    assert message.delivered_at is not None


@pytest.mark.parametrize(
    "forgery",
    ["missing", "wrong token", "other params", "other message"],
)
def test_a_report_not_signed_by_twilio_is_refused_and_changes_nothing(client, forgery):
    message = appeal_text(status=Status.SENT, wants_email=False, email="amira@example.com")
    other = OutboundMessage.objects.exclude(id=message.id).first()
    params = report(message, "failed", ErrorCode="30006")
    url = status_url(message)
    signature = {
        "missing": "",
        "wrong token": RequestValidator("not-our-token").compute_signature(url, params),
        "other params": RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(
            url, report(message, "delivered")
        ),
        "other message": RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(
            status_url(other), params
        ),
    }[forgery]

    response = from_twilio(client, url, params, signature=signature)

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not AdviserTask.objects.exists()
    assert not OutboundMessage.objects.filter(case=message.case, channel="email").exists()


def test_the_same_report_twice_changes_nothing_more(client):
    message = appeal_text(status=Status.SENT, wants_email=False, email="amira@example.com")
    params = report(message, "undelivered", ErrorCode="30003")

    for _ in range(2):
        assert from_twilio(client, status_url(message), params).status_code == 204

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert AdviserTask.objects.filter(message=message).count() == 1
    assert OutboundMessage.objects.filter(case=message.case, channel="email").count() == 1


def test_a_late_sent_report_does_not_undo_delivered(client):
    message = appeal_text(status=Status.SENT)

    from_twilio(client, status_url(message), report(message, "delivered"))
    from_twilio(client, status_url(message), report(message, "sent"))

    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.provider_status == "delivered"


def test_a_report_settles_a_text_whose_send_timed_out(client):
    message = appeal_text(status=Status.UNKNOWN)  # sendflow never heard Twilio's id

    sid = "SM" + "1" * 32
    from_twilio(client, status_url(message), report(message, "delivered", MessageSid=sid))

    message.refresh_from_db()
    assert message.status == Status.DELIVERED


@pytest.mark.parametrize(("status", "code"), [("undelivered", "30003"), ("failed", "30006")])
def test_an_undelivered_text_tells_the_adviser_and_goes_by_email(client, status, code):
    message = appeal_text(status=Status.SENT, wants_email=False, email="amira@example.com")

    response = from_twilio(client, status_url(message), report(message, status, ErrorCode=code))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert code in message.last_error
    task = AdviserTask.objects.get(message=message)
    assert task.kind == AdviserTask.Kind.DELIVERY_FAILED
    assert task.case == message.case
    fallback = OutboundMessage.objects.get(case=message.case, channel="email")
    assert fallback.kind == OutboundMessage.Kind.FALLBACK
    assert fallback.deadline_id == message.deadline_id
    assert fallback.status == Status.PENDING


def test_an_undelivered_text_to_a_family_who_also_gets_emails_adds_no_second_email(client):
    message = appeal_text(status=Status.SENT, wants_email=True, email="amira@example.com")

    from_twilio(client, status_url(message), report(message, "undelivered", ErrorCode="30003"))

    assert AdviserTask.objects.filter(message=message, kind="delivery_failed").count() == 1
    assert not OutboundMessage.objects.filter(
        case=message.case, channel="email", kind=OutboundMessage.Kind.FALLBACK
    ).exists()


# --- texts from families ------------------------------------------------------------------------


INBOUND_URL = f"{PUBLIC_URL}/webhooks/twilio/inbound/"


def text_from(client, number, body, *, sid=None, **kwargs):
    """A text from a family; each has its own MessageSid, as Twilio gives it."""
    params = {
        "AccountSid": TWILIO_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": number,
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "NumMedia": "0",
        "To": "+447900000001",
    }
    return from_twilio(client, f"{PUBLIC_URL}{reverse('twilio-inbound')}", params, **kwargs)


def reply_text(response) -> str:
    """The text of the SMS the TwiML answer sends back, as the family would read it."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    return " ".join(m.text or "" for m in root.iter("Message"))


@pytest.mark.parametrize(
    "word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "stop"]
)
def test_a_stop_word_suppresses_the_number_and_confirms(client, word):
    response = text_from(client, MOBILE, word)

    assert STOP_REPLY in reply_text(response)
    suppression = Suppression.objects.get(channel="sms", address=MOBILE)
    assert suppression.reason == Suppression.Reason.STOP_REPLY


def test_stop_arriving_after_a_text_was_claimed_still_stops_it(client, twilio):
    message = appeal_text(status=Status.QUEUED)

    text_from(client, MOBILE, "Stop")
    status = services.message_send(message_id=message.id, now=message.send_at)

    assert status == Status.SUPPRESSED
    assert twilio.requests == []
    message.refresh_from_db()
    assert message.status == Status.SUPPRESSED


def test_stop_suppresses_the_text_and_the_locmem_outbox_stays_empty(client):
    message = appeal_text(status=Status.QUEUED)

    text_from(client, MOBILE, "STOP")

    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SUPPRESSED
    assert locmem.outbox == []


@pytest.mark.parametrize("word", ["START", "UNSTOP", "start"])
def test_start_lifts_the_stop_and_texts_go_again(client, word):
    text_from(client, MOBILE, "STOP")
    message = appeal_text(status=Status.QUEUED)

    response = text_from(client, MOBILE, word)

    assert START_REPLY in reply_text(response)
    assert not Suppression.objects.filter(channel="sms", address=MOBILE).exists()
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SENT
    assert [m.to for m in locmem.outbox] == [MOBILE]


def test_help_answers_with_the_advice_service_in_plain_text(client):
    response = text_from(client, MOBILE, "help")

    text = reply_text(response)
    assert "Parents' & Carers' SENDIASS" in text
    assert "01632 960123" in text
    assert "&#x27;" not in text
    assert "&amp;" not in text
    assert not Suppression.objects.exists()


def test_any_other_text_becomes_a_task_for_the_familys_adviser(client):
    contact = ContactFactory(mobile=MOBILE)
    ContactFactory(mobile=OTHER_MOBILE)

    response = text_from(client, MOBILE, "My letter says the 17th, is that right?")

    assert reply_text(response) == ""  # no automatic answer: a person replies
    task = AdviserTask.objects.get()
    assert task.kind == AdviserTask.Kind.INBOUND_SMS
    assert task.case == contact.case
    assert "My letter says the 17th, is that right?" in task.text
    assert "07400 123456" in task.text  # as the stop task and the adviser write it
    assert not Suppression.objects.exists()


def test_a_text_from_an_unknown_number_still_reaches_an_adviser(client):
    text_from(client, OTHER_MOBILE, "Who is this?")

    task = AdviserTask.objects.get()
    assert task.kind == AdviserTask.Kind.INBOUND_SMS
    assert task.case is None
    assert "Who is this?" in task.text


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_a_forged_stop_is_refused_and_suppresses_nothing(client, signature):
    response = text_from(client, MOBILE, "STOP", signature=signature)

    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_a_stop_signed_with_another_token_is_refused(client):
    response = text_from(client, MOBILE, "STOP", token="someone-elses-token")

    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_webhooks_only_take_posts(client):
    assert client.get(reverse("twilio-inbound")).status_code == 405
    assert client.get(reverse("twilio-status")).status_code == 405


# --- replays: each text, and each status of a message, is acted on once -------------------------


def test_a_replayed_start_after_a_later_stop_leaves_the_number_stopped(client):
    start_sid = "SM" + "a" * 32
    text_from(client, MOBILE, "STOP")
    text_from(client, MOBILE, "START", sid=start_sid)
    text_from(client, MOBILE, "STOP")

    replay = text_from(client, MOBILE, "START", sid=start_sid)

    assert reply_text(replay) == ""  # a 200, so Twilio stops retrying, and no text back
    assert Suppression.objects.filter(channel="sms", address=MOBILE).exists()
    message = appeal_text(status=Status.QUEUED)
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SUPPRESSED
    assert locmem.outbox == []


def test_a_replayed_stop_after_start_does_not_stop_texts_again(client):
    stop_sid = "SM" + "b" * 32
    text_from(client, MOBILE, "STOP", sid=stop_sid)
    text_from(client, MOBILE, "START")

    assert reply_text(text_from(client, MOBILE, "STOP", sid=stop_sid)) == ""

    assert not Suppression.objects.filter(channel="sms", address=MOBILE).exists()


def test_a_replayed_reply_from_a_family_makes_no_second_task(client):
    ContactFactory(mobile=MOBILE)
    sid = "SM" + "c" * 32

    first = text_from(client, MOBILE, "Is the 17th right?", sid=sid)
    replay = text_from(client, MOBILE, "Is the 17th right?", sid=sid)

    assert first.status_code == replay.status_code == 200
    assert AdviserTask.objects.filter(kind=AdviserTask.Kind.INBOUND_SMS).count() == 1


def test_twilios_retry_with_the_same_idempotency_token_is_acted_on_once(client):
    ContactFactory(mobile=MOBILE)
    token = "a1b2c3d4-idempotency"

    for _ in range(2):
        response = text_from(client, MOBILE, "Hello?", HTTP_I_TWILIO_IDEMPOTENCY_TOKEN=token)
        assert response.status_code == 200

    assert AdviserTask.objects.filter(kind=AdviserTask.Kind.INBOUND_SMS).count() == 1


def test_two_different_texts_from_a_family_are_both_acted_on(client):
    ContactFactory(mobile=MOBILE)

    text_from(client, MOBILE, "Hello?")
    text_from(client, MOBILE, "Hello?")

    assert AdviserTask.objects.filter(kind=AdviserTask.Kind.INBOUND_SMS).count() == 2


def test_a_replayed_failure_report_does_not_fail_a_text_the_adviser_sent_again(client):
    from casework import admin_services

    message = appeal_text(status=Status.SENT, wants_email=False, email="amira@example.com")
    failed = report(message, "undelivered", ErrorCode="30003")
    assert from_twilio(client, status_url(message), failed).status_code == 204
    admin_services.messages_retry(message_ids=[message.id])

    replay = from_twilio(client, status_url(message), failed)

    assert replay.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert AdviserTask.objects.filter(message=message).count() == 1
    assert OutboundMessage.objects.filter(case=message.case, channel="email").count() == 1


def test_each_status_of_a_message_is_still_acted_on(client):
    message = appeal_text(status=Status.SENT)

    from_twilio(client, status_url(message), report(message, "sent"))
    from_twilio(client, status_url(message), report(message, "delivered"))

    message.refresh_from_db()
    assert message.status == Status.DELIVERED


# --- the web opt-out page -----------------------------------------------------------------------


@pytest.fixture
def family_contact():
    return ContactFactory(mobile=MOBILE, email="Amira.Khan@Example.com")


def test_opening_the_opt_out_link_only_shows_buttons(client, family_contact):
    response = client.get(reverse("opt-out", args=[family_contact.opt_out_token]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="channel" value="sms"' in page
    assert 'name="channel" value="email"' in page
    assert 'name="channel" value="all"' in page
    assert not Suppression.objects.exists()  # link scanners follow every GET


def test_stopping_texts_on_the_page_suppresses_the_mobile_only(client, family_contact):
    response = client.post(
        reverse("opt-out", args=[family_contact.opt_out_token]), {"channel": "sms"}
    )

    assert response.status_code == 200
    assert "Done." in response.content.decode()
    suppression = Suppression.objects.get()
    assert (suppression.channel, suppression.address) == ("sms", MOBILE)
    assert suppression.reason == Suppression.Reason.WEB


def test_stopping_all_messages_on_the_page_suppresses_mobile_and_email(client, family_contact):
    client.post(reverse("opt-out", args=[family_contact.opt_out_token]), {"channel": "all"})

    assert set(Suppression.objects.values_list("channel", "address")) == {
        ("sms", MOBILE),
        ("email", "amira.khan@example.com"),
    }


def test_a_text_claimed_before_the_web_opt_out_is_not_sent(client):
    message = appeal_text(status=Status.QUEUED)

    client.post(reverse("opt-out", args=[message.contact.opt_out_token]), {"channel": "sms"})

    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SUPPRESSED
    assert locmem.outbox == []


def test_an_unknown_opt_out_link_is_not_found(client):
    assert client.get(reverse("opt-out", args=["no-such-token"])).status_code == 404


# --- signed but malformed: a 400 (Twilio retries a 500 for hours), nothing written ---------------


def nothing_written():
    return not (
        WebhookReceipt.objects.exists()
        or AdviserTask.objects.exists()
        or Suppression.objects.exists()
    )


@pytest.mark.parametrize(
    "change",
    [
        {"MessageSid": "SM" + "0" * 63},
        {"MessageSid": ""},
        {"MessageSid": "SM<script>"},
        {"MessageStatus": "delivered" * 3},
        {"MessageStatus": ""},
    ],
    ids=["sid-over-64", "no-sid", "sid-not-an-id", "status-over-20", "no-status"],
)
def test_a_signed_report_with_a_malformed_field_is_refused_and_changes_nothing(client, change):
    message = appeal_text(status=Status.SENT)

    response = from_twilio(client, status_url(message), {**report(message, "delivered"), **change})

    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not WebhookReceipt.objects.exists()


def test_a_signed_report_to_a_status_url_with_a_non_ascii_digit_is_refused(client):
    message = appeal_text(status=Status.SENT)
    url = f"{PUBLIC_URL}{reverse('twilio-status')}?m=%C2%B2"  # "²": a digit to isdigit()

    response = from_twilio(client, url, report(message, "delivered"))

    assert response.status_code == 400
    assert not WebhookReceipt.objects.exists()


def test_an_idempotency_token_over_128_characters_is_refused(client):
    message = appeal_text(status=Status.SENT)

    response = from_twilio(
        client,
        status_url(message),
        report(message, "delivered"),
        HTTP_I_TWILIO_IDEMPOTENCY_TOKEN="t" * 129,
    )

    assert response.status_code == 400
    assert not WebhookReceipt.objects.exists()


def test_a_signed_text_with_no_message_sid_raises_no_task(client):
    ContactFactory(mobile=MOBILE)
    params = {"AccountSid": TWILIO_ACCOUNT_SID, "Body": "Hello", "From": MOBILE}

    for _ in range(2):
        response = from_twilio(client, INBOUND_URL, params)
        assert response.status_code == 400
    assert nothing_written()


def test_a_signed_text_from_something_not_a_phone_number_is_refused(client):
    response = text_from(client, "not a number", "STOP")

    assert response.status_code == 400
    assert nothing_written()


def test_a_reply_from_a_number_written_nationally_finds_the_familys_case(client):
    contact = ContactFactory(mobile=MOBILE)

    text_from(client, "07400 123456", "Is my date right?")
    text_from(client, "07400123456", "STOP")

    task = AdviserTask.objects.filter(text__contains="Is my date right?").get()
    assert task.case == contact.case
    assert Suppression.objects.filter(channel="sms", address=MOBILE).exists()
