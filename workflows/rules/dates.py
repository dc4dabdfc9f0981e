"""Dates in words and calendar arithmetic: each counter returns the date and its working in
plain English. Working days and bank holidays come from workflows.working_days."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from datetime import date, timedelta

from workflows import working_days as wd
from workflows.rules.vocabulary import Owner

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English whatever the process locale, unlike strftime and calendar.month_name.
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@functools.cache
def long_date(day: date) -> str:
    """GOV.UK style: Monday 1 March 2027."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month]} {day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to month end (31 Jan + 1 -> 28/29 Feb): Dodds v Walker."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _months_text(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _clamp_note(start: date, result: date) -> str:
    if result.day == start.day:
        return ""
    return f" ({MONTH_NAMES[result.month]} has no {_ordinal(start.day)})"


def months_after(start: date, n: int) -> tuple[date, str]:
    due = add_months(start, n)
    return due, (
        f"{_months_text(n)} after {long_date(start)} is {long_date(due)}{_clamp_note(start, due)}"
    )


def _weeks_text(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weeks"


def weeks_after(start: date, n: int) -> tuple[date, str]:
    due = start + timedelta(weeks=n)
    return due, f"{_weeks_text(n)} after {long_date(start)} is {long_date(due)}"


def weeks_before(start: date, n: int) -> tuple[date, str]:
    due = start - timedelta(weeks=n)
    return due, f"{_weeks_text(n)} before {long_date(start)} is {long_date(due)}"


def days_after(start: date, n: int) -> tuple[date, str]:
    due = start + timedelta(days=n)
    return due, f"{n} days after {long_date(start)} is {long_date(due)}"


def days_beginning_with(start: date, n: int) -> tuple[date, str]:
    """ "n days beginning with" a day: that day is day 1, so the last day is start + n - 1."""
    due = start + timedelta(days=n - 1)
    return due, (
        f"{n} days beginning with {long_date(start)} (that day counts as day 1) "
        f"end on {long_date(due)}"
    )


def months_starting_with(start: date, n: int) -> tuple[date, str]:
    """ "n months starting with" a day: it ends the day before the corresponding date."""
    corresponding = add_months(start, n)
    due = corresponding - wd.ONE_DAY
    return due, (
        f"{_months_text(n)} starting with {long_date(start)} (that day counts) end on "
        f"{long_date(due)}, the day before {long_date(corresponding)}"
        f"{_clamp_note(start, corresponding)}"
    )


def _skipped_holidays_text(skipped: Iterable[date]) -> str:
    holidays = [
        f"{wd.why_not_working(d)} on {long_date(d)}"
        for d in skipped
        if d.weekday() < 5 and wd.holiday_name(d)
    ]
    if not holidays:
        return " (Monday to Friday only)"
    return f" (Monday to Friday only, not counting {', '.join(holidays)})"


def working_days_after(start: date, n: int) -> tuple[date, str]:
    due, skipped = wd.add_working_days(start, n)
    return due, (
        f"{n} working days after {long_date(start)} is {long_date(due)}"
        f"{_skipped_holidays_text(skipped)}"
    )


def working_days_before(start: date, n: int) -> tuple[date, str]:
    due, skipped = wd.add_working_days(start, -n)
    return due, (
        f"{n} working days before {long_date(start)} is {long_date(due)}"
        f"{_skipped_holidays_text(skipped)}"
    )


def aim_for(due: date, *, safe_by: date | None = None) -> date:
    """The last working day on or before `due`: the day to act by when a date does not roll;
    `safe_by` (the same rule counted from the decision letter's date) when that is earlier."""
    aim = due if wd.is_working_day(due) else wd.previous_working_day(due)
    return min(aim, safe_by) if safe_by else aim


def act_by(*, due: date, owner: Owner | str, safe_by: date | None = None) -> date:
    """The day the family should act by. Only the family's own deadlines get one earlier than
    the date itself: what others owe is simply due on its date."""
    if owner != Owner.PARENT:
        return due
    return aim_for(due, safe_by=safe_by)


def act_by_reason(*, due: date, act_by: date) -> str:
    """Why the day to act by is earlier than the date itself."""
    if act_by == aim_for(due):
        return "the last working day before"
    return "counted from the date on the decision letter, to be safe"


def date_in_words(*, due: date, act_by: date) -> str:
    """ "Sunday 10 January 2027 - aim for Friday 8 January 2027, the last working day before"."""
    if act_by >= due:
        return long_date(due)
    return (
        f"{long_date(due)} - aim for {long_date(act_by)}, {act_by_reason(due=due, act_by=act_by)}"
    )


def in_christmas_window(day: date) -> bool:
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


def _tribunal_excluded(day: date) -> bool:
    """HESC r.12(3)(b): in SEN cases, 25 December to 1 January and August are not counted."""
    return in_christmas_window(day) or day.month == 8


def tribunal_working_days_after(start: date, n: int) -> tuple[date, str]:
    day, remaining, skipped = start, n, []
    while remaining:
        day += wd.ONE_DAY
        if wd.is_working_day(day) and not _tribunal_excluded(day):
            remaining -= 1
        elif not _tribunal_excluded(day):
            skipped.append(day)
    return day, (
        f"{n} working days after {long_date(start)} is {long_date(day)}"
        f"{_skipped_holidays_text(skipped)}; days from 25 December to 1 January and in August "
        "are not counted in SEN cases (HESC r.12(3)(b))"
    )


def holiday_warnings(*days: date) -> tuple[str, ...]:
    years = sorted({d.year for d in days if not wd.is_confirmed(d)})
    if not years:
        return ()
    listed = ", ".join(str(y) for y in years)
    return (
        f"Bank holidays for {listed} are not yet published; this date assumes the usual "
        "pattern. Check it again nearer the time.",
    )


def not_rolled_note(due: date, who: str, owner: Owner) -> str | None:
    if wd.is_working_day(due):
        return None
    name = wd.holiday_name(due)
    what = (
        f"{long_date(due)} is {wd.why_not_working(due)}"
        if name
        else (f"{long_date(due)} is not a working day")
    )
    then = (
        f"so aim for {long_date(aim_for(due))}, the last working day before"
        if owner is Owner.PARENT
        else "so it is still due on that day"
    )
    return f"{what}. The {who} do not move this deadline to the next working day, {then}"
