"""Each backend reads its own provider's delivery reports: the outbox sees only its own words."""

import pytest

from notifications.backends.console import ConsoleSMSBackend
from notifications.backends.notify import NotifyBackend
from notifications.backends.twilio_sms import TwilioBackend


@pytest.mark.parametrize(
    ("twilio", "ours"),
    [
        ("accepted", "sent"),
        ("queued", "sent"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("read", "delivered"),
        ("undelivered", "failed"),
        ("failed", "failed"),
        ("receiving", None),
    ],
)
def test_twilio_statuses_in_the_outboxs_words(twilio, ours):
    receipt = TwilioBackend.read_receipt(provider_status=twilio, error_code="30003")
    assert (receipt.provider_status, receipt.status) == (twilio, ours)
    assert receipt.failed_because == f"Twilio {twilio} (error 30003)"
    assert not receipt.unsubscribed


def test_a_twilio_report_of_a_stop_is_an_opt_out():
    receipt = TwilioBackend.read_receipt(provider_status="undelivered", error_code="21610")
    assert receipt.unsubscribed
    assert TwilioBackend.read_receipt(provider_status="failed").failed_because == (
        "Twilio failed (error none)"
    )


def test_notify_statuses_in_the_outboxs_words():
    failed = NotifyBackend.read_receipt(provider_status="permanent-failure")
    assert failed.status == "failed"
    assert "does not exist or cannot receive" in failed.failed_because
    assert NotifyBackend.read_receipt(provider_status="sending").status == "sent"
    assert NotifyBackend.read_receipt(provider_status="pending-virus-check").status is None


def test_a_backend_without_status_webhooks_reads_nothing():
    assert ConsoleSMSBackend.read_receipt(provider_status="delivered").status is None
