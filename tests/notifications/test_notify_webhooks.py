"""What GOV.UK Notify tells us: delivery receipts and received texts, JSON with a Bearer token."""

import json
import uuid
from datetime import date, time

import pytest
from django.urls import reverse

from notifications import composing, services
from notifications.models import OutboundMessage, Suppression, WebhookReceipt
from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory
from tests.notifications.conftest import NOTIFY_CALLBACK_TOKEN
from tests.notifications.test_webhooks import appeal_text
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
MOBILE = "+447400123456"
NOW = local_instant(date(2026, 1, 20), time(10, 0))


def from_notify(client, name, payload, *, token=NOTIFY_CALLBACK_TOKEN, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    body = raw if raw is not None else json.dumps(payload)
    return client.post(reverse(name), body, content_type="application/json", **headers)


def receipt(message, status, **extra):
    """A delivery receipt as Notify posts it to the callback URL."""
    return {
        "id": message.provider_id,
        "reference": str(message.id),
        "to": message.to,
        "status": status,
        "created_at": "2026-01-20T10:00:00.000000Z",
        "completed_at": "2026-01-20T10:00:05.000000Z",
        "sent_at": "2026-01-20T10:00:01.000000Z",
        "notification_type": message.channel,
        "template_id": "11111111-2222-4333-8444-555555555555",
        "template_version": 1,
        **extra,
    }


def received(text, *, number="447400123456", notification_id=None):
    """A received text as Notify posts it: the number international, without its +."""
    return {
        "id": notification_id or str(uuid.uuid4()),
        "source_number": number,
        "destination_number": "07700900000",
        "message": text,
        "date_received": "2026-01-20T10:05:00.000000Z",
    }


def sent_text(notify, **contact_fields):
    message = appeal_text(**contact_fields)
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SENT
    message.refresh_from_db()
    return message


# --- delivery receipts ---------------------------------------------------------------------------


def test_a_receipt_marks_the_text_sent_through_notify_delivered(client, notify):
    message = sent_text(notify)
    assert message.provider_id == notify.notifications[0].id

    response = from_notify(client, "notify-status", receipt(message, "delivered"))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.provider_status == "delivered"
    assert message.delivered_at is not None


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_receipt_without_the_right_token_is_refused_and_writes_nothing(client, notify, token):
    message = sent_text(notify)

    response = from_notify(client, "notify-status", receipt(message, "delivered"), token=token)

    assert response.status_code in (401, 403)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not WebhookReceipt.objects.exists()


def test_without_a_callback_token_set_every_callback_is_refused(client, notify, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    message = sent_text(notify)

    response = from_notify(client, "notify-status", receipt(message, "delivered"), token="")

    assert response.status_code == 401
    assert from_notify(client, "notify-status", receipt(message, "x"), token="x").status_code == 403


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("permanent-failure", "does not exist or cannot receive messages"),
        ("temporary-failure", "the phone was off"),
        ("technical-failure", "a problem between Notify and the phone or email provider"),
    ],
)
def test_a_failure_receipt_fails_the_text_tells_the_adviser_and_sends_email(
    client, notify, status, words
):
    message = sent_text(notify, wants_email=False, email="amira@example.com")

    response = from_notify(client, "notify-status", receipt(message, status))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.FAILED
    task = AdviserTask.objects.get(message=message, kind=AdviserTask.Kind.DELIVERY_FAILED)
    assert words in task.text
    fallback = OutboundMessage.objects.get(case=message.case, channel="email")
    assert fallback.kind == OutboundMessage.Kind.FALLBACK


def test_the_same_receipt_twice_is_acted_on_once(client, notify):
    message = sent_text(notify, wants_email=False, email="amira@example.com")

    for _ in range(2):
        response = from_notify(client, "notify-status", receipt(message, "permanent-failure"))
        assert response.status_code == 204

    assert AdviserTask.objects.filter(message=message).count() == 1
    assert OutboundMessage.objects.filter(case=message.case, channel="email").count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        '"delivered"',
        json.dumps({"status": "delivered"}),  # no id
        json.dumps({"id": "not-a-uuid", "status": "delivered"}),
        # Fixed ids, not uuid4(): every pytest-xdist worker must collect the same test names.
        json.dumps({"id": "5b0f3c8e-2a4d-4e61-9b7a-0c1d2e3f4a5b", "status": ["delivered"]}),
        json.dumps(
            {
                "id": "7c1e4d9f-3b5e-4f72-8c8b-1d2e3f4a5b6c",
                "status": "delivered",
                "reference": {"a": 1},
            }
        ),
        json.dumps({"id": "9d2f5e0a-4c6f-4a83-9d9c-2e3f4a5b6c7d", "status": "x" * 50}),
        b"\xff\xfe",
    ],
)
def test_a_malformed_receipt_gets_a_400_and_changes_nothing(client, notify, raw):
    message = sent_text(notify)

    response = from_notify(client, "notify-status", None, raw=raw)

    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not WebhookReceipt.objects.exists()


