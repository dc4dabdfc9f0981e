"""A real reminder email's HTML part as a mail client shows it: axe-clean in light and dark mode,
no sideways scrolling at 320 px. Screenshots go to var/screens/ to be looked at."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from django.core import mail

from notifications import services
from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from tests.browser.conftest import SCREENSHOTS, Visit
from tests.factories import CaseFactory, ContactFactory
from workflows import services as workflow_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENS = SCREENSHOTS.parent / "screens"


@pytest.fixture
def reminder_html(settings) -> str:
    """The HTML part of the 4-week appeal reminder a family gets after a decision."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SENDFLOW_PUBLIC_URL = "https://sendflow.exampleshire.example"
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    settings.SENDFLOW_ADVICE_SERVICE_EMAIL = "send.advice@exampleshire.example"
    contact = ContactFactory(
        case=CaseFactory(reference="EX-0001"),
        name="Amira Khan",
        email="amira.khan@example.com",
        wants_sms=False,
    )
    with time_machine.travel(local_instant(date(2026, 12, 31), time(15)), tick=False):
        workflow_services.key_date_set(
            case=contact.case, event="decision_sent", value=date(2026, 12, 31)
        )
    message = OutboundMessage.objects.get(
        case=contact.case, deadline_kind="appeal", kind="reminder", channel="email", offset="4w"
    )
    OutboundMessage.objects.filter(id=message.id).update(status="queued")
    mail.outbox.clear()
    assert services.message_send(message_id=message.id, now=message.send_at) == "sent"
    ((html, _),) = mail.outbox[0].alternatives
    return html


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_html_email_reads_at_phone_and_desktop_widths(browser, reminder_html, scheme):
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (320, 375, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            color_scheme=scheme,
            java_script_enabled=True,  # for axe only: the email itself has no script
        )
        try:
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.set_content(reminder_html, wait_until="load")
            shown = Visit(page=page, status=200)
            assert not shown.scrolls_sideways(), f"scrolls sideways at {width}px"
            assert shown.axe_violations() == []
            assert requests == []  # nothing fetched: no images, fonts or trackers
            link = page.get_by_role("link", name="https://sendflow.exampleshire.example/f/")
            assert link.first.is_visible()
            if width != 320:
                page.screenshot(path=str(SCREENS / f"email-{scheme}-{width}.png"), full_page=True)
        finally:
            context.close()
