"""The family's pages as a parent sees them on a phone and a desktop: GOV.UK layout, axe-clean,
no sideways scrolling, the advice service's phone on every page. Screenshots go to
var/screenshots/ to be looked at."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workflows.models import Case, Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "01632 960123"
WIDTHS = [375, 1280]


@pytest.fixture(autouse=True)
def advice_service(settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = PHONE
    settings.SENDFLOW_ADVICE_SERVICE_EMAIL = "send.advice@exampleshire.example"


@pytest.fixture
def imported_case(tmp_path) -> Case:
    """A case as an adviser's caseload import makes it: a parent with texts and emails, a
    decision and a mediation certificate."""
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "reference,parent_name,email,mobile,channels,placement_only,decision_sent,"
        "certificate_issued\n"
        'EX-0001,Amira Khan,amira.khan@example.com,07400123456,"sms,email",no,'
        "2026-12-31,2027-01-20\n"
    )
    call_command("import_cases", str(caseload), stdout=StringIO())
    return Case.objects.get(reference="EX-0001")


def assert_a_readable_page(visit, path: str, *, name: str, status: int = 200) -> None:
    """At 375 and 1280 px: one <main>, the service's phone, axe-clean, nothing failed to load,
    no GDS Transport; then a screenshot of each."""
    for width in WIDTHS:
        page = visit(path, width=width)
        assert page.status == status
        assert page.page.locator("main#main-content").count() == 1
        text = page.page.locator("body").inner_text()
        assert "{#" not in text
        assert "{%" not in text
        phone_links = page.page.get_by_role("link", name=PHONE)
        assert phone_links.count() >= 1
        assert {a.get_attribute("href") for a in phone_links.all()} == {"tel:01632960123"}
        assert page.page.get_by_text("Exampleshire SENDIASS").first.is_visible()
        assert page.axe_violations() == []
        assert page.problems == []
        assert page.fonts == []  # no web font: GDS Transport is GOV.UK's alone
        heading_font = page.page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
        assert heading_font.lower().startswith("arial")
        page.screenshot(f"{name}-{width}")


def assert_no_sideways_scroll_at_320(visit, path: str) -> None:
    assert not visit(path, width=320).scrolls_sideways()


def test_family_page_of_an_imported_case(visit, imported_case):
    path = f"/f/{imported_case.access_token}/"
    assert_a_readable_page(visit, path, name="family-page")
    assert_no_sideways_scroll_at_320(visit, path)

    page = visit(path, width=375).page
    assert page.get_by_role("heading", level=1).inner_text() == "Your dates"
    assert page.get_by_text("Monday 1 March 2027").first.is_visible()  # the appeal
    assert page.locator("header").get_by_role("img").count() == 0  # no crown


def test_family_page_without_javascript_still_opens_the_working(visit, imported_case):
    page = visit(f"/f/{imported_case.access_token}/", javascript=False).page
    summary = page.get_by_text("How we worked this out").first
    summary.click()
    working = page.locator("details[open] .govuk-details__text").first
    assert working.is_visible()


def test_family_page_with_no_dates_yet(visit):
    case = Case.objects.create(reference="EX-0002", local_authority="Exampleshire")
    path = f"/f/{case.access_token}/"
    assert_a_readable_page(visit, path, name="family-page-no-dates")
    assert visit(path).page.get_by_text("We have no dates for you yet").is_visible()


def test_opt_out_page(visit, imported_case):
    contact = Contact.objects.get(case=imported_case)
    path = f"/stop/{contact.opt_out_token}/"
    assert_a_readable_page(visit, path, name="opt-out")
    assert_no_sideways_scroll_at_320(visit, path)


def test_stopping_texts_shows_a_success_banner_and_stays_axe_clean(visit, imported_case):
    contact = Contact.objects.get(case=imported_case)
    page = visit(f"/stop/{contact.opt_out_token}/", width=375)

    page.page.get_by_role("button", name="Stop texts").click()
    page.page.wait_for_load_state("load")

    banner = page.page.get_by_role("alert")
    assert "We will send no more texts to Amira Khan" in banner.inner_text()
    assert page.page.get_by_text("Stopped").is_visible()
    assert page.axe_violations() == []
    assert page.problems == []
    page.screenshot("opt-out-stopped-375")


def test_mistyped_family_link_shows_the_friendly_not_found_page(visit, imported_case):
    mistyped = f"/f/{imported_case.access_token[:-1]}/"
    assert_a_readable_page(visit, mistyped, name="not-found", status=404)
    assert_no_sideways_scroll_at_320(visit, mistyped)
    page = visit(mistyped).page
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.title() == "Page not found - Exampleshire SENDIASS"


def test_server_error_page_is_axe_clean(visit, settings):
    """Rendered as Django renders it after an exception: 500.html with an empty context."""
    settings.ROOT_URLCONF = "tests.browser.urls_failing"
    assert_a_readable_page(visit, "/boom/", name="server-error", status=500)


def test_the_first_tab_offers_a_skip_link_to_the_main_content(visit, imported_case):
    page = visit(f"/f/{imported_case.access_token}/").page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("a => a === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
