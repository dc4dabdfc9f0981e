"""When the advice service answers the phone, in words a family can act on.

The hours are `SENDFLOW_ADVICE_SERVICE_HOURS` (Europe/London; the service is closed on England
and Wales bank holidays, Christmas Day and Good Friday). The family page and the messages use
the two functions below; both are pure: pass `now` in, never read the clock here.

    when_to_call(now)   -> "today" | "tomorrow" | "on Monday 8 March 2027"
    hours_in_words()    -> "Monday to Friday, 9am to 5pm"

so that "Call Example SENDIASS on 020 7946 0123 " + when_to_call(now) + "." is true whenever it
is read that day. Each takes `hours=` (an `OpeningHours`) to use other hours than the setting's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.schedule import LONDON
from workflows import rules, words
from workflows.working_days import holiday_name

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
FORMAT_HELP = (
    "write it as days and HH:MM-HH:MM, several separated by commas, like "
    "Mon-Fri 09:00-17:00 or Mon-Thu 09:00-17:00, Fri 09:00-16:30"
)
_GROUP = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<opens>\d{2}:\d{2})\s*-\s*(?P<closes>\d{2}:\d{2})$"
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Bank holidays never close more than a few days in a row, so a weekday with hours comes round
# well within this; it only bounds the search.
_LOOK_AHEAD_DAYS = 31

Span = tuple[time, time]


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Opening spans for each day of the week, Monday first, each sorted and not overlapping."""

    week: tuple[tuple[Span, ...], ...]

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """Read "Mon-Fri 09:00-17:00" (or "Mon-Thu 09:00-17:00, Fri 09:00-16:30"); a day
        named twice has two spans (a lunch break). Raise ValueError saying how to write it."""
        week: list[list[Span]] = [[] for _code in DAY_CODES]
        for part in text.lower().split(","):
            match = _GROUP.match(part.strip())
            try:
                if not match:
                    raise ValueError(part)
                first = DAY_CODES.index(match["first"])
                last = DAY_CODES.index(match["last"] or match["first"])
                opens = time.fromisoformat(match["opens"])
                closes = time.fromisoformat(match["closes"])
            except ValueError as exc:
                raise ValueError(
                    f"SENDFLOW_ADVICE_SERVICE_HOURS is '{text}': {FORMAT_HELP}"
                ) from exc
            if closes <= opens:
                raise ValueError(
                    f"SENDFLOW_ADVICE_SERVICE_HOURS is '{text}': in '{part.strip()}' the "
                    "service closes before it opens"
                )
            # Fri-Mon runs over the weekend: Friday, Saturday, Sunday, Monday.
            for offset in range((last - first) % 7 + 1):
                week[(first + offset) % 7].append((opens, closes))
        return cls(tuple(_merged(spans) for spans in week))

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The opening spans on `day`: none on a bank holiday, Christmas Day or Good Friday."""
        if holiday_name(day) is not None:
            return ()
        return self.week[day.weekday()]

    def open_later_today(self, now: datetime) -> bool:
        """Open now, or opening later on the same London day."""
        local = now.astimezone(LONDON)
        return any(local.time() < closes for _opens, closes in self.spans_on(local.date()))

    def next_open_day(self, now: datetime) -> date:
        """The first London day from `now`'s on which a call can still be answered: today if
        the service is open now or later today, else the next day it opens."""
        local = now.astimezone(LONDON)
        if self.open_later_today(now):
            return local.date()
        for ahead in range(1, _LOOK_AHEAD_DAYS + 1):
            day = local.date() + timedelta(days=ahead)
            if self.spans_on(day):
                return day
        raise ValueError("the advice service's hours open on no day of the week")

    def in_words(self) -> str:
        """ "Monday to Friday, 9am to 5pm"; days with other hours follow after a semicolon."""
        runs: list[tuple[int, int, tuple[Span, ...]]] = []  # first day, last day, spans
        for day, spans in enumerate(self.week):
            if not spans:
                continue
            if runs and runs[-1][1] == day - 1 and runs[-1][2] == spans:
                runs[-1] = (runs[-1][0], day, spans)
            else:
                runs.append((day, day, spans))
        return "; ".join(
            f"{_days_in_words(first, last)}, {_spans_in_words(spans)}"
            for first, last, spans in runs
        )


def _merged(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for opens, closes in sorted(spans):
        if out and opens <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], closes))
        else:
            out.append((opens, closes))
    return tuple(out)


def _days_in_words(first: int, last: int) -> str:
    if first == last:
        return DAY_NAMES[first]
    joiner = _(" and ") if last == first + 1 else _(" to ")
    return f"{DAY_NAMES[first]}{joiner}{DAY_NAMES[last]}"


def _spans_in_words(spans: tuple[Span, ...]) -> str:
    return _(" and ").join(
        _("%(opens)s to %(closes)s")
        % {"opens": words.time_words(opens), "closes": words.time_words(closes)}
        for opens, closes in spans
    )


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> OpeningHours:
    return OpeningHours.parse(text)


def opening_hours() -> OpeningHours:
    """The advice service's hours, from `SENDFLOW_ADVICE_SERVICE_HOURS`."""
    return _parsed(settings.SENDFLOW_ADVICE_SERVICE_HOURS)


def when_to_call(now: datetime, *, hours: OpeningHours | None = None) -> str:
    """When a family reading this at `now` (aware) can next reach the service by phone:
    "today" if it is open now or later today, "tomorrow", or "on Monday 8 March 2027"."""
    if now.tzinfo is None:
        raise ValueError("when_to_call needs an aware datetime (timezone.now())")
    hours = hours or opening_hours()
    today = now.astimezone(LONDON).date()
    day = hours.next_open_day(now)
    if day == today:
        return _("today")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    return _("on %(day)s") % {"day": rules.long_date(day)}


def hours_in_words(*, hours: OpeningHours | None = None) -> str:
    """The opening hours as GOV.UK writes them: "Monday to Friday, 9am to 5pm"."""
    return (hours or opening_hours()).in_words()
