"""The reports page in Chromium after demo_data (its cases spread over a year), as a supervisor
and an adviser: axe-core clean, nothing wider than the screen at 1280 or 375 px, the chart drawn,
and screenshots to look at (var/screens/reports-*.png)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.conftest import AXE, roles_restore
from tests.browser.test_adviser_pages import _login, _open
from tests.browser.test_today_page import SCREENS
from workflows.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reports_page_at_1280_and_375(browser, live_server):
    roles_restore()
    call_command("demo_data", stdout=io.StringIO())
    now = timezone.now()
    for index, case in enumerate(Case.objects.order_by("id")):
        Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(days=9 * index))
    SCREENS.mkdir(parents=True, exist_ok=True)
    for who in ("demo-sue", "demo-ann"):
        cookie = _login(None, live_server, who)
        for width in (1280, 375):
            context, page = _open(
                browser, live_server, cookie, "/admin/reports/?period=fy_to_date", width
            )
            page.screenshot(path=str(SCREENS / f"reports-{who}-{width}.png"), full_page=True)
            page.screenshot(path=str(SCREENS / f"reports-{who}-{width}-top.png"))
            page.locator("#table-monthly").screenshot(
                path=str(SCREENS / f"reports-{who}-{width}-chart.png")
            )
            assert page.locator("#report-chart .chart-bar").count() == 24
            assert page.locator("h2", has_text="The families' own deadlines").count() == 1
            assert not page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            page.evaluate(AXE.read_text())
            # The page's own content (the admin's breadcrumbs are Django's, on every page).
            violations = page.evaluate(
                "async () => (await axe.run('#content', {resultTypes: ['violations']})).violations"
            )
            assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
            context.close()
