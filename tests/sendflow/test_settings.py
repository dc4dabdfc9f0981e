"""Start-up in production: what it refuses, what it turns on, and Django's deploy checklist."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "sendflow" / "settings.py"
GOOD_KEY = secrets.token_urlsafe(50)
ADVICE_SERVICE = {
    "SENDFLOW_ADVICE_SERVICE_NAME": "Exampleshire SENDIASS",
    "SENDFLOW_ADVICE_SERVICE_PHONE": "01632 960123",
    "SENDFLOW_ADVICE_SERVICE_EMAIL": "sendiass@example.org",
}


@pytest.fixture
def load(monkeypatch):
    """Run settings.py afresh under exactly the given environment (no .env), return its names."""
    monkeypatch.setattr(environ.Env, "read_env", lambda *args, **kwargs: None)

    def load(**env):
        for name in list(os.environ):
            if name.startswith(("DJANGO_", "SENDFLOW_", "SMS_", "TWILIO_", "AXES_")):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return load


def refusal(load, **env) -> str:
    with pytest.raises(ImproperlyConfigured) as refused:
        load(**env)
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "where",
    [
        {"SENDFLOW_ENV": "production"},
        {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "sendflow.example.org"},
        {"DJANGO_ALLOWED_HOSTS": "localhost,sendflow.example.org"},
        {"DJANGO_ALLOWED_HOSTS": "*"},
    ],
)
def test_production_without_a_secret_key_refuses_to_start_and_says_what_to_set(load, where):
    message = refusal(load, **where, **ADVICE_SERVICE)

    assert message.startswith("DJANGO_SECRET_KEY is missing: in production set it to a random")
    assert "at least 50 characters" in message


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("dev-only-insecure-key-set-DJANGO_SECRET_KEY", "the built-in development key"),
        ("change-me-to-a-long-random-string", "still the example value"),
        ("change-me-" + "x" * 50, "still the example value"),
        # Named: a random key in the test's name would differ between pytest-xdist workers.
        pytest.param(
            "django-insecure-" + GOOD_KEY, "still the example value", id="django-insecure-"
        ),
        ("x" * 49, "only 49 characters"),
        ("a" * 50, "only 1 different characters repeated"),
        ("abab" * 15, "only 2 different characters repeated"),
    ],
)
def test_production_refuses_the_built_in_or_a_short_secret_key(load, key, problem):
    message = refusal(load, SENDFLOW_ENV="production", DJANGO_SECRET_KEY=key, **ADVICE_SERVICE)

    assert message.startswith(f"DJANGO_SECRET_KEY is {problem}: in production set it")


def test_production_refuses_debug_in_one_line(load):
    message = refusal(
        load,
        SENDFLOW_ENV="production",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_DEBUG="true",
        **ADVICE_SERVICE,
    )

    assert message.startswith("DJANGO_DEBUG is on: in production")


@pytest.mark.parametrize("hops", ["0", "-1"])
def test_proxy_hops_below_one_refuse_to_start(load, hops):
    message = refusal(load, SENDFLOW_TRUSTED_PROXY_HOPS=hops)

    assert message.startswith(f"SENDFLOW_TRUSTED_PROXY_HOPS is {hops}: set it to the number")


def test_production_refuses_an_unset_advice_service(load):
    message = refusal(
        load,
        SENDFLOW_ENV="production",
        DJANGO_SECRET_KEY=GOOD_KEY,
        SENDFLOW_ADVICE_SERVICE_NAME="Exampleshire SENDIASS",
    )

    assert message.startswith(
        "SENDFLOW_ADVICE_SERVICE_PHONE and SENDFLOW_ADVICE_SERVICE_EMAIL unset: in production set"
    )


@pytest.mark.parametrize(
    "env",
    [
        {},  # no environment at all: the embedded default
        {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,[::1],127.0.0.2"},
        {"DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": "sendflow.example.org"},
    ],
)
def test_a_dev_machine_starts_with_the_built_in_key(load, env):
    settings = load(**env)

    assert not settings["PRODUCTION"]
    assert settings["SECRET_KEY"] == "dev-only-insecure-key-set-DJANGO_SECRET_KEY"
    assert not settings["SECURE_SSL_REDIRECT"]
    assert settings["SECURE_HSTS_SECONDS"] == 0


def test_production_with_a_good_key_starts(load):
    settings = load(SENDFLOW_ENV="production", DJANGO_SECRET_KEY=GOOD_KEY, **ADVICE_SERVICE)

    assert settings["PRODUCTION"]
    assert settings["SECRET_KEY"] == GOOD_KEY


def test_behind_the_tls_proxy_https_is_enforced(load):
    settings = load(DJANGO_BEHIND_TLS_PROXY="true")

    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["SESSION_COOKIE_SECURE"]
    assert settings["CSRF_COOKIE_SECURE"]
    assert settings["SECURE_SSL_REDIRECT"]
    assert settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert settings["SECURE_HSTS_PRELOAD"]


def test_hsts_and_the_redirect_can_each_be_set_on_their_own(load):
    settings = load(
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )

    assert settings["SECURE_HSTS_SECONDS"] == 3600
    assert not settings["SECURE_SSL_REDIRECT"]
    assert load(DJANGO_SECURE_SSL_REDIRECT="true")["SECURE_SSL_REDIRECT"]


def test_console_backends_show_whole_messages_only_outside_production(load):
    local = load()["LOGGING"]["loggers"]
    production = load(SENDFLOW_ENV="production", DJANGO_SECRET_KEY=GOOD_KEY, **ADVICE_SERVICE)
    assert local["sendflow.sms"]["level"] == local["sendflow.email"]["level"] == "DEBUG"
    loggers = production["LOGGING"]["loggers"]
    assert loggers["sendflow.sms"]["level"] == loggers["sendflow.email"]["level"] == "INFO"


# --- as an operator starts it -------------------------------------------------------------------


def env_example() -> dict[str, str]:
    """The active lines of .env.example."""
    pairs = re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.M)
    return dict(pairs)


def compose_environment() -> dict[str, str]:
    """The values docker-compose.yml sets itself (the rest pass through from .env)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("  environment:\n", 1)[1].split("\n  depends_on:", 1)[0]
    pairs = re.findall(r"^    ([A-Z][A-Z0-9_]*): *([^\s#][^#\n]*?)\s*(?:#.*)?$", block, re.M)
    return dict(pairs)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_environment(**overrides) -> dict[str, str]:
    """.env.example as docker-compose runs it, with what an operator must fill in filled in."""
    env = {**env_example(), **compose_environment()}
    assert env["SENDFLOW_ENV"] == "production"
    return {**env, "DJANGO_SECRET_KEY": GOOD_KEY, **ADVICE_SERVICE, **overrides}


