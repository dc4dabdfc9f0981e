"""Names of things for people, in both voices: who acts, events, deadline kinds, dates given in
a letter, states and how sure a source is; the dates a family can tell us on their form; and the
model and form choices made from them (STYLE.md section 11)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

from workflows import rules

# The dates a family learns first, in the order they usually happen, as the form offers them.
FAMILY_EVENTS: dict[str, tuple[str, str]] = {
    "decision_letter_dated": (
        gettext_lazy("The date on the council's decision letter"),
        gettext_lazy("Use the date printed on the letter, not the day it arrived."),
    ),
    "mediation_adviser_contacted": (
        gettext_lazy("I contacted the mediation adviser"),
        gettext_lazy("The day you phoned, emailed or wrote to them."),
    ),
    "mediation_declined": (
        gettext_lazy("I told the mediation adviser I do not want mediation"),
        "",
    ),
    "mediation_requested": (gettext_lazy("I told the council I want mediation"), ""),
    "certificate_issued": (
        gettext_lazy("My mediation certificate came"),
        gettext_lazy("Use the date printed on the certificate."),
    ),
    "appeal_submitted": (gettext_lazy("I sent my appeal to the SEND Tribunal"), ""),
    "complaint_response_received": (gettext_lazy("The reply to my complaint arrived"), ""),
}

# Dates a letter gives that a family can tell us (a GivenDate kind each, told as the family's and
# waiting for the adviser's check); unlike the events above they may be in the future.
FAMILY_GIVEN: dict[str, tuple[str, str]] = {
    "hearing": (
        gettext_lazy("The Tribunal gave me a hearing date"),
        gettext_lazy("Use the date in the Tribunal's letter. Your adviser adds the time."),
    ),
    "final_evidence": (gettext_lazy("The Tribunal's date for final evidence"), ""),
    "attendance_form": (gettext_lazy("The Tribunal's date for the attendance form"), ""),
    "mediation_meeting": (gettext_lazy("The date of my mediation meeting"), ""),
    "annual_review_meeting": (gettext_lazy("The date of the annual review meeting"), ""),
}


def sentence_start(label: str) -> str:
    """A label begun in lower case, to go mid-sentence."""
    return label[:1].lower() + label[1:]


# --- labels: the one place a code becomes words for people (STYLE.md section 11) ----------------
# Admin lists, filters, forms, the calculator, message history, policies and tasks all take their
# labels from here; the codes themselves are the stored vocabulary of DESIGN.md and never change.

DEADLINE_LABELS: dict[str, str] = {
    "appeal": "Appeal to the SEND Tribunal",
    "mediation_adviser_contact": "Contact the mediation adviser",
    "certificate_due": "Mediation certificate",
    "mediation_by": "Mediation meeting",
    "mediation_meeting_notice": "Notice of the mediation meeting",
    "mediation_agreement_action": "Council acts on the mediation agreement",
    "ehc_assessment_decision": "Council's decision on an EHC needs assessment",
    "ehc_no_plan_decision": "Council's decision not to make an EHC plan",
    "ehc_final_plan": "Final EHC plan",
    "draft_plan_comments": "Comments on the draft EHC plan",
    "review_notice": "Invitations to the annual review meeting",
    "review_report": "Annual review report",
    "review_decision": "Council's decision after the annual review",
    "annual_review": "Next annual review",
    "amendment_comments": "Comments on the proposed changes to the EHC plan",
    "reassessment_final_plan": "Final EHC plan after a re-assessment",
    "discrimination_claim": "Disability discrimination claim",
    "la_appeal_response": "Council's response to the appeal",
    "ombudsman_complaint": "Complaint to the Local Government and Social Care Ombudsman",
    "order_assessment_notice": "Tribunal order: council to start the assessment",
    "order_assessment_no_plan": "Tribunal order: council's decision after the assessment",
    "order_assessment_final_plan": "Tribunal order: final EHC plan after the assessment",
    "order_draft_plan": "Tribunal order: draft EHC plan",
    "order_final_plan": "Tribunal order: final EHC plan",
    "order_amended_plan": "Tribunal order: changed EHC plan",
    "order_name_school": "Tribunal order: school named in the plan",
    "order_reconsideration": "Tribunal order: council reconsiders",
    "concession_assessment_notice": "Council gave in: start the assessment",
    "concession_no_plan": "Council gave in: decision after the assessment",
    "concession_final_plan": "Council gave in: final EHC plan",
    "concession_amended_plan": "Council gave in: changed EHC plan",
    "recommendation_response": "Response to the Tribunal's health or social care recommendation",
    "final_amended_plan": "Final amended EHC plan",
    "complaint_response": "Reply to the complaint",
    "complaint_stage2_response": "Final reply to the complaint (stage 2)",
    "phase_transfer_review": "Plan review before a move to a new phase of education",
}

# Who acts: one table for both voices. An adviser reads "The family"; the family reads the same
# words but for themselves, "You" (OWNER_WORDS, translatable: the family's page and messages).
OWNER_LABELS: dict[str, str] = {
    rules.Owner.PARENT: "The family",
    rules.Owner.LOCAL_AUTHORITY: gettext_noop("The council"),
    rules.Owner.MEDIATION_ADVISER: gettext_noop("The mediation adviser"),
    rules.Owner.SCHOOL: gettext_noop("The school"),
    rules.Owner.TRIBUNAL: gettext_noop("The Tribunal"),
}
OWNER_WORDS = {owner: gettext_lazy(label) for owner, label in OWNER_LABELS.items()}
OWNER_WORDS[rules.Owner.PARENT] = gettext_lazy("You")


def owner_words(owner: str) -> str:
    """Who acts, said to the family: "You", "The council"."""
    return str(OWNER_WORDS.get(owner) or fallback_label(owner))


STATE_LABELS: dict[str, str] = {
    rules.State.OPEN: "Open",
    rules.State.DONE: "Done",
    rules.State.PASSED: "Passed",
}

CONFIDENCE_LABELS: dict[str, str] = {
    rules.Confidence.PRIMARY: "the law itself",
    rules.Confidence.OFFICIAL: "government guidance",
    rules.Confidence.SECONDARY: "advice bodies' reading",
    rules.Confidence.UNCONFIRMED: "our reasoning: check it",
}

# Statuses of cases, deadlines, messages and tasks, and the channels, are labelled on their
# models' choices (TextChoices): each code is named there once, and read from there.


def fallback_label(code: str) -> str:
    """A code no table names yet, said as words: "ehc_no_plan" -> "Ehc no plan"."""
    return code.replace("_", " ").capitalize()


def deadline_label(kind: str) -> str:
    if kind.startswith(GIVEN_PREFIX):
        return given_kind_label(kind.removeprefix(GIVEN_PREFIX))
    return DEADLINE_LABELS.get(kind) or fallback_label(kind)


def event_label(event: str) -> str:
    """An event in the adviser's words (family_event_label below gives the family's)."""
    return ADVISER_EVENT_WORDS.get(event) or fallback_label(event)


def owner_label(owner: str) -> str:
    return OWNER_LABELS.get(owner) or fallback_label(owner)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state) or fallback_label(state)


def confidence_label(confidence: str) -> str:
    """ "Primary (the law itself)": the calculator's code (its --format text and JSON print the
    code alone) beside what it means, the same on the case page, the calculator page and the
    deadlines list and its filter."""
    meaning = CONFIDENCE_LABELS.get(confidence)
    return f"{confidence.capitalize()} ({meaning})" if meaning else confidence.lower()


# Model and form choices, as callables: Django 5 records the callable in migrations, so a
# better label later needs no migration.
def deadline_kind_choices() -> list[tuple[str, str]]:
    return [(kind, deadline_label(kind)) for kind in rules.DEADLINE_KINDS]


def event_choices() -> list[tuple[str, str]]:
    return [(event, event_label(event)) for event in rules.EVENTS]


def owner_choices() -> list[tuple[str, str]]:
    return [(owner.value, owner_label(owner)) for owner in rules.Owner]


def confidence_choices() -> list[tuple[str, str]]:
    return [(c.value, confidence_label(c.value)) for c in rules.Confidence]


# --- dates given in a letter (GivenDate): the Tribunal's timetable, meetings, hearings ----------

GIVEN_KIND_LABELS: dict[str, str] = {
    "la_response": "Council's response to the appeal (Tribunal's date)",
    "final_evidence": "Final evidence to the Tribunal",
    "attendance_form": "Attendance form to the Tribunal",
    "hearing": "Tribunal hearing",
    "decision_expected": "Tribunal's decision expected",
    "mediation_meeting": "Mediation meeting",
    "annual_review_meeting": "Annual review meeting",
    "complaint_meeting": "Meeting about the complaint",
    "other": "Other date from a letter",
}

# Stored on a given date's messages as their `deadline_kind`, so one column names what a
# message is about whether the rules computed the date or a letter gave it.
GIVEN_PREFIX = "given:"


def given_kind_label(kind: str) -> str:
    return GIVEN_KIND_LABELS.get(kind) or fallback_label(kind)


# --- two voices: the family's words and the adviser's (STYLE.md section 11) --------------------
# Every event and every deadline kind has the family's words (their page, their form, their
# messages: "You contacted the mediation adviser") and the adviser's (the admin, tasks, audit,
# the outbox: "The family contacted the mediation adviser"). The family's live where the family
# reads them: rules.EVENTS (the rules write each working to the family), FAMILY_EVENTS and
# FAMILY_GIVEN above (their form), templates/notifications/ (their messages). The adviser's live
# here. A screen takes one voice and never mixes them: family_* for the family, the rest for
# advisers.

FAMILY_EVENT_WORDS: dict[str, str] = rules.EVENTS

# The adviser's words for an event: the rules' own label (rules.EVENTS) where it speaks of no
# one ("The council's decision was sent"), else these, in the third person.
ADVISER_EVENT_WORDS: dict[str, str] = {
    **rules.EVENTS,
    "mediation_declined": "The family told the mediation adviser they do not want mediation",
    "mediation_requested": "The family told the council they want mediation",
    "complaint_sent": "The family's complaint was sent",
    "complaint_response_requested": "The date the family asked for a reply to their complaint by",
    "mediation_adviser_contacted": "The family contacted the mediation adviser",
    "appeal_submitted": "The family sent their appeal to the SEND Tribunal",
    "complaint_response_received": "The reply to the family's complaint arrived",
    "complaint_escalated": "The family's complaint went to the next stage",
    "discrimination_claim_sent": "The family sent the disability discrimination claim to the "
    "Tribunal",
    "ombudsman_complaint_sent": "The family complained to the Local Government and Social Care "
    "Ombudsman",
    "phase_transfer": "The child moves to a new phase of education",
    "post16_transfer": "The child moves from secondary school to post-16 education",
    "matter_first_known": "The family first knew about the problem",
}


def family_event_label(event: str) -> str:
    """An event in the family's words: "You contacted the mediation adviser"."""
    return FAMILY_EVENT_WORDS.get(event) or fallback_label(event)
