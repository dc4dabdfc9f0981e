"""What a browser and someone guessing are told: CSP, caching of private pages, throttles."""

import base64
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.factories import AdviserFactory, CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
FAMILY = "198.51.100.7"


# --- Content-Security-Policy --------------------------------------------------------------------


def csp(response) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return dict(directives)


def test_every_page_forbids_scripts_from_anywhere_but_our_own_files(admin_client_logged_in):
    client = Client()  # a family, not logged in
    case = CaseFactory()
    contact = ContactFactory(case=case)
    pages = [
        client.get(reverse("family-page", args=[case.access_token])),
        client.get(reverse("opt-out", args=[contact.opt_out_token])),
        client.get(reverse("admin:login")),
        admin_client_logged_in.get(reverse("admin:index")),
        admin_client_logged_in.get(reverse("admin:workflows_case_change", args=[case.id])),
    ]
    for response in pages:
        assert response.status_code == 200
        policy = csp(response)
        assert policy["script-src"].split()[0] == "'self'"
        assert "unsafe-inline" not in policy["script-src"]
        assert policy["default-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe-eval" not in response["Content-Security-Policy"]


def inline_scripts(page: str) -> list[str]:
    """Inline scripts a browser would run: no src, and not a data block (type="...json")."""
    return re.findall(
        r"<script(?![^>]*\b(?:src=|type=\"application/json))[^>]*>(.*?)</script>", page, re.S
    )


def test_every_inline_script_in_the_admin_is_one_the_policy_allows(superuser_client):
    """A browser runs an inline script only if its hash is in script-src: check each one."""
    case = CaseFactory()
    ContactFactory(case=case)
    task = PeriodicTask.objects.first()
    pages = {
        reverse("admin:index"),
        reverse("admin:workflows_case_changelist"),
        reverse("admin:workflows_case_add"),
        reverse("admin:workflows_case_change", args=[case.id]),
        reverse("admin:notifications_outboundmessage_changelist"),
        reverse("admin:django_celery_beat_periodictask_add"),
        reverse("admin:django_celery_beat_periodictask_change", args=[task.id]),
    }
    seen = 0
    for url in sorted(pages):
        response = superuser_client.get(url)
        allowed = csp(response)["script-src"].split()
        for script in inline_scripts(response.content.decode()):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, f"an inline script on {url} would be blocked"
            seen += 1
        assert " onclick=" not in response.content.decode()
    assert seen == 2  # django-celery-beat's form, on its add and change pages


# --- private pages are not cached ---------------------------------------------------------------


def test_the_family_page_and_the_opt_out_page_are_never_cached(client):
    case = CaseFactory()
    contact = ContactFactory(case=case)

    for url in (
        reverse("family-page", args=[case.access_token]),
        reverse("opt-out", args=[contact.opt_out_token]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store, private"


# --- guessing family links ----------------------------------------------------------------------


def test_an_address_that_keeps_guessing_links_is_told_to_wait(client, settings):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    case = CaseFactory()
    for guess in range(20):
        prefix = "family-page" if guess % 2 else "opt-out"
        response = client.get(reverse(prefix, args=[f"guess{guess}"]), REMOTE_ADDR=ATTACKER)
        assert response.status_code == 404

    blocked = client.get(reverse("family-page", args=["guess20"]), REMOTE_ADDR=ATTACKER)

    assert blocked.status_code == 429
    assert blocked["Content-Type"] == "text/plain; charset=utf-8"
    assert blocked["Retry-After"] == "600"
    text = blocked.content.decode()
    assert "Please wait 10 minutes" in text
    assert "01632 960123" in text
    # A family elsewhere is not affected, and nor is one behind the guesser's own address (a
    # school's or a library's network): a right link is not a guess.
    other = client.get(reverse("family-page", args=[case.access_token]), REMOTE_ADDR=FAMILY)
    assert other.status_code == 200
    same_network = client.get(
        reverse("family-page", args=[case.access_token]), REMOTE_ADDR=ATTACKER
    )
    assert same_network.status_code == 200


def test_a_family_who_mistypes_their_link_a_few_times_still_gets_in(client):
    case = CaseFactory()
    for _ in range(5):
        client.get(reverse("family-page", args=["mistyped"]), REMOTE_ADDR=FAMILY)

    response = client.get(reverse("family-page", args=[case.access_token]), REMOTE_ADDR=FAMILY)

    assert response.status_code == 200


def test_right_links_do_not_count_towards_the_limit(client):
    case = CaseFactory()
    url = reverse("family-page", args=[case.access_token])

    for _ in range(30):
        assert client.get(url, REMOTE_ADDR=FAMILY).status_code == 200


def test_behind_the_proxy_each_client_is_counted_by_the_address_the_proxy_saw(client, settings):
    settings.BEHIND_TLS_PROXY = True
    case = CaseFactory()
    for guess in range(20):
        client.get(
            reverse("family-page", args=[f"guess{guess}"]),
            REMOTE_ADDR="127.0.0.1",  # the proxy
            # The first address is whatever the client wrote; the proxy added the last one.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{guess}, {ATTACKER}",
        )
    wrong = reverse("family-page", args=["one-more"])

    assert (
        client.get(wrong, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    )
    assert (
        client.get(wrong, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=FAMILY).status_code == 404
    )
    right = reverse("family-page", args=[case.access_token])
    assert (
        client.get(right, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 200
    )


def test_reached_directly_a_guesser_cannot_hide_behind_a_made_up_forwarded_address(
    client, settings
):
    settings.BEHIND_TLS_PROXY = True
    for guess in range(20):
        client.get(
            reverse("family-page", args=[f"guess{guess}"]),
            REMOTE_ADDR=ATTACKER,  # a public address: not our proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{guess}",  # a new "client" each time
        )

    response = client.get(
        reverse("family-page", args=["guess20"]),
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assert response.status_code == 429


def test_with_two_proxies_the_client_is_the_second_address_from_the_end(client, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.SENDFLOW_TRUSTED_PROXY_HOPS = 2  # a CDN, then the TLS proxy
    for guess in range(20):
        client.get(
            reverse("family-page", args=[f"guess{guess}"]),
            REMOTE_ADDR="10.0.0.2",
            # written by the client, added by the CDN, added by the TLS proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{guess}, {ATTACKER}, 10.0.0.1",
        )

    def guess_from(address):
        return client.get(
            reverse("family-page", args=["again"]),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{address}, 10.0.0.1",
        ).status_code

    assert guess_from(ATTACKER) == 429
    assert guess_from(FAMILY) == 404


# --- admin logins -------------------------------------------------------------------------------


def log_in(client, username, password, address):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def adviser_with_password(db):
    adviser = AdviserFactory(username="sam")
    adviser.set_password("a long correct password")
    adviser.save()
    return adviser


def test_five_wrong_passwords_lock_that_username_from_that_address(client, adviser_with_password):
    for _ in range(4):
        assert log_in(client, "sam", "wrong", ATTACKER).status_code == 200  # the form again
    assert log_in(client, "sam", "wrong", ATTACKER).status_code == 429

    refused = log_in(client, "sam", "a long correct password", ATTACKER)

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # The adviser at their own desk still gets in, and so does a colleague at the same address.
    assert log_in(client, "sam", "a long correct password", FAMILY).status_code == 302
    assert client.session["_auth_user_id"] == str(adviser_with_password.pk)
    colleague = AdviserFactory(username="kim")
    colleague.set_password("kim's own long password")
    colleague.save()
    assert log_in(Client(), "kim", "kim's own long password", ATTACKER).status_code == 302


def test_a_locked_pair_gets_in_again_after_the_cool_off(client, adviser_with_password, settings):
    import time_machine
    from django.utils import timezone

    for _ in range(5):
        log_in(client, "sam", "wrong", ATTACKER)
    assert log_in(client, "sam", "a long correct password", ATTACKER).status_code == 429

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME, tick=False):
        response = log_in(client, "sam", "a long correct password", ATTACKER)

    assert response.status_code == 302


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client, adviser_with_password):
    for _ in range(4):
        log_in(client, "sam", "wrong", FAMILY)

    assert log_in(client, "sam", "a long correct password", FAMILY).status_code == 302
    assert get_user_model().objects.get(username="sam").last_login is not None