def test_the_production_environment_passes_djangos_deploy_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_the_production_environment_with_debug_on_stops_with_one_line():
    result = manage("check", env=production_environment(DJANGO_DEBUG="true"))

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "sendflow will not start: DJANGO_DEBUG is on: in production its error pages show "
        "settings and every URL; remove DJANGO_DEBUG or set it to false"
    ]


def test_the_production_environment_without_a_key_stops_with_one_line():
    result = manage("check", env=production_environment(DJANGO_SECRET_KEY=""))

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # the refusal alone, not a traceback
    last = lines[0]
    assert last.startswith("sendflow will not start: DJANGO_SECRET_KEY is missing: in production")
    assert "secrets.token_urlsafe(50)" in last


@pytest.mark.parametrize(
    "hours",
    ["Monday to Friday, 9am to 5pm", "Mon-Fri 17:00-09:00", "Mon-Fri 09:00-17:00,", ""],
)
def test_advice_service_hours_written_otherwise_refuse_to_start_and_say_how(load, hours):
    """The setting used to be a sentence; now the page works out "call today" from it."""
    message = refusal(load, SENDFLOW_ADVICE_SERVICE_HOURS=hours)
    assert message.startswith(f"SENDFLOW_ADVICE_SERVICE_HOURS is '{hours}': write it as days")
    assert "Mon-Fri 09:00-17:00" in message


def test_advice_service_hours_default_to_weekdays_nine_to_five(load):
    assert load()["SENDFLOW_ADVICE_SERVICE_HOURS"] == "Mon-Fri 09:00-17:00"
    hours = "Mon-Thu 09:00-17:00, fri 09:00-16:30"
    assert load(SENDFLOW_ADVICE_SERVICE_HOURS=hours)["SENDFLOW_ADVICE_SERVICE_HOURS"] == hours
