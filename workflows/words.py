"""Codes said for people: who acts, the dates a family can tell us, the legal source as a sentence,
the rules' refusals and a moved date in plain words. Pure Python and gettext, no models; the
family's page, its form and its calendar take their words from here (STYLE.md section 11).

Two voices, one vocabulary: each event and deadline kind has the family's words ("You contacted
the mediation adviser") and the adviser's ("The family contacted the mediation adviser"); the
section "two voices" below says which is which. Admin pages, tasks, audit and the outbox take
the adviser's; the family's page and messages the family's."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sendflow.words import counted  # noqa: F401  (callers read it here)
from workflows import rules, working_days

OWNER_WORDS = {
    rules.Owner.PARENT: gettext_lazy("You"),
    rules.Owner.LOCAL_AUTHORITY: gettext_lazy("The council"),
    rules.Owner.MEDIATION_ADVISER: gettext_lazy("The mediation adviser"),
    rules.Owner.SCHOOL: gettext_lazy("The school"),
    rules.Owner.TRIBUNAL: gettext_lazy("The Tribunal"),
}


def owner_words(owner: str) -> str:
    return str(OWNER_WORDS.get(owner, owner.replace("_", " ").capitalize()))


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

# "Your appeal date moved from ...": the date's own name, where a short one reads better.
DATE_NAMES = {
    "appeal": gettext_lazy("appeal date"),
    "mediation_adviser_contact": gettext_lazy("date to contact the mediation adviser"),
    "certificate_due": gettext_lazy("date for the mediation certificate"),
    "mediation_by": gettext_lazy("date for mediation"),
    "complaint_response": gettext_lazy("date for the reply to your complaint"),
    "complaint_stage2_response": gettext_lazy("date for the final reply to your complaint"),
    "discrimination_claim": gettext_lazy("date for a discrimination claim"),
}

_NAMED = [
    (r"\bHESC Rules 2008\b", "the Tribunal's procedure rules of 2008"),
    (r"\bLGSCO\b", "the Local Government and Social Care Ombudsman's"),
    (r"\bregs (\d)", r"regulations \1"),
    (r"\breg (\d)", r"regulation \1"),
    (r"\br\.(\d)", r"rule \1"),
    (r"\bs\.(\d)", r"section \1"),
    (r"\bSch (\d)", r"Schedule \1"),
    (r"\bpara (\d)", r"paragraph \1"),
    (r"\bch\. (\d)", r"chapter \1"),
    (r"\[(\d{4})\]", r"(\1)"),
    (r"(\d{4}) (regulation|rule|section|Schedule|paragraph|chapter)", r"\1, \2"),
    (r"(SEND Code of Practice) (\d)", r"\1, paragraph \2"),
    (r"^(SEND |Children and|Equality Act|Local Government Act|Extended)", r"the \1"),
]


def source_sentence(source: str) -> str:
    """ "SEND Regulations 2014 reg 33" -> "This comes from the SEND Regulations 2014,
    regulation 33." Court cases are named as court decisions."""
    parts = []
    for part in source.split(";"):
        part = part.strip()
        for pattern, replacement in _NAMED:
            part = re.sub(pattern, replacement, part)
        if " v " in part:
            part = _("a court decision, %(case)s") % {"case": part}
        parts.append(part.replace("'", "\u2019"))
    return _("This comes from %(sources)s.") % {"sources": _("; and ").join(parts)}


def _sentence_start(label: str) -> str:
    return label[:1].lower() + label[1:]


