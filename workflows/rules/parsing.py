"""Reading dates as people type them, and checking a case's dates before any rule runs."""

from __future__ import annotations

import calendar
import re
from datetime import date

from workflows import working_days as wd
from workflows.rules.dates import MONTH_NAMES
from workflows.rules.facts import Facts, FactsError
from workflows.rules.vocabulary import EVENTS

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
            f"'{text}' is not a real date: {MONTH_NAMES[month]} {year} has {last} days"
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
