"""What completes each deadline: the events that show its step was done."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Completion:
    """The events that show a deadline's step was done.

    One counts only if it is dated on or after the day the deadline's clock started: a decision
    sent before an EHC request is an older decision, not the answer to it. The clock starts at
    the earliest of the rule's triggers, or, where `after` is given, at the latest of those
    events recorded (the final amended plan answers the amendment notice, not the meeting).
    `strictly_after`: an event on the start day itself belongs to the step before (a stage 1
    reply that came the day the family escalated). `only_by_due`: events that complete the step
    only if dated on or before its date (a mediation meeting set after the 30 days is the
    council failing to arrange it in time, not arranging it).
    """

    by: tuple[str, ...]
    after: tuple[str, ...] | None = None
    strictly_after: bool = False
    only_by_due: tuple[str, ...] = ()


_DECIDED = ("decision_sent",)  # an appealable decision, a final plan among them, was sent
APPEAL_SENT = ("appeal_submitted", "appeal_registered")

# Steps that come before others due the same day, so a family's "what to do next" names them
# first: §2.2 reg 33, the mediation adviser is contacted before the appeal is sent (which
# needs the certificate), though the two dates often fall on one day.
COMES_FIRST = frozenset({"mediation_adviser_contact"})
_NOT_YET = Completion(())  # nothing in the vocabulary shows it; the adviser marks it met

COMPLETED_BY: dict[str, Completion] = {
    # §1.2: the family sent the appeal; the Tribunal registering it shows the same.
    "appeal": Completion(APPEAL_SENT),
    # §2.2 reg 33: any of these means the family has been in touch with the mediation adviser.
    # An appeal sent or registered settles it too: the Tribunal takes an appeal only with its
    # certificate, or without one where none is needed (§2.4), so "contact the mediation
    # adviser now" after it would only alarm the family.
    "mediation_adviser_contact": Completion(
        (
            "mediation_adviser_contacted",
            *APPEAL_SENT,
            "mediation_declined",
            "mediation_requested",
            "mediation_not_arranged",
            "mediation_meeting",
            "mediation_concluded",
            "certificate_issued",
        )
    ),
    # §2.3: the certificate itself.
    "certificate_due": Completion(("certificate_issued",)),
    # §2.3: mediation arranged or held; or the council said it could not, and the certificate
    # deadline takes over.
    "mediation_by": Completion(
        (
            "mediation_meeting",
            "mediation_concluded",
            "mediation_not_arranged",
            "certificate_issued",
        ),
        only_by_due=("mediation_meeting",),
    ),
    "mediation_meeting_notice": Completion(("mediation_concluded",)),
    "mediation_agreement_action": _NOT_YET,
    # §3: the council answered the request: a decision (refusal, no plan, or the final plan).
    "ehc_assessment_decision": Completion(("decision_sent", "draft_plan_served")),
    "ehc_no_plan_decision": Completion(("decision_sent", "draft_plan_served")),
    "ehc_final_plan": Completion(_DECIDED, after=("ehc_request_received", "draft_plan_served")),
    "draft_plan_comments": Completion(_DECIDED),  # the final plan closes the comments window
    "review_notice": _NOT_YET,
    "review_report": _NOT_YET,
    "review_decision": Completion(("amendment_notice_sent", "decision_sent")),
    "annual_review": _NOT_YET,  # the next review meeting replaces this one's date
    "amendment_comments": Completion(_DECIDED),
    "final_amended_plan": Completion(_DECIDED, after=("review_meeting", "amendment_notice_sent")),
    "reassessment_final_plan": Completion(_DECIDED),
    "discrimination_claim": Completion(("discrimination_claim_sent",)),
    "la_appeal_response": _NOT_YET,
    "ombudsman_complaint": Completion(("ombudsman_complaint_sent",)),
    # §4: the plan an order or concession requires, once issued, is an appealable decision.
    "order_assessment_notice": _NOT_YET,
    "order_assessment_no_plan": Completion(("decision_sent", "draft_plan_served")),
    "order_assessment_final_plan": Completion(_DECIDED),
    "order_draft_plan": Completion(("draft_plan_served",)),
    "order_final_plan": Completion(_DECIDED),
    "order_amended_plan": Completion(_DECIDED),
    "order_name_school": Completion(_DECIDED),
    "order_reconsideration": Completion(_DECIDED),
    "concession_assessment_notice": _NOT_YET,
    "concession_no_plan": Completion(("decision_sent", "draft_plan_served")),
    "concession_final_plan": Completion(_DECIDED),
    "concession_amended_plan": Completion(_DECIDED),
    "recommendation_response": _NOT_YET,
    "phase_transfer_review": _NOT_YET,  # its clock is a future move, not a start
    # §7: the reply arrived; going to the next stage also ends the wait for the first reply.
    "complaint_response": Completion(
        ("complaint_response_received", "complaint_escalated"), after=("complaint_sent",)
    ),
    "complaint_stage2_response": Completion(("complaint_response_received",), strictly_after=True),
}


# The events that could complete each kind, as a set: most calls stop at this test.
COMPLETING = {kind: frozenset(completion.by) for kind, completion in COMPLETED_BY.items()}


def first_completing(
    completion: Completion,
    started_by: tuple[str, ...],
    events: Mapping[str, date],
    *,
    due: date | None = None,
) -> tuple[str, date] | None:
    """The first recorded event in `events` that does `completion`, with its date, for a rule
    whose clock the earliest of `started_by` (its triggers) starts. `completed_by` looks both up
    by kind."""
    if completion.after:
        started = max((events[e] for e in completion.after if e in events), default=date.min)
    else:
        started = min((events[e] for e in started_by if e in events), default=date.min)

    def counts(event: str) -> bool:
        day = events[event]
        if day < started or (completion.strictly_after and day == started):
            return False
        return not (event in completion.only_by_due and due is not None and day > due)

    found = min(((events[e], e) for e in completion.by if e in events and counts(e)), default=None)
    return (found[1], found[0]) if found else None
