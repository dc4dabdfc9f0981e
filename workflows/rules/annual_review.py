"""Annual reviews and amending a plan (SEND Regulations 2014 regs 18 to 22; Children and
Families Act 2014 s.44), the move to a new phase of education among them."""

from __future__ import annotations

from datetime import date

from workflows.rules.dates import (
    days_beginning_with,
    long_date,
    months_after,
    weeks_after,
    weeks_before,
)
from workflows.rules.facts import Deadline, Facts
from workflows.rules.periods import LA, P, Period, S
from workflows.rules.vocabulary import EVENTS, Owner

PERIODS: tuple[Period, ...] = (
    Period(
        "review_notice",
        ("review_meeting",),
        weeks_before,
        2,
        Owner.SCHOOL,
        "SEND Regulations 2014 reg 20(3) and (4)",
        P,
        ("Notice of the meeting and the advice for it must reach you at least this early",),
    ),
    Period(
        "review_report",
        ("review_meeting",),
        weeks_after,
        2,
        Owner.SCHOOL,
        "SEND Regulations 2014 reg 20 and reg 21(7)",
        S,
    ),
    Period(
        "review_decision",
        ("review_meeting",),
        weeks_after,
        4,
        LA,
        "SEND Regulations 2014 reg 20; SEND Code of Practice 9.176; L, M and P v Devon [2022]",
        S,
        ("If the council decides to amend the plan, the proposed amendments are due by then too",),
    ),
    Period(
        "annual_review",
        ("review_meeting",),
        months_after,
        12,
        LA,
        "Children and Families Act 2014 s.44 (at least every 12 months)",
        S,
    ),
    Period(
        "amendment_comments",
        ("amendment_notice_sent",),
        days_beginning_with,
        15,
        Owner.PARENT,
        "SEND Regulations 2014 reg 22(2)(c)",
        P,
        ("Send your comments on the proposed amendments by this date",),
    ),
)


def final_amended_plan_deadline(facts: Facts) -> Deadline | None:
    """The earlier of notice + 8 weeks (reg 22(3)) and meeting + 12 weeks (Devon, §10a)."""
    candidates: list[tuple[date, list[str]]] = []
    notice = facts.events.get("amendment_notice_sent")
    if notice is not None:
        due, text = weeks_after(notice, 8)
        candidates.append(
            (due, [f"{EVENTS['amendment_notice_sent']} on {long_date(notice)}", text])
        )
    meeting = facts.events.get("review_meeting")
    if meeting is not None:
        due, text = weeks_after(meeting, 12)
        candidates.append(
            (
                due,
                [
                    f"{EVENTS['review_meeting']} on {long_date(meeting)}",
                    f"{text} (4 weeks to decide and propose amendments, then 8 weeks)",
                ],
            )
        )
    if not candidates:
        return None
    due = min(d for d, _ in candidates)
    steps = [line for _, lines in candidates for line in lines]
    if len(candidates) > 1:
        steps.append(f"The earlier of the two dates counts: {long_date(due)}")
    return Deadline(
        kind="final_amended_plan",
        due=due,
        owner=LA,
        rule="SEND Regulations 2014 reg 22(3); L, M and P v Devon [2022]",
        confidence=P if notice is not None else S,
        steps=tuple(steps),
    )


def phase_transfer_review_deadline(facts: Facts) -> Deadline | None:
    """reg 18: amend the plan "before 15 February" (or "before 31 March" for post-16)."""
    candidates = []
    for event, month, day_text in (
        ("phase_transfer", 2, "15 February"),
        ("post16_transfer", 3, "31 March"),
    ):
        moving = facts.events.get(event)
        if moving is not None:
            due = date(moving.year, month, 14 if month == 2 else 30)
            candidates.append((due, event, moving, day_text))
    if not candidates:
        return None
    due, event, moving, day_text = min(candidates)
    steps = (
        f"{EVENTS[event]} on {long_date(moving)}",
        f"The council must review and amend the plan before {day_text} {moving.year}, "
        f"so by {long_date(due)}",
        f"Some sources read this as 'by {day_text}'; sendflow uses the earlier reading",
    )
    return Deadline(
        kind="phase_transfer_review",
        due=due,
        owner=LA,
        rule="SEND Regulations 2014 reg 18(1)",
        confidence=P,
        steps=steps,
    )
