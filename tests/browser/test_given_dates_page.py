"""The family's page with the Tribunal's timetable recorded: a hearing, final evidence and the
council's response (the letter's date in place of the computed one, the rules' date beside it),
at 375 and 1280 px, axe-clean, no sideways scroll at 320 px. Screenshots in var/screenshots/."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from tests.browser.test_family_pages import (
    advice_service,  # noqa: F401 - the autouse fixture: the service's name and phone
    assert_a_readable_page,
    assert_no_sideways_scroll_at_320,
)
from tests.browser.test_family_states import a_case, hampshire  # noqa: F401
from workflows import rules, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_tribunals_timetable_on_the_family_page(visit, hampshire):  # noqa: F811
    today = timezone.localdate()
    case = a_case(
        hampshire,
        decision_sent=today - timedelta(weeks=8),
        appeal_registered=today - timedelta(days=14),
    )
    letter = f"Tribunal letter of {rules.long_date(today - timedelta(days=10))}"
    services.given_date_set(
        case=case, kind="la_response", value=today + timedelta(days=30), source=letter
    )
    services.given_date_set(
        case=case, kind="final_evidence", value=today + timedelta(days=50), source=letter
    )
    hearing_day = today + timedelta(days=70)
    services.given_date_set(
        case=case, kind="hearing", value=hearing_day, time=time(10, 0), source=letter
    )
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="state-given-dates")
    assert_no_sideways_scroll_at_320(visit, path)
    page = visit(path).page
    assert page.get_by_text(f"On {rules.long_date(hearing_day)} at 10am").is_visible()
    assert page.get_by_text("The rules give ").first.is_visible()
    assert page.get_by_text("The Tribunal set this date in its letter of").first.is_visible()


def test_the_tribunals_timetable_on_the_admin_case_page_fits_1280(browser, live_server, hampshire):  # noqa: F811
    from django.contrib.auth import get_user_model

    from tests.browser.test_adviser_pages import _login, _open

    today = timezone.localdate()
    case = a_case(hampshire, appeal_registered=today - timedelta(days=14))
    letter = f"Tribunal letter of {rules.long_date(today - timedelta(days=10))}"
    for kind, days in (("la_response", 30), ("final_evidence", 50), ("attendance_form", 55)):
        services.given_date_set(
            case=case, kind=kind, value=today + timedelta(days=days), source=letter
        )
    services.given_date_set(
        case=case, kind="hearing", value=today + timedelta(days=70), time=time(10), source=letter
    )
    # A superuser: the flush between browser tests removes the groups the migrations made.
    get_user_model().objects.create_superuser("sue", "sue@iass.example", "unused-password-1")
    context, page = _open(
        browser,
        live_server,
        _login(None, live_server, "sue"),
        f"/admin/workflows/case/{case.pk}/change/",
        1280,
    )
    # Every column of a date from a letter (the letter, done on, confirmed) without scrolling.
    widths = page.evaluate(
        "() => { const box = document.querySelector('#given_dates-group .tabular');"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert widths[0] <= widths[1], widths
    assert page.get_by_text("Recorded by: adviser").first.is_visible()
    context.close()


def test_messages_further_ahead_on_the_family_page_and_the_case_page(
    browser,
    live_server,
    visit,
    hampshire,  # noqa: F811
):
    """A hearing five months on: its reminders are not in the outbox yet (plan_core.PLAN_AHEAD),
    but the family sees them in "What we will send you" and the adviser in the case's messages,
    with the day each goes into the outbox."""
    from django.contrib.auth import get_user_model

    from notifications.models import ReminderPolicy
    from tests.browser.conftest import SCREENSHOTS
    from tests.browser.test_adviser_pages import _login, _open

    # The browser tests' flush removes the policies the migrations made: the hearing's default.
    ReminderPolicy.objects.get_or_create(
        deadline_kind="given:hearing", defaults={"style": "countdown", "offsets": "1wd,0d"}
    )
    today = timezone.localdate()
    case = a_case(hampshire, appeal_registered=today - timedelta(days=14))
    hearing_day = today + timedelta(days=150)
    services.given_date_set(
        case=case,
        kind="hearing",
        value=hearing_day,
        time=time(10, 0),
        source=f"Tribunal letter of {rules.long_date(today - timedelta(days=3))}",
    )
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="family-messages-ahead")
    planned = visit(path).page.locator("table", has_text="Reminder: Tribunal hearing")
    assert planned.get_by_text(hearing_day.strftime("%-d %b %Y"), exact=True).first.is_visible()

    get_user_model().objects.create_superuser("sue", "sue@iass.example", "unused-password-1")
    cookie = _login(None, live_server, "sue")
    for width in (1280, 375):
        context, page = _open(
            browser, live_server, cookie, f"/admin/workflows/case/{case.pk}/change/", width
        )
        page.locator("#case-messages > summary").click()  # folded after the first screen
        page.screenshot(path=str(SCREENSHOTS / f"case-messages-ahead-{width}.png"), full_page=True)
        ahead = page.locator("#case-messages tr.message-ahead")
        assert ahead.count() >= 4  # the hearing's reminders, by text and by email
        assert ahead.get_by_text("Further ahead: goes into the outbox on").first.is_visible()
        context.close()
