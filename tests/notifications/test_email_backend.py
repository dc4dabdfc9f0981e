"""Email through Django's real SMTP backend to a local SMTP server, errors classified."""

from datetime import date, time

import pytest

from notifications import services
from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_smtp import FakeSMTP
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db
NOW = local_instant(date(2026, 1, 20), time(10))


@pytest.fixture
def smtp(settings):
    server = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


def queued_email():
    case = CaseFactory()
    contact = ContactFactory(case=case, email="amira@example.com", wants_sms=False)
    return OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind="test",
        channel="email",
        to="amira@example.com",
        subject="Your dates",
        body="Your appeal must reach the SEND Tribunal by Monday 1 March 2027.",
        send_at=NOW,
        status="queued",
    )


def test_an_accepted_email_is_sent_once(smtp):
    message = queued_email()
    assert services.message_send(message_id=message.id, now=NOW) == "sent"
    (received,) = smtp.messages
    assert "Monday 1 March 2027" in received
    assert f"X-Sendflow-Reference: {message.id}" in received


def test_an_address_the_server_refuses_fails_and_tells_the_adviser(smtp):
    smtp.rcpt_reply = "550 5.1.1 no such user"
    message = queued_email()
    assert services.message_send(message_id=message.id, now=NOW) == "failed"
    assert AdviserTask.objects.filter(kind="delivery_failed").exists()
    assert smtp.messages == []


def test_greylisting_is_retried_later(smtp):
    smtp.rcpt_reply = "450 4.2.0 greylisted, try again"
    message = queued_email()
    assert services.message_send(message_id=message.id, now=NOW) == "pending"
    message.refresh_from_db()
    assert message.send_at > NOW
    assert not AdviserTask.objects.exists()


def test_a_server_that_is_down_is_retried(settings, smtp):
    smtp.stop()
    message = queued_email()
    assert services.message_send(message_id=message.id, now=NOW) == "pending"


def test_a_dropped_connection_after_the_body_is_unknown_not_failed(smtp):
    smtp.drop_after_data = True
    message = queued_email()
    assert services.message_send(message_id=message.id, now=NOW) == "unknown"
    assert len(smtp.messages) == 1  # the server has it; the sweeper decides what next
