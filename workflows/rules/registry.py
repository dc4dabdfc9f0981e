"""Every rule, by the code stored on workflows.Deadline.kind: `RULES`, in the order of
`DEADLINE_KINDS` (the order the deadline kinds are offered in), and the rules each event can
start."""

from __future__ import annotations

from collections.abc import Callable

from workflows.rules import annual_review, complaints, discrimination, ehc, orders
from workflows.rules import appeal as appeal_rules
from workflows.rules import mediation as mediation_rules
from workflows.rules.annual_review import (
    final_amended_plan_deadline,
    phase_transfer_review_deadline,
)
from workflows.rules.appeal import APPEAL_SOURCE, appeal_deadline
from workflows.rules.complaints import (
    COMPLAINT_CODE,
    complaint_response_deadline,
    complaint_stage2_response_deadline,
)
from workflows.rules.facts import Deadline, Facts, Rule
from workflows.rules.mediation import (
    CERTIFICATE_EVENTS,
    MEDIATION_ADVISER_TRIGGERS,
    certificate_due_deadline,
    mediation_adviser_contact_deadline,
)
from workflows.rules.periods import LA, P, Period, S
from workflows.rules.vocabulary import EVENTS, Confidence, Owner

_BY_KIND = {
    p.kind: p
    for p in (
        *mediation_rules.PERIODS,
        *ehc.PERIODS,
        *annual_review.PERIODS,
        *discrimination.PERIODS,
        *appeal_rules.PERIODS,
        *complaints.PERIODS,
        *orders.PERIODS,
    )
}
# After the appeal (orders): the Tribunal's orders, the council's concessions and the
# recommendations, in the order they take in RULES (never reorder). The appeal route lists them
# too (workflows.routes).
ORDER_KINDS: tuple[str, ...] = (
    "order_assessment_notice",
    "order_assessment_no_plan",
    "order_assessment_final_plan",
    "order_draft_plan",
    "order_final_plan",
    "order_amended_plan",
    "order_name_school",
    "order_reconsideration",
    "concession_assessment_notice",
    "concession_no_plan",
    "concession_final_plan",
    "concession_amended_plan",
    "recommendation_response",
)
# The simple rules in the order they take in RULES, and so in DEADLINE_KINDS: never reorder.
_PERIODS: tuple[Period, ...] = tuple(
    _BY_KIND[kind]
    for kind in (
        "mediation_by",
        "mediation_meeting_notice",
        "mediation_agreement_action",
        "ehc_assessment_decision",
        "ehc_no_plan_decision",
        "ehc_final_plan",
        "draft_plan_comments",
        "review_notice",
        "review_report",
        "review_decision",
        "annual_review",
        "amendment_comments",
        "reassessment_final_plan",
        "discrimination_claim",
        "la_appeal_response",
        "ombudsman_complaint",
        *ORDER_KINDS,
    )
)


def _rule(
    code: str,
    owner: Owner,
    source: str,
    confidence: Confidence,
    compute: Callable[[Facts], Deadline | None],
    triggers: tuple[str, ...],
) -> Rule:
    return Rule(code, owner, source, confidence, compute, triggers)


RULES: dict[str, Rule] = {
    "appeal": _rule(
        "appeal",
        Owner.PARENT,
        APPEAL_SOURCE,
        P,
        appeal_deadline,
        ("decision_sent", "decision_letter_dated", "certificate_issued"),
    ),
    "mediation_adviser_contact": _rule(
        "mediation_adviser_contact",
        Owner.PARENT,
        "SEND Regulations 2014 reg 33",
        P,
        mediation_adviser_contact_deadline,
        MEDIATION_ADVISER_TRIGGERS,
    ),
    "certificate_due": _rule(
        "certificate_due",
        Owner.MEDIATION_ADVISER,
        "SEND Regulations 2014 regs 34, 37 and 39 (3 working days)",
        S,
        certificate_due_deadline,
        CERTIFICATE_EVENTS,
    ),
    **{p.kind: _rule(p.kind, p.owner, p.source, p.confidence, p, p.events) for p in _PERIODS},
    "final_amended_plan": _rule(
        "final_amended_plan",
        LA,
        "SEND Regulations 2014 reg 22(3)",
        P,
        final_amended_plan_deadline,
        ("amendment_notice_sent", "review_meeting"),
    ),
    "complaint_response": _rule(
        "complaint_response",
        LA,
        COMPLAINT_CODE,
        S,
        complaint_response_deadline,
        ("complaint_sent", "complaint_response_requested"),
    ),
    "complaint_stage2_response": _rule(
        "complaint_stage2_response",
        LA,
        COMPLAINT_CODE,
        S,
        complaint_stage2_response_deadline,
        ("complaint_escalated",),
    ),
    "phase_transfer_review": _rule(
        "phase_transfer_review",
        LA,
        "SEND Regulations 2014 reg 18(1)",
        P,
        phase_transfer_review_deadline,
        ("phase_transfer", "post16_transfer"),
    ),
}

DEADLINE_KINDS: tuple[str, ...] = tuple(RULES)


# Which rules each event can start, so a case runs only the rules its dates can trigger.
RULES_BY_EVENT: dict[str, tuple[Rule, ...]] = {
    event: tuple(rule for rule in RULES.values() if event in rule.triggers) for event in EVENTS
}
