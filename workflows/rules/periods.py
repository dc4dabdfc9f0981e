"""The simple rules: one event, one period. Each route's module lists its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from workflows.rules.dates import (
    holiday_warnings,
    long_date,
    not_rolled_note,
    tribunal_working_days_after,
    working_days_after,
    working_days_before,
)
from workflows.rules.facts import Deadline, Facts
from workflows.rules.vocabulary import EVENTS, Confidence, Owner

Counter = Callable[[date, int], tuple[date, str]]


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    events: tuple[str, ...]  # the latest of these starts the clock
    count: Counter
    amount: int
    owner: Owner
    source: str
    confidence: Confidence
    notes: tuple[str, ...] = ()
    rolled_by: str = "SEND Regulations"  # who sets the period, for the "not moved" note

    def __call__(self, facts: Facts) -> Deadline | None:
        given = [(facts.events[e], e) for e in self.events if e in facts.events]
        if not given:
            return None
        start, event = max(given)
        due, text = self.count(start, self.amount)
        steps = [f"{EVENTS[event]} on {long_date(start)}", text]
        if len(given) > 1:
            steps.insert(0, "Counted from the latest of the dates that start this clock")
        note = not_rolled_note(due, self.rolled_by, self.owner)
        if note:
            steps.append(note)
        steps.extend(self.notes)
        uses_working_days = self.count in (
            working_days_after,
            working_days_before,
            tribunal_working_days_after,
        )
        return Deadline(
            kind=self.kind,
            due=due,
            owner=self.owner,
            rule=self.source,
            confidence=self.confidence,
            steps=tuple(steps),
            warnings=holiday_warnings(start, due) if uses_working_days else (),
        )


LA = Owner.LOCAL_AUTHORITY
P, OFF, S = Confidence.PRIMARY, Confidence.OFFICIAL, Confidence.SECONDARY
