"""Texts through the real twilio SDK to a fake Twilio API: what each answer does to the message."""

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from notifications import services
from notifications.backends.twilio_sms import TwilioBackend
from notifications.models import OutboundMessage, Suppression
from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_twilio import Reply
from tests.notifications.conftest import PUBLIC_URL, TWILIO_FROM_NUMBER
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
MOBILE = "+447400123456"
OTHER_MOBILE = "+447911123456"
NOW = local_instant(date(2026, 1, 20), time(10, 0))  # a Tuesday morning, outside quiet hours


def queued_text(*, to=MOBILE, body="sendflow test: your texts work.", contact=None):
    """A test text an adviser asked for, already claimed by the dispatcher."""
    case = contact.case if contact else CaseFactory()
    return OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind=OutboundMessage.Kind.TEST,
        channel="sms",
        to=to,
        body=body,
        send_at=NOW,
        status=Status.QUEUED,
        queued_at=NOW,
    )


def planned_appeal_text(**contact_fields):
    """The 4-week appeal reminder the planner made from a decision date, claimed for sending."""
    contact = ContactFactory(case=CaseFactory(), mobile=MOBILE, **contact_fields)
    with time_machine.travel(NOW, tick=False):
        workflow_services.key_date_set(
            case=contact.case, event="decision_sent", value=date(2026, 1, 15)
        )
    message = OutboundMessage.objects.get(
        case=contact.case, deadline_kind="appeal", kind="reminder", channel="sms", offset="4w"
    )
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.QUEUED, queued_at=message.send_at
    )
    return message


def send(message, now=NOW):
    status = services.message_send(message_id=message.id, now=now)
    message.refresh_from_db()
    return status


# --- accepted -----------------------------------------------------------------------------------


def test_a_text_goes_to_twilio_once_and_keeps_its_sid(twilio):
    message = queued_text()

    assert send(message) == Status.SENT

    assert len(twilio.creates) == 1
    (accepted,) = twilio.messages
    assert message.status == Status.SENT
    assert message.provider_id == accepted.sid
    assert re.fullmatch(r"SM[0-9a-f]{32}", accepted.sid)
    assert message.sent_at == NOW
    form = twilio.creates[0].form
    assert twilio.creates[0].authorised
    assert form["To"] == MOBILE
    assert form["Body"] == "sendflow test: your texts work."
    assert form["From"] == TWILIO_FROM_NUMBER
    assert "MessagingServiceSid" not in form
    # Twilio reports delivery to this URL; ?m= finds the row even before the SID is stored.
    assert form["StatusCallback"] == f"{PUBLIC_URL}{reverse('twilio-status')}?m={message.id}"
    # A reminder stuck in Twilio's queue for hours is dropped rather than delivered late.
    assert form["ValidityPeriod"] == "14400"


