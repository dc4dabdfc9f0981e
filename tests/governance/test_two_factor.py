"""Two-factor sign-in: set up an authenticator app, log in with its code, and the setting that
makes it required."""

import re
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import AuditEvent
from tests.factories import AdviserFactory, CaseFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long correct password"
ADDRESS = "198.51.100.7"
SETUP = "/admin/two-factor/"


@pytest.fixture
def sam(db):
    adviser = AdviserFactory(username="sam")
    adviser.set_password(PASSWORD)
    adviser.save()
    return adviser


def code_now(key: bytes) -> str:
    """What the adviser's phone shows now, computed as the app does (RFC 6238, 30 s, 6 digits)."""
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def wrong_code(key: bytes) -> str:
    return f"{(int(code_now(key)) + 1) % 1_000_000:06d}"


def log_in(client, code=None, password=PASSWORD, address=ADDRESS):
    data = {"username": "sam", "password": password, "next": reverse("admin:index")}
    if code is not None:
        data["otp_token"] = code
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=address)


def set_up_app(client) -> bytes:
    """Open the set-up page as the phone would read it, confirm with a first code; the key."""
    page = client.get(SETUP)
    assert page.status_code == 200
    text = page.content.decode()
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", text).group(1).replace(" ", "")
    uri = page.context["uri"]
    assert uri.startswith("otpauth://totp/sendflow%3Asam?")
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret]
    assert "<svg" in text  # the QR code, inline: no script, no image request
    key = b32decode(secret)
    confirmed = client.post(SETUP, {"otp_token": code_now(key), "next": reverse("admin:index")})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:index")
    return key


def test_an_adviser_sets_up_an_app_and_then_logging_in_needs_its_code(client, sam):
    assert log_in(client).status_code == 302  # no app yet: the password is enough
    key = set_up_app(client)
    device = TOTPDevice.objects.get(user=sam)
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200  # this session showed a code
    assert "Two-factor sign-in is on" in client.get(SETUP).content.decode()
    # The audit trail says who turned it on (a supervisor can see when a login was secured).
    turned_on = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_ON)
    assert turned_on.actor == sam

    browser = Client()
    without = log_in(browser)
    assert without.status_code == 200
    assert "enter the code from your authenticator app" in without.content.decode()
    assert "_auth_user_id" not in browser.session

    # Thirty seconds on, the phone shows the next code (the first one cannot be used twice).
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30), tick=False):
        logged_in = log_in(browser, code=code_now(key))
        assert logged_in.status_code == 302
        assert browser.session["_auth_user_id"] == str(sam.pk)
        assert browser.get(reverse("admin:workflows_case_changelist")).status_code == 200


def test_a_wrong_code_at_set_up_turns_nothing_on(client, sam):
    client.force_login(sam)
    page = client.get(SETUP)
    key = b32decode(page.context["secret"].replace(" ", ""))

    response = client.post(SETUP, {"otp_token": wrong_code(key)})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=sam, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_ON).exists()
    # The same key on the next try, so the app already scanned still works.
    assert client.get(SETUP).context["secret"] == page.context["secret"]


def test_login_with_a_wrong_code_is_refused(client, sam):
    log_in(client)
    key = set_up_app(client)
    browser = Client()

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30), tick=False):
        refused = log_in(browser, code=wrong_code(key))

    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert "_auth_user_id" not in browser.session
    assert browser.get(reverse("admin:index")).status_code == 302  # to the log-in page


def test_wrong_codes_count_towards_the_login_lockout(client, sam, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own slow-down aside: axes' count
    log_in(client)
    key = set_up_app(client)
    attacker = Client()  # has the password, not the phone
    later = timezone.now() + timezone.timedelta(seconds=30)

    with time_machine.travel(later, tick=False):
        for _ in range(4):
            assert log_in(attacker, code=wrong_code(key)).status_code == 200
        assert log_in(attacker, code=wrong_code(key)).status_code == 429
        # Locked: even the right code from that address is refused until the cool-off.
        assert log_in(attacker, code=code_now(key)).status_code == 429
        assert "_auth_user_id" not in attacker.session


def test_wrong_passwords_still_lock_out_with_the_code_field_there(client, sam):
    for _ in range(4):
        assert log_in(client, password="wrong", code="123456").status_code == 200
    assert log_in(client, password="wrong", code="123456").status_code == 429
    assert log_in(client).status_code == 429


def test_an_earlier_session_of_a_login_that_turned_on_the_app_must_log_in_again(sam):
    earlier, setting_up = Client(), Client()
    earlier.force_login(sam)  # logged in before the app was set up, on another computer
    setting_up.force_login(sam)
    set_up_app(setting_up)

    response = earlier.get(reverse("admin:workflows_case_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")
    assert "_auth_user_id" not in earlier.session


def test_when_not_required_a_login_without_an_app_uses_the_admin_as_before(client, sam):
    client.force_login(sam)

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:workflows_case_changelist")).status_code == 200


def test_when_required_a_login_without_an_app_is_sent_to_set_up_first(client, sam, settings):
    settings.SENDFLOW_REQUIRE_2FA = True
    client.force_login(sam)
    case = CaseFactory(adviser=sam)
    page = reverse("admin:workflows_case_change", args=[case.id])

    for url in (reverse("admin:index"), page):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}"

    set_up = client.get(SETUP, {"next": page})
    assert set_up.status_code == 200
    assert "asks every login to use two-factor sign-in" in set_up.content.decode()
    key = b32decode(set_up.context["secret"].replace(" ", ""))
    confirmed = client.post(SETUP, {"otp_token": code_now(key), "next": page})
    assert confirmed["Location"] == page
    assert client.get(page).status_code == 200


def test_when_required_the_log_in_and_log_out_pages_stay_open(client, sam, settings):
    settings.SENDFLOW_REQUIRE_2FA = True

    assert Client().get(reverse("admin:login")).status_code == 200
    assert log_in(client).status_code == 302  # the password, then set-up
    assert client.get(reverse("admin:index"))["Location"].startswith(SETUP)
    assert client.post(reverse("admin:logout")).status_code == 200


def test_the_set_up_page_needs_a_login(client):
    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_set_up_and_log_in_pages_run_no_inline_script(client, sam):
    client.force_login(sam)
    for page in (client.get(SETUP), Client().get(reverse("admin:login"))):
        assert "<script>" not in page.content.decode().replace(" ", "")
        policy = dict(
            part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";")
        )
        assert "unsafe-inline" not in policy["script-src"]


def test_authenticator_apps_in_the_admin_are_for_superusers_only(client, sam):
    operator = SuperuserFactory()
    url = reverse("admin:otp_totp_totpdevice_changelist")
    assert admin.site._registry[TOTPDevice].scope == "superuser"

    client.force_login(sam)
    assert client.get(url).status_code == 403
    client.force_login(operator)
    assert client.get(url).status_code == 200
