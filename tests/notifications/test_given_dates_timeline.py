"""Dates a letter gives on the family's timeline and calendar, and on the admin case page: the
Tribunal's date for the council's response wins over the computed one, which is said beside it."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from casework import family
from notifications import planner
from notifications.models import OutboundMessage
from notifications.schedule import LONDON
from tests.factories import CaseFactory, ContactFactory
from workflows import services
from workflows.models import AdviserTask, GivenDate

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-03-15 12:00 +00:00", tick=False):
        yield


@pytest.fixture
def case():
    """An appeal registered on 1 March 2027, with the Tribunal's timetable recorded."""
    case = CaseFactory(reference="SF-TIMETABLE")
    ContactFactory(case=case, name="Amira", email="amira@example.com")
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 1, 4))
    services.key_date_set(case=case, event="appeal_registered", value=date(2027, 3, 1))
    letter = "Tribunal letter of 12 March 2027"
    services.given_date_set(case=case, kind="la_response", value=date(2027, 4, 16), source=letter)
    services.given_date_set(
        case=case, kind="final_evidence", value=date(2027, 5, 21), source=letter
    )
    services.given_date_set(
        case=case, kind="hearing", value=date(2027, 6, 8), time=time(10, 0), source=letter
    )
    return case


def test_the_given_council_response_wins_and_the_computed_one_is_said_beside_it(case):
    computed = case.deadlines.get(kind="la_appeal_response")
    rows = family.standing(case, today=TODAY).rows
    kinds = [(r.given.kind if r.given else r.deadline.kind) for r in rows]
    assert "la_appeal_response" not in kinds  # the given date stands in its place
    response = next(r for r in rows if r.given and r.given.kind == "la_response")
    assert response.due_plain == "Friday 16 April 2027"
    assert response.computed_words == (
        f"The rules give {computed.date_in_words()} for this. "
        "The date in the letter is the one that counts."
    )
    assert response.source == "The Tribunal set this date in its letter of 12 March 2027."


def test_the_family_page_shows_the_timetable_with_its_states(client, case):
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "Your Tribunal hearing is on Tuesday 8 June 2027 at 10am." not in page  # the row says
    assert "On Tuesday 8 June 2027 at 10am" in page
    assert "Final evidence" in page
    assert "By Friday 21 May 2027" in page
    assert "The rules give " in page
    assert "The Tribunal set this date in its letter of 12 March 2027." in page
    # The Tribunal's dates are not called our calculation.
    assert "Dates from a letter are as the letter gave them." in page
    assert "These dates are our calculation" not in page
    assert "given:" not in page
    assert "la_response" not in page


def test_the_calendar_carries_given_dates_with_stable_ids_until_done(client, case, settings):
    settings.SENDFLOW_PUBLIC_URL = "https://dates.example.org"
    hearing = case.given_dates.get(kind="hearing")
    calendar = Calendar.from_ical(
        client.get(reverse("family-calendar", args=[case.access_token])).content
    )
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert f"given-{hearing.pk}@dates.example.org" in events
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    event = events[f"given-{hearing.pk}@dates.example.org"]
    # At its time, in London's time zone (British Summer Time in June): the family's
    # calendar shows 10am, and its reminder comes at 9am the day before.
    assert str(event["summary"]) == "Tribunal hearing"
    assert event.decoded("dtstart") == datetime(2027, 6, 8, 10, tzinfo=LONDON)
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=1)
    alarm = event.walk("VALARM")[0]
    assert event.decoded("dtstart") + alarm.decoded("trigger") == datetime(
        2027, 6, 7, 9, tzinfo=LONDON
    )
    assert f"deadline-{case.deadlines.get(kind='la_appeal_response').pk}@" not in " ".join(events)

    # Moved by a later letter: the same event, on the new day.
    services.given_date_set(
        case=case,
        given_date=hearing,
        kind="hearing",
        value=date(2027, 6, 15),
        time=time(10, 0),
        source="Tribunal letter of 20 March 2027",
    )
    calendar = Calendar.from_ical(
        client.get(reverse("family-calendar", args=[case.access_token])).content
    )
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    moved = events[f"given-{hearing.pk}@dates.example.org"].decoded("dtstart")
    assert moved == datetime(2027, 6, 15, 10, tzinfo=LONDON)

    # Done (the adviser marks it): it leaves the feed.
    services.given_date_done(given_date=hearing, done_on=TODAY)
    calendar = Calendar.from_ical(
        client.get(reverse("family-calendar", args=[case.access_token])).content
    )
    assert f"given-{hearing.pk}@dates.example.org" not in {
        str(e["uid"]) for e in calendar.walk("VEVENT")
    }


