"""The entry points: every deadline a case's facts determine, done or not, and the dates
that look odd."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from workflows.rules.completion import COMPLETED_BY, COMPLETING, first_completing
from workflows.rules.dates import long_date
from workflows.rules.facts import Deadline, Facts, Rule
from workflows.rules.mediation import deemed_certificate_due
from workflows.rules.parsing import validate
from workflows.rules.registry import RULES, RULES_BY_EVENT
from workflows.rules.vocabulary import EVENTS


def completed_by(
    kind: str, events: Mapping[str, date], *, due: date | None = None
) -> tuple[str, date] | None:
    """The first recorded event that completes a deadline of this kind, with its date. A date
    in the future is returned too: the deadline is done only once that day comes (`state`)."""
    if COMPLETING[kind].isdisjoint(events):
        return None  # most deadlines, most of the time: nothing recorded that could do it
    return first_completing(COMPLETED_BY[kind], RULES[kind].triggers, events, due=due)


def compute_deadlines(facts: Facts) -> list[Deadline]:
    """Return every deadline the facts determine, done ones included, in due-date order.
    Raise FactsError."""
    validate(facts)
    triggered = {rule.code: rule for event in facts.events for rule in RULES_BY_EVENT[event]}
    found = []
    for rule in triggered.values():
        deadline = rule.compute(facts)
        if deadline is None:
            continue
        if "decision_letter_dated" in facts.events:
            deadline = _safe_by_letter_date(rule, facts, deadline)
        done = completed_by(deadline.kind, facts.events, due=deadline.due)
        if done is not None:
            deadline = _done(deadline, *done)
        found.append(deadline)
    found.sort(key=lambda d: (d.due, d.kind))
    return found


def _done(deadline: Deadline, event: str, day: date) -> Deadline:
    """`deadline` completed by `event` on `day` (dataclasses.replace, without its overhead: most
    deadlines of an older case are done, and a batch computes thousands)."""
    d = deadline
    return Deadline(
        d.kind, d.due, d.owner, d.rule, d.confidence, d.steps, d.warnings, d.safe_by, event, day
    )


def _safe_by_letter_date(rule: Rule, facts: Facts, deadline: Deadline) -> Deadline:
    """Where the letter is dated before the day it was sent, the date counts from the sending
    but the family is told to aim for the date counted from the letter (§1.2: remind on the
    earlier)."""
    sent = facts.events.get("decision_sent")
    letter = facts.events.get("decision_letter_dated")
    if sent is None or letter is None or letter >= sent or "decision_sent" not in rule.triggers:
        return deadline
    events = {**facts.events, "decision_sent": letter}
    del events["decision_letter_dated"]
    by_letter = rule.compute(replace(facts, events=events))
    if by_letter is None or by_letter.act_by >= deadline.act_by:
        return deadline
    note = (
        f"The letter is dated {long_date(letter)}, before the day it was sent. Counted from the "
        f"date on the letter, this date would be {long_date(by_letter.due)}: aim for "
        f"{long_date(by_letter.act_by)} to be safe"
    )
    return replace(deadline, safe_by=by_letter.act_by, steps=(*deadline.steps, note))


# Key dates that may be set ahead: a meeting, a move of school, the reply-by date asked for.
SCHEDULED_EVENTS = frozenset(
    {
        "mediation_meeting",
        "review_meeting",
        "phase_transfer",
        "post16_transfer",
        "complaint_response_requested",
    }
)


def flags(facts: Facts, deadlines: Iterable[Deadline], *, today: date | None = None) -> list[str]:
    """Dates that can all be true but look odd: accepted, and shown to the adviser to check."""
    return [text for _, text in flags_by_kind(facts, deadlines, today=today)]


def flags_by_kind(
    facts: Facts, deadlines: Iterable[Deadline], *, today: date | None = None
) -> list[tuple[str | None, str]]:
    """`flags`, each with the deadline kind it is about (None: the dates in general)."""
    events = facts.events
    general: list[str] = []
    for event, day in sorted(events.items()):
        if today is not None and day > today and event not in SCHEDULED_EVENTS:
            general.append(
                f"'{EVENTS[event]}' is recorded for {long_date(day)}, which has not come yet. "
                "sendflow counts nothing as done by it until that day: check the date."
            )
    deemed = deemed_certificate_due(facts)
    certificate = events.get("certificate_issued")
    if deemed is not None and certificate is not None and certificate > deemed:
        general.append(
            f"The council could not arrange mediation, so a 'deemed' certificate was due by "
            f"{long_date(deemed)}, but the certificate recorded is of {long_date(certificate)}. "
            "If an earlier certificate was issued, the appeal date counts from it: check with "
            "the mediation adviser and record that date."
        )
    declined, requested = events.get("mediation_declined"), events.get("mediation_requested")
    if declined and requested and requested > declined:
        general.append(
            f"Mediation was asked for on {long_date(requested)}, after it was declined on "
            f"{long_date(declined)}. Check which is right: a certificate may already have been "
            "issued after the family declined."
        )
    sent, letter = events.get("decision_sent"), events.get("decision_letter_dated")
    if sent and letter and letter > sent:
        general.append(
            f"The decision letter is dated {long_date(letter)}, after the day it was sent "
            f"({long_date(sent)}). Check both dates against the letter and its envelope or email."
        )
    found: list[tuple[str | None, str]] = [(None, text) for text in general]
    by_kind = {d.kind: d for d in deadlines}
    late = (
        (
            "appeal",
            "appeal_submitted",
            "The appeal was sent",
            "the Tribunal must be asked to accept it late, with the reasons",
        ),
        (
            "mediation_adviser_contact",
            "mediation_adviser_contacted",
            "The family contacted the mediation adviser",
            "check with the adviser that a certificate can still be issued",
        ),
    )
    for kind, event, what, then in late:
        deadline, done_on = by_kind.get(kind), events.get(event)
        if deadline and done_on and done_on > deadline.due:
            found.append(
                (
                    kind,
                    f"{what} on {long_date(done_on)}, after its last day "
                    f"({long_date(deadline.due)}): {then}.",
                )
            )
    return found