_CLASH = re.compile(
    r"^(?P<message>.+): (?P<later>\w+) is (?P<later_on>\d{4}-\d{2}-\d{2}) but "
    r"(?P<earlier>\w+) is (?P<earlier_on>\d{4}-\d{2}-\d{2})\. (?P<advice>.+)$"
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def facts_error_words(message: str) -> str:
    """A refusal from the rules (FactsError) with its event names and ISO dates said in words;
    the rules' own sentence stays as it is."""
    clash = _CLASH.match(message)
    if clash:
        return _(
            "%(message)s: %(later)s on %(later_on)s, but %(earlier)s on %(earlier_on)s. %(advice)s."
        ) % {
            "message": clash["message"],
            "later": _sentence_start(rules.EVENTS.get(clash["later"], clash["later"])),
            "later_on": rules.long_date(date.fromisoformat(clash["later_on"])),
            "earlier": _sentence_start(rules.EVENTS.get(clash["earlier"], clash["earlier"])),
            "earlier_on": rules.long_date(date.fromisoformat(clash["earlier_on"])),
            "advice": clash["advice"],
        }
    words = _ISO.sub(lambda m: rules.long_date(date(int(m[1]), int(m[2]), int(m[3]))), message)
    for event, label in rules.EVENTS.items():
        words = re.sub(rf"\bThe {event} date\b", f"The date \u201c{label}\u201d", words)
    return words.replace("sendflow", _("we"))


def short_date(day: date, *, year: bool) -> str:
    return rules.long_date(day) if year else rules.long_date(day).rsplit(" ", 1)[0]


def date_moved_words(kind: str, label: str, before: date, after: date) -> str:
    """ "Your appeal date moved from Monday 1 March to Wednesday 10 March 2027"."""
    name = DATE_NAMES.get(kind)
    values = {
        "before": short_date(before, year=before.year != after.year),
        "after": rules.long_date(after),
        "name": name,
        "label": label,
    }
    if name:
        return _("Your %(name)s moved from %(before)s to %(after)s") % values
    return _("%(label)s: the date moved from %(before)s to %(after)s") % values


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

# Who acts, said to an adviser (OWNER_WORDS above speaks to the family: "You").
OWNER_LABELS: dict[str, str] = {
    rules.Owner.PARENT: "The family",
    rules.Owner.LOCAL_AUTHORITY: "The council",
    rules.Owner.MEDIATION_ADVISER: "The mediation adviser",
    rules.Owner.SCHOOL: "The school",
    rules.Owner.TRIBUNAL: "The Tribunal",
}

STATE_LABELS: dict[str, str] = {
    rules.State.OPEN: "Open",
    rules.State.DONE: "Done",
    rules.State.PASSED: "Passed",
}

CONFIDENCE_LABELS: dict[str, str] = {
    rules.Confidence.PRIMARY: "the law itself",
    rules.Confidence.OFFICIAL: "official guidance",
    rules.Confidence.SECONDARY: "advice bodies' reading",
    rules.Confidence.UNCONFIRMED: "our reasoning: check it",
}

# Statuses of cases, deadlines, messages and tasks, and the channels, are labelled on their
# models' choices (TextChoices): each code is named there once, and read from there.


def _fallback(code: str) -> str:
    return code.replace("_", " ").capitalize()


def deadline_label(kind: str) -> str:
    if kind.startswith(GIVEN_PREFIX):
        return given_kind_label(kind.removeprefix(GIVEN_PREFIX))
    return DEADLINE_LABELS.get(kind) or _fallback(kind)


def event_label(event: str) -> str:
    """An event in the adviser's words (family_event_label below gives the family's)."""
    return ADVISER_EVENT_WORDS.get(event) or _fallback(event)


def owner_label(owner: str) -> str:
    return OWNER_LABELS.get(owner) or _fallback(owner)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state) or _fallback(state)


def confidence_label(confidence: str) -> str:
    return CONFIDENCE_LABELS.get(confidence) or confidence.lower()


# Model and form choices, as callables: Django 5 records the callable in migrations, so a
# better label later needs no migration.
def deadline_kind_choices() -> list[tuple[str, str]]:
    return [(kind, deadline_label(kind)) for kind in rules.DEADLINE_KINDS]


def event_choices() -> list[tuple[str, str]]:
    return [(event, event_label(event)) for event in rules.EVENTS]


def owner_choices() -> list[tuple[str, str]]:
    return [(owner.value, owner_label(owner)) for owner in rules.Owner]


def confidence_choices() -> list[tuple[str, str]]:
    return [(c.value, c.value.capitalize()) for c in rules.Confidence]


def working_days_words(left: int, *, today: bool = False, passed: bool = False) -> str:
    """Working days to a date, said: "Today", "1 working day left", "Passed 3 working days
    ago"."""
    if today:
        return "Today"
    if passed and left == 0:
        return "Passed (not a working day since)"
    if left >= 0:
        return f"{left} working day{'s' if left != 1 else ''} left"
    ago = -left
    return f"Passed {ago} working day{'s' if ago != 1 else ''} ago"


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
    return GIVEN_KIND_LABELS.get(kind) or _fallback(kind)


