"""Codes said for people: who acts, the dates a family can tell us, the legal source as a sentence,
the rules' refusals and a moved date in plain words. Pure Python and gettext, no models; the
family's page, its form and its calendar take their words from here (STYLE.md section 11)."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 message", "3 messages", "0 messages": a count in words, never "message(s)"."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def deadline_label(kind: str) -> str:
    if kind.startswith(GIVEN_PREFIX):
        return given_kind_label(kind.removeprefix(GIVEN_PREFIX))
    return DEADLINE_LABELS.get(kind) or _fallback(kind)


def event_label(event: str) -> str:
    return rules.EVENTS.get(event) or _fallback(event)


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

# The events that complete a deadline, said to the adviser (rules.EVENTS speaks to the family).
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
    label = re.sub(r"\b[Yy]our child\b", "the child", event_label(event))
    label = re.sub(r"\b[Yy]our\b", "the family's", label)
    return _sentence_start(re.sub(r"\b[Yy]ou\b", "the family", label))


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