@pytest.mark.parametrize(
    "raw", ["{not json", json.dumps({"id": "1e3a6f1b-5d7a-4b94-8ead-3f4a5b6c7d8e"}), "{}"]
)
def test_a_malformed_received_text_gets_a_400(client, notify, raw):
    assert from_notify(client, "notify-inbound", None, raw=raw).status_code == 400
    assert not AdviserTask.objects.exists()


@pytest.mark.parametrize("reference", ["²", "council-letters-42", None, ""])
def test_a_receipt_for_something_we_did_not_send_is_accepted_and_changes_nothing(
    client, notify, reference
):
    message = sent_text(notify)
    payload = receipt(message, "permanent-failure", id=str(uuid.uuid4()), reference=reference)

    response = from_notify(client, "notify-status", payload)

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not AdviserTask.objects.exists()


def test_callbacks_only_take_posts(client, notify):
    assert client.get(reverse("notify-status")).status_code == 405
    assert client.get(reverse("notify-inbound")).status_code == 405


def test_an_email_receipt_finds_its_message_by_reference(client, notify):
    message = OutboundMessage.objects.create(
        case=CaseFactory(),
        kind="test",
        channel="email",
        to="adviser@example.org",
        subject="Test",
        body="Test",
        send_at=NOW,
        status=Status.QUEUED,
        queued_at=NOW,
    )
    assert services.message_send(message_id=message.id, now=NOW) == Status.SENT
    message.refresh_from_db()

    from_notify(client, "notify-status", receipt(message, "delivered"))

    message.refresh_from_db()
    assert message.status == Status.DELIVERED


# --- received texts ------------------------------------------------------------------------------


def test_stop_through_notify_stops_texts_to_that_number_and_confirms(
    client, notify, django_capture_on_commit_callbacks
):
    message = appeal_text()  # queued, about to go
    ContactFactory(case=CaseFactory(), mobile=MOBILE)  # the same number on another case

    with django_capture_on_commit_callbacks(execute=True):
        response = from_notify(client, "notify-inbound", received("Stop please"))

    assert response.status_code == 200
    suppression = Suppression.objects.get(channel="sms", address=MOBILE)
    assert suppression.reason == Suppression.Reason.STOP_REPLY
    assert AdviserTask.objects.filter(kind=AdviserTask.Kind.INBOUND_SMS).count() == 2
    # Notify has no STOP of its own: the confirmation goes as a text through Notify.
    (confirmation,) = notify.notifications
    assert confirmation.to == MOBILE
    assert "you will get no more texts from us" in confirmation.personalisation["body"]
    # And the reminder that was about to go does not.
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SUPPRESSED
    assert len(notify.notifications) == 1


def test_start_through_notify_lifts_the_stop(client, notify):
    services.suppress(channel="sms", address=MOBILE, reason=Suppression.Reason.STOP_REPLY)

    from_notify(client, "notify-inbound", received("START"))

    assert not Suppression.objects.filter(channel="sms", address=MOBILE).exists()


def test_free_text_through_notify_becomes_the_advisers_task(client, notify):
    contact = ContactFactory(case=CaseFactory(), mobile=MOBILE)

    response = from_notify(client, "notify-inbound", received("Got the letter today, thanks"))

    assert response.status_code == 200
    (task,) = AdviserTask.objects.all()
    assert task.case == contact.case
    assert "Got the letter today, thanks" in task.text
    assert "07400 123456" in task.text


def test_a_received_text_repeated_by_notify_makes_one_task(client, notify):
    ContactFactory(case=CaseFactory(), mobile=MOBILE)
    payload = received("When is my hearing?")

    for _ in range(2):
        assert from_notify(client, "notify-inbound", payload).status_code in (200, 204)

    assert AdviserTask.objects.count() == 1


def test_a_received_text_with_a_bad_token_is_refused_and_stops_nothing(client, notify):
    response = from_notify(client, "notify-inbound", received("STOP"), token="guess")

    assert response.status_code == 403
    assert not Suppression.objects.exists()


# --- the text's ending ----------------------------------------------------------------------------


def test_texts_through_notify_say_reply_stop_once_replies_reach_sendflow(notify, settings):
    message = sent_text(notify)
    assert composing.sms_takes_replies()
    assert "Reply STOP to stop texts" in message.body


def test_without_the_callback_token_texts_carry_a_stop_link(notify, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    message = sent_text(notify)

    assert "Reply STOP" not in message.body
    assert "/stop/" in message.body
