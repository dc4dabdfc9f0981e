"""The routes a family can take, as the leaflet "What if I do not agree with decisions about SEN
provision?" describes them (../shared/domain/leaflet-what-if-i-do-not-agree.txt): which
deadlines and key dates belong to each, and the leaflet's checklist an adviser walks the family
through. Also the calculator's groups of dates. Pure data, no Django."""

from __future__ import annotations

from dataclasses import dataclass

from workflows import rules


@dataclass(frozen=True)
class RouteGuide:
    deadlines: tuple[str, ...]
    events: tuple[str, ...]
    checklist: tuple[str, ...]
    source: str


ROUTE_GUIDES: dict[str, RouteGuide] = {
    "complaint": RouteGuide(
        deadlines=("complaint_response", "complaint_stage2_response", "ombudsman_complaint"),
        events=(
            "complaint_sent",
            "complaint_response_requested",
            "complaint_response_received",
            "complaint_escalated",
            "matter_first_known",
            "ombudsman_complaint_sent",
        ),
        checklist=(
            "Try to sort it out first by speaking to the teacher, the SENCO or the headteacher.",
            "Use the school's, college's or council's complaints procedure (on its website), "
            "or ask for its complaints form.",
            "Put the complaint in writing (email or letter), with the word \u201ccomplaint\u201d "
            "in the heading.",
            "List every issue the family wants resolved.",
            "Say what the family wants to happen: the outcome wanted.",
            "Give a reasonable date to reply by, and record it here as the reply-by date.",
            "Not happy with the outcome, or how it was handled? We explain what to do next.",
        ),
        source="SEND Code of Practice 11.2 and 11.67 to 11.111",
    ),
    "disagreement_resolution": RouteGuide(
        deadlines=(),
        events=(),
        checklist=(
            "Free and confidential; the family chooses whether to use it.",
            "For a disagreement with a nursery, school, college or the council about how it "
            "carries out its SEN duties or the provision it makes, or with the council or health "
            "about health or social care provision in an assessment or an EHC plan.",
            "It can be used during an EHC needs assessment, while a plan is drawn up, while "
            "waiting for a Tribunal appeal, at a review and during a re-assessment.",
            "The local service's details are on the council's Local Offer.",
            "It does not stop the appeal's clock: keep the appeal dates in view.",
        ),
        source="SEND Code of Practice 11.6 to 11.10",
    ),
    "mediation": RouteGuide(
        deadlines=(
            "mediation_adviser_contact",
            "certificate_due",
            "mediation_by",
            "mediation_meeting_notice",
            "mediation_agreement_action",
        ),
        events=(
            "mediation_adviser_contacted",
            "mediation_declined",
            "mediation_requested",
            "mediation_not_arranged",
            "mediation_meeting",
            "mediation_concluded",
            "certificate_issued",
            "mediation_agreement",
        ),
        checklist=(
            "Contact the mediation adviser within two months of the decision, even if the "
            "family does not want mediation (the contact is in the decision letter).",
            "Not wanting mediation: tell the mediation adviser; the certificate comes within 3 "
            "working days.",
            "Choosing mediation: the council must take part, and the meeting is arranged "
            "within 30 days.",
            "After the meeting the mediator issues a certificate within 3 working days: the "
            "family needs it to appeal.",
            "No certificate is needed when the appeal is only about the school or college "
            "named in the plan, its type, or that none is named.",
        ),
        source="SEND Code of Practice 11.13 to 11.38",
    ),
    "appeal": RouteGuide(
        deadlines=("appeal", "la_appeal_response", *rules.ORDER_KINDS),
        events=(
            "decision_sent",
            "decision_letter_dated",
            "appeal_submitted",
            "appeal_registered",
            "order_assessment_sent",
            "order_make_plan_sent",
            "order_amend_plan_sent",
            "order_name_school_sent",
            "order_reconsider_sent",
            "concession_assessment_notified",
            "concession_amend_notified",
            "recommendation_made",
        ),
        checklist=(
            "The time limit: two months from the decision, or one month from the mediation "
            "certificate, whichever is later.",
            "Get the mediation certificate first, unless the appeal is only about the school "
            "or college named.",
            "Missed the time limit, or no certificate? The Tribunal can still be asked to "
            "register the appeal.",
            "Record the day the appeal is sent, so the reminders stop.",
        ),
        source="SEND Code of Practice 11.39 to 11.55",
    ),
    "ehc_assessment": RouteGuide(
        deadlines=(
            "ehc_assessment_decision",
            "ehc_no_plan_decision",
            "ehc_final_plan",
            "draft_plan_comments",
            "reassessment_final_plan",
        ),
        events=("ehc_request_received", "draft_plan_served", "reassessment_notified"),
        checklist=(
            "The school can ask the council for an EHC needs assessment, or the family can "
            "apply themselves.",
            "Record the day the council received the request: its decisions count from it.",
            "A refusal to assess, or not to make a plan, can be appealed: keep the letter.",
        ),
        source="SEND Code of Practice chapter 9",
    ),
    "annual_review": RouteGuide(
        deadlines=(
            "review_notice",
            "review_report",
            "review_decision",
            "annual_review",
            "amendment_comments",
            "final_amended_plan",
            "phase_transfer_review",
        ),
        events=("review_meeting", "amendment_notice_sent", "phase_transfer", "post16_transfer"),
        checklist=(
            "With an EHC plan, the family can also contact the council's SEN service to "
            "discuss their concerns.",
            "Record the review meeting's date: the report and the council's decision count "
            "from it.",
            "An amended or unchanged plan after the review can be appealed: keep the letter.",
        ),
        source="SEND Code of Practice 9.166 to 9.185",
    ),
    "discrimination_claim": RouteGuide(
        deadlines=("discrimination_claim",),
        events=("discrimination_act", "discrimination_claim_sent"),
        checklist=(
            "A claim to the Tribunal about disability discrimination by a school goes within "
            "6 months of the conduct complained of.",
            "Record the day the conduct happened, and the day the claim is sent.",
        ),
        source="Equality Act 2010 Schedule 17",
    ),
}


