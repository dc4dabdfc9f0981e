"""What the rules take and give: the facts of a case in, a rule and its deadlines out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from workflows.rules.dates import act_by, aim_for
from workflows.rules.vocabulary import Confidence, Owner, State


class FactsError(ValueError):
    """Input a person must correct; the message says what to fix, in plain words."""

    def __init__(self, message: str, *, event: str | None = None) -> None:
        super().__init__(message)
        self.event = event  # the key date to look at, when one is to blame


@dataclass(frozen=True, slots=True)
class Facts:
    events: Mapping[str, date]
    placement_only: bool = False
    # Who the complaint went to: Owner.LOCAL_AUTHORITY, Owner.SCHOOL, or None (not recorded,
    # counted as the council). The council's Complaint Handling Code does not cover schools.
    complaint_to: Owner | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    due: date
    owner: Owner
    rule: str  # the legal source
    confidence: Confidence
    steps: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    # An earlier day to act by, to be safe: the same rule counted from the date on the decision
    # letter, when that gives an earlier date than the date it was sent (legal-rules.md §1.2).
    safe_by: date | None = None
    done_by: str | None = None  # the event that completed it
    done_on: date | None = None  # and its date

    @property
    def aim_for(self) -> date:
        """The day to aim for (DESIGN.md's `aim_for`): the last working day on or before the
        date, or the date counted from the decision letter when that is earlier. The family's
        day to act by is this one, in the calculator's text and JSON, the case page and messages."""
        return aim_for(self.due, safe_by=self.safe_by)

    @property
    def act_by(self) -> date:
        return act_by(due=self.due, owner=self.owner, safe_by=self.safe_by)

    def state(self, today: date) -> State:
        # An event recorded for a day still to come completes nothing until that day.
        if self.done_by and self.done_on is not None and self.done_on <= today:
            return State.DONE
        return State.PASSED if self.due < today else State.OPEN


@dataclass(frozen=True, slots=True)
class Rule:
    code: str  # the deadline kind; stored on workflows.Deadline.kind, never renamed
    owner: Owner
    source: str
    confidence: Confidence
    compute: Callable[[Facts], Deadline | None]
    triggers: tuple[str, ...]  # the events without which this rule yields nothing