def given_working(source: str) -> str:
    """ "Tribunal letter of 12 March 2027" -> "The Tribunal set this date in its letter of 12
    March 2027." Other wording is quoted as the adviser wrote it."""
    match = re.match(r"^(?:the\s+)?(?P<who>.+?)(?:'s)?\s+letter\s+(?P<rest>of\s+.+)$", source, re.I)
    if match:
        who = match["who"].strip()
        who = who[:1].upper() + who[1:]
        return f"The {who} set this date in its letter {match['rest'].rstrip('.')}."
    if source:
        return f"Set by a letter: {source.rstrip('.')}."
    return "Set by a letter, not worked out by us: check it against the letter."


def time_words(at) -> str:
    """GOV.UK style: 10am, 2:30pm, midday."""
    if at.hour == 12 and at.minute == 0:
        return "midday"
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


# --- a deadline's state and the adviser's marking, in the adviser's voice -----------------------
# Two things an adviser must not confuse: where a deadline stands today (worked out from the dates
# and the events recorded: open, done, passed) and what the adviser marked it (met, missed,
# waived). Lists and the case page show the first in words, then the second, labelled.

# The events that complete a deadline, said to the adviser mid-sentence (ADVISER_EVENT_WORDS
# below are their labels).
DONE_EVENT_WORDS: dict[str, str] = {
    "appeal_submitted": "the family sent the appeal",
    "mediation_adviser_contacted": "the family contacted the mediation adviser",
    "mediation_declined": "the family told the mediation adviser they do not want mediation",
    "mediation_requested": "the family told the council they want mediation",
    "complaint_sent": "the family sent the complaint",
    "complaint_response_received": "the reply to the family's complaint arrived",
    "complaint_escalated": "the family's complaint went to the next stage",
    "discrimination_claim_sent": "the family sent the disability discrimination claim",
    "ombudsman_complaint_sent": "the family complained to the Ombudsman",
    "certificate_issued": "the mediation certificate was issued",
    "decision_sent": "the council's decision was sent",
    "draft_plan_served": "the draft EHC plan was served",
    "amendment_notice_sent": "the council sent its notice of proposed amendments",
    "appeal_registered": "the Tribunal sent the appeal to the council",
}

STATE_COLUMN = "state today"
MARKING_COLUMN = "adviser's marking"

MARKING_LABELS: dict[str, str] = {
    "open": "Not marked",
    "met": "Marked met",
    "missed": "Marked missed",
    "waived": "Marked waived",
}


def done_event_words(event: str) -> str:
    """ "appeal_submitted" -> "the family sent the appeal": the adviser's voice, mid-sentence."""
    if event in DONE_EVENT_WORDS:
        return DONE_EVENT_WORDS[event]
    return _sentence_start(event_label(event))


def _working_days(count: int) -> str:
    return f"{count} working day{'s' if count != 1 else ''}"


def deadline_state_words(
    *,
    state: str,
    due: date,
    today: date,
    status: str = "open",
    done_by: str = "",
    done_on: date | None = None,
) -> str:
    """A deadline's state on `today`, said to the adviser: "Open: due Monday 1 March 2027 (in 12
    working days)", "Done on Tuesday 1 December 2026 (the family sent the appeal)", "Passed
    Monday 23 November 2026, 10 working days ago". `due` is the effective date (an override
    replaces the computed one); the counts are working days in England (working_days.py)."""
    if state == rules.State.DONE:
        if done_by and done_on is not None and done_on <= today:
            return f"Done on {rules.long_date(done_on)} ({done_event_words(done_by)})"
        return f"Done (the adviser marked it {status})"
    if state == rules.State.PASSED:
        if due >= today:  # marked missed before its date
            return f"Passed (the adviser marked it missed); due {rules.long_date(due)}"
        ago = -working_days.working_days_until(today, due)
        since = f"{_working_days(ago)} ago" if ago else "no working day since"
        return f"Passed {rules.long_date(due)}, {since}"
    if due == today:
        return f"Open: due today, {rules.long_date(due)}"
    left = working_days.working_days_until(today, due)
    until = f"in {_working_days(left)}" if left else "no working day before it"
    return f"Open: due {rules.long_date(due)} ({until})"


def marking_words(
    *,
    status: str,
    status_reason: str = "",
    override_date: date | None = None,
    override_reason: str = "",
) -> str:
    """The adviser's own marking, labelled apart from the state: "Not marked", "Marked met";
    with its reason, "Marked waived: the family chose another route"; with an override, "Not
    marked; date moved to Monday 1 March 2027: the letter came late"."""
    words = MARKING_LABELS.get(status) or _fallback(status)
    if status_reason and status != "open":
        words += f": {status_reason}"
    if override_date:
        words += f"; date moved to {rules.long_date(override_date)}"
        if override_reason:
            words += f": {override_reason}"
    return words


