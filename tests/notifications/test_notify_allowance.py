"""Notify's free text allowance (it resets on 1 April): /healthz and the supervisor's index say
how many fragments went this financial year, and warn at 80%."""

import uuid
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from notifications import notify_usage
from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from tests.factories import CaseFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
ONE_FRAGMENT = "x" * 160
TWO_FRAGMENTS = "x" * 161
TODAY = date(2026, 5, 10)


def sent(*, at: datetime, body: str, provider_id: str | None = None, **fields):
    return OutboundMessage.objects.create(
        case=CaseFactory(),
        kind="test",
        channel="sms",
        to="+447400123456",
        body=body,
        send_at=at,
        sent_at=at,
        status=Status.SENT,
        provider_id=str(uuid.uuid4()) if provider_id is None else provider_id,
        **fields,
    )


@pytest.fixture
def this_year(notify):
    """Texts through Notify either side of 1 April, and some that are not Notify's."""
    sent(at=local_instant(date(2026, 3, 31), time(23, 30)), body=TWO_FRAGMENTS)  # last year
    sent(at=local_instant(date(2026, 4, 1), time(0, 30)), body=TWO_FRAGMENTS)
    lead = sent(at=local_instant(date(2026, 5, 1), time(10, 0)), body=ONE_FRAGMENT)
    # Riding in the lead's send: one text, counted once.
    sent(at=lead.sent_at, body=ONE_FRAGMENT, provider_id="", combined_into=lead)
    sent(at=lead.sent_at, body=TWO_FRAGMENTS, provider_id="SM" + "0" * 32)  # Twilio's
    return notify


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 3, 31), date(2025, 4, 1)),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (date(2027, 1, 1), date(2026, 4, 1)),
    ],
)
def test_the_financial_year_starts_on_1_april(today, start):
    assert notify_usage.financial_year_start(today) == start


def test_fragments_are_counted_since_1_april_through_notify_only(this_year):
    allowance = notify_usage.allowance(today=TODAY)

    assert allowance.used == 3
    assert allowance.free == 10000
    assert not allowance.warning
    assert str(allowance) == "3 of 10,000 free text fragments used since 1 April 2026 (0%)"


def test_healthz_shows_the_allowance_and_warns_at_80_percent_without_failing(
    client, this_year, settings
):
    with time_machine.travel(local_instant(TODAY, time(12, 0)), tick=False):
        body = client.get("/healthz").json()
        assert body["checks"]["notify_allowance"] == {
            "ok": True,
            "detail": "3 of 10,000 free text fragments used since 1 April 2026 (0%)",
        }

        settings.NOTIFY_FREE_TEXT_FRAGMENTS = 3
        response = client.get("/healthz")

    check = response.json()["checks"]["notify_allowance"]
    assert check["ok"] is True
    assert check["warning"] is True
    assert "3 of 3 free text fragments used since 1 April 2026 (100%)" in check["detail"]
    assert response.json()["checks"]["notify"]["ok"] is True


def test_healthz_has_no_notify_checks_where_notify_is_not_used(client, db):
    checks = client.get("/healthz").json()["checks"]

    assert "notify" not in checks
    assert "notify_allowance" not in checks


def test_the_supervisors_index_shows_the_allowance(client, this_year, settings):
    settings.NOTIFY_FREE_TEXT_FRAGMENTS = 4
    client.force_login(SupervisorFactory())

    with time_machine.travel(local_instant(TODAY, time(12, 0)), tick=False):
        page = client.get(reverse("admin:index")).content.decode()

    assert "GOV.UK Notify free texts" in page
    assert "3 of 4 free text fragments used since 1 April 2026 (75%)" in page
