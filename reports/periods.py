"""Report periods and the publishable rounding: pure, stdlib only; callers pass `today`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PUBLISHABLE_FLOOR = 5  # a count from 1 to 4 could single out a family
FEWER_THAN_5 = "fewer than 5"


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive (London)
    end: date  # last day, inclusive (London)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start})")

    def months(self) -> list[date]:
        """First day of each calendar month the period touches."""
        first = date(self.start.year, self.start.month, 1)
        out = []
        while first <= self.end:
            out.append(first)
            first = next_month(first)
        return out


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def financial_year_start(day: date) -> date:
    """1 April on or before `day` (the UK's financial year runs 1 April to 31 March)."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


PRESETS = {
    "last_month": "Last full month",
    "this_month": "This month so far",
    "last_quarter": "Last full quarter",
    "fy_to_date": "Financial year to date (from 1 April)",
    "last_fy": "Last financial year (1 April to 31 March)",
}
DEFAULT_PRESET = "last_month"


def preset_period(name: str, *, today: date) -> Period:
    """The named preset period as seen on `today`; KeyError for an unknown name."""
    if name == "last_month":
        end = month_start(today) - timedelta(days=1)
        return Period(month_start(end), end)
    if name == "this_month":
        return Period(month_start(today), today)
    if name == "last_quarter":
        end = quarter_start(today) - timedelta(days=1)
        return Period(quarter_start(end), end)
    if name == "fy_to_date":
        return Period(financial_year_start(today), today)
    if name == "last_fy":
        end = financial_year_start(today) - timedelta(days=1)
        return Period(financial_year_start(end), end)
    raise KeyError(name)


def last_months(end: date, count: int = 12) -> list[date]:
    """First days of the `count` calendar months ending with the one holding `end`, oldest first."""
    first = month_start(end)
    out = [first]
    for _ in range(count - 1):
        first = month_start(first - timedelta(days=1))
        out.append(first)
    return out[::-1]


def publishable(value):
    """Replace every count from 1 to 4 with "fewer than 5", through dicts and lists.

    Only integers are counts: medians and costs (floats) are left for the caller to judge."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return FEWER_THAN_5 if 0 < value < PUBLISHABLE_FLOOR else value
    if isinstance(value, dict):
        return {key: publishable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [publishable(item) for item in value]
    return value