def marking_choices() -> list[tuple[str, str]]:
    return list(MARKING_LABELS.items())


# --- two voices: the family's words and the adviser's (STYLE.md section 11) --------------------
# Every event and every deadline kind has the family's words (their page, their form, their
# messages: "You contacted the mediation adviser") and the adviser's (the admin, tasks, audit,
# the outbox: "The family contacted the mediation adviser"). The family's live where the family
# reads them: rules.EVENTS (the rules write each working to the family), FAMILY_EVENTS and
# FAMILY_GIVEN above (their form), templates/notifications/ (their messages). The adviser's live
# here. A screen takes one voice and never mixes them: family_* for the family, the rest for
# advisers.

FAMILY_EVENT_WORDS: dict[str, str] = rules.EVENTS

ADVISER_EVENT_WORDS: dict[str, str] = {
    "decision_sent": "The council's decision was sent",
    "mediation_declined": "The family told the mediation adviser they do not want mediation",
    "mediation_requested": "The family told the council they want mediation",
    "mediation_not_arranged": "The council said it could not arrange mediation",
    "mediation_concluded": "Mediation ended",
    "certificate_issued": "The mediation certificate was issued",
    "mediation_agreement": "The mediation agreement was made",
    "ehc_request_received": "The council received the request for an EHC needs assessment",
    "draft_plan_served": "The draft EHC plan was served",
    "review_meeting": "The annual review meeting is or was held",
    "amendment_notice_sent": "The council sent its notice of proposed amendments",
    "discrimination_act": "The conduct complained of happened",
    "complaint_sent": "The family's complaint was sent",
    "complaint_response_requested": "The date the family asked for a reply to their complaint by",
    "decision_letter_dated": "The council wrote its decision letter",
    "mediation_adviser_contacted": "The family contacted the mediation adviser",
    "appeal_submitted": "The family sent their appeal to the SEND Tribunal",
    "complaint_response_received": "The reply to the family's complaint arrived",
    "complaint_escalated": "The family's complaint went to the next stage",
    "discrimination_claim_sent": "The family sent the disability discrimination claim to the "
    "Tribunal",
    "ombudsman_complaint_sent": "The family complained to the Local Government and Social Care "
    "Ombudsman",
    "mediation_meeting": "The mediation meeting is set",
    "appeal_registered": "The Tribunal sent the appeal to the council",
    "reassessment_notified": "The council said it will re-assess",
    "phase_transfer": "The child moves to a new phase of education",
    "post16_transfer": "The child moves from secondary school to post-16 education",
    "matter_first_known": "The family first knew about the problem",
    "order_assessment_sent": "The Tribunal sent its order to assess",
    "order_make_plan_sent": "The Tribunal sent its order to make an EHC plan",
    "order_amend_plan_sent": "The Tribunal sent its order to change the EHC plan",
    "order_name_school_sent": "The Tribunal sent its order to name a school",
    "order_reconsider_sent": "The Tribunal sent the case back to the council to reconsider",
    "concession_assessment_notified": "The council told the Tribunal it won't oppose (assessment)",
    "concession_amend_notified": "The council told the Tribunal it won't oppose (plan contents)",
    "recommendation_made": "The Tribunal made a health or social care recommendation",
}


def family_event_label(event: str) -> str:
    """An event in the family's words: "You contacted the mediation adviser"."""
    return FAMILY_EVENT_WORDS.get(event) or _fallback(event)


# What a date is, said to an adviser, "{due}" being the date in words (rules.date_in_words).
# The family's sentence is line 2 of templates/notifications/deadlines/<kind>.txt; a kind with
# no template here and there reads "<label>, due <date>." in both voices.
ADVISER_DUE_SENTENCES: dict[str, str] = {
    "appeal": "The family's appeal must reach the SEND Tribunal by {due}.",
    "mediation_adviser_contact": "The family must contact the mediation adviser by {due}.",
    "certificate_due": "The family's mediation certificate should have arrived by {due}.",
    "mediation_by": "The council should have held mediation by {due}.",
    "ehc_assessment_decision": "The council owes the family its decision on whether it will "
    "assess, due by {due}.",
    "ehc_final_plan": "The council should have issued the final EHC plan by {due}.",
    "final_amended_plan": "The council should have issued the final amended EHC plan by {due}.",
    "review_decision": "The council owes the family its decision after the review meeting, "
    "due by {due}.",
    "draft_plan_comments": "The family's comments on the draft EHC plan, and the school they "
    "want named, are due by {due}.",
    "amendment_comments": "The family's comments on the proposed changes to the EHC plan are "
    "due by {due}.",
    "discrimination_claim": "A disability discrimination claim must be made by {due}.",
    "ombudsman_complaint": "A complaint to the Ombudsman should usually be made by {due}.",
    "complaint_response": "The reply to the family's complaint is due by {due}.",
    "complaint_stage2_response": "The final reply to the family's complaint is due by {due}.",
}

