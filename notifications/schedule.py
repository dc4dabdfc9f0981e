"""When messages go: reminder offsets, local send times and quiet hours, all in Europe/London.

Instants are stored in UTC; people think in London wall-clock time, which moves at the clock
changes, so every conversion goes through zoneinfo here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflows import working_days

LONDON = ZoneInfo("Europe/London")
_OFFSET = re.compile(r"^(\d{1,3})(w|d|wd)$")


@dataclass(frozen=True, slots=True)
class Offset:
    text: str  # as stored on the message: "4w", "2wd", "0d"
    amount: int
    unit: str  # "w" weeks, "d" days, "wd" working days

    def date_before(self, due: date) -> date:
        if self.unit == "w":
            return due - timedelta(weeks=self.amount)
        if self.unit == "d":
            return due - timedelta(days=self.amount)
        return working_days.add_working_days(due, -self.amount)[0]


def parse_offsets(text: str) -> list[Offset]:
    """Read "4w,2w,1w,2wd,0d"; say which part is wrong otherwise."""
    offsets = []
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _OFFSET.match(part)
        if not match:
            raise ValueError(
                f"'{part}' is not an offset: use a number then w (weeks), d (days) or "
                "wd (working days), like 4w, 3d or 2wd"
            )
        offsets.append(Offset(part, int(match.group(1)), match.group(2)))
    return offsets


def local_instant(day: date, at: time) -> datetime:
    """The instant of wall-clock `at` on `day` in London (a time in the spring gap moves on)."""
    return datetime.combine(day, at, tzinfo=LONDON)


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time  # e.g. 20:00
    end: time  # e.g. 09:00

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        try:
            start_text, end_text = text.split("-")
            return cls(time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip()))
        except ValueError as exc:
            raise ValueError(
                f"SENDFLOW_QUIET_HOURS is '{text}': write it as HH:MM-HH:MM, like 20:00-09:00"
            ) from exc

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(LONDON).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, instant: datetime) -> datetime:
        """`instant` itself if outside quiet hours, else the end of this quiet spell."""
        if not self.contains(instant):
            return instant
        local = instant.astimezone(LONDON)
        end_day = local.date()
        if self.start > self.end and local.time() >= self.start:
            end_day += timedelta(days=1)
        return local_instant(end_day, self.end)
