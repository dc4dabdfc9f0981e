"""Send times in London wall-clock time, across the clock changes, and quiet hours."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.schedule import LONDON, QuietHours, local_instant, parse_offsets


def test_ten_am_london_is_ten_utc_in_winter_and_nine_utc_in_summer():
    assert local_instant(date(2027, 1, 15), time(10)).astimezone(UTC) == datetime(
        2027, 1, 15, 10, tzinfo=UTC
    )
    assert local_instant(date(2027, 6, 15), time(10)).astimezone(UTC) == datetime(
        2027, 6, 15, 9, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 28), 10),  # Saturday before the clocks go forward
        (date(2026, 3, 29), 9),  # the day they go forward (01:00 GMT -> 02:00 BST)
        (date(2026, 10, 24), 9),
        (date(2026, 10, 25), 10),  # the day they go back
    ],
)
def test_send_time_stays_ten_am_local_across_clock_changes(day, utc_hour):
    assert local_instant(day, time(10)).astimezone(UTC).hour == utc_hour


def test_offsets_are_read_and_counted_back_from_the_due_date():
    offsets = {o.text: o for o in parse_offsets("4w, 2w,1w,2wd,0d")}
    due = date(2027, 3, 1)  # a Monday
    assert offsets["4w"].date_before(due) == date(2027, 2, 1)
    assert offsets["2wd"].date_before(due) == date(2027, 2, 25)  # Thu (Fri 26 is 1 working day)
    assert offsets["0d"].date_before(due) == due


def test_working_day_offsets_skip_bank_holidays():
    # 2 working days before Tue 29 Dec 2026: Mon 28 (substitute) and Fri 25 are holidays.
    (offset,) = parse_offsets("2wd")
    assert offset.date_before(date(2026, 12, 29)) == date(2026, 12, 23)


@pytest.mark.parametrize("bad", ["4x", "weeks", "-1d", "2 w"])
def test_bad_offsets_say_how_to_write_them(bad):
    with pytest.raises(ValueError, match="use a number then w"):
        parse_offsets(bad)


@pytest.mark.parametrize(
    ("day", "at", "quiet"),
    [
        (date(2027, 1, 15), time(23, 30), True),
        (date(2027, 1, 15), time(20, 0), True),
        (date(2027, 1, 15), time(8, 59), True),
        (date(2027, 1, 15), time(9, 0), False),
        (date(2027, 1, 15), time(19, 59), False),
        (date(2027, 7, 15), time(23, 30), True),  # BST: 22:30 UTC
    ],
)
def test_quiet_hours_are_london_time(day, at, quiet):
    hours = QuietHours.parse("20:00-09:00")
    instant = local_instant(day, at)
    assert hours.contains(instant) is quiet


def test_a_text_due_at_half_past_eleven_waits_until_nine_next_morning():
    hours = QuietHours.parse("20:00-09:00")
    late = local_instant(date(2027, 3, 27), time(23, 30))  # the night the clocks go forward
    assert hours.next_allowed(late) == local_instant(date(2027, 3, 28), time(9))
    early = local_instant(date(2027, 3, 28), time(6))
    assert hours.next_allowed(early) == local_instant(date(2027, 3, 28), time(9))


def test_quiet_hours_setting_errors_say_the_format():
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        QuietHours.parse("8pm to 9am")


@given(due=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)))
def test_every_reminder_is_at_ten_london_time_and_in_date_order(due):
    offsets = parse_offsets("4w,2w,1w,2wd,0d")
    instants = [local_instant(offset.date_before(due), time(10)) for offset in offsets]
    assert all(i.astimezone(LONDON).time() == time(10) for i in instants)
    assert instants == sorted(instants)
    assert len(set(instants)) == len(instants)
    assert not any(QuietHours.parse("20:00-09:00").contains(i) for i in instants)