# The same for a date a letter gave (templates/notifications/given/<kind>.txt, line 2).
ADVISER_GIVEN_SENTENCES: dict[str, str] = {
    "la_response": "The Tribunal told the council to send its response to the family's appeal "
    "by {due}.",
    "final_evidence": "The family's final evidence must reach the Tribunal by {due}.",
    "attendance_form": "The family's attendance form must reach the Tribunal by {due}.",
    "hearing": "The family's Tribunal hearing is on {due}.",
    "decision_expected": "The Tribunal said to expect its decision by {due}.",
    "mediation_meeting": "The family's mediation meeting is on {due}.",
    "annual_review_meeting": "The annual review meeting is on {due}.",
    "complaint_meeting": "The meeting about the family's complaint is on {due}.",
}


def due_sentence(kind: str, due_words: str) -> str:
    """ "The reply to the family's complaint is due by Friday 4 December 2026.": a computed
    date (`due_words`, from rules.date_in_words), said to an adviser."""
    sentence = ADVISER_DUE_SENTENCES.get(kind)
    if sentence is None:
        return f"{deadline_label(kind)}, due {due_words}."
    return sentence.format(due=due_words)


def given_sentence(kind: str, due_words: str, *, label: str) -> str:
    """A date from a letter, said to an adviser; `label` names an "other" date."""
    sentence = ADVISER_GIVEN_SENTENCES.get(kind)
    if sentence is None:
        return f"{label}: {due_words}."
    return sentence.format(due=due_words)


# The rules write each deadline's working (its steps, warnings and source) to the family. An
# adviser reads the same working with these words in place of the family's, in this order
# (a longer sentence before the shorter one it holds); every one is a sentence of the rules.
ADVISER_WORKING: tuple[tuple[str, str], ...] = (
    (
        "tell your adviser the date on the decision letter",
        "ask the family for the date on the decision letter",
    ),
    (
        "If this date is missed, you can still send the appeal and ask the Tribunal to accept "
        "it late: it can, if there is a good reason. Contact your adviser straight away",
        "If this date is missed, the family can still send the appeal and ask the Tribunal to "
        "accept it late: it can, if there is a good reason. Act straight away",
    ),
    (
        "You have been in touch with the mediation adviser: you need the mediation certificate "
        "before you appeal",
        "The family has been in touch with the mediation adviser: they need the mediation "
        "certificate before they appeal",
    ),
    (
        "Before you appeal you must contact the mediation adviser (even if you do not want "
        "mediation) and get a mediation certificate",
        "Before they appeal, the family must contact the mediation adviser (even if they do not "
        "want mediation) and get a mediation certificate",
    ),
    (
        "Without a certificate you must ask the Tribunal's permission",
        "Without a certificate the family must ask the Tribunal's permission",
    ),
    (
        "Contact the mediation adviser even if you do not want mediation",
        "The family must contact the mediation adviser even if they do not want mediation",
    ),
    (
        "This is not settled law: ask your adviser",
        "This is not settled law: check it before advising the family",
    ),
    ("Your appeal date becomes", "The family's appeal date becomes"),
    (
        "Counted from the day you told the council",
        "Counted from the day the family told the council",
    ),
    (
        "A shorter notice is allowed if you agree to it",
        "A shorter notice is allowed if the family agrees to it",
    ),
    (
        "Where the agreement covers things you could appeal",
        "Where the agreement covers things the family could appeal",
    ),
    (
        "Send your comments, and the school you want named, by this date",
        "The family sends its comments, and the school it wants named, by this date",
    ),
    (
        "Notice of the meeting and the advice for it must reach you at least this early",
        "Notice of the meeting and the advice for it must reach the family at least this early",
    ),
    (
        "Send your comments on the proposed amendments by this date",
        "The family sends its comments on the proposed amendments by this date",
    ),
    ("The council owes you this reply", "The council owes the family this reply"),
    ("The school owes you this reply", "The school owes the family this reply"),
    (
        "so sendflow uses only the date you asked for",
        "so sendflow uses only the date the family asked for",
    ),
    (
        "If it went to a school or college, tell your adviser",
        "If it went to a school or college, record that on the case (complaint sent to)",
    ),
    (
        "In your complaint you asked for a reply by",
        "In their complaint the family asked for a reply by",
    ),
    ("The reply-by date in your complaint", "The reply-by date in the family's complaint"),
    (
        "You can give a date you would like a reply by in your complaint: tell your adviser and "
        "we will use it",
        "The family can give a date they would like a reply by in their complaint: record it "
        "on the case and it will be used",
    ),
    (
        "If no reply comes by then, you can ask for the complaint to go to the next stage, and "
        "ask your adviser for help",
        "If no reply comes by then, the family can ask for the complaint to go to the next "
        "stage, with the adviser's help",
    ),
    (
        "or if none comes, you can complain to the Local Government",
        "or if none comes, the family can complain to the Local Government",
    ),
    (
        "The reply-by date you gave is before the complaint was sent",
        "The reply-by date the family gave is before the complaint was sent",
    ),
)

