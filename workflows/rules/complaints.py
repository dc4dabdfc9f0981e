"""Complaints to the council or a school (the LGSCO Complaint Handling Code), and then to the
Local Government and Social Care Ombudsman."""

from __future__ import annotations

from datetime import date

from workflows.rules.dates import (
    holiday_warnings,
    long_date,
    months_starting_with,
    working_days_after,
)
from workflows.rules.facts import Deadline, Facts
from workflows.rules.periods import LA, P, Period, S
from workflows.rules.vocabulary import EVENTS, Owner

COMPLAINT_CODE = "LGSCO Complaint Handling Code (applied from 1 April 2026)"
_COUNCIL_POLICY = "Councils set their own complaint policies; check the council's own timescale"
# legal-rules.md §7, §10b: the Code covers councils, not schools; a school's own procedure sets
# its timescales, and where none is known the date the parent asked for is the only date.
_SCHOOL_NO_CODE = (
    "The council's Complaint Handling Code does not cover schools: the school's own complaints "
    "procedure sets its timescales (it is usually on the school's website), so sendflow uses "
    "only the date you asked for"
)
_RECIPIENT_NOT_RECORDED = (
    "sendflow counts this as a complaint to the council. If it went to a school or college, "
    "tell your adviser: the council's Complaint Handling Code does not cover schools"
)


def _complaint_to_school(facts: Facts) -> bool:
    return facts.complaint_to == Owner.SCHOOL


def complaint_response_deadline(facts: Facts) -> Deadline | None:
    """Due on the reply-by date the parent gave, as the leaflet advises; without one, for a
    complaint to the council, the Complaint Handling Code's stage 1 timescale (5 + 10 working
    days). A school owes its reply by the parent's date alone: no code applies to it."""
    reply_by = facts.events.get("complaint_response_requested")
    sent = facts.events.get("complaint_sent")
    school = _complaint_to_school(facts)
    steps: list[str] = []
    code_due: date | None = None
    if sent is not None:
        steps.append(f"{EVENTS['complaint_sent']} on {long_date(sent)}")
        if not school:
            code_due, text = working_days_after(sent, 15)
            steps += [
                "Under the Complaint Handling Code a council has 5 working days to acknowledge "
                "a complaint and 10 more to reply (stage 1)",
                text,
            ]
    if reply_by is not None:
        due = reply_by
        steps.append(f"In your complaint you asked for a reply by {long_date(reply_by)}")
        if code_due is not None and code_due < reply_by:
            steps.append(
                f"That is later than the Code's {long_date(code_due)}: the council may reply sooner"
            )
        rule = "The reply-by date in your complaint" + ("" if school else f"; {COMPLAINT_CODE}")
    elif code_due is not None:
        due = code_due
        steps.append(
            "You can give a date you would like a reply by in your complaint: tell your adviser "
            "and we will use it"
        )
        rule = COMPLAINT_CODE
    else:
        return None  # a complaint to a school with no reply-by date: no date to count
    if school:
        steps += [_SCHOOL_NO_CODE, "The school owes you this reply"]
    elif facts.complaint_to == LA:
        steps += ["The council owes you this reply", _COUNCIL_POLICY]
    else:
        steps += [_RECIPIENT_NOT_RECORDED, _COUNCIL_POLICY]
    steps.append(
        "If no reply comes by then, you can ask for the complaint to go to the next stage, and "
        "ask your adviser for help"
    )
    return Deadline(
        kind="complaint_response",
        due=due,
        owner=Owner.SCHOOL if school else LA,
        rule=rule,
        confidence=S,
        steps=tuple(steps),
        warnings=holiday_warnings(sent, due) if sent is not None and not school else (),
    )


def complaint_stage2_response_deadline(facts: Facts) -> Deadline | None:
    """Complaint Handling Code stage 2: 5 working days to acknowledge, 20 more to respond. Not
    for a complaint to a school: the Code does not cover schools, and no other date is known."""
    escalated = facts.events.get("complaint_escalated")
    if escalated is None or _complaint_to_school(facts):
        return None
    due, text = working_days_after(escalated, 25)
    steps = (
        f"{EVENTS['complaint_escalated']} on {long_date(escalated)}",
        "At stage 2 the council has 5 working days to acknowledge it and 20 more to give its "
        "final response",
        text,
        *(() if facts.complaint_to == LA else (_RECIPIENT_NOT_RECORDED,)),
        _COUNCIL_POLICY,
        "After the council's final response, or if none comes, you can complain to the Local "
        "Government and Social Care Ombudsman, usually within 12 months of first knowing of "
        "the problem",
    )
    return Deadline(
        kind="complaint_stage2_response",
        due=due,
        owner=LA,
        rule=COMPLAINT_CODE,
        confidence=S,
        steps=steps,
        warnings=holiday_warnings(escalated, due),
    )


PERIODS: tuple[Period, ...] = (
    Period(
        "ombudsman_complaint",
        ("matter_first_known",),
        months_starting_with,
        12,
        Owner.PARENT,
        "Local Government Act 1974 s.26B",
        P,
        (
            "This is the usual limit: the Ombudsman can accept a later complaint for good reason",
            "Give the council the chance to answer first (usually up to 12 weeks)",
        ),
        rolled_by="Ombudsman's rules",
    ),
)