@dataclass(frozen=True)
class EventGroup:
    title: str
    common: tuple[str, ...]  # shown at once
    more: tuple[str, ...]  # shown when asked


CALCULATOR_GROUPS: tuple[EventGroup, ...] = (
    EventGroup(
        "Appeal and mediation",
        common=(
            "decision_sent",
            "decision_letter_dated",
            "mediation_adviser_contacted",
            "certificate_issued",
            "appeal_submitted",
        ),
        more=(
            "mediation_declined",
            "mediation_requested",
            "mediation_not_arranged",
            "mediation_meeting",
            "mediation_concluded",
            "mediation_agreement",
            "appeal_registered",
        ),
    ),
    EventGroup(
        "EHC needs assessment",
        common=("ehc_request_received",),
        more=("draft_plan_served", "reassessment_notified"),
    ),
    EventGroup(
        "Plans and reviews",
        common=("review_meeting",),
        more=("amendment_notice_sent", "phase_transfer", "post16_transfer"),
    ),
    EventGroup(
        "Complaint",
        common=("complaint_sent", "complaint_response_requested"),
        more=(
            "complaint_response_received",
            "complaint_escalated",
            "matter_first_known",
            "ombudsman_complaint_sent",
        ),
    ),
    EventGroup(
        "Discrimination",
        common=("discrimination_act",),
        more=("discrimination_claim_sent",),
    ),
    EventGroup(
        "Tribunal orders",
        common=(),
        more=(
            "order_assessment_sent",
            "order_make_plan_sent",
            "order_amend_plan_sent",
            "order_name_school_sent",
            "order_reconsider_sent",
            "concession_assessment_notified",
            "concession_amend_notified",
            "recommendation_made",
        ),
    ),
)