def test_with_a_messaging_service_twilio_picks_the_sender(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "ab" * 16
    message = queued_text()

    assert send(message) == Status.SENT

    form = twilio.creates[0].form
    assert form["MessagingServiceSid"] == "MG" + "ab" * 16
    assert "From" not in form
    assert message.provider_id == twilio.messages[0].sid


def test_a_planned_reminder_reaches_twilio_with_its_date_in_plain_gsm_text(twilio):
    message = planned_appeal_text()
    assert message.send_at == local_instant(date(2026, 2, 16), time(10, 0))

    assert send(message, now=message.send_at) == Status.SENT

    (accepted,) = twilio.messages
    assert accepted.to == MOBILE
    assert "Monday 16 March 2026" in accepted.body
    assert "\xa0" not in accepted.body
    assert message.body == accepted.body
    assert message.provider_id == accepted.sid


def test_no_text_goes_to_twilio_in_quiet_hours(twilio):
    message = queued_text()
    evening = local_instant(date(2026, 1, 20), time(21, 30))

    assert send(message, now=evening) == Status.PENDING

    assert twilio.requests == []
    assert message.send_at == local_instant(date(2026, 1, 21), time(9, 0))


# --- refused: the number or the family ----------------------------------------------------------


def test_an_invalid_number_fails_tells_the_adviser_and_sends_the_reminder_by_email(twilio):
    message = planned_appeal_text(wants_email=False, email="amira@example.com")
    twilio.reply_to(MOBILE, Reply.INVALID_NUMBER)

    assert send(message, now=message.send_at) == Status.FAILED

    assert len(twilio.creates) == 1
    assert twilio.messages == []
    assert "21211" in message.last_error
    task = AdviserTask.objects.get(message=message)
    assert task.kind == AdviserTask.Kind.DELIVERY_FAILED
    assert task.case == message.case
    assert "amira@example.com" in task.text
    fallback = OutboundMessage.objects.get(case=message.case, channel="email")
    assert fallback.kind == OutboundMessage.Kind.FALLBACK
    assert fallback.deadline_id == message.deadline_id
    assert fallback.status == Status.PENDING
    assert fallback.send_at == message.send_at

    # The next beat tick sends it: the family hears about the appeal date after all.
    claimed = services.messages_dispatch(now=message.send_at, enqueue=False).claimed
    assert fallback.id in claimed
    assert services.message_send(message_id=fallback.id, now=message.send_at) == Status.SENT
    (email,) = mail.outbox
    assert email.to == ["amira@example.com"]
    assert "Monday 16 March 2026" in email.body


def test_an_invalid_number_with_no_email_to_fall_back_on_still_tells_the_adviser(twilio):
    message = planned_appeal_text(wants_email=False, email="")
    twilio.reply_to(MOBILE, Reply.INVALID_NUMBER)

    assert send(message, now=message.send_at) == Status.FAILED

    assert AdviserTask.objects.filter(message=message, kind="delivery_failed").count() == 1
    assert not OutboundMessage.objects.filter(case=message.case, channel="email").exists()


def test_a_number_that_replied_stop_to_twilio_is_suppressed_here_too(twilio):
    message = planned_appeal_text()
    twilio.reply_to(MOBILE, Reply.UNSUBSCRIBED)

    assert send(message, now=message.send_at) == Status.FAILED

    assert "21610" in message.last_error
    suppression = Suppression.objects.get(channel="sms", address=MOBILE)
    assert suppression.reason == Suppression.Reason.PROVIDER
    # The next text to that number is stopped here, without asking Twilio again.
    later = queued_text(to=MOBILE)
    assert send(later) == Status.SUPPRESSED
    assert len(twilio.creates) == 1


def test_a_test_text_to_an_unsubscribed_number_suppresses_that_number(twilio):
    message = queued_text(to=OTHER_MOBILE)
    twilio.reply_to(OTHER_MOBILE, Reply.UNSUBSCRIBED)

    assert send(message) == Status.FAILED

    assert Suppression.objects.filter(channel="sms", address=OTHER_MOBILE).exists()


# --- not processed: safe to retry ---------------------------------------------------------------


def test_rate_limited_text_is_retried_later_without_bothering_the_adviser(twilio):
    message = queued_text()
    twilio.queue(Reply.RATE_LIMITED)

    assert send(message) == Status.PENDING

    assert message.send_at > NOW
    assert message.send_at <= NOW + timedelta(hours=1, minutes=12)  # capped backoff, +20% jitter
    assert message.attempts == 1
    assert "20429" in message.last_error
    assert not AdviserTask.objects.exists()
    assert twilio.messages == []

    # When the retry is due it goes, once.
    retry_at = message.send_at
    assert services.messages_dispatch(now=retry_at, enqueue=False).claimed == [message.id]
    assert send(message, now=retry_at) == Status.SENT
    assert message.attempts == 2
    assert len(twilio.creates) == 2
    assert len(twilio.messages) == 1
    assert message.provider_id == twilio.messages[0].sid


def test_a_text_gets_every_attempt_it_is_allowed(twilio, settings):
    settings.SENDFLOW_MAX_ATTEMPTS = 2
    message = queued_text()
    twilio.queue(Reply.RATE_LIMITED)

    assert send(message) == Status.PENDING  # attempt 1 of 2: there is one more to come


def test_twilio_unreachable_is_retried_later(twilio):
    message = queued_text()
    twilio.stop()  # nothing listens: the connection is refused, so Twilio saw nothing

    assert send(message) == Status.PENDING

    assert message.send_at > NOW
    assert message.attempts == 1
    assert "Could not reach Twilio" in message.last_error
    assert not AdviserTask.objects.exists()


def test_a_rejected_auth_token_is_retried_not_blamed_on_the_family(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "a-token-that-was-rotated"
    message = planned_appeal_text(wants_email=False, email="amira@example.com")

    assert send(message, now=message.send_at) == Status.PENDING

    assert "20003" in message.last_error
    assert twilio.messages == []
    assert not AdviserTask.objects.exists()
    assert not OutboundMessage.objects.filter(case=message.case, channel="email").exists()


# --- ambiguous: reconcile before any resend -----------------------------------------------------


def test_a_timeout_after_twilio_accepted_is_reconciled_not_sent_twice(twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.25
    twilio.now = NOW  # Twilio's clock agrees with ours
    message = queued_text()
    twilio.queue(Reply.TIMEOUT)

    assert send(message) == Status.UNKNOWN
    assert "did not answer in time" in message.last_error
    assert not AdviserTask.objects.exists()
    twilio.release()

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert sweep.reconciled_sent == 1
    assert sweep.resent == 0
    message.refresh_from_db()
    assert message.status == Status.SENT
    (accepted,) = twilio.messages
    assert message.provider_id == accepted.sid
    assert message.sent_at == NOW
    assert len(twilio.creates) == 1
    (listing,) = twilio.lists
    assert listing.query["To"] == MOBILE
    # No sent-date filter: a text still in Twilio's queue has no sent date yet.
    assert "DateSent>" not in listing.query


def test_a_dropped_connection_is_sent_again_only_when_twilio_has_no_record(twilio):
    twilio.now = NOW
    message = queued_text()
    twilio.queue(Reply.DROP)  # Twilio read the request, then closed without taking the message

    assert send(message) == Status.UNKNOWN

    later = NOW + timedelta(minutes=2)
    sweep = services.messages_sweep(now=later)
    assert sweep.resent == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.status_reason == "resent: provider had no record"

    assert services.messages_dispatch(now=later, enqueue=False).claimed == [message.id]
    assert send(message, now=later) == Status.SENT
    assert len(twilio.creates) == 2
    assert len(twilio.messages) == 1


def test_a_twilio_server_error_leaves_the_outcome_unknown(twilio):
    message = queued_text()
    twilio.queue(Reply.SERVER_ERROR)

    assert send(message) == Status.UNKNOWN

    assert "500" in message.last_error
    assert not AdviserTask.objects.exists()


def test_an_unknown_text_waits_while_twilio_cannot_list_messages(twilio):
    twilio.now = NOW
    message = queued_text()
    twilio.queue(Reply.SERVER_ERROR)
    assert send(message) == Status.UNKNOWN
    twilio.queue_list(Reply.SERVER_ERROR)

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert (sweep.reconciled_sent, sweep.resent) == (0, 0)
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    assert len(twilio.creates) == 1


def test_lookup_matches_only_texts_created_since_the_send_began(twilio):
    backend = TwilioBackend()
    twilio.now = local_instant(date(2026, 6, 15), time(9, 0))  # London summer time
    backend.send(to=MOBILE, subject="", body="Same words", reference="1")
    twilio.now = local_instant(date(2026, 6, 15), time(10, 30))
    newer = backend.send(to=MOBILE, subject="", body="Same words", reference="2")

    since = local_instant(date(2026, 6, 15), time(10, 25))
    assert backend.lookup(to=MOBILE, body="Same words", reference="2", since=since) == newer
    later = local_instant(date(2026, 6, 15), time(10, 35))
    assert backend.lookup(to=MOBILE, body="Same words", reference="2", since=later) is None


def test_lookup_ignores_other_texts_to_the_same_number(twilio):
    twilio.now = NOW
    backend = TwilioBackend()
    backend.send(to=MOBILE, subject="", body="A different text", reference="1")
    backend.send(to=OTHER_MOBILE, subject="", body="Our text", reference="2")

    assert backend.lookup(to=MOBILE, body="Our text", reference="3", since=NOW) is None


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blank", "named"),
    [
        (["TWILIO_ACCOUNT_SID"], ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]),
        (["TWILIO_AUTH_TOKEN"], ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]),
        (
            ["TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID"],
            ["TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID"],
        ),
    ],
)
def test_twilio_without_credentials_names_the_missing_settings(twilio, settings, blank, named):
    for name in blank:
        setattr(settings, name, "")

    with pytest.raises(ImproperlyConfigured) as error:
        services.backend_for("sms")

    for name in named:
        assert name in str(error.value)
