"""The import preview in Chromium at 1280 and 375 px: each case's next step and, before the
confirm button, what confirming sends; screenshots to look at (var/screens/)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from notifications.models import OutboundMessage, ReminderPolicy
from tests.browser.conftest import AXE, roles_restore
from tests.factories import SupervisorFactory
from workflows.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
CSV = (
    "reference,parent_name,email,mobile,channels,routes,decision_sent\n"
    'NEW-001,Priya Shah,priya@example.com,07400 123456,"sms,email",appeal,2026-12-31\n'
    "NEW-002,Ben Jones,ben@example.com,,email,appeal,2026-12-01\n"
    'NEW-003,Cara Lee,cara@example.com,07400 123458,"sms,email",mediation,2026-11-20\n'
)


def test_the_import_preview_says_what_confirming_sends_at_1280_and_375(
    browser, live_server, tmp_path
):
    roles_restore()  # an earlier transactional test's flush took the groups
    for kind in ("appeal", "mediation_adviser_contact"):  # and the reminder policies
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "countdown", "offsets": "4w,2w,1w,2wd,0d"}
        )
    client = Client()
    client.force_login(SupervisorFactory(username="sue"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = tmp_path / "caseload.csv"
    path.write_text(CSV, encoding="utf-8")
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(live_server.url + "/admin/workflows/case/import/")
        page.set_input_files("input[name=file]", str(path))
        page.get_by_role("button", name="Check the file (nothing is written)").click()
        page.wait_for_load_state("load")
        outlook = page.locator("#import-outlook").inner_text()
        assert outlook.startswith("On confirm, 3 families get their dates")
        assert "more messages are planned" in outlook
        created = page.locator("#import-created").inner_text()
        assert created.count("Next: ") == 3
        page.evaluate(AXE.read_text())
        # The page's own content (the admin's breadcrumbs are Django's, shared by every page).
        violations = page.evaluate(
            "async () => (await axe.run('#content', {resultTypes: ['violations']})).violations"
        )
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
        page.screenshot(path=str(SCREENS / f"import-preview-{width}.png"), full_page=True)
        context.close()
    assert not Case.objects.exists()  # two previews, nothing written
    assert not OutboundMessage.objects.exists()
