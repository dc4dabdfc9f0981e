"""Issue 19, part 3, in Chromium after demo_data: the deadline list and the case page's deadlines
say each deadline's state today in words first (DEMO-04's passed dates read "Passed ... working
days ago", DEMO-03's appeal "Done on ..."), the adviser's marking second; screenshots at 1280 and
375 px in var/screens/ to look at."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from tests.factories import SuperuserFactory
from workflows.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def _demo_data():
    """demo_data after an earlier transactional test's flush, which empties the roles (groups)
    a data migration made: their names are enough here, as the pages are read by a superuser,
    who sees every case as an adviser sees theirs. (serialized_rollback would restore them, but
    clashes with the content types post_migrate recreates after a flush.)"""
    for role in ("Adviser", "Supervisor"):
        Group.objects.get_or_create(name=role)
    call_command("demo_data", stdout=io.StringIO())


def _cookie():
    client = Client()
    client.force_login(SuperuserFactory())
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


def test_deadlines_say_their_state_then_the_marking(browser, live_server):
    _demo_data()
    cookie = _cookie()
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        context, page = _open(browser, live_server, cookie, "/admin/workflows/deadline/", width)
        page.screenshot(path=str(SCREENS / f"deadline-list-{width}.png"), full_page=True)
        headings = page.locator("#result_list thead th").all_inner_texts()
        headings = [h.strip().lower() for h in headings]
        state = next(i for i, h in enumerate(headings) if "state today" in h)
        marking = next(i for i, h in enumerate(headings) if "adviser's marking" in h)
        assert state < marking
        rows = page.locator("#result_list tbody tr").all_inner_texts()
        demo04 = [r for r in rows if "DEMO-04" in r]
        assert demo04
        assert any("Passed" in r and "working day" in r for r in demo04)
        assert any("Done on" in r for r in rows if "DEMO-03" in r)
        assert any("Open: due" in r for r in rows)
        assert page.locator(".deadline-passed").first.is_visible()
        context.close()
    for reference in ("DEMO-04", "DEMO-03"):
        pk = Case.objects.get(reference=reference).pk
        for width in (1280, 375):
            context, page = _open(
                browser, live_server, cookie, f"/admin/workflows/case/{pk}/change/", width
            )
            group = page.locator("#deadlines-group")
            group.scroll_into_view_if_needed()
            name = f"case-{reference.lower()}-deadlines-{width}.png"
            group.screenshot(path=str(SCREENS / name))
            text = group.inner_text()
            assert "Adviser's marking".lower() in text.lower()
            assert "Not marked" in text
            if reference == "DEMO-04":
                assert "Passed" in text
            else:
                assert "Done on" in text
            context.close()
