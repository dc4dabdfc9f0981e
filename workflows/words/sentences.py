"""Dates and sources said in sentences: the legal source, a refusal of the rules, a moved date,
a date from a letter, a time of day, and what a date is, said to an adviser."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows import rules
from workflows.words.labels import FAMILY_GIVEN, deadline_label, sentence_start

if TYPE_CHECKING:
    from workflows.services.family_dates import DateChange

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
            "later": sentence_start(rules.EVENTS.get(clash["later"], clash["later"])),
            "later_on": rules.long_date(date.fromisoformat(clash["later_on"])),
            "earlier": sentence_start(rules.EVENTS.get(clash["earlier"], clash["earlier"])),
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


def family_date_changes(
    *, event: str, changes: Iterable[DateChange], labels: Mapping[str, str]
) -> list[str]:
    """What the date the family told us (`event`) changed, a sentence each, in the family's
    words: "New date: ..., by ...", "...: done", "Your appeal date moved from ... to ...".
    `labels` names each deadline kind as the family's page does."""
    sentences = []
    for change in changes:
        label = labels.get(change.kind, change.kind)
        if event in FAMILY_GIVEN:
            label = str(FAMILY_GIVEN[event][0])
            sentences.append(
                _("%(label)s: %(day)s") % {"label": label, "day": rules.long_date(change.after)}
            )
        elif change.done:
            sentences.append(_("%(label)s: done") % {"label": label})
        elif change.before is None:
            sentences.append(
                _("New date: %(label)s, by %(day)s")
                % {"label": label, "day": rules.long_date(change.after)}
            )
        else:
            sentences.append(date_moved_words(change.kind, label, change.before, change.after))
    return sentences


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
