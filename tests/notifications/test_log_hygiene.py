"""What an operator's logs hold of a family: message ids and masked addresses, nothing more.

Whole cycles run with sendflow's loggers at DEBUG; nothing at INFO or above may name a number,
an address, a message's text or a private link.
"""

import logging
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from notifications import services
from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_twilio import Reply
from tests.notifications.test_webhooks import (
    NOW,
    from_twilio,
    report,
    status_url,
    text_from,
)
from workflows import services as workflow_services

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
MOBILE = "+447400123456"
EMAIL = "amira.khan@example.com"
STRANGER = "+447911654321"
REPLY = "My letter from the council says the 17th, is that right?"


@pytest.fixture
def logs(caplog, monkeypatch):
    # What our code writes, before the console handler's redacting net (tested on its own below).
    for handler in logging.getLogger().handlers:
        monkeypatch.setattr(handler, "filters", [])
    caplog.set_level(logging.INFO)  # everyone else's loggers, as in production
    for name in ("sendflow", "notifications", "workflows"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def shown(caplog, *, level=logging.INFO) -> str:
    """Every log line at `level` or above, tracebacks included, as an operator would read it."""
    formatter = logging.Formatter()
    return "\n".join(
        formatter.format(record) for record in caplog.records if record.levelno >= level
    )


def private_strings(case, contact) -> list[str]:
    bodies = [
        line.strip()
        for body in OutboundMessage.objects.exclude(body="").values_list("body", flat=True)
        for line in body.splitlines()
        if len(line.strip()) >= 25
    ]
    return [
        MOBILE,
        MOBILE.removeprefix("+44"),  # 7400123456
        "0" + MOBILE.removeprefix("+44"),
        STRANGER.removeprefix("+44"),
        EMAIL,
        EMAIL.split("@")[0],
        case.access_token,
        contact.opt_out_token,
        REPLY,
        *bodies,
    ]


def reminders(case):
    return {
        m.offset: m
        for m in OutboundMessage.objects.filter(
            case=case, deadline_kind="appeal", kind="reminder", channel="sms"
        )
    }


def test_a_send_a_failure_and_the_webhooks_log_no_number_address_text_or_link(
    client, logs, settings, twilio
):
    settings.EMAIL_BACKEND = "notifications.backends.console.ConsoleEmailBackend"
    contact = ContactFactory(case=CaseFactory(), mobile=MOBILE, email=EMAIL, wants_email=False)
    case = contact.case
    with time_machine.travel(NOW, tick=False):
        workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    planned = reminders(case)
    OutboundMessage.objects.filter(case=case).update(status=Status.QUEUED)

    # A text through Twilio, delivered.
    sent = planned["4w"]
    assert services.message_send(message_id=sent.id, now=sent.send_at) == Status.SENT
    sent.refresh_from_db()
    assert from_twilio(client, status_url(sent), report(sent, "delivered")).status_code == 204

    # A text Twilio refuses: the adviser is told and it goes by email, here the console's.
    twilio.reply_to(MOBILE, Reply.INVALID_NUMBER)
    refused = planned["2w"]
    assert services.message_send(message_id=refused.id, now=refused.send_at) == Status.FAILED
    fallback = OutboundMessage.objects.get(case=case, kind=OutboundMessage.Kind.FALLBACK)
    OutboundMessage.objects.filter(id=fallback.id).update(status=Status.QUEUED)
    assert services.message_send(message_id=fallback.id, now=refused.send_at) == Status.SENT

    # A text to the development console.
    settings.SMS_BACKEND = "console"
    console = planned["1w"]
    assert services.message_send(message_id=console.id, now=console.send_at) == Status.SENT

    # The family and a stranger text back; a failure report; the family says STOP.
    assert text_from(client, MOBILE, REPLY).status_code == 200
    assert text_from(client, STRANGER, REPLY).status_code == 200
    failed = report(sent, "undelivered", ErrorCode="30003")
    assert from_twilio(client, status_url(sent), failed).status_code == 204
    assert text_from(client, MOBILE, "STOP").status_code == 200
    # The family's pages, a wrong link, and a request Django refuses on a real link.
    assert client.get(reverse("family-page", args=[case.access_token])).status_code == 200
    assert client.get(reverse("family-page", args=[case.access_token + "x"])).status_code == 404
    assert client.put(reverse("opt-out", args=[contact.opt_out_token])).status_code == 405

    operator_sees = shown(logs)
    for secret in private_strings(case, contact):
        assert secret not in operator_sees
    # ...but enough to follow a message: its id and a masked address.
    assert f"SMS message {console.id} to +4474******56" in operator_sees
    assert f"Email message {fallback.id} to a***@example.com" in operator_sees
    assert f"Message {refused.id} (sms) not sent" in operator_sees
    assert "Not Found: /f/***/" in operator_sees
    # A developer at DEBUG still reads the texts the console backends took.
    console.refresh_from_db()
    fallback.refresh_from_db()
    debug = shown(logs, level=logging.DEBUG)
    assert console.body in debug
    assert fallback.body.splitlines()[0] in debug


def test_the_redacting_filter_masks_what_other_libraries_log():
    from sendflow.privacy import RedactingFilter

    record = logging.LogRecord(
        "axes.handlers.database",
        logging.WARNING,
        __file__,
        1,
        "Locked out %s from %s after GET /stop/%s/ and a text from %s",
        (EMAIL, "203.0.113.9", "AbCdEf0123456789", "07400 123456"),
        None,
    )

    RedactingFilter().filter(record)

    assert record.getMessage() == (
        "Locked out a***@example.com from 203.0.113.9 after GET /stop/***/ and a text from "
        "07400****56"
    )
