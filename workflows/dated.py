"""What a case's dated things have in common, whether the rules computed the date (a `Deadline`)
or a letter gave it (a `GivenDate`): one interface, so that the outbox, the messages and the
family's page stop asking which of the two they hold (issue 23).

Both models satisfy it structurally (no base class, no registration); an outbox row gives the one
it is about as `OutboundMessage.obligation`. Where the two really are said differently (their own
templates: templates/notifications/deadlines/ and given/), `computed` tells the one module that
renders their words which to take; everywhere else a caller reads these members alone."""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from workflows.rules import State


@runtime_checkable
class DatedObligation(Protocol):
    """A dated thing of a case that someone owes: a computed deadline or a date a letter gave."""

    id: int  # its row: a Deadline's or a GivenDate's (a message names one or the other)
    kind: str  # a deadline kind ("appeal"), or a given date's kind ("hearing")
    owner: str  # who acts: rules.Owner

    @property
    def computed(self) -> bool:
        """Computed by the rules (a deadline), rather than given in a letter."""
        ...

    @property
    def told_key(self) -> str:
        """Its key in a message's `dates_told`: the deadline's kind, or "given-<id>"."""
        ...

    @property
    def message_kind(self) -> str:
        """What the outbox stores in `deadline_kind` for its messages (and policies' kind)."""
        ...

    @property
    def effective_due(self) -> date:
        """The date itself: an adviser's override, the rules' date, or the letter's date."""
        ...

    @property
    def effective_act_by(self) -> date:
        """The day to act by (a meeting's own day)."""
        ...

    @property
    def family_owes(self) -> bool:
        """The family acts (rather than the council, a school, the Tribunal...)."""
        ...

    @property
    def is_meeting(self) -> bool:
        """A hearing or a meeting: the family goes "on" the day, not acts "by" it."""
        ...

    @property
    def title(self) -> str:
        """What it is, in the adviser's words: "Appeal to the SEND Tribunal", "Tribunal
        hearing" (the family's label comes from its message template)."""
        ...

    def state(self, today: date) -> State:
        """Done, passed or open on `today`."""
        ...

    def date_in_words(self) -> str:
        """Its date said whole: with the day to aim for, or a meeting's time."""
        ...

    def done_in_words(self) -> str:
        """What settled it, for the message history: "Certificate issued on ...", "marked done
        on ..."; "" while it is not done."""
        ...

    def check_task_text(self) -> str:
        """The adviser's task once a check on it has gone to the family: find out whether it
        came (a deadline others owed) or happened (a date from a letter)."""
        ...