# The events whose two labels differ, the longest first (one may hold another).
_EVENT_VOICES = sorted(
    (
        (family, ADVISER_EVENT_WORDS[event])
        for event, family in FAMILY_EVENT_WORDS.items()
        if event in ADVISER_EVENT_WORDS and family != ADVISER_EVENT_WORDS[event]
    ),
    key=lambda pair: -len(pair[0]),
)
# Words a new sentence of the rules might bring that no table above has yet: said in the third
# person rather than left speaking to the family (a test holds every rule to the tables).
_LAST_RESORT = (
    (re.compile(r"\bYour child\b"), "The child"),
    (re.compile(r"\byour child\b"), "the child"),
    (re.compile(r"\bYour\b"), "The family's"),
    (re.compile(r"\byour\b"), "the family's"),
    (re.compile(r"\bYou\b"), "The family"),
    (re.compile(r"\byou\b"), "the family"),
)


def adviser_words(text: str, *, last_resort: bool = True) -> str:
    """A line the rules wrote to the family (a step, a warning, a source, a flag), in the
    adviser's voice: "You contacted the mediation adviser on ..." -> "The family contacted the
    mediation adviser on ..."."""
    for family, adviser in ADVISER_WORKING:
        text = text.replace(family, adviser)
    for family, adviser in _EVENT_VOICES:
        text = text.replace(family, adviser).replace(
            _sentence_start(family), _sentence_start(adviser)
        )
    if last_resort:
        for pattern, replacement in _LAST_RESORT:
            text = pattern.sub(replacement, text)
    return text


# --- tasks about a family's dates, in the adviser's voice ----------------------------------------
# A task's text is also its identity where a service raises it once (notifications/migrations/
# 0018 rewrote the ones raised in the family's voice): each text is written in one place.


def family_date_waiting_task(*, label: str, value: date, recorded: date) -> str:
    """The family told us a key date other than the one an adviser confirmed."""
    return (
        f"The family says: {label} on {rules.long_date(value)}. The case has "
        f"{rules.long_date(recorded)}, confirmed by an adviser. Their date is not used until "
        "an adviser accepts it (Family-reported dates)."
    )


def family_given_date_waiting_task(*, label: str, value: date, recorded: date) -> str:
    """The family told us a date from a letter other than the one an adviser confirmed."""
    return (
        f"The family says: {label} on {rules.long_date(value)}. The case has "
        f"{rules.long_date(recorded)}, confirmed by an adviser. Their date is not used: check "
        "the letter and change the date on the case if theirs is right."
    )


def check_task(kind: str, due: date) -> str:
    """Someone owed the family something by a date that has passed: the adviser checks."""
    return check_task_words(kind, rules.date_in_words(due=due, act_by=due))


def check_task_words(kind: str, due_words: str) -> str:
    return (
        f"{due_sentence(kind, due_words)} Check with the family whether it has arrived, and "
        "record its date on the case."
    )


def given_check_task(kind: str, due_words: str, *, label: str) -> str:
    """A date a letter gave has passed: the adviser checks it happened."""
    return (
        f"{given_sentence(kind, due_words, label=label)} Check with the family whether it "
        "happened, and mark the date done on the case."
    )
