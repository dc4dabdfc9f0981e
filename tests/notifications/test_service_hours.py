"""When a family can call the advice service: "today" only while it can still answer today."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.service_hours import OpeningHours, hours_in_words, when_to_call

LONDON = ZoneInfo("Europe/London")
OFFICE = OpeningHours.parse("Mon-Fri 09:00-17:00")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday 10 March 2027, before it opens, while it is open, as and after it closes.
        (london(2027, 3, 10, 7, 30), "today"),
        (london(2027, 3, 10, 12, 0), "today"),
        (london(2027, 3, 10, 16, 59), "today"),
        (london(2027, 3, 10, 17, 0), "tomorrow"),
        (london(2027, 3, 10, 19, 45), "tomorrow"),
        # Friday evening and the weekend: Monday.
        (london(2027, 3, 12, 17, 30), "on Monday 15 March 2027"),
        (london(2027, 3, 13, 10, 0), "on Monday 15 March 2027"),
        # The Sunday evening.
        (london(2027, 3, 14, 19, 0), "tomorrow"),
        # Easter: Good Friday and Easter Monday are closed.
        (london(2027, 3, 25, 18, 0), "on Tuesday 30 March 2027"),
        (london(2027, 3, 29, 10, 0), "tomorrow"),
        # Spring bank holiday Monday 31 May 2027.
        (london(2027, 5, 28, 18, 0), "on Tuesday 1 June 2027"),
        (london(2027, 5, 31, 10, 0), "tomorrow"),
        # Christmas 2026: Friday 25, Boxing Day's substitute Monday 28.
        (london(2026, 12, 24, 18, 0), "on Tuesday 29 December 2026"),
        (london(2026, 12, 28, 11, 0), "tomorrow"),
        # Christmas 2027 falls on a weekend: substitute days Monday 27 and Tuesday 28.
        (london(2027, 12, 24, 12, 0), "today"),
        (london(2027, 12, 24, 18, 0), "on Wednesday 29 December 2027"),
        # New Year's Day 2027 is a Friday.
        (london(2026, 12, 31, 17, 30), "on Monday 4 January 2027"),
    ],
)
def test_when_to_call_names_the_next_day_the_service_answers(now, expected):
    assert when_to_call(now, hours=OFFICE) == expected


def test_when_to_call_reads_the_clock_in_london_not_utc():
    # 16:30 UTC on a July Thursday is 17:30 in London: closed.
    assert when_to_call(datetime(2027, 7, 1, 16, 30, tzinfo=UTC), hours=OFFICE) == "tomorrow"
    # 08:30 UTC is 09:30 in London: open.
    assert when_to_call(datetime(2027, 7, 1, 8, 30, tzinfo=UTC), hours=OFFICE) == "today"
    # 23:30 UTC on Sunday 14 March 2027 is still Sunday in London (GMT).
    assert when_to_call(datetime(2027, 3, 14, 23, 30, tzinfo=UTC), hours=OFFICE) == "tomorrow"


def test_a_service_open_on_saturday_mornings_is_closed_on_christmas_day_all_the_same():
    hours = OpeningHours.parse("Mon-Fri 09:00-17:00, Sat 10:00-13:00")
    assert when_to_call(london(2027, 3, 13, 11, 0), hours=hours) == "today"
    assert when_to_call(london(2027, 3, 13, 14, 0), hours=hours) == "on Monday 15 March 2027"
    assert when_to_call(london(2027, 3, 12, 18, 0), hours=hours) == "tomorrow"
    # Saturday 25 December 2027 is Christmas Day.
    assert when_to_call(london(2027, 12, 24, 18, 0), hours=hours) == "on Wednesday 29 December 2027"


def test_a_lunch_break_still_leaves_today():
    hours = OpeningHours.parse("Mon-Fri 09:00-12:30, Mon-Fri 13:30-17:00")
    assert when_to_call(london(2027, 3, 10, 12, 45), hours=hours) == "today"
    assert hours.in_words() == "Monday to Friday, 9am to 12:30pm and 1:30pm to 5pm"


def test_when_to_call_refuses_a_time_without_a_timezone():
    with pytest.raises(ValueError, match="aware"):
        when_to_call(datetime(2027, 3, 10, 12, 0), hours=OFFICE)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("Mon-Fri 09:00-17:00", "Monday to Friday, 9am to 5pm"),
        ("mon-fri 08:30-18:00", "Monday to Friday, 8:30am to 6pm"),
        (
            "Mon-Thu 09:00-17:00, Fri 09:00-16:30",
            "Monday to Thursday, 9am to 5pm; Friday, 9am to 4:30pm",
        ),
        ("Tue-Wed 10:00-12:00", "Tuesday and Wednesday, 10am to midday"),
        ("Sat 10:00-13:00", "Saturday, 10am to 1pm"),
        (
            "Mon 09:00-17:00, Wed 09:00-17:00",
            "Monday, 9am to 5pm; Wednesday, 9am to 5pm",
        ),
    ],
)
def test_hours_in_words_as_gov_uk_writes_them(setting, expected):
    assert hours_in_words(hours=OpeningHours.parse(setting)) == expected


def test_the_hours_come_from_the_setting(settings):
    assert hours_in_words() == "Monday to Friday, 9am to 5pm"
    assert when_to_call(london(2027, 3, 13, 11, 0)) == "on Monday 15 March 2027"
    settings.SENDFLOW_ADVICE_SERVICE_HOURS = "Mon-Sat 10:00-14:00"
    assert hours_in_words() == "Monday to Saturday, 10am to 2pm"
    assert when_to_call(london(2027, 3, 13, 11, 0)) == "today"


@pytest.mark.parametrize(
    "setting",
    [
        "Monday to Friday, 9am to 5pm",  # the sentence this setting used to hold
        "Mon-Fri 17:00-09:00",
        "Mon-Fri 09:00-24:00",
        "Mon-Fri 9:00-17:00",
        "Mon-Fry 09:00-17:00",
        "Mon-Fri 09:00-17:00,",
        "",
    ],
)
def test_hours_written_otherwise_are_refused_with_how_to_write_them(setting):
    with pytest.raises(ValueError, match="SENDFLOW_ADVICE_SERVICE_HOURS is"):
        OpeningHours.parse(setting)
