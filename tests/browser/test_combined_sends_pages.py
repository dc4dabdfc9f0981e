"""Combined sends in the adviser's admin, in Chromium at 1280 px: the case page's "What the
family will get next" and its messages, and the outbox list, fit the width, axe-clean in
what they add. Screenshots in var/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications import services as notification_services
from notifications.models import OutboundMessage, ReminderPolicy
from tests.browser.conftest import AXE, SCREENSHOTS
from tests.browser.test_adviser_pages import _login, _open
from tests.browser.test_family_states import a_case, hampshire  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def combined_case(hampshire, settings):  # noqa: F811
    """A decision sent three days ago: the mediation adviser and the appeal fall on one day, so
    each reminder day is one text and one email for two dates. The first day's have gone with
    the welcome summary: three rows in one text, three in one email."""
    settings.SMS_BACKEND = "locmem"
    settings.SENDFLOW_PUBLIC_URL = "https://sendflow.example.org"
    # The browser tests' flush removes the policies the migrations made.
    for kind in ("appeal", "mediation_adviser_contact"):
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "countdown", "offsets": "4w,2w,1w,2wd,0d"}
        )
    case = a_case(hampshire, decision_sent=timezone.localdate() - timedelta(days=3))
    first = case.messages.filter(kind="reminder").order_by("send_at").first().send_at
    case.messages.filter(kind="summary").update(send_at=first)  # a clock-free first send
    at = first + timedelta(minutes=1)
    for message_id in notification_services.messages_dispatch(now=at, enqueue=False).claimed:
        notification_services.message_send(message_id=message_id, now=at)
    assert case.messages.filter(combined_into__isnull=False).count() == 4
    get_user_model().objects.create_superuser("sue", "sue@iass.example", "unused-password-1")
    return case


def _axe(page, selector: str) -> list[str]:
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async (s) => (await axe.run(s, {resultTypes: ['violations']})).violations", selector
    )
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in violations]


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_the_case_page_shows_the_next_messages_and_which_went_as_one_at_1280(
    browser, live_server, combined_case
):
    cookie = _login(None, live_server, "sue")
    context, page = _open(
        browser, live_server, cookie, f"/admin/workflows/case/{combined_case.pk}/change/", 1280
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Both sections follow the first screen folded: open them as an adviser would.
    page.locator("#case-next-sends > summary").click()
    page.locator("#case-messages > summary").click()
    page.screenshot(path=str(SCREENSHOTS / "case-next-sends-1280.png"), full_page=True)
    page.locator("#case-next-sends").screenshot(
        path=str(SCREENSHOTS / "case-next-sends-section-1280.png")
    )
    page.locator("#case-messages").screenshot(
        path=str(SCREENSHOTS / "case-messages-combined-1280.png")
    )
    assert not _scrolls_sideways(page)
    sends = page.locator("#case-next-sends tr.next-send")
    assert sends.count() == 6  # three days, a text and an email each
    text = sends.first
    assert text.get_by_text("2 dates in one message").is_visible()
    assert text.get_by_text("Contact the mediation adviser by", exact=False).is_visible()
    assert text.get_by_text("2 segments", exact=False).is_visible()
    history = page.locator("#case-messages")
    assert history.get_by_text("Sent in one message with 2 others", exact=False).count() == 4
    assert history.get_by_text("One message with 2 others in it").count() == 2
    assert _axe(page, "#case-next-sends") == []
    assert _axe(page, "#case-messages") == []
    context.close()


def test_the_outbox_list_says_which_went_as_one_and_fits_1280(browser, live_server, combined_case):
    cookie = _login(None, live_server, "sue")
    context, page = _open(
        browser,
        live_server,
        cookie,
        # Every row, the ones combined into another too ("All"); with the apps' side bar open.
        f"/admin/notifications/outboundmessage/?case__id__exact={combined_case.pk}&show=all",
        1280,
    )
    assert page.locator("#nav-sidebar").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "outbox-combined-1280.png"), full_page=True)
    assert not _scrolls_sideways(page)
    assert not page.evaluate(
        "() => { const box = document.querySelector('.results');"
        " return box.scrollWidth > box.clientWidth; }"
    )
    rider = OutboundMessage.objects.filter(
        case=combined_case, channel="sms", combined_into__isnull=False
    ).first()
    row = page.locator("#result_list tr", has=page.locator(f"input[value='{rider.pk}']"))
    link = row.get_by_role("link", name=f"#{rider.combined_into_id}")
    assert link.is_visible()
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(
        f"/admin/notifications/outboundmessage/{rider.combined_into_id}/change/"
    )
    context.close()
