"""The outbox as an adviser opens it (issue 19, part 4), in Chromium: what is still to come and
what went wrong, problems first, a combined send as one row naming its dates, every column
inside 1280 px with the apps' side bar open; and at 375 px. Screenshots in var/screens/."""

from __future__ import annotations

import pytest

from notifications.models import OutboundMessage
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_adviser_pages import _login, _open
from tests.browser.test_combined_sends_pages import _axe, _scrolls_sideways, combined_case  # noqa: F401
from tests.browser.test_family_states import hampshire  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = SCREENSHOTS.parent / "screens"
Status = OutboundMessage.Status


def test_the_outbox_opens_on_problems_and_what_is_to_come_and_fits_1280_with_the_side_bar(
    browser,
    live_server,
    combined_case,  # noqa: F811
):
    # The first day's text failed: its lead and the two rows combined into it share its status.
    lead = combined_case.messages.get(channel="sms", status=Status.SENT, combined_into=None)
    failed = OutboundMessage.objects.filter(pk=lead.pk) | lead.combined.all()
    failed.update(status=Status.FAILED, last_error="21211: not a valid mobile number")
    cookie = _login(None, live_server, "sue")
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = f"/admin/notifications/outboundmessage/?case__id__exact={combined_case.pk}"

    context, page = _open(browser, live_server, cookie, path, 1280)
    page.screenshot(path=str(SCREENS / "outbox-default-1280.png"), full_page=True)
    assert page.locator("#nav-sidebar").is_visible()
    assert not _scrolls_sideways(page)
    assert not page.evaluate(
        "() => { const box = document.querySelector('.results');"
        " return box.scrollWidth > box.clientWidth; }"
    )
    # Every column's header is inside the viewport: nothing cut off at the right.
    right_edges = page.evaluate(
        "() => [...document.querySelectorAll('#result_list thead th')]"
        ".map(th => th.getBoundingClientRect().right)"
    )
    assert max(right_edges) <= 1280
    rows = page.locator("#result_list tbody tr")
    first = rows.first.inner_text()
    assert "Failed" in first
    assert "One message with 2 others in it" in first
    assert "21211" in first
    body = page.locator("#result_list tbody").inner_text()
    assert "Sent" not in body.replace("Sent in", "")
    assert "Cancelled" not in body
    assert (
        rows.count()
        == combined_case.messages.filter(
            combined_into=None, status__in=[Status.PENDING, Status.FAILED]
        ).count()
    )
    assert _axe(page, "#result_list") == []
    context.close()

    context, page = _open(browser, live_server, cookie, path, 375)
    page.screenshot(path=str(SCREENS / "outbox-default-375.png"), full_page=True)
    assert not _scrolls_sideways(page)  # the table scrolls inside its box, the page does not
    # Scrolled to its right end, the table shows the first row's status whole: nothing cut off.
    page.evaluate(
        "() => { const box = document.querySelector('.results');"
        " box.scrollLeft = box.scrollWidth; }"
    )
    page.screenshot(path=str(SCREENS / "outbox-default-375-scrolled.png"))
    status = page.locator("#result_list tbody tr").first.locator("td.field-status_flag")
    assert "Failed" in status.inner_text()
    edges = status.bounding_box()
    assert edges["x"] >= 0
    assert edges["x"] + edges["width"] <= 375
    context.close()
