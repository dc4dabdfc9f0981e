"""Every state of the family's page (nothing recorded, open, done, passed, paused), the date
form by keyboard alone, the print view, at 375 and 1280 px, axe-clean, no sideways scroll at
320 px. Screenshots go to var/screenshots/ to be looked at."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tests.browser.test_family_pages import (
    advice_service,  # noqa: F401 - the autouse fixture: the service's name and phone
    assert_a_readable_page,
    assert_no_sideways_scroll_at_320,
    imported_case,  # noqa: F401
)
from tests.factories import CaseFactory, ContactFactory
from workflows import services
from workflows.models import Contact, LocalAuthority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hampshire():
    # Transactional tests empty the tables the migrations filled: the leaflet's council again.
    council, _ = LocalAuthority.objects.get_or_create(
        name="Hampshire County Council",
        defaults={"sen_team_phone": "01329 316165", "sen_team_email": "sen@hants.gov.uk"},
    )
    return council


def a_case(hampshire, **dates):
    case = CaseFactory(council=hampshire)
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    for event, value in dates.items():
        services.key_date_set(case=case, event=event, value=value)
    return case


def test_nothing_recorded_yet(visit, hampshire):
    case = a_case(hampshire)
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="state-nothing-recorded")
    assert_no_sideways_scroll_at_320(visit, path)
    page = visit(path).page
    assert page.get_by_text("We have no dates for you yet").is_visible()
    assert page.get_by_role("button", name="Tell us a date").is_visible()


def test_open_dates(visit, imported_case):  # noqa: F811
    path = f"/f/{imported_case.access_token}/"
    assert_a_readable_page(visit, path, name="state-open")
    assert_no_sideways_scroll_at_320(visit, path)
    page = visit(path).page
    assert page.get_by_role("heading", name="What to do next").is_visible()
    assert page.get_by_text("Who acts: You").first.is_visible()
    assert page.get_by_role("link", name="Subscribe in your calendar app").is_visible()


def test_done_dates(visit, hampshire):
    case = a_case(
        hampshire,
        decision_sent=date(2026, 11, 2),
        mediation_adviser_contacted=date(2026, 11, 10),
        appeal_submitted=date(2026, 11, 20),
    )
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="state-done")
    page = visit(path).page
    appeal = page.locator(".sendflow-row--done").filter(has_text="Appeal to the SEND Tribunal")
    text = " ".join(appeal.inner_text().split())
    assert "Done on Friday 20 November 2026. You sent your appeal to the SEND Tribunal." in text
    assert "That was in time: it was due by" in text
    assert "The date is" not in text


def test_passed_dates_on_a_sunday_evening_say_call_tomorrow(visit, hampshire):
    """Issue 18: "Call ... today" on a Sunday evening beside "Monday to Friday, 9am to 5pm"."""
    with time_machine.travel("2027-03-14 19:00 +00:00", tick=True):
        case = a_case(hampshire, decision_sent=date(2026, 12, 31))
        path = f"/f/{case.access_token}/"
        assert_a_readable_page(visit, path, name="state-passed-sunday-evening")
        page = visit(path).page
        warning = page.locator(".govuk-warning-text").first
        assert "Call Exampleshire SENDIASS on 01632 960123 tomorrow." in warning.inner_text()
        assert page.get_by_text("Monday to Friday, 9am to 5pm, except bank holidays").is_visible()
        assert page.get_by_text("SENDIASS on 01632 960123 today").count() == 0


def test_passed_dates(visit, hampshire):
    case = a_case(hampshire, decision_sent=date(2026, 8, 3))
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="state-passed")
    assert_no_sideways_scroll_at_320(visit, path)
    page = visit(path).page
    assert page.get_by_text("The Tribunal may still accept it late").first.is_visible()


def test_paused_messages(visit, hampshire):
    case = a_case(hampshire, decision_sent=date(2026, 11, 2))
    case.reminders_paused = True
    case.save()
    services.case_replan(case=case)
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="state-paused")
    assert visit(path).page.get_by_text("Your adviser has paused our messages").is_visible()


def test_print_view(visit, imported_case):  # noqa: F811
    path = f"/f/{imported_case.access_token}/print/"
    assert_a_readable_page(visit, path, name="print")
    assert_no_sideways_scroll_at_320(visit, path)
    page = visit(path).page
    assert page.locator("details").count() == 0
    assert page.get_by_text(imported_case.reference).first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.govuk-header").is_visible()


def test_the_date_form_and_its_errors(visit, imported_case):  # noqa: F811
    path = f"/f/{imported_case.access_token}/dates/"
    assert_a_readable_page(visit, path, name="dates")
    assert_no_sideways_scroll_at_320(visit, path)
    visited = visit(path)
    with visited.page.expect_navigation():
        visited.page.get_by_role("button", name="Send the date").click()
    summary = visited.page.locator(".govuk-error-summary")
    assert "Select the date you are telling us about" in summary.inner_text()
    assert visited.axe_violations() == []
    visited.screenshot("dates-errors-375")


def test_recording_a_certificate_by_keyboard_alone_moves_the_appeal(visit, hampshire):
    """Arrow keys through the radios, Tab through the date, Enter: the appeal moves on the page."""
    case = a_case(hampshire, decision_sent=date(2026, 12, 31))
    with time_machine.travel("2027-02-05 12:00 +00:00", tick=True):
        visited = visit(f"/f/{case.access_token}/dates/")
        page = visited.page
        page.locator("#event").focus()  # the first radio (reaching it by Tab: the test below)
        for _ in range(4):  # down the radios to "My mediation certificate came"
            page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.value") == "certificate_issued"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "date-day"
        page.keyboard.type("3")
        page.keyboard.press("Tab")
        page.keyboard.type("2")
        page.keyboard.press("Tab")
        page.keyboard.type("2027")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="Thank you: we have your date").is_visible()
        assert page.get_by_text(
            "Your appeal date moved from Monday 1 March to Wednesday 3 March 2027"
        ).is_visible()
        assert visited.axe_violations() == []
        visited.screenshot("dates-done-375")
        with page.expect_navigation():
            page.get_by_role("link", name="Back to your dates").click()
        assert page.get_by_text("By Wednesday 3 March 2027").first.is_visible()


@time_machine.travel("2027-02-01 12:00 +00:00", tick=True)
def test_a_date_that_would_replace_the_advisers_waits(visit, imported_case):  # noqa: F811
    visited = visit(f"/f/{imported_case.access_token}/dates/")
    page = visited.page
    page.get_by_label("My mediation certificate came").check()
    page.get_by_label("Day").fill("22")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the date").click()
    assert page.get_by_role("heading", name="Your adviser will check this date").is_visible()
    assert visited.axe_violations() == []
    visited.screenshot("dates-waiting-375")


def test_the_first_radio_is_reached_by_tab(visit, imported_case):  # noqa: F811
    page = visit(f"/f/{imported_case.access_token}/dates/").page
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "event":
            break
    assert page.evaluate("() => document.activeElement.name") == "event"
    # Focus is visible: GOV.UK's yellow focus ring.
    ring = page.evaluate(
        "() => getComputedStyle(document.activeElement.nextElementSibling, '::before').boxShadow"
    )
    assert ring != "none"


def test_choosing_emails_only_from_the_page(visit, imported_case):  # noqa: F811
    visited = visit(f"/f/{imported_case.access_token}/", width=375)
    page = visited.page
    page.get_by_label("Texts").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save choices for Amira Khan").click()
    assert page.get_by_text("Saved: your choices for Amira Khan.").is_visible()
    contact = Contact.objects.get(case=imported_case)
    assert not contact.wants_sms
    assert contact.wants_email
    assert visited.axe_violations() == []
    visited.screenshot("messages-saved-375")
