"""The words of the rules: who acts, how sure the source is, the key dates and their labels,
and where a deadline stands. Deadline kinds are the keys of `RULES` (registry.py)."""

from __future__ import annotations

from enum import StrEnum


class Owner(StrEnum):
    PARENT = "parent"
    LOCAL_AUTHORITY = "local_authority"
    MEDIATION_ADVISER = "mediation_adviser"
    SCHOOL = "school"
    TRIBUNAL = "tribunal"


class Confidence(StrEnum):
    PRIMARY = "PRIMARY"  # wording seen in the statute or statutory instrument
    OFFICIAL = "OFFICIAL"  # gov.uk, HMCTS or DfE guidance
    SECONDARY = "SECONDARY"  # IPSEA, SENDIASS, council or law-firm paraphrase only
    UNCONFIRMED = "UNCONFIRMED"  # reasoning; check before relying on it


# Key dates, as stored and printed (DESIGN.md vocabulary first, then the ones the rules added).
# The label completes "... on <date>" in the working shown to people.
EVENTS: dict[str, str] = {
    "decision_sent": "The council's decision was sent",
    "mediation_declined": "You told the mediation adviser you do not want mediation",
    "mediation_requested": "You told the council you want mediation",
    "mediation_not_arranged": "The council said it could not arrange mediation",
    "mediation_concluded": "Mediation ended",
    "certificate_issued": "The mediation certificate was issued",
    "mediation_agreement": "The mediation agreement was made",
    "ehc_request_received": "The council received the request for an EHC needs assessment",
    "draft_plan_served": "The draft EHC plan was served",
    "review_meeting": "The annual review meeting is or was held",
    "amendment_notice_sent": "The council sent its notice of proposed amendments",
    "discrimination_act": "The conduct complained of happened",
    "complaint_sent": "Your complaint was sent",
    "complaint_response_requested": "The date you asked for a reply to your complaint by",
    # Added with deadline states (DESIGN.md): dates that show a step was done.
    "decision_letter_dated": "The council wrote its decision letter",
    "mediation_adviser_contacted": "You contacted the mediation adviser",
    "appeal_submitted": "You sent your appeal to the SEND Tribunal",
    "complaint_response_received": "The reply to your complaint arrived",
    "complaint_escalated": "Your complaint went to the next stage",
    "discrimination_claim_sent": "You sent the disability discrimination claim to the Tribunal",
    "ombudsman_complaint_sent": "You complained to the Local Government and Social Care Ombudsman",
    # Added as the rules grew (legal-rules.md sections 2 to 4 and 7).
    "mediation_meeting": "The mediation meeting is set",
    "appeal_registered": "The Tribunal sent the appeal to the council",
    "reassessment_notified": "The council said it will re-assess",
    "phase_transfer": "Your child moves to a new phase of education",
    "post16_transfer": "Your child moves from secondary school to post-16 education",
    "matter_first_known": "You first knew about the problem",
    "order_assessment_sent": "The Tribunal sent its order to assess",
    "order_make_plan_sent": "The Tribunal sent its order to make an EHC plan",
    "order_amend_plan_sent": "The Tribunal sent its order to change the EHC plan",
    "order_name_school_sent": "The Tribunal sent its order to name a school",
    "order_reconsider_sent": "The Tribunal sent the case back to the council to reconsider",
    "concession_assessment_notified": "The council told the Tribunal it won't oppose (assessment)",
    "concession_amend_notified": "The council told the Tribunal it won't oppose (plan contents)",
    "recommendation_made": "The Tribunal made a health or social care recommendation",
}


class State(StrEnum):
    """Where a deadline stands on a given day (DESIGN.md: deadline states)."""

    OPEN = "open"
    DONE = "done"  # an event that completes it is recorded
    PASSED = "passed"  # still open, and its date is before today
