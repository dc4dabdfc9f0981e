"""The adviser's admin in Chromium after demo_data: the case list fits 1280 px with the passed
case first, and screenshots of the pages to look at (var/screenshots/)."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from workflows.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(visit_fixture, live_server, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _open(browser, live_server, cookie, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    return context, page


def test_the_case_list_fits_1280_with_the_passed_case_first(browser, live_server):
    from tests.browser.conftest import SCREENSHOTS

    call_command("demo_data", stdout=io.StringIO())
    cookie = _login(None, live_server, "demo-ann")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        context, page = _open(browser, live_server, cookie, "/admin/workflows/case/", width)
        page.screenshot(path=str(SCREENSHOTS / f"adviser-case-list-{width}.png"), full_page=True)
        if width == 1280:
            scrolls = page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not scrolls
            first = page.locator("#result_list tbody tr").first.inner_text()
            assert "DEMO-04" in first
            assert "Passed" in first
        context.close()
    demo = Case.objects.get(reference="DEMO-04").pk
    for name, path in (
        ("index", "/admin/"),
        ("case-page", f"/admin/workflows/case/{demo}/change/"),
        ("calculator", "/admin/workflows/case/calculator/?decision_sent=2026-10-01"),
        ("chronology", f"/admin/workflows/case/{demo}/chronology/"),
        ("import", "/admin/workflows/case/import/"),
    ):
        context, page = _open(browser, live_server, cookie, path, 1280)
        page.screenshot(path=str(SCREENSHOTS / f"adviser-{name}-1280.png"), full_page=True)
        context.close()
    supervisor = _login(None, live_server, "demo-sue")
    context, page = _open(browser, live_server, supervisor, "/admin/", 1280)
    page.screenshot(path=str(SCREENSHOTS / "supervisor-index-1280.png"), full_page=True)
    context.close()
    # Every column shows at 1280 px, the table's own box not scrolling either. A supervisor's
    # list also has the adviser column: its problems column was cut off (60 px of sideways
    # scroll in the box) until the headings could wrap.
    for who in (cookie, supervisor):
        context, page = _open(browser, live_server, who, "/admin/workflows/case/?cases=all", 1280)
        assert not page.evaluate(
            "() => { const box = document.querySelector('.results');"
            " return box.scrollWidth > box.clientWidth; }"
        )
        assert page.locator("#result_list thead th", has_text="Problems").is_visible()
        context.close()
