"""GOV.UK Notify's free text allowance in the whole service's report (issue 22 part 4): the
fragments sent through Notify from 1 April to the period's end, a warning from 80%."""

import json
import uuid
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from reports.figures import DEFINITIONS, Scope, report
from reports.periods import Period
from reports.tables import as_csv, as_text
from tests.factories import AdviserFactory, SupervisorFactory
from tests.reports.conftest import at

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
ONE_FRAGMENT = "x" * 160
TWO_FRAGMENTS = "x" * 161


@pytest.fixture
def notify_texts(settings, make_case, make_message):
    settings.SMS_BACKEND = "notify"
    settings.NOTIFY_FREE_TEXT_FRAGMENTS = 5
    adviser = AdviserFactory(username="ann")
    case = make_case(opened=date(2026, 1, 5), adviser=adviser)

    def text(day, body, provider_id=None):
        make_message(
            case,
            send=day,
            body=body,
            segments=None,  # counted from the body, as for texts sent before segments were kept
            provider_id=str(uuid.uuid4()) if provider_id is None else provider_id,
        )

    text(date(2026, 3, 31), TWO_FRAGMENTS)  # the last financial year
    text(date(2026, 5, 4), TWO_FRAGMENTS)
    make_message(case, send=date(2026, 11, 3), segments=2, provider_id=str(uuid.uuid4()))
    text(date(2026, 11, 20), TWO_FRAGMENTS, provider_id="SM" + "0" * 32)  # Twilio's
    text(date(2026, 12, 2), ONE_FRAGMENT)  # after the period
    return adviser


def test_fragments_from_1_april_to_the_periods_end_against_the_allowance(notify_texts):
    allowance = report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6))["messages"][
        "notify_allowance"
    ]
    assert allowance == {
        "from": "2026-04-01",
        "to": "2026-11-30",
        "fragments_used": 4,
        "free_fragments": 5,
        "percent_used": 80.0,
        "warning": True,
    }


def test_no_warning_below_80_percent(notify_texts, settings):
    settings.NOTIFY_FREE_TEXT_FRAGMENTS = 6
    figures = report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6))
    assert figures["messages"]["notify_allowance"]["warning"] is False
    assert "Warning" not in as_text(figures, scope_words="the whole service")


def test_only_for_the_whole_service_through_notify(notify_texts, settings):
    one_adviser = report(period=NOVEMBER, scope=Scope(adviser="ann"), today=date(2026, 12, 6))
    assert "notify_allowance" not in one_adviser["messages"]
    settings.SMS_BACKEND = "console"
    assert (
        "notify_allowance"
        not in report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6))["messages"]
    )


def test_text_csv_and_json_show_it_with_its_warning(notify_texts, capsys):
    figures = report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6))
    text = as_text(figures, scope_words="the whole service")
    assert "GOV.UK Notify's free text allowance" in text
    assert "Text fragments sent through Notify, 1 April 2026 to 30 November 2026" in text
    assert "Warning: 80% or more of the year's free texts are used." in text
    assert DEFINITIONS["messages.notify_allowance"] in text
    rows = as_csv(figures).splitlines()
    assert "messages.notify_allowance,fragments_used,value,4" in rows
    assert "messages.notify_allowance,free_fragments,value,5" in rows
    assert (
        "messages.notify_allowance,warning,value,80% or more of the year's free texts are used."
        in rows
    )
    call_command("report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json")
    assert json.loads(capsys.readouterr().out)["messages"]["notify_allowance"]["warning"] is True


def test_beyond_the_allowance_says_texts_are_charged(notify_texts, settings):
    settings.NOTIFY_FREE_TEXT_FRAGMENTS = 3
    text = as_text(
        report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6)),
        scope_words="the whole service",
    )
    assert "Notify charges for the texts beyond them" in text


@time_machine.travel(at(date(2026, 12, 6), 12), tick=False)
def test_page_shows_it_to_a_supervisor_not_to_an_adviser(client, notify_texts):
    client.force_login(SupervisorFactory())
    page = client.get("/admin/reports/").content.decode()
    assert "GOV.UK Notify&#x27;s free text allowance" in page
    assert "80% or more of the year&#x27;s free texts are used." in page
    client.force_login(notify_texts)
    assert "free text allowance" not in client.get("/admin/reports/").content.decode()


def test_erasing_a_case_leaves_its_texts_in_the_years_allowance(notify_texts):
    from casework.case_records import case_erase
    from notifications.models import OutboundMessage

    def used():
        return report(period=NOVEMBER, scope=Scope(), today=date(2026, 12, 6))["messages"][
            "notify_allowance"
        ]["fragments_used"]

    before = used()
    case = OutboundMessage.objects.first().case
    case_erase(case=case, command=True)

    assert used() == before == 4
    # Nothing left that Notify (or Twilio) could look the message up by.
    ids = set(OutboundMessage.objects.values_list("provider_id", flat=True))
    assert ids <= {"notify", ""}
