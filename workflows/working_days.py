"""Working days in England and Wales, from the maintained `holidays` library.

A working day is any day except a Saturday, a Sunday, Christmas Day, Good Friday or a bank holiday
in England and Wales (statutory, proclaimed and substitute days): the definition used across the
Tribunal Procedure Rules (legal-rules.md §8.1). No Django here: the rules (workflows/rules/) import
this.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

# Bank holidays are checked against gov.uk's published list through this year (legal-rules.md
# §10a). Later years come from the statutory pattern; one-off or moved holidays are proclaimed
# only a year or so ahead, so a date that depends on them carries a warning.
CONFIRMED_THROUGH_YEAR = 2027

FIRST_SUPPORTED_YEAR = 2000
LAST_SUPPORTED_YEAR = 2099

ONE_DAY = timedelta(days=1)


@functools.cache
def _holidays_in(year: int) -> dict[date, str]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return {day: name for day, name in calendar.items() if day.year == year}


def holiday_name(day: date) -> str | None:
    """Return the holiday's name if `day` is a bank holiday, Christmas Day or Good Friday."""
    return _holidays_in(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_in(day.year)


def why_not_working(day: date) -> str:
    """Say in words why `day` is not a working day ("a Sunday", "Good Friday")."""
    name = holiday_name(day)
    if name:
        return _plain_holiday_name(name)
    return "a Saturday" if day.weekday() == 5 else "a Sunday" if day.weekday() == 6 else "a weekday"


def _plain_holiday_name(name: str) -> str:
    if "(observed)" in name:
        return f"a bank holiday (substitute day for {name.replace(' (observed)', '')})"
    if name in ("Christmas Day", "Good Friday"):
        return name
    return f"a bank holiday ({name})"


def next_working_day(day: date) -> date:
    """Return the first working day strictly after `day`."""
    day += ONE_DAY
    while not is_working_day(day):
        day += ONE_DAY
    return day


def previous_working_day(day: date) -> date:
    """Return the last working day strictly before `day`."""
    day -= ONE_DAY
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def add_working_days(start: date, count: int) -> tuple[date, list[date]]:
    """Return the `count`th working day after `start` (negative: before), and the days skipped."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    day = start
    skipped: list[date] = []
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
        else:
            skipped.append(day)
    return day, skipped


def is_confirmed(day: date) -> bool:
    """Whether the bank holidays of `day`'s year have been published, not just projected."""
    return day.year <= CONFIRMED_THROUGH_YEAR


def working_days_until(today: date, due: date) -> int:
    """Working days after `today` up to and including `due` (negative when `due` has passed)."""
    if due <= today:
        count, day = 0, due
        while day < today:
            day += ONE_DAY
            count -= is_working_day(day)
        return count
    count, day = 0, today
    while day < due:
        day += ONE_DAY
        count += is_working_day(day)
    return count
