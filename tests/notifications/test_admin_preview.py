"""The adviser's admin for messages: the preview and test sends."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from casework import admin_services
from notifications.backends import locmem
from notifications.backends.base import SendError
from notifications.models import OutboundMessage, ReminderPolicy
from tests.factories import AdviserFactory
from tests.helpers import london
from workflows.models import AdviserTask, Case, GivenDate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


# --- preview and test sends ----------------------------------------------------------------------


def preview_rows(page):
    return re.findall(
        r'data-key="([^"]+)" data-channel="sms" data-segments="(\d+)"', page, flags=re.S
    )


def test_preview_renders_every_template_and_saves_nothing(admin_client_logged_in, now):
    cases, messages_ = Case.objects.count(), OutboundMessage.objects.count()
    response = admin_client_logged_in.get(reverse("admin:notifications_reminderpolicy_preview"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = dict(preview_rows(page))
    kinds = set(ReminderPolicy.objects.values_list("deadline_kind", flat=True))
    given = {f"given:{kind}" for kind in GivenDate.Kind.values}  # dates a letter gives
    assert {key.split(":", 1)[1] for key in rows} == kinds | {""} | given
    assert {"summary:", "reminder:appeal", "date_changed:appeal", "check:certificate_due"} <= set(
        rows
    )
    assert "This message cannot be rendered" not in page
    assert "Your appeal must reach the SEND Tribunal by" in page
    assert (Case.objects.count(), OutboundMessage.objects.count()) == (cases, messages_)


def test_preview_shows_every_text_within_two_segments(admin_client_logged_in, now):
    """The summary is shown at its longest: the longest deadline names first."""
    page = admin_client_logged_in.get(
        reverse("admin:notifications_reminderpolicy_preview")
    ).content.decode()
    segments = dict(preview_rows(page))
    # Every policy: its reminder or check and "date changed"; a countdown also "date passed".
    computed = ReminderPolicy.objects.exclude(deadline_kind__startswith="given:")
    countdowns = computed.filter(style="countdown").count()
    # And every kind of date a letter gives, with its own policy: its reminder or check, and
    # "date changed".
    given = 2 * len(GivenDate.Kind)
    assert len(segments) == 1 + 2 * computed.count() + countdowns + given
    assert "passed:appeal" in segments
    assert {key: n for key, n in segments.items() if int(n) > 3} == {}
    assert "segments: over 2" not in page


def test_preview_flags_a_text_over_two_segments_in_red(admin_client_logged_in, now, settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "the Exampleshire SEND Information, Advice and " * 5
    page = admin_client_logged_in.get(
        reverse("admin:notifications_reminderpolicy_preview")
    ).content.decode()
    assert '<tr class="too-long" data-key="reminder:appeal" data-channel="sms"' in page
    assert "segments: over 2" in page


def send_test(client, **data):
    url = reverse("admin:notifications_reminderpolicy_preview")
    return client.post(url, {"sample": "reminder:appeal", **data}, follow=True)


def test_send_a_test_text_to_the_adviser(admin_client_logged_in, now):
    response = send_test(admin_client_logged_in, channel="sms", mobile="07400 123456")
    assert "The test text to +447400123456 was sent." in response.content.decode()
    [sms] = locmem.outbox
    assert sms.to == "+447400123456"
    assert "Appeal to the SEND Tribunal by" in sms.body
    test = OutboundMessage.objects.get(kind="test")
    assert (test.status, test.case.reference, test.body) == (Status.SENT, "SENDFLOW-TEST", sms.body)


def test_send_a_test_email_to_the_adviser(admin_client_logged_in, adviser, now):
    response = send_test(admin_client_logged_in, channel="email", sample="summary:")
    assert f"The test email to {adviser.email} was sent." in response.content.decode()
    [email] = mail.outbox
    assert email.to == [adviser.email]
    assert email.subject.startswith("[Test] Your key dates")


def test_a_test_email_needs_the_advisers_address(client, now):
    adviser = AdviserFactory(username="noemail", email="")
    client.force_login(adviser)
    response = send_test(client, channel="email")
    assert "Your user account has no email address" in response.content.decode()
    assert not mail.outbox
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("mobile", "error"),
    [
        ("", "Type the mobile number to send the test text to."),
        ("0161 496 0000", "is not a mobile number, so it cannot receive texts"),
        ("07700 900123", "is not a valid phone number"),
    ],
)
def test_a_test_text_needs_a_uk_mobile(admin_client_logged_in, now, mobile, error):
    response = send_test(admin_client_logged_in, channel="sms", mobile=mobile)
    assert error in response.content.decode()
    assert not locmem.outbox
    assert not OutboundMessage.objects.exists()


def test_a_failed_test_text_says_why(admin_client_logged_in, now, settings):
    settings.SMS_BACKEND = "tests.notifications.test_admin_preview.RefusingBackend"
    response = send_test(admin_client_logged_in, channel="sms", mobile="07400123456")
    assert "The test text to +447400123456 failed: Invalid &#x27;To&#x27; number" in (
        response.content.decode()
    )
    test = OutboundMessage.objects.get(kind="test")
    assert test.status == Status.FAILED
    assert not AdviserTask.objects.filter(done_at__isnull=True).exists()


class RefusingBackend(locmem.LocmemSMSBackend):
    def send(self, *, to, subject, body, reference, html="", unsubscribe_url=""):
        raise SendError("Invalid 'To' number (21211)", permanent=True)


def test_a_test_text_in_quiet_hours_waits_for_the_morning(admin_client_logged_in):
    with time_machine.travel(london(date(2026, 3, 10), 22), tick=False):
        response = send_test(admin_client_logged_in, channel="sms", mobile="07400123456")
    assert "was not sent yet (held for quiet hours). It will go at Wed 11 Mar 2026 09:00" in (
        response.content.decode()
    )
    assert not locmem.outbox


def test_the_test_case_is_reused(now):
    for _ in range(2):
        admin_services.adviser_message_send(
            channel="email", to="a@example.com", subject="s", body="b"
        )
    assert Case.objects.filter(reference="SENDFLOW-TEST").count() == 1
