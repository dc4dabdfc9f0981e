"""Twilio at its HTTP seam: the real SDK talks to a fake API on 127.0.0.1; and the admin tests'
clock."""

import pytest
import time_machine

from notifications import services
from notifications.backends import locmem
from tests.fakes.fake_twilio import FakeTwilio
from tests.helpers import ADMIN_NOW

TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TWILIO_AUTH_TOKEN = "auth-token-for-tests-0123456789ab"
TWILIO_FROM_NUMBER = "+447900000001"
PUBLIC_URL = "https://sendflow.example.org"


@pytest.fixture
def fresh_backends():
    """Backends are cached per SMS_BACKEND: build them again from this test's settings."""
    services._backend.cache_clear()
    locmem.outbox.clear()
    yield
    services._backend.cache_clear()
    locmem.outbox.clear()


@pytest.fixture
def fake_twilio():
    yield from FakeTwilio(account_sid=TWILIO_ACCOUNT_SID, auth_token=TWILIO_AUTH_TOKEN).serving()


@pytest.fixture
def twilio(settings, fresh_backends, fake_twilio):
    """SMS goes through the real Twilio backend and SDK to the fake API."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = TWILIO_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = TWILIO_FROM_NUMBER
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    settings.TWILIO_TIMEOUT_SECONDS = 0.5
    settings.TWILIO_VALIDITY_PERIOD_SECONDS = 4 * 3600
    settings.SENDFLOW_PUBLIC_URL = PUBLIC_URL
    settings.SENDFLOW_QUIET_HOURS = "20:00-09:00"
    return fake_twilio


NOTIFY_SMS_TEMPLATE_ID = "11111111-2222-4333-8444-555555555555"
NOTIFY_EMAIL_TEMPLATE_ID = "66666666-7777-4888-9999-aaaaaaaaaaaa"
NOTIFY_CALLBACK_TOKEN = "notify-callback-token-for-tests-0123456789"


@pytest.fixture
def fake_notify():
    from tests.fakes.fake_notify import FakeNotify, make_api_key

    fake = FakeNotify(api_key=make_api_key())
    fake.api_key = f"sendflow_test-{fake.service_id}-{fake.secret}"
    yield from fake.serving()


@pytest.fixture
def notify(settings, fresh_backends, fake_notify):
    """Texts and emails go through the real Notify backends and client to the fake API."""
    settings.SMS_BACKEND = "notify"
    settings.EMAIL_BACKEND = "notifications.backends.notify.NotifyDjangoEmailBackend"
    settings.NOTIFY_API_KEY = fake_notify.api_key
    settings.NOTIFY_BASE_URL = fake_notify.url
    settings.NOTIFY_SMS_TEMPLATE_ID = NOTIFY_SMS_TEMPLATE_ID
    settings.NOTIFY_EMAIL_TEMPLATE_ID = NOTIFY_EMAIL_TEMPLATE_ID
    settings.NOTIFY_SMS_SENDER_ID = ""
    settings.NOTIFY_EMAIL_REPLY_TO_ID = ""
    settings.NOTIFY_CALLBACK_TOKEN = NOTIFY_CALLBACK_TOKEN
    settings.NOTIFY_TIMEOUT_SECONDS = 2.0  # a loaded CI machine; the timeout tests set less
    settings.SENDFLOW_PUBLIC_URL = PUBLIC_URL
    settings.SENDFLOW_QUIET_HOURS = "20:00-09:00"
    return fake_notify


@pytest.fixture
def now():
    """The admin tests' clock (tests/notifications/test_admin*.py): frozen at ADMIN_NOW."""
    with time_machine.travel(ADMIN_NOW, tick=False):
        yield ADMIN_NOW
