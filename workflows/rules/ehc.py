"""EHC needs assessments and plans (SEND Regulations 2014 regs 5 to 13, and 27 for a
re-assessment)."""

from __future__ import annotations

from workflows.rules.dates import days_beginning_with, weeks_after
from workflows.rules.periods import LA, P, Period
from workflows.rules.vocabulary import Owner

PERIODS: tuple[Period, ...] = (
    Period(
        "ehc_assessment_decision",
        ("ehc_request_received",),
        weeks_after,
        6,
        LA,
        "SEND Regulations 2014 reg 5(1)",
        P,
    ),
    Period(
        "ehc_no_plan_decision",
        ("ehc_request_received",),
        weeks_after,
        16,
        LA,
        "SEND Regulations 2014 reg 10(1)",
        P,
    ),
    Period(
        "ehc_final_plan",
        ("ehc_request_received",),
        weeks_after,
        20,
        LA,
        "SEND Regulations 2014 reg 13(2)",
        P,
    ),
    Period(
        "draft_plan_comments",
        ("draft_plan_served",),
        days_beginning_with,
        15,
        Owner.PARENT,
        "SEND Regulations 2014 reg 13(1)(a)",
        P,
        ("Send your comments, and the school you want named, by this date",),
    ),
    Period(
        "reassessment_final_plan",
        ("reassessment_notified",),
        weeks_after,
        14,
        LA,
        "SEND Regulations 2014 reg 27(2)",
        P,
    ),
)
