"""Legal deadline arithmetic for SEND disagreements in England: facts in, deadlines out.

Pure functions with no Django and no clock: callers pass every date in. Each deadline carries its
legal source, a confidence label (legal-rules.md), and its working in plain English so an adviser
or a parent can check it against the letter. Section numbers (§) refer to
`shared/domain/legal-rules.md`.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from workflows import working_days as wd


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

PLACEMENT_ONLY_NOTE = (
    "This appeal is only about the school or placement named in the plan (Section I), so no "
    "mediation certificate is needed"
)

# Pairs that cannot happen in this order, with the words shown to the person typing them.
_ORDER_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("decision_sent", "certificate_issued", "The certificate date is before the decision date"),
    ("decision_sent", "mediation_requested", "The mediation request is before the decision date"),
    ("decision_sent", "mediation_declined", "Declining mediation is before the decision date"),
    (
        "decision_sent",
        "mediation_adviser_contacted",
        "Contacting the mediation adviser is before the decision date",
    ),
    ("decision_sent", "appeal_submitted", "The appeal was sent before the decision date"),
    (
        "decision_letter_dated",
        "certificate_issued",
        "The certificate date is before the date on the decision letter",
    ),
    (
        "decision_letter_dated",
        "mediation_requested",
        "The mediation request is before the date on the decision letter",
    ),
    (
        "decision_letter_dated",
        "mediation_declined",
        "Declining mediation is before the date on the decision letter",
    ),
    (
        "decision_letter_dated",
        "mediation_adviser_contacted",
        "Contacting the mediation adviser is before the date on the decision letter",
    ),
    (
        "decision_letter_dated",
        "appeal_submitted",
        "The appeal was sent before the date on the decision letter",
    ),
    ("mediation_requested", "mediation_concluded", "Mediation ended before it was requested"),
    (
        "mediation_requested",
        "mediation_not_arranged",
        "The council said it could not arrange mediation before mediation was requested",
    ),
    ("ehc_request_received", "draft_plan_served", "The draft plan is before the request date"),
    (
        "review_meeting",
        "amendment_notice_sent",
        "The amendment notice is before the review meeting",
    ),
    (
        "complaint_sent",
        "complaint_response_requested",
        "The reply-by date you gave is before the complaint was sent",
    ),
    (
        "complaint_sent",
        "complaint_response_received",
        "The reply to the complaint is before the complaint was sent",
    ),
    (
        "complaint_sent",
        "complaint_escalated",
        "The complaint went to the next stage before it was sent",
    ),
)


class FactsError(ValueError):
    """Input a person must correct; the message says what to fix, in plain words."""

    def __init__(self, message: str, *, event: str | None = None) -> None:
        super().__init__(message)
        self.event = event  # the key date to look at, when one is to blame


@dataclass(frozen=True, slots=True)
class Facts:
    events: Mapping[str, date]
    placement_only: bool = False
    # Who the complaint went to: Owner.LOCAL_AUTHORITY, Owner.SCHOOL, or None (not recorded,
    # counted as the council). The council's Complaint Handling Code does not cover schools.
    complaint_to: Owner | None = None


class State(StrEnum):
    """Where a deadline stands on a given day (DESIGN.md: deadline states)."""

    OPEN = "open"
    DONE = "done"  # an event that completes it is recorded
    PASSED = "passed"  # still open, and its date is before today


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    due: date
    owner: Owner
    rule: str  # the legal source
    confidence: Confidence
    steps: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    # An earlier day to act by, to be safe: the same rule counted from the date on the decision
    # letter, when that gives an earlier date than the date it was sent (legal-rules.md §1.2).
    safe_by: date | None = None
    done_by: str | None = None  # the event that completed it
    done_on: date | None = None  # and its date

    @property
    def aim_for(self) -> date:
        """The day to aim for (DESIGN.md's `aim_for`): the last working day on or before the
        date, or the date counted from the decision letter when that is earlier. The family's
        day to act by is this one, in the calculator's text and JSON, the case page and messages."""
        return aim_for(self.due, safe_by=self.safe_by)

    @property
    def act_by(self) -> date:
        return act_by(due=self.due, owner=self.owner, safe_by=self.safe_by)

    def state(self, today: date) -> State:
        # An event recorded for a day still to come completes nothing until that day.
        if self.done_by and self.done_on is not None and self.done_on <= today:
            return State.DONE
        return State.PASSED if self.due < today else State.OPEN


@dataclass(frozen=True, slots=True)
class Rule:
    code: str  # the deadline kind; stored on workflows.Deadline.kind, never renamed
    owner: Owner
    source: str
    confidence: Confidence
    compute: Callable[[Facts], Deadline | None]
    triggers: tuple[str, ...]  # the events without which this rule yields nothing


# --- dates in words and calendar arithmetic ---------------------------------------------------


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English whatever the process locale, unlike strftime and calendar.month_name.
_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@functools.cache
def long_date(day: date) -> str:
    """GOV.UK style: Monday 1 March 2027."""
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month]} {day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to month end (31 Jan + 1 -> 28/29 Feb): Dodds v Walker."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _months_text(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _clamp_note(start: date, result: date) -> str:
    if result.day == start.day:
        return ""
    return f" ({_MONTH_NAMES[result.month]} has no {_ordinal(start.day)})"


def months_after(start: date, n: int) -> tuple[date, str]:
    due = add_months(start, n)
    return due, (
        f"{_months_text(n)} after {long_date(start)} is {long_date(due)}{_clamp_note(start, due)}"
    )


def _weeks_text(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weeks"


def weeks_after(start: date, n: int) -> tuple[date, str]:
    due = start + timedelta(weeks=n)
    return due, f"{_weeks_text(n)} after {long_date(start)} is {long_date(due)}"


def weeks_before(start: date, n: int) -> tuple[date, str]:
    due = start - timedelta(weeks=n)
    return due, f"{_weeks_text(n)} before {long_date(start)} is {long_date(due)}"


def days_after(start: date, n: int) -> tuple[date, str]:
    due = start + timedelta(days=n)
    return due, f"{n} days after {long_date(start)} is {long_date(due)}"


def days_beginning_with(start: date, n: int) -> tuple[date, str]:
    """ "n days beginning with" a day: that day is day 1, so the last day is start + n - 1."""
    due = start + timedelta(days=n - 1)
    return due, (
        f"{n} days beginning with {long_date(start)} (that day counts as day 1) "
        f"end on {long_date(due)}"
    )


def months_starting_with(start: date, n: int) -> tuple[date, str]:
    """ "n months starting with" a day: it ends the day before the corresponding date."""
    corresponding = add_months(start, n)
    due = corresponding - wd.ONE_DAY
    return due, (
        f"{_months_text(n)} starting with {long_date(start)} (that day counts) end on "
        f"{long_date(due)}, the day before {long_date(corresponding)}"
        f"{_clamp_note(start, corresponding)}"
    )


def _skipped_holidays_text(skipped: Iterable[date]) -> str:
    holidays = [
        f"{wd.why_not_working(d)} on {long_date(d)}"
        for d in skipped
        if d.weekday() < 5 and wd.holiday_name(d)
    ]
    if not holidays:
        return " (Monday to Friday only)"
    return f" (Monday to Friday only, not counting {', '.join(holidays)})"


def working_days_after(start: date, n: int) -> tuple[date, str]:
    due, skipped = wd.add_working_days(start, n)
    return due, (
        f"{n} working days after {long_date(start)} is {long_date(due)}"
        f"{_skipped_holidays_text(skipped)}"
    )


def working_days_before(start: date, n: int) -> tuple[date, str]:
    due, skipped = wd.add_working_days(start, -n)
    return due, (
        f"{n} working days before {long_date(start)} is {long_date(due)}"
        f"{_skipped_holidays_text(skipped)}"
    )


def aim_for(due: date, *, safe_by: date | None = None) -> date:
    """The last working day on or before `due`: the day to act by when a date does not roll;
    `safe_by` (the same rule counted from the decision letter's date) when that is earlier."""
    aim = due if wd.is_working_day(due) else wd.previous_working_day(due)
    return min(aim, safe_by) if safe_by else aim


def act_by(*, due: date, owner: Owner | str, safe_by: date | None = None) -> date:
    """The day the family should act by. Only the family's own deadlines get one earlier than
    the date itself: what others owe is simply due on its date."""
    if owner != Owner.PARENT:
        return due
    return aim_for(due, safe_by=safe_by)


def act_by_reason(*, due: date, act_by: date) -> str:
    """Why the day to act by is earlier than the date itself."""
    if act_by == aim_for(due):
        return "the last working day before"
    return "counted from the date on the decision letter, to be safe"


def date_in_words(*, due: date, act_by: date) -> str:
    """ "Sunday 10 January 2027 - aim for Friday 8 January 2027, the last working day before"."""
    if act_by >= due:
        return long_date(due)
    return (
        f"{long_date(due)} - aim for {long_date(act_by)}, {act_by_reason(due=due, act_by=act_by)}"
    )


def _in_christmas_window(day: date) -> bool:
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


def _tribunal_excluded(day: date) -> bool:
    """HESC r.12(3)(b): in SEN cases, 25 December to 1 January and August are not counted."""
    return _in_christmas_window(day) or day.month == 8


def tribunal_working_days_after(start: date, n: int) -> tuple[date, str]:
    day, remaining, skipped = start, n, []
    while remaining:
        day += wd.ONE_DAY
        if wd.is_working_day(day) and not _tribunal_excluded(day):
            remaining -= 1
        elif not _tribunal_excluded(day):
            skipped.append(day)
    return day, (
        f"{n} working days after {long_date(start)} is {long_date(day)}"
        f"{_skipped_holidays_text(skipped)}; days from 25 December to 1 January and in August "
        "are not counted in SEN cases (HESC r.12(3)(b))"
    )


def _holiday_warnings(*days: date) -> tuple[str, ...]:
    years = sorted({d.year for d in days if not wd.is_confirmed(d)})
    if not years:
        return ()
    listed = ", ".join(str(y) for y in years)
    return (
        f"Bank holidays for {listed} are not yet published; this date assumes the usual "
        "pattern. Check it again nearer the time.",
    )


def _not_rolled_note(due: date, who: str, owner: Owner) -> str | None:
    if wd.is_working_day(due):
        return None
    name = wd.holiday_name(due)
    what = (
        f"{long_date(due)} is {wd.why_not_working(due)}"
        if name
        else (f"{long_date(due)} is not a working day")
    )
    then = (
        f"so aim for {long_date(aim_for(due))}, the last working day before"
        if owner is Owner.PARENT
        else "so it is still due on that day"
    )
    return f"{what}. The {who} do not move this deadline to the next working day, {then}"


# --- the appeal (HESC Rules 2008 r.20(1)(c), r.12) ----------------------------------------------

APPEAL_SOURCE = "HESC Rules 2008 r.20(1)(c), r.12(2) and r.12(3)(a); Dodds v Walker [1981]"


def _decision(facts: Facts) -> tuple[str, date] | None:
    """The decision date the appeal counts from: the day it was sent, else the letter's date."""
    for event in ("decision_sent", "decision_letter_dated"):
        if event in facts.events:
            return event, facts.events[event]
    return None


_LETTER_DATE_ONLY = (
    "The day the decision was sent is not recorded, so this counts from the date on the letter, "
    "which is the same day or earlier: the safe choice"
)


# legal-rules.md §10b: a placement-only appeal after mediation, the certificate's month ignored,
# is one of the points the law leaves open (the earlier date); say so, do not state it as law.
_PLACEMENT_CERTIFICATE = (
    "sendflow's reading is that a certificate does not change the date for an appeal only "
    "about the school or placement: it counts 2 months from the decision. This is not settled "
    "law: ask your adviser"
)


def _appeal(facts: Facts) -> Deadline | None:
    decision = _decision(facts)
    certificate = facts.events.get("certificate_issued")
    if decision is None and (certificate is None or facts.placement_only):
        return None
    steps: list[str] = []
    warnings: list[str] = []
    raw: date | None = None
    if decision is not None:
        event, sent = decision
        steps.append(f"{EVENTS[event]} on {long_date(sent)}")
        if event == "decision_letter_dated":
            steps.append(_LETTER_DATE_ONLY)
        raw, text = months_after(sent, 2)
        steps.append(text)

    if facts.placement_only:
        steps.append(PLACEMENT_ONLY_NOTE)
        if certificate is not None:
            steps.append(_PLACEMENT_CERTIFICATE)
    elif certificate is not None:
        by_certificate, text = months_after(certificate, 1)
        steps.append(f"{EVENTS['certificate_issued']} on {long_date(certificate)}")
        steps.append(text)
        if raw is None:
            raw = by_certificate
            warnings.append(
                "The date the council's decision was sent is not recorded, so this date counts "
                "only from the certificate. The real appeal date may be later (2 months after the "
                "decision was sent): tell your adviser the date on the decision letter."
            )
        elif by_certificate > raw:
            raw = by_certificate
            steps.append(f"The later of the two dates counts: {long_date(raw)}")
        else:
            steps.append(f"The later of the two dates counts: {long_date(raw)} (the 2-month date)")
    assert raw is not None  # a decision date, or a certificate that counts
    deemed = _deemed_certificate_due(facts)
    if certificate is not None and deemed is not None and certificate > deemed:
        warnings.append(
            f"The council said it could not arrange mediation, so a certificate was due by "
            f"{long_date(deemed)}. If one was issued then, the 1 month runs from that one, not "
            f"from the certificate of {long_date(certificate)}: check with the mediation adviser."
        )

    if _in_christmas_window(raw):
        jan_1 = date(raw.year + 1 if raw.month == 12 else raw.year, 1, 1)
        due = wd.next_working_day(jan_1)
        steps.append(
            f"{long_date(raw)} falls between 25 December and 1 January, so the Tribunal accepts "
            f"the appeal on the first working day after 1 January: {long_date(due)}"
        )
    elif raw.month == 8:
        due = wd.next_working_day(date(raw.year, 8, 31))
        steps.append(
            f"{long_date(raw)} falls in August, so the Tribunal accepts the appeal on the first "
            f"working day after 31 August: {long_date(due)}"
        )
    elif not wd.is_working_day(raw):
        due = wd.next_working_day(raw)
        if wd.holiday_name(raw):
            reason = f"{long_date(raw)} is {wd.why_not_working(raw)}, which"
        else:
            reason = _DAY_NAMES[raw.weekday()]
        steps.append(
            f"{reason} is not a working day, so the Tribunal accepts the appeal on {long_date(due)}"
        )
    else:
        due = raw
    steps.append(
        "The Tribunal must receive the appeal by this date, and by 5pm to be safe (the 5pm "
        "cut-off is not confirmed); posting it on the day is not enough"
    )
    if not facts.placement_only:
        steps.append(_mediation_requirement(facts))
    steps.append(
        "If this date is missed, you can still send the appeal and ask the Tribunal to accept "
        "it late: it can, if there is a good reason. Contact your adviser straight away"
    )
    return Deadline(
        kind="appeal",
        due=due,
        owner=Owner.PARENT,
        rule=APPEAL_SOURCE,
        confidence=Confidence.PRIMARY,
        steps=tuple(steps),
        warnings=(*warnings, *_holiday_warnings(raw, due)),
    )


# legal-rules.md §10a-§10b: without a certificate the Tribunal must give leave (permission) to
# register the appeal (HESC r.19; r.20(1) applies only where r.19 does not); secondary sources
# say it is given only in exceptional circumstances. Nothing here may read as optional.
_NO_CERTIFICATE = (
    "Without a certificate you must ask the Tribunal's permission to register the appeal "
    "(HESC Rules 2008 r.19), which it gives only in exceptional circumstances: do not count on "
    "it"
)


def _mediation_requirement(facts: Facts) -> str:
    # The appeal itself settles the mediation-adviser step (COMPLETED_BY) but says nothing of
    # whether the family was in touch, which is what this sentence tells them.
    in_touch = {e: day for e, day in facts.events.items() if e not in _APPEAL_SENT}
    if completed_by("mediation_adviser_contact", in_touch):
        return (
            "You have been in touch with the mediation adviser: you need the mediation "
            f"certificate before you appeal. {_NO_CERTIFICATE}"
        )
    first = (
        "Before you appeal you must contact the mediation adviser (even if you do not want "
        "mediation) and get a mediation certificate (SEND Regulations 2014 reg 33; Children and "
        "Families Act 2014 s.55)"
    )
    decision = _decision(facts)
    if decision is not None:
        # The same dates as the mediation adviser deadline, without building its working.
        contact_due = add_months(decision[1], 2)
        act = aim_for(contact_due)
        sent, letter = facts.events.get("decision_sent"), facts.events.get("decision_letter_dated")
        if sent is not None and letter is not None and letter < sent:
            act = min(act, aim_for(add_months(letter, 2)))
        first += (
            "; the date for that is in 'Contact the mediation adviser': "
            f"{date_in_words(due=contact_due, act_by=act)}"
        )
    return f"{first}. {_NO_CERTIFICATE}"


def _mediation_adviser_contact(facts: Facts) -> Deadline | None:
    decision = _decision(facts)
    if decision is None or facts.placement_only:
        return None
    event, sent = decision
    due, text = months_after(sent, 2)
    steps = [f"{EVENTS[event]} on {long_date(sent)}"]
    if event == "decision_letter_dated":
        steps.append(_LETTER_DATE_ONLY)
    steps.append(text)
    note = _not_rolled_note(due, "SEND Regulations", Owner.PARENT)
    if note:
        steps.append(note)
    steps.append("Contact the mediation adviser even if you do not want mediation")
    return Deadline(
        kind="mediation_adviser_contact",
        due=due,
        owner=Owner.PARENT,
        rule="SEND Regulations 2014 reg 33",
        confidence=Confidence.PRIMARY,
        steps=tuple(steps),
    )


_CERTIFICATE_EVENTS = ("mediation_declined", "mediation_not_arranged", "mediation_concluded")


def _deemed_certificate_due(facts: Facts) -> date | None:
    """When the council said it could not arrange mediation: 3 working days later (§2.3)."""
    told = facts.events.get("mediation_not_arranged")
    return wd.add_working_days(told, 3)[0] if told is not None else None


def _certificate_due(facts: Facts) -> Deadline | None:
    """3 working days after declining mediation or mediation ending (the latest of these), or
    after the council said it could not arrange mediation: that "deemed" certificate is due
    even if mediation is recorded later, and it starts the appeal clock (§2.3)."""
    given = [(facts.events[e], e) for e in _CERTIFICATE_EVENTS if e in facts.events]
    if not given:
        return None
    deemed = facts.events.get("mediation_not_arranged")
    start, event = (deemed, "mediation_not_arranged") if deemed else max(given)
    due, text = working_days_after(start, 3)
    steps = [f"{EVENTS[event]} on {long_date(start)}", text]
    if deemed:
        steps.append(
            "This is a 'deemed' certificate: it is due even if a mediation meeting is arranged "
            "later, and the appeal clock runs from the day it is issued, not from a later meeting"
        )
    elif len(given) > 1:
        steps.insert(0, "Counted from the latest of the dates that start this clock")
    if facts.placement_only:
        steps.append(
            "This appeal is only about the school or placement named in the plan (Section I). "
            f"{_PLACEMENT_CERTIFICATE}"
        )
    else:
        steps.append(
            "Your appeal date becomes 1 month after the day the certificate is issued, if that is "
            "later than 2 months after the decision was sent"
        )
    return Deadline(
        kind="certificate_due",
        due=due,
        owner=Owner.MEDIATION_ADVISER,
        rule="SEND Regulations 2014 regs 34, 37 and 39 (3 working days)",
        confidence=Confidence.SECONDARY,
        steps=tuple(steps),
        warnings=_holiday_warnings(start, due),
    )


# --- the table of simple rules: one event, one period ------------------------------------------

Counter = Callable[[date, int], tuple[date, str]]


@dataclass(frozen=True, slots=True)
class _Period:
    kind: str
    events: tuple[str, ...]  # the latest of these starts the clock
    count: Counter
    amount: int
    owner: Owner
    source: str
    confidence: Confidence
    notes: tuple[str, ...] = ()
    rolled_by: str = "SEND Regulations"  # who sets the period, for the "not moved" note

    def __call__(self, facts: Facts) -> Deadline | None:
        given = [(facts.events[e], e) for e in self.events if e in facts.events]
        if not given:
            return None
        start, event = max(given)
        due, text = self.count(start, self.amount)
        steps = [f"{EVENTS[event]} on {long_date(start)}", text]
        if len(given) > 1:
            steps.insert(0, "Counted from the latest of the dates that start this clock")
        note = _not_rolled_note(due, self.rolled_by, self.owner)
        if note:
            steps.append(note)
        steps.extend(self.notes)
        uses_working_days = self.count in (
            working_days_after,
            working_days_before,
            tribunal_working_days_after,
        )
        return Deadline(
            kind=self.kind,
            due=due,
            owner=self.owner,
            rule=self.source,
            confidence=self.confidence,
            steps=tuple(steps),
            warnings=_holiday_warnings(start, due) if uses_working_days else (),
        )


LA = Owner.LOCAL_AUTHORITY
P, OFF, S = Confidence.PRIMARY, Confidence.OFFICIAL, Confidence.SECONDARY

_PERIODS: tuple[_Period, ...] = (
    _Period(
        "mediation_by",
        ("mediation_requested",),
        days_after,
        30,
        LA,
        "SEND Regulations 2014 regs 36-37 (30 days)",
        S,
        (
            "Counted from the day you told the council; some sources count from when the "
            "mediation adviser told the council, which would be later",
            "If the council cannot arrange mediation in time, the adviser must issue a "
            "certificate within 3 working days of being told",
        ),
    ),
    _Period(
        "mediation_meeting_notice",
        ("mediation_meeting",),
        working_days_before,
        5,
        LA,
        "SEND Regulations 2014 regs 37-38; SEND Code of Practice ch. 11 (5 working days' notice)",
        S,
        ("A shorter notice is allowed if you agree to it",),
    ),
    _Period(
        "mediation_agreement_action",
        ("mediation_agreement",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 42(3)",
        P,
        (
            "Where the agreement covers things you could appeal, the council must keep to the "
            "time limits for Tribunal orders instead (reg 42(2))",
            "A different timescale applies if everyone agreed one in writing (reg 42(5))",
        ),
    ),
    _Period(
        "ehc_assessment_decision",
        ("ehc_request_received",),
        weeks_after,
        6,
        LA,
        "SEND Regulations 2014 reg 5(1)",
        P,
    ),
    _Period(
        "ehc_no_plan_decision",
        ("ehc_request_received",),
        weeks_after,
        16,
        LA,
        "SEND Regulations 2014 reg 10(1)",
        P,
    ),
    _Period(
        "ehc_final_plan",
        ("ehc_request_received",),
        weeks_after,
        20,
        LA,
        "SEND Regulations 2014 reg 13(2)",
        P,
    ),
    _Period(
        "draft_plan_comments",
        ("draft_plan_served",),
        days_beginning_with,
        15,
        Owner.PARENT,
        "SEND Regulations 2014 reg 13(1)(a)",
        P,
        ("Send your comments, and the school you want named, by this date",),
    ),
    _Period(
        "review_notice",
        ("review_meeting",),
        weeks_before,
        2,
        Owner.SCHOOL,
        "SEND Regulations 2014 reg 20(3) and (4)",
        P,
        ("Notice of the meeting and the advice for it must reach you at least this early",),
    ),
    _Period(
        "review_report",
        ("review_meeting",),
        weeks_after,
        2,
        Owner.SCHOOL,
        "SEND Regulations 2014 reg 20 and reg 21(7)",
        S,
    ),
    _Period(
        "review_decision",
        ("review_meeting",),
        weeks_after,
        4,
        LA,
        "SEND Regulations 2014 reg 20; SEND Code of Practice 9.176; L, M and P v Devon [2022]",
        S,
        ("If the council decides to amend the plan, the proposed amendments are due by then too",),
    ),
    _Period(
        "annual_review",
        ("review_meeting",),
        months_after,
        12,
        LA,
        "Children and Families Act 2014 s.44 (at least every 12 months)",
        S,
    ),
    _Period(
        "amendment_comments",
        ("amendment_notice_sent",),
        days_beginning_with,
        15,
        Owner.PARENT,
        "SEND Regulations 2014 reg 22(2)(c)",
        P,
        ("Send your comments on the proposed amendments by this date",),
    ),
    _Period(
        "reassessment_final_plan",
        ("reassessment_notified",),
        weeks_after,
        14,
        LA,
        "SEND Regulations 2014 reg 27(2)",
        P,
    ),
    _Period(
        "discrimination_claim",
        ("discrimination_act",),
        months_starting_with,
        6,
        Owner.PARENT,
        "Equality Act 2010 Sch 17 para 4(1)",
        P,
        (
            "No Christmas or August extension applies to discrimination claims (since 21 July "
            "2020), and sendflow does not move this date off a weekend: send the claim early",
            "Conduct over a period counts from its end (para 4(5)); the Tribunal can accept a "
            "late claim, so seek advice if this date has passed",
        ),
        rolled_by="Equality Act time limits",
    ),
    _Period(
        "la_appeal_response",
        ("appeal_registered",),
        tribunal_working_days_after,
        30,
        LA,
        "HESC Rules 2008 r.12(3)(b); 30 working days as described by IPSEA",
        S,
    ),
    _Period(
        "ombudsman_complaint",
        ("matter_first_known",),
        months_starting_with,
        12,
        Owner.PARENT,
        "Local Government Act 1974 s.26B",
        P,
        (
            "This is the usual limit: the Ombudsman can accept a later complaint for good reason",
            "Give the council the chance to answer first (usually up to 12 weeks)",
        ),
        rolled_by="Ombudsman's rules",
    ),
    _Period(
        "order_assessment_notice",
        ("order_assessment_sent",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 44(2)(b)",
        P,
        ("Counted from the day the Tribunal sent out the order",),
    ),
    _Period(
        "order_assessment_no_plan",
        ("order_assessment_sent",),
        weeks_after,
        10,
        LA,
        "SEND Regulations 2014 reg 44(2)(b)",
        P,
    ),
    _Period(
        "order_assessment_final_plan",
        ("order_assessment_sent",),
        weeks_after,
        14,
        LA,
        "SEND Regulations 2014 reg 44(2)(b)",
        P,
    ),
    _Period(
        "order_draft_plan",
        ("order_make_plan_sent",),
        weeks_after,
        5,
        LA,
        "SEND Regulations 2014 reg 44(2)(c)",
        P,
    ),
    _Period(
        "order_final_plan",
        ("order_make_plan_sent",),
        weeks_after,
        11,
        LA,
        "SEND Regulations 2014 reg 44(2)(c)",
        P,
    ),
    _Period(
        "order_amended_plan",
        ("order_amend_plan_sent",),
        weeks_after,
        5,
        LA,
        "SEND Regulations 2014 reg 44; gov.uk 'Carry out an order'",
        OFF,
    ),
    _Period(
        "order_name_school",
        ("order_name_school_sent",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 44; gov.uk 'Carry out an order'",
        OFF,
    ),
    _Period(
        "order_reconsideration",
        ("order_reconsider_sent",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 44 (2 weeks to reconsider)",
        S,
    ),
    _Period(
        "concession_assessment_notice",
        ("concession_assessment_notified",),
        weeks_after,
        2,
        LA,
        "SEND Regulations 2014 reg 45, as amended by SI 2015/359",
        P,
    ),
    _Period(
        "concession_no_plan",
        ("concession_assessment_notified",),
        weeks_after,
        10,
        LA,
        "SEND Regulations 2014 reg 45, as amended by SI 2015/359",
        P,
    ),
    _Period(
        "concession_final_plan",
        ("concession_assessment_notified",),
        weeks_after,
        14,
        LA,
        "SEND Regulations 2014 reg 45, as amended by SI 2015/359",
        P,
    ),
    _Period(
        "concession_amended_plan",
        ("concession_amend_notified",),
        weeks_after,
        5,
        LA,
        "SEND Regulations 2014 reg 45, as amended by SI 2015/359",
        P,
    ),
    _Period(
        "recommendation_response",
        ("recommendation_made",),
        weeks_after,
        5,
        LA,
        "Extended appeals (health and social care recommendations), as described by councils",
        S,
        ("The health or social care body must say what it will do, or why it will not",),
    ),
)


# --- rules that combine several dates -------------------------------------------------------------


def _final_amended_plan(facts: Facts) -> Deadline | None:
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


COMPLAINT_CODE = "LGSCO Complaint Handling Code (applied from 1 April 2026)"
_COUNCIL_POLICY = "Councils set their own complaint policies; check the council's own timescale"
# legal-rules.md §7, §10b: the Code covers councils, not schools; a school's own procedure sets
# its timescales, and where none is known the date the parent asked for is the only date.
_SCHOOL_NO_CODE = (
    "The council's Complaint Handling Code does not cover schools: the school's own complaints "
    "procedure sets its timescales (it is usually on the school's website), so sendflow uses "
    "only the date you asked for"
)
_RECIPIENT_NOT_RECORDED = (
    "sendflow counts this as a complaint to the council. If it went to a school or college, "
    "tell your adviser: the council's Complaint Handling Code does not cover schools"
)


def _complaint_to_school(facts: Facts) -> bool:
    return facts.complaint_to == Owner.SCHOOL


def _complaint_response(facts: Facts) -> Deadline | None:
    """Due on the reply-by date the parent gave, as the leaflet advises; without one, for a
    complaint to the council, the Complaint Handling Code's stage 1 timescale (5 + 10 working
    days). A school owes its reply by the parent's date alone: no code applies to it."""
    reply_by = facts.events.get("complaint_response_requested")
    sent = facts.events.get("complaint_sent")
    school = _complaint_to_school(facts)
    steps: list[str] = []
    code_due: date | None = None
    if sent is not None:
        steps.append(f"{EVENTS['complaint_sent']} on {long_date(sent)}")
        if not school:
            code_due, text = working_days_after(sent, 15)
            steps += [
                "Under the Complaint Handling Code a council has 5 working days to acknowledge "
                "a complaint and 10 more to reply (stage 1)",
                text,
            ]
    if reply_by is not None:
        due = reply_by
        steps.append(f"In your complaint you asked for a reply by {long_date(reply_by)}")
        if code_due is not None and code_due < reply_by:
            steps.append(
                f"That is later than the Code's {long_date(code_due)}: the council may reply sooner"
            )
        rule = "The reply-by date in your complaint" + ("" if school else f"; {COMPLAINT_CODE}")
    elif code_due is not None:
        due = code_due
        steps.append(
            "You can give a date you would like a reply by in your complaint: tell your adviser "
            "and we will use it"
        )
        rule = COMPLAINT_CODE
    else:
        return None  # a complaint to a school with no reply-by date: no date to count
    if school:
        steps += [_SCHOOL_NO_CODE, "The school owes you this reply"]
    elif facts.complaint_to == LA:
        steps += ["The council owes you this reply", _COUNCIL_POLICY]
    else:
        steps += [_RECIPIENT_NOT_RECORDED, _COUNCIL_POLICY]
    steps.append(
        "If no reply comes by then, you can ask for the complaint to go to the next stage, and "
        "ask your adviser for help"
    )
    return Deadline(
        kind="complaint_response",
        due=due,
        owner=Owner.SCHOOL if school else LA,
        rule=rule,
        confidence=S,
        steps=tuple(steps),
        warnings=_holiday_warnings(sent, due) if sent is not None and not school else (),
    )


def _complaint_stage2_response(facts: Facts) -> Deadline | None:
    """Complaint Handling Code stage 2: 5 working days to acknowledge, 20 more to respond. Not
    for a complaint to a school: the Code does not cover schools, and no other date is known."""
    escalated = facts.events.get("complaint_escalated")
    if escalated is None or _complaint_to_school(facts):
        return None
    due, text = working_days_after(escalated, 25)
    steps = (
        f"{EVENTS['complaint_escalated']} on {long_date(escalated)}",
        "At stage 2 the council has 5 working days to acknowledge it and 20 more to give its "
        "final response",
        text,
        *(() if facts.complaint_to == LA else (_RECIPIENT_NOT_RECORDED,)),
        _COUNCIL_POLICY,
        "After the council's final response, or if none comes, you can complain to the Local "
        "Government and Social Care Ombudsman, usually within 12 months of first knowing of "
        "the problem",
    )
    return Deadline(
        kind="complaint_stage2_response",
        due=due,
        owner=LA,
        rule=COMPLAINT_CODE,
        confidence=S,
        steps=steps,
        warnings=_holiday_warnings(escalated, due),
    )


def _phase_transfer_review(facts: Facts) -> Deadline | None:
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
        _appeal,
        ("decision_sent", "decision_letter_dated", "certificate_issued"),
    ),
    "mediation_adviser_contact": _rule(
        "mediation_adviser_contact",
        Owner.PARENT,
        "SEND Regulations 2014 reg 33",
        P,
        _mediation_adviser_contact,
        ("decision_sent", "decision_letter_dated"),
    ),
    "certificate_due": _rule(
        "certificate_due",
        Owner.MEDIATION_ADVISER,
        "SEND Regulations 2014 regs 34, 37 and 39 (3 working days)",
        S,
        _certificate_due,
        _CERTIFICATE_EVENTS,
    ),
    **{p.kind: _rule(p.kind, p.owner, p.source, p.confidence, p, p.events) for p in _PERIODS},
    "final_amended_plan": _rule(
        "final_amended_plan",
        LA,
        "SEND Regulations 2014 reg 22(3)",
        P,
        _final_amended_plan,
        ("amendment_notice_sent", "review_meeting"),
    ),
    "complaint_response": _rule(
        "complaint_response",
        LA,
        COMPLAINT_CODE,
        S,
        _complaint_response,
        ("complaint_sent", "complaint_response_requested"),
    ),
    "complaint_stage2_response": _rule(
        "complaint_stage2_response",
        LA,
        COMPLAINT_CODE,
        S,
        _complaint_stage2_response,
        ("complaint_escalated",),
    ),
    "phase_transfer_review": _rule(
        "phase_transfer_review",
        LA,
        "SEND Regulations 2014 reg 18(1)",
        P,
        _phase_transfer_review,
        ("phase_transfer", "post16_transfer"),
    ),
}

DEADLINE_KINDS: tuple[str, ...] = tuple(RULES)


# --- what completes each deadline -----------------------------------------------------------------


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
_APPEAL_SENT = ("appeal_submitted", "appeal_registered")

# Steps that come before others due the same day, so a family's "what to do next" names them
# first: §2.2 reg 33, the mediation adviser is contacted before the appeal is sent (which
# needs the certificate), though the two dates often fall on one day.
COMES_FIRST = frozenset({"mediation_adviser_contact"})
_NOT_YET = Completion(())  # nothing in the vocabulary shows it; the adviser marks it met

COMPLETED_BY: dict[str, Completion] = {
    # §1.2: the family sent the appeal; the Tribunal registering it shows the same.
    "appeal": Completion(_APPEAL_SENT),
    # §2.2 reg 33: any of these means the family has been in touch with the mediation adviser.
    # An appeal sent or registered settles it too: the Tribunal takes an appeal only with its
    # certificate, or without one where none is needed (§2.4), so "contact the mediation
    # adviser now" after it would only alarm the family.
    "mediation_adviser_contact": Completion(
        (
            "mediation_adviser_contacted",
            *_APPEAL_SENT,
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


def completed_by(
    kind: str, events: Mapping[str, date], *, due: date | None = None
) -> tuple[str, date] | None:
    """The first recorded event that completes a deadline of this kind, with its date. A date
    in the future is returned too: the deadline is done only once that day comes (`state`)."""
    if _COMPLETING[kind].isdisjoint(events):
        return None  # most deadlines, most of the time: nothing recorded that could do it
    completion = COMPLETED_BY[kind]
    if completion.after:
        started = max((events[e] for e in completion.after if e in events), default=date.min)
    else:
        started = min((events[e] for e in RULES[kind].triggers if e in events), default=date.min)

    def counts(event: str) -> bool:
        day = events[event]
        if day < started or (completion.strictly_after and day == started):
            return False
        return not (event in completion.only_by_due and due is not None and day > due)

    found = min(((events[e], e) for e in completion.by if e in events and counts(e)), default=None)
    return (found[1], found[0]) if found else None


# The events that could complete each kind, as a set: most calls stop at this test.
_COMPLETING = {kind: frozenset(completion.by) for kind, completion in COMPLETED_BY.items()}


# Which rules each event can start, so a case runs only the rules its dates can trigger.
_RULES_BY_EVENT: dict[str, tuple[Rule, ...]] = {
    event: tuple(rule for rule in RULES.values() if event in rule.triggers) for event in EVENTS
}


# --- input checking and the entry point ----------------------------------------------------------

# 0-9 only: \d alone would read full-width or Arabic-Indic digits too, and show a date nobody typed.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)


def parse_date(text: str) -> date:
    """Read YYYY-MM-DD or DD/MM/YYYY; say exactly what is wrong otherwise."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif any(c.isdigit() and not c.isascii() for c in text):
        raise FactsError(
            f"'{text}' is not a date: it has digits other than 0-9 (full-width or from another "
            "script); type it with 0-9 as YYYY-MM-DD, for example 2026-03-01"
        )
    else:
        raise FactsError(f"'{text}' is not a date: write it as YYYY-MM-DD, for example 2026-03-01")
    if not 1 <= year <= 9999:
        raise FactsError(f"'{text}' is not a real date: there is no year {year}")
    if not 1 <= month <= 12:
        raise FactsError(f"'{text}' is not a real date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise FactsError(
            f"'{text}' is not a real date: {_MONTH_NAMES[month]} {year} has {last} days"
        )
    return date(year, month, day)


def parse_event(text: str) -> tuple[str, date]:
    """Read NAME=DATE as typed on the command line."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not value.strip():
        raise FactsError(f"'{text}' should look like decision_sent=2026-03-01")
    check_event_name(name)
    return name, parse_date(value)


def check_event_name(name: str) -> None:
    if name not in EVENTS:
        raise FactsError(f"Unknown event '{name}'. Known events: {', '.join(EVENTS)}")


def validate(facts: Facts) -> None:
    """Raise FactsError for the first thing a person must correct."""
    for name, value in facts.events.items():
        check_event_name(name)
        if not wd.FIRST_SUPPORTED_YEAR <= value.year <= wd.LAST_SUPPORTED_YEAR:
            raise FactsError(
                f"The {name} date {value.isoformat()} is outside the years sendflow can count "
                f"({wd.FIRST_SUPPORTED_YEAR} to {wd.LAST_SUPPORTED_YEAR})",
                event=name,
            )
    events = facts.events
    for earlier, later, message in _ORDER_CHECKS:
        if earlier in events and later in events and events[later] < events[earlier]:
            raise FactsError(
                f"{message}: {later} is {events[later].isoformat()} but {earlier} is "
                f"{events[earlier].isoformat()}. Check both dates against the letters",
                event=later,
            )


def compute_deadlines(facts: Facts) -> list[Deadline]:
    """Return every deadline the facts determine, done ones included, in due-date order.
    Raise FactsError."""
    validate(facts)
    triggered = {rule.code: rule for event in facts.events for rule in _RULES_BY_EVENT[event]}
    found = []
    for rule in triggered.values():
        deadline = rule.compute(facts)
        if deadline is None:
            continue
        if "decision_letter_dated" in facts.events:
            deadline = _safe_by_letter_date(rule, facts, deadline)
        done = completed_by(deadline.kind, facts.events, due=deadline.due)
        if done is not None:
            deadline = _done(deadline, *done)
        found.append(deadline)
    found.sort(key=lambda d: (d.due, d.kind))
    return found


def _done(deadline: Deadline, event: str, day: date) -> Deadline:
    """`deadline` completed by `event` on `day` (dataclasses.replace, without its overhead: most
    deadlines of an older case are done, and a batch computes thousands)."""
    d = deadline
    return Deadline(
        d.kind, d.due, d.owner, d.rule, d.confidence, d.steps, d.warnings, d.safe_by, event, day
    )


def _safe_by_letter_date(rule: Rule, facts: Facts, deadline: Deadline) -> Deadline:
    """Where the letter is dated before the day it was sent, the date counts from the sending
    but the family is told to aim for the date counted from the letter (§1.2: remind on the
    earlier)."""
    sent = facts.events.get("decision_sent")
    letter = facts.events.get("decision_letter_dated")
    if sent is None or letter is None or letter >= sent or "decision_sent" not in rule.triggers:
        return deadline
    events = {**facts.events, "decision_sent": letter}
    del events["decision_letter_dated"]
    by_letter = rule.compute(replace(facts, events=events))
    if by_letter is None or by_letter.act_by >= deadline.act_by:
        return deadline
    note = (
        f"The letter is dated {long_date(letter)}, before the day it was sent. Counted from the "
        f"date on the letter, this date would be {long_date(by_letter.due)}: aim for "
        f"{long_date(by_letter.act_by)} to be safe"
    )
    return replace(deadline, safe_by=by_letter.act_by, steps=(*deadline.steps, note))


# Key dates that may be set ahead: a meeting, a move of school, the reply-by date asked for.
SCHEDULED_EVENTS = frozenset(
    {
        "mediation_meeting",
        "review_meeting",
        "phase_transfer",
        "post16_transfer",
        "complaint_response_requested",
    }
)


def flags(facts: Facts, deadlines: Iterable[Deadline], *, today: date | None = None) -> list[str]:
    """Dates that can all be true but look odd: accepted, and shown to the adviser to check."""
    return [text for _, text in flags_by_kind(facts, deadlines, today=today)]


def flags_by_kind(
    facts: Facts, deadlines: Iterable[Deadline], *, today: date | None = None
) -> list[tuple[str | None, str]]:
    """`flags`, each with the deadline kind it is about (None: the dates in general)."""
    events = facts.events
    general: list[str] = []
    for event, day in sorted(events.items()):
        if today is not None and day > today and event not in SCHEDULED_EVENTS:
            general.append(
                f"'{EVENTS[event]}' is recorded for {long_date(day)}, which has not come yet. "
                "sendflow counts nothing as done by it until that day: check the date."
            )
    deemed = _deemed_certificate_due(facts)
    certificate = events.get("certificate_issued")
    if deemed is not None and certificate is not None and certificate > deemed:
        general.append(
            f"The council could not arrange mediation, so a 'deemed' certificate was due by "
            f"{long_date(deemed)}, but the certificate recorded is of {long_date(certificate)}. "
            "If an earlier certificate was issued, the appeal date counts from it: check with "
            "the mediation adviser and record that date."
        )
    declined, requested = events.get("mediation_declined"), events.get("mediation_requested")
    if declined and requested and requested > declined:
        general.append(
            f"Mediation was asked for on {long_date(requested)}, after it was declined on "
            f"{long_date(declined)}. Check which is right: a certificate may already have been "
            "issued after the family declined."
        )
    sent, letter = events.get("decision_sent"), events.get("decision_letter_dated")
    if sent and letter and letter > sent:
        general.append(
            f"The decision letter is dated {long_date(letter)}, after the day it was sent "
            f"({long_date(sent)}). Check both dates against the letter and its envelope or email."
        )
    found: list[tuple[str | None, str]] = [(None, text) for text in general]
    by_kind = {d.kind: d for d in deadlines}
    late = (
        (
            "appeal",
            "appeal_submitted",
            "The appeal was sent",
            "the Tribunal must be asked to accept it late, with the reasons",
        ),
        (
            "mediation_adviser_contact",
            "mediation_adviser_contacted",
            "The family contacted the mediation adviser",
            "check with the adviser that a certificate can still be issued",
        ),
    )
    for kind, event, what, then in late:
        deadline, done_on = by_kind.get(kind), events.get(event)
        if deadline and done_on and done_on > deadline.due:
            found.append(
                (
                    kind,
                    f"{what} on {long_date(done_on)}, after its last day "
                    f"({long_date(deadline.due)}): {then}.",
                )
            )
    return found
