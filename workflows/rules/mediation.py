"""Mediation (SEND Regulations 2014 regs 33 to 42): contacting the mediation adviser, the
certificate, and the council's duties once mediation is asked for. The appeal builds on it."""

from __future__ import annotations

from datetime import date

from workflows import working_days as wd
from workflows.rules.dates import (
    days_after,
    holiday_warnings,
    long_date,
    months_after,
    not_rolled_note,
    weeks_after,
    working_days_after,
    working_days_before,
)
from workflows.rules.facts import Deadline, Facts
from workflows.rules.periods import LA, P, Period, S
from workflows.rules.vocabulary import EVENTS, Confidence, Owner

# The mediation adviser's deadline starts with the decision (the rule's triggers).
MEDIATION_ADVISER_TRIGGERS = ("decision_sent", "decision_letter_dated")


def decision_of(facts: Facts) -> tuple[str, date] | None:
    """The decision date the appeal counts from: the day it was sent, else the letter's date."""
    for event in ("decision_sent", "decision_letter_dated"):
        if event in facts.events:
            return event, facts.events[event]
    return None


LETTER_DATE_ONLY = (
    "The day the decision was sent is not recorded, so this counts from the date on the letter, "
    "which is the same day or earlier: the safe choice"
)


# legal-rules.md §10b: a placement-only appeal after mediation, the certificate's month ignored,
# is one of the points the law leaves open (the earlier date); say so, do not state it as law.
PLACEMENT_CERTIFICATE = (
    "sendflow's reading is that a certificate does not change the date for an appeal only "
    "about the school or placement: it counts 2 months from the decision. This is not settled "
    "law: ask your adviser"
)


def mediation_adviser_contact_deadline(facts: Facts) -> Deadline | None:
    decision = decision_of(facts)
    if decision is None or facts.placement_only:
        return None
    event, sent = decision
    due, text = months_after(sent, 2)
    steps = [f"{EVENTS[event]} on {long_date(sent)}"]
    if event == "decision_letter_dated":
        steps.append(LETTER_DATE_ONLY)
    steps.append(text)
    note = not_rolled_note(due, "SEND Regulations", Owner.PARENT)
    if note:
        steps.append(note)
    steps.append("Contact the mediation adviser even if you do not want mediation")
    return Deadline(
        kind="mediation_adviser_contact",
        due=due,
        owner=Owner.PARENT,
        rule="SEND Regulations 2014 reg 33",
        confidence=Confidence.PRIMARY,
        steps=tuple(steps),
    )


CERTIFICATE_EVENTS = ("mediation_declined", "mediation_not_arranged", "mediation_concluded")


def deemed_certificate_due(facts: Facts) -> date | None:
    """When the council said it could not arrange mediation: 3 working days later (§2.3)."""
    told = facts.events.get("mediation_not_arranged")
    return wd.add_working_days(told, 3)[0] if told is not None else None


def certificate_due_deadline(facts: Facts) -> Deadline | None:
    """3 working days after declining mediation or mediation ending (the latest of these), or
    after the council said it could not arrange mediation: that "deemed" certificate is due
    even if mediation is recorded later, and it starts the appeal clock (§2.3)."""
    given = [(facts.events[e], e) for e in CERTIFICATE_EVENTS if e in facts.events]
    if not given:
        return None
    deemed = facts.events.get("mediation_not_arranged")
    start, event = (deemed, "mediation_not_arranged") if deemed else max(given)
    due, text = working_days_after(start, 3)
    steps = [f"{EVENTS[event]} on {long_date(start)}", text]
    if deemed:
        steps.append(
            "This is a 'deemed' certificate: it is due even if a mediation meeting is arranged "
            "later, and the appeal clock runs from the day it is issued, not from a later meeting"
        )
    elif len(given) > 1:
        steps.insert(0, "Counted from the latest of the dates that start this clock")
    if facts.placement_only:
        steps.append(
            "This appeal is only about the school or placement named in the plan (Section I). "
            f"{PLACEMENT_CERTIFICATE}"
        )
    else:
        steps.append(
            "Your appeal date becomes 1 month after the day the certificate is issued, if that is "
            "later than 2 months after the decision was sent"
        )
    return Deadline(
        kind="certificate_due",
        due=due,
        owner=Owner.MEDIATION_ADVISER,
        rule="SEND Regulations 2014 regs 34, 37 and 39 (3 working days)",
        confidence=Confidence.SECONDARY,
        steps=tuple(steps),
        warnings=holiday_warnings(start, due),
    )


PERIODS: tuple[Period, ...] = (
    Period(
        "mediation_by",
        ("mediation_requested",),
        days_after,
        30,
        LA,
        "SEND Regulations 2014 regs 36-37 (30 days)",
        S,
        (
            "Counted from the day you told the council; some sources count from when the "
            "mediation adviser told the council, which would be later",
            "If the council cannot arrange mediation in time, the adviser must issue a "
            "certificate within 3 working days of being told",
        ),
    ),
    Period(
        "mediation_meeting_notice",
        ("mediation_meeting",),
        working_days_before,
        5,
        LA,
        "SEND Regulations 2014 regs 37-38; SEND Code of Practice ch. 11 (5 working days' notice)",
        S,
        ("A shorter notice is allowed if you agree to it",),
    ),
    Period(
        "mediation_agreement_action",
        ("mediation_agreement",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 42(3)",
        P,
        (
            "Where the agreement covers things you could appeal, the council must keep to the "
            "time limits for Tribunal orders instead (reg 42(2))",
            "A different timescale applies if everyone agreed one in writing (reg 42(5))",
        ),
    ),
)