def test_the_admin_case_page_lists_given_dates_with_their_working(admin_client_logged_in, case):
    page = admin_client_logged_in.get(
        reverse("admin:workflows_case_change", args=[case.pk])
    ).content.decode()
    assert "dates given in letters" in page.lower()
    assert "The Tribunal set this date in its letter of 12 March 2027." in page
    assert GivenDate.objects.filter(case=case).count() == 3


def tell(client, case, event, day, month, year):
    return client.post(
        reverse("family-dates", args=[case.access_token]),
        {"event": event, "date-day": day, "date-month": month, "date-year": year},
    )


def test_a_family_told_given_date_is_used_at_once_and_waits_for_the_advisers_check(client):
    case = CaseFactory(reference="SF-TOLD")
    ContactFactory(case=case, name="Amira", email="amira@example.com")
    page = client.get(reverse("family-dates", args=[case.access_token])).content.decode()
    assert "The Tribunal gave me a hearing date" in page

    response = tell(client, case, "hearing", "8", "6", "2027")  # a future date is fine here
    assert response.status_code == 200
    assert "The Tribunal gave me a hearing date: Tuesday 8 June 2027" in response.content.decode()
    hearing = case.given_dates.get()
    assert (hearing.kind, hearing.value, hearing.time) == ("hearing", date(2027, 6, 8), None)
    assert (hearing.recorded_source, hearing.confirmed) == ("family", False)
    task = AdviserTask.objects.get(case=case, kind=AdviserTask.Kind.FAMILY_DATE)
    assert "tick confirmed" in task.text
    # Used at once: reminded (on 7 June, more than ten weeks ahead, so not in the outbox yet:
    # plan_core.PLAN_AHEAD), and on the family's page with the reminders it will get.
    assert not OutboundMessage.objects.filter(given_date=hearing, offset="1wd").exists()
    ahead = planner.messages_ahead(case=case)
    assert {(m.given_date_id, m.offset) for m in ahead} >= {(hearing.id, "1wd"), (hearing.id, "0d")}
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "On Tuesday 8 June 2027" in page
    assert "7 Jun 2027" in page  # the working day before, in "What we will send you"

    # The adviser checks it against the letter, adds the time and confirms it.
    services.given_date_set(
        case=case,
        given_date=hearing,
        kind="hearing",
        value=date(2027, 6, 8),
        time=time(10, 0),
        source="Tribunal letter of 12 March 2027",
    )
    hearing.refresh_from_db()
    assert (hearing.recorded_source, hearing.confirmed) == ("adviser", True)

    # A different date from the family now waits: the adviser's date from the letter stands.
    response = tell(client, case, "hearing", "15", "6", "2027")
    assert "Your adviser will check this date" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.value == date(2027, 6, 8)
    assert AdviserTask.objects.filter(
        case=case, kind=AdviserTask.Kind.FAMILY_DATE, text__contains="Their date is not used"
    ).exists()


def test_a_past_event_still_cannot_be_in_the_future(client):
    case = CaseFactory(reference="SF-FUTURE")
    response = tell(client, case, "certificate_issued", "8", "6", "2027")
    assert response.status_code == 400
    assert "The date must be today or in the past" in response.content.decode()
