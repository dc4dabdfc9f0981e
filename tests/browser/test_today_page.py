"""Today in Chromium after demo_data, as an adviser and a supervisor: the passed family deadline
first, nothing cut off at 1280 or 375 px, axe-clean, its one-click actions, and screenshots to
look at (var/screens/)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import roles_restore
from tests.browser.test_adviser_pages import _login, _open
from tests.browser.test_combined_sends_pages import _axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
YOU = re.compile(r"\byou(r|rs|rself)?\b", re.IGNORECASE)


def test_today_as_an_adviser_and_a_supervisor(browser, live_server):
    roles_restore()
    call_command("demo_data", stdout=io.StringIO())
    SCREENS.mkdir(parents=True, exist_ok=True)
    for who in ("demo-ann", "demo-sue"):
        cookie = _login(None, live_server, who)
        for width in (1280, 375):
            context, page = _open(browser, live_server, cookie, "/admin/today/", width)
            page.screenshot(path=str(SCREENS / f"today-{who}-{width}.png"), full_page=True)
            items = page.locator("#today-list li").all_inner_texts()
            assert items
            for text in items:
                assert not YOU.search(text), text
            assert not page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert _axe(page, "#content") == []
            if who == "demo-sue":
                assert "has no adviser" in items[-1] or len(items) == 50
            context.close()
    # One click closes an item: the supervisor takes on the unassigned case, and it leaves
    # (with the case's other items: it is no longer among the unassigned).
    context, page = _open(browser, live_server, cookie, "/admin/today/?adviser=none", 1280)
    page.locator("#today-list li", has_text="has no adviser").first.get_by_role(
        "button", name="Take on the case"
    ).click()
    page.wait_for_load_state("load")
    assert page.locator(".messagelist").inner_text()
    assert "has no adviser" not in page.locator("#content").inner_text()
    assert _axe(page, "#content") == []
    context.close()
