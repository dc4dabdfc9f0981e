from datetime import date

import pytest

from reports.periods import FEWER_THAN_5, Period, last_months, preset_period, publishable


@pytest.mark.parametrize(
    ("name", "today", "start", "end"),
    [
        ("last_month", date(2026, 12, 6), date(2026, 11, 1), date(2026, 11, 30)),
        ("last_month", date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        ("last_month", date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("this_month", date(2026, 12, 6), date(2026, 12, 1), date(2026, 12, 6)),
        ("last_quarter", date(2026, 12, 6), date(2026, 7, 1), date(2026, 9, 30)),
        ("last_quarter", date(2026, 2, 1), date(2025, 10, 1), date(2025, 12, 31)),
        ("fy_to_date", date(2026, 12, 6), date(2026, 4, 1), date(2026, 12, 6)),
        ("fy_to_date", date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31)),
        ("fy_to_date", date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 1)),
        ("last_fy", date(2026, 12, 6), date(2025, 4, 1), date(2026, 3, 31)),
        ("last_fy", date(2026, 3, 31), date(2024, 4, 1), date(2025, 3, 31)),
    ],
)
def test_presets(name, today, start, end):
    assert preset_period(name, today=today) == Period(start, end)


def test_period_refuses_end_before_start():
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 2, 1), date(2026, 1, 31))


def test_last_months_are_twelve_calendar_months_oldest_first():
    months = last_months(date(2026, 11, 30))
    assert months[0] == date(2025, 12, 1)
    assert months[-1] == date(2026, 11, 1)
    assert len(months) == 12


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, 0), (1, FEWER_THAN_5), (4, FEWER_THAN_5), (5, 5), (642, 642), (2.5, 2.5), (True, True)],
)
def test_publishable_hides_one_to_four(value, shown):
    assert publishable(value) == shown


def test_publishable_goes_through_tables():
    figures = {"a": {"b": 3, "c": [{"month": "2026-01", "opened": 2}]}, "d": "x"}
    assert publishable(figures) == {
        "a": {"b": FEWER_THAN_5, "c": [{"month": "2026-01", "opened": FEWER_THAN_5}]},
        "d": "x",
    }
