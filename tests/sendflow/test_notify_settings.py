"""Start-up with GOV.UK Notify chosen: refused in one line without its key and template, or
with a key that is not Notify's; short names for EMAIL_BACKEND."""

import pytest

from tests.sendflow.test_settings import load, refusal  # noqa: F401 (the fixture)

KEY = "sendflow_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-4ac2-8529-f4dc6a5d6fd5"
TEMPLATE = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def clean(monkeypatch):
    for name in ("EMAIL_BACKEND", "NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NOTIFY_EMAIL_TEMPLATE_ID", raising=False)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"SMS_BACKEND": "notify"},
            ["SMS_BACKEND is notify", "NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID"],
        ),
        (
            {"SMS_BACKEND": "notify", "NOTIFY_API_KEY": KEY},
            ["NOTIFY_SMS_TEMPLATE_ID"],
        ),
        (
            {"EMAIL_BACKEND": "notify", "NOTIFY_SMS_TEMPLATE_ID": TEMPLATE, "NOTIFY_API_KEY": KEY},
            ["EMAIL_BACKEND is notify", "NOTIFY_EMAIL_TEMPLATE_ID"],
        ),
    ],
)
def test_notify_without_its_key_or_template_refuses_to_start(load, clean, env, named):  # noqa: F811
    message = refusal(load, **env)

    for name in named:
        assert name in message


@pytest.mark.parametrize("key", ["SK" + "0" * 32, "3d844edf-8d35-4ac2-8529-f4dc6a5d6fd5", "x y"])
def test_a_key_that_is_not_a_notify_key_refuses_to_start(load, clean, key):  # noqa: F811
    message = refusal(
        load, SMS_BACKEND="notify", NOTIFY_API_KEY=key, NOTIFY_SMS_TEMPLATE_ID=TEMPLATE
    )

    assert "NOTIFY_API_KEY is not a GOV.UK Notify API key" in message
    assert key not in message


def test_notify_with_its_settings_starts(load, clean):  # noqa: F811
    names = load(
        SMS_BACKEND="notify",
        EMAIL_BACKEND="notify",
        NOTIFY_API_KEY=KEY,
        NOTIFY_SMS_TEMPLATE_ID=TEMPLATE,
        NOTIFY_EMAIL_TEMPLATE_ID=TEMPLATE,
    )

    assert names["EMAIL_BACKEND"] == "notifications.backends.notify.NotifyDjangoEmailBackend"
    assert names["NOTIFY_BASE_URL"] == "https://api.notifications.service.gov.uk"
    assert names["NOTIFY_FREE_TEXT_FRAGMENTS"] == 10000


@pytest.mark.parametrize(
    ("short", "path"),
    [
        ("console", "notifications.backends.console.ConsoleEmailBackend"),
        ("file", "django.core.mail.backends.filebased.EmailBackend"),
        ("locmem", "django.core.mail.backends.locmem.EmailBackend"),
        ("smtp", "django.core.mail.backends.smtp.EmailBackend"),
        ("anymail.backends.amazon_ses.EmailBackend", "anymail.backends.amazon_ses.EmailBackend"),
    ],
)
def test_email_backend_takes_short_names_or_a_dotted_path(load, clean, short, path):  # noqa: F811
    assert load(EMAIL_BACKEND=short)["EMAIL_BACKEND"] == path
