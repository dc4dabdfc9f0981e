"""Texts and emails through the real notifications-python-client to a fake GOV.UK Notify API:
what lands at Notify, and what each of Notify's answers does to the message."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications import services
from notifications.backends.notify import NotifyEmailBackend, NotifySMSBackend
from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from tests.factories import CaseFactory
from tests.fakes.fake_notify import FakeNotify, Reply, make_api_key
from tests.notifications.conftest import (
    NOTIFY_EMAIL_TEMPLATE_ID,
    NOTIFY_SMS_TEMPLATE_ID,
)
from tests.notifications.test_twilio_backend import planned_appeal_text
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
MOBILE = "+447400123456"
NOW = local_instant(date(2026, 1, 20), time(10, 0))  # a Tuesday morning, outside quiet hours


def queued(*, channel="sms", to=MOBILE, body="sendflow test: your texts work.", subject=""):
    return OutboundMessage.objects.create(
        case=CaseFactory(),
        kind=OutboundMessage.Kind.TEST,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        send_at=NOW,
        status=Status.QUEUED,
        queued_at=NOW,
    )


def send(message, now=NOW):
    status = services.message_send(message_id=message.id, now=now)
    message.refresh_from_db()
    return status


# --- accepted -----------------------------------------------------------------------------------


def test_a_text_goes_through_the_pass_through_template_with_the_message_id_as_reference(notify):
    message = queued()

    assert send(message) == Status.SENT

    (request,) = notify.sends
    assert request.authorised
    assert request.path == "/v2/notifications/sms"
    assert request.body["phone_number"] == MOBILE
    assert request.body["template_id"] == NOTIFY_SMS_TEMPLATE_ID
    assert request.body["personalisation"] == {"body": "sendflow test: your texts work."}
    assert request.body["reference"] == str(message.id)
    (accepted,) = notify.notifications
    assert message.provider_id == accepted.id
    assert message.sent_at == NOW


def test_a_planned_reminder_reaches_notify_with_its_date(notify):
    message = planned_appeal_text()

    assert send(message, now=message.send_at) == Status.SENT

    (accepted,) = notify.notifications
    assert accepted.to == MOBILE
    assert accepted.reference == str(message.id)
    assert "Monday 16 March 2026" in accepted.personalisation["body"]
    assert accepted.personalisation["body"] == message.body


def test_an_email_goes_through_the_email_template_with_subject_body_and_unsubscribe(notify):
    text = planned_appeal_text(wants_email=True, email="amira@example.com")
    message = OutboundMessage.objects.get(
        case=text.case, deadline_kind="appeal", kind="reminder", channel="email", offset="4w"
    )
    OutboundMessage.objects.filter(id=message.id).update(status=Status.QUEUED, queued_at=NOW)

    assert send(message, now=message.send_at) == Status.SENT

    (accepted,) = notify.notifications
    assert accepted.type == "email"
    assert accepted.to == "amira@example.com"
    assert accepted.template_id == NOTIFY_EMAIL_TEMPLATE_ID
    assert accepted.personalisation == {"subject": message.subject, "body": message.body}
    assert "Monday 16 March 2026" in accepted.personalisation["body"]
    assert accepted.reference == str(message.id)
    assert accepted.one_click_unsubscribe_url.endswith(f"/stop/{text.contact.opt_out_token}/")
    assert message.provider_id == accepted.id


def test_a_test_email_goes_to_notify(notify):
    message = queued(channel="email", to="adviser@example.org", subject="A test", body="Hello")

    assert send(message) == Status.SENT

    (accepted,) = notify.notifications
    assert accepted.type == "email"
    assert accepted.personalisation == {"subject": "A test", "body": "Hello"}


def test_sender_and_reply_to_ids_go_when_set(notify, settings):
    settings.NOTIFY_SMS_SENDER_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    settings.NOTIFY_EMAIL_REPLY_TO_ID = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee"

    send(queued())
    send(queued(channel="email", to="a@example.org", subject="s", body="b"))

    assert notify.sends[0].body["sms_sender_id"] == settings.NOTIFY_SMS_SENDER_ID
    assert notify.sends[1].body["email_reply_to_id"] == settings.NOTIFY_EMAIL_REPLY_TO_ID


def test_the_fake_refuses_a_token_signed_with_another_secret(notify, settings):
    other = FakeNotify(api_key=make_api_key())
    settings.NOTIFY_API_KEY = f"sendflow_test-{notify.service_id}-{other.secret}"

    assert send(queued()) == Status.FAILED

    assert notify.sends[0].authorised is False
    assert notify.notifications == []


def test_the_fake_refuses_a_stale_token(notify):
    import jwt

    stale = jwt.encode(
        {"iss": notify.service_id, "iat": int(NOW.timestamp()) - 3600}, notify.secret, "HS256"
    )
    assert not notify.authorised(f"Bearer {stale}")
    fresh = jwt.encode(
        {"iss": notify.service_id, "iat": int(__import__("time").time())}, notify.secret, "HS256"
    )
    assert notify.authorised(f"Bearer {fresh}")
    wrong_issuer = jwt.encode(
        {"iss": "someone-else", "iat": int(__import__("time").time())}, notify.secret, "HS256"
    )
    assert not notify.authorised(f"Bearer {wrong_issuer}")


# --- refused: fail, and tell the adviser in words ------------------------------------------------


def test_a_number_notify_rejects_fails_and_the_adviser_is_told_in_words(notify):
    message = planned_appeal_text(wants_email=False, email="amira@example.com")
    notify.queue(Reply.BAD_NUMBER)

    assert send(message, now=message.send_at) == Status.FAILED

    assert notify.notifications == []
    task = AdviserTask.objects.get(message=message)
    assert task.kind == AdviserTask.Kind.DELIVERY_FAILED
    assert "GOV.UK Notify says this is not a mobile number it can text" in task.text
    assert "Check the contact details with the family" in task.text
    # The reminder goes by email instead.
    fallback = OutboundMessage.objects.get(case=message.case, channel="email")
    assert fallback.kind == OutboundMessage.Kind.FALLBACK


def test_trial_mode_fails_and_says_the_notify_service_must_go_live(notify):
    message = queued()
    notify.queue(Reply.TRIAL_MODE)

    assert send(message) == Status.FAILED

    assert "trial mode" in message.last_error
    assert "make the Notify service live" in AdviserTask.objects.get(message=message).text


def test_a_refused_key_fails_without_blaming_the_family_and_raises_the_alarm(notify):
    from sendflow.health import run_checks

    message = planned_appeal_text(wants_email=False, email="")
    notify.queue(Reply.BAD_KEY)

    assert send(message, now=message.send_at) == Status.FAILED

    task = AdviserTask.objects.get(message=message)
    assert "refused our API key" in task.text
    assert "not the family's details" in task.text
    assert "Check the contact details" not in task.text
    check = run_checks()["notify"]
    assert check["ok"] is False
    assert "refused our API key" in check["detail"]

    # Once a message goes through again, the alarm is over.
    send(queued(), now=message.send_at + timedelta(minutes=5))
    assert run_checks()["notify"]["ok"] is True


# The daily limit is the service's own: test_the_daily_limit_keeps_the_text_due_until_it_resets
def test_the_rate_limit_is_retried_later_without_bothering_the_adviser(notify):
    message = queued()
    notify.queue(Reply.RATE_LIMITED)

    assert send(message) == Status.PENDING

    assert NOW < message.send_at <= NOW + timedelta(minutes=2)  # the first backoff, with jitter
    assert not AdviserTask.objects.exists()
    retry_at = message.send_at
    assert services.messages_dispatch(now=retry_at, enqueue=False).claimed == [message.id]
    assert send(message, now=retry_at) == Status.SENT
    assert len(notify.notifications) == 1


def test_notify_unreachable_is_retried_later(notify):
    message = queued()
    notify.stop()

    assert send(message) == Status.PENDING

    assert "Could not reach GOV.UK Notify" in message.last_error
    assert not AdviserTask.objects.exists()


def test_a_text_outside_gsm_characters_is_not_sent_to_notify_and_goes_by_email(notify):
    message = queued(body="Diolch yn fawr: ŵ ŷ")

    assert send(message) == Status.FAILED

    assert notify.sends == []
    assert "GSM characters only" in message.last_error


# --- unknown: reconcile by reference before any resend -------------------------------------------


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_timeout_after_notify_accepted_is_reconciled_without_a_second_send(
    notify, settings, channel
):
    settings.NOTIFY_TIMEOUT_SECONDS = 0.3
    to = MOBILE if channel == "sms" else "amira@example.com"
    message = queued(channel=channel, to=to, subject="s")
    notify.queue(Reply.TIMEOUT)

    assert send(message) == Status.UNKNOWN
    assert "did not answer in time" in message.last_error
    notify.release()

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert sweep.reconciled_sent == 1
    assert sweep.resent == 0
    message.refresh_from_db()
    assert message.status == Status.SENT
    (accepted,) = notify.notifications
    assert message.provider_id == accepted.id
    assert len(notify.sends) == 1
    (lookup,) = notify.lookups
    assert lookup.query["reference"] == str(message.id)
    assert lookup.authorised


def test_a_gateway_error_after_notify_accepted_is_reconciled_without_a_second_send(notify):
    # A 502 from in front of Notify says nothing about whether Notify took the text.
    message = queued()
    notify.queue(Reply.ACCEPTED_THEN_BAD_GATEWAY)

    assert send(message) == Status.UNKNOWN
    assert "502" in message.last_error
    assert not AdviserTask.objects.exists()

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert (sweep.reconciled_sent, sweep.resent) == (1, 0)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(notify.sends) == 1


def test_a_server_error_notify_has_no_record_of_goes_again_once(notify):
    message = queued()
    notify.queue(Reply.SERVER_ERROR)

    assert send(message) == Status.UNKNOWN
    assert notify.notifications == []

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert sweep.resent == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    later = message.send_at
    assert services.messages_dispatch(now=later, enqueue=False).claimed == [message.id]
    assert send(message, now=later) == Status.SENT
    assert len(notify.notifications) == 1


def test_an_unknown_send_notify_has_no_record_of_goes_again(notify):
    message = queued()
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.UNKNOWN, sending_at=NOW, body="sendflow test: your texts work."
    )

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert sweep.resent == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.status_reason == "resent: provider had no record"


def test_an_unknown_send_waits_while_notify_cannot_be_asked(notify):
    message = queued()
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.UNKNOWN, sending_at=NOW, body="x"
    )
    notify.stop()

    sweep = services.messages_sweep(now=NOW + timedelta(minutes=2))

    assert sweep.resent == 0
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN


def test_djangos_own_emails_go_through_notify_too(notify):
    from django.core import mail

    assert mail.send_mail("Set your password", "Open this link", None, ["ann@example.org"]) == 1

    (accepted,) = notify.notifications
    assert accepted.type == "email"
    assert accepted.to == "ann@example.org"
    assert accepted.personalisation == {"subject": "Set your password", "body": "Open this link"}


def test_djangos_own_emails_with_a_lazily_translated_subject_go_through_notify(notify):
    """Django's own backends take a lazy string (gettext_lazy) for the subject or body: Notify's
    client must get plain text, as its request body is JSON."""
    from django.core import mail
    from django.utils.translation import gettext_lazy

    sent = mail.send_mail(
        gettext_lazy("Set your password"), gettext_lazy("Open this link"), None, ["ann@example.org"]
    )

    assert sent == 1
    (accepted,) = notify.notifications
    assert accepted.personalisation == {"subject": "Set your password", "body": "Open this link"}


# --- set-up --------------------------------------------------------------------------------------


def test_backends_are_chosen_by_short_name(notify):
    assert isinstance(services.backend_for("sms"), NotifySMSBackend)
    assert isinstance(services.backend_for("email"), NotifyEmailBackend)


def test_a_key_that_is_not_a_notify_key_is_refused(notify, settings):
    settings.NOTIFY_API_KEY = "AC0123456789"

    with pytest.raises(ImproperlyConfigured, match="not a GOV.UK Notify API key"):
        services.backend_for("sms").send(to=MOBILE, subject="", body="x", reference="1")


def test_the_daily_limit_keeps_the_text_due_until_it_resets_and_never_fails_it(notify, settings):
    settings.SENDFLOW_MAX_ATTEMPTS = 2
    message = queued()
    now = NOW
    for _ in range(4):  # more tries than a transient error is allowed
        notify.queue(Reply.DAILY_LIMIT)
        assert send(message, now=now) == Status.PENDING
        assert message.attempts == 0  # the service's limit: its tries do not count
        assert "daily sending limit" in message.last_error
        assert message.send_at > now
        now = message.send_at
        OutboundMessage.objects.filter(id=message.id).update(status=Status.QUEUED)
    assert not AdviserTask.objects.exists()

    assert send(message, now=now) == Status.SENT  # the limit reset
    assert len(notify.notifications) == 1


def test_a_rate_limit_that_outlasts_every_try_fails_without_blaming_the_family(notify, settings):
    settings.SENDFLOW_MAX_ATTEMPTS = 2
    message = planned_appeal_text(wants_email=False, email="")
    notify.queue(Reply.RATE_LIMITED, Reply.RATE_LIMITED)

    assert send(message, now=message.send_at) == Status.PENDING
    OutboundMessage.objects.filter(id=message.id).update(status=Status.QUEUED)
    assert send(message, now=message.send_at) == Status.FAILED

    task = AdviserTask.objects.get(message=message)
    assert "It was tried 2 times and the provider did not take it" in task.text
    assert "Check the contact details" not in task.text
