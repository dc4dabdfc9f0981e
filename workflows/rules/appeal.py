"""The appeal to the SEND Tribunal (HESC Rules 2008 r.20(1)(c), r.12) and the council's
response to it."""

from __future__ import annotations

from datetime import date

from workflows import working_days as wd
from workflows.rules.completion import APPEAL_SENT, COMPLETED_BY, first_completing
from workflows.rules.dates import (
    DAY_NAMES,
    add_months,
    aim_for,
    date_in_words,
    holiday_warnings,
    in_christmas_window,
    long_date,
    months_after,
    tribunal_working_days_after,
)
from workflows.rules.facts import Deadline, Facts
from workflows.rules.mediation import (
    LETTER_DATE_ONLY,
    MEDIATION_ADVISER_TRIGGERS,
    PLACEMENT_CERTIFICATE,
    decision_of,
    deemed_certificate_due,
)
from workflows.rules.periods import LA, Period, S
from workflows.rules.vocabulary import EVENTS, Confidence, Owner

APPEAL_SOURCE = "HESC Rules 2008 r.20(1)(c), r.12(2) and r.12(3)(a); Dodds v Walker [1981]"

PLACEMENT_ONLY_NOTE = (
    "This appeal is only about the school or placement named in the plan (Section I), so no "
    "mediation certificate is needed"
)


def appeal_deadline(facts: Facts) -> Deadline | None:
    decision = decision_of(facts)
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
            steps.append(LETTER_DATE_ONLY)
        raw, text = months_after(sent, 2)
        steps.append(text)

    if facts.placement_only:
        steps.append(PLACEMENT_ONLY_NOTE)
        if certificate is not None:
            steps.append(PLACEMENT_CERTIFICATE)
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
    deemed = deemed_certificate_due(facts)
    if certificate is not None and deemed is not None and certificate > deemed:
        warnings.append(
            f"The council said it could not arrange mediation, so a certificate was due by "
            f"{long_date(deemed)}. If one was issued then, the 1 month runs from that one, not "
            f"from the certificate of {long_date(certificate)}: check with the mediation adviser."
        )

    if in_christmas_window(raw):
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
            reason = DAY_NAMES[raw.weekday()]
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
        warnings=(*warnings, *holiday_warnings(raw, due)),
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
    in_touch = {e: day for e, day in facts.events.items() if e not in APPEAL_SENT}
    if first_completing(
        COMPLETED_BY["mediation_adviser_contact"], MEDIATION_ADVISER_TRIGGERS, in_touch
    ):
        return (
            "You have been in touch with the mediation adviser: you need the mediation "
            f"certificate before you appeal. {_NO_CERTIFICATE}"
        )
    first = (
        "Before you appeal you must contact the mediation adviser (even if you do not want "
        "mediation) and get a mediation certificate (SEND Regulations 2014 reg 33; Children and "
        "Families Act 2014 s.55)"
    )
    decision = decision_of(facts)
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


PERIODS: tuple[Period, ...] = (
    Period(
        "la_appeal_response",
        ("appeal_registered",),
        tribunal_working_days_after,
        30,
        LA,
        "HESC Rules 2008 r.12(3)(b); 30 working days as described by IPSEA",
        S,
    ),
)
