"""Legal deadline arithmetic for SEND disagreements in England: facts in, deadlines out.

Pure functions with no Django and no clock: callers pass every date in. Each deadline carries its
legal source, a confidence label (legal-rules.md), and its working in plain English so an adviser
or a parent can check it against the letter. Section numbers (§) refer to
`shared/domain/legal-rules.md`.

One job per module, each importing only those above it in this list:

- vocabulary: who acts (`Owner`), how sure a source is (`Confidence`), the key dates (`EVENTS`)
  and a deadline's `State`
- dates: dates in words and calendar arithmetic (months, weeks, working days, the Tribunal's)
- facts: what the rules take and give (`Facts`, `FactsError`, `Deadline`, `Rule`)
- completion: what event completes each deadline (`COMPLETED_BY`)
- periods: the simple rules, one event and one period
- one module per route (workflows.routes): mediation, appeal, orders (after the appeal), ehc,
  annual_review, complaints, discrimination
- registry: `RULES` by code, `DEADLINE_KINDS`, `ORDER_KINDS` (those after the appeal)
- parsing: reading typed dates and checking a case's dates (`validate`)
- compute: the entry points (`compute_deadlines`, `completed_by`, `flags`)

Callers use the package: `from workflows import rules; rules.compute_deadlines(...)`.
"""

from workflows.rules.appeal import APPEAL_SOURCE, PLACEMENT_ONLY_NOTE
from workflows.rules.complaints import COMPLAINT_CODE
from workflows.rules.completion import COMES_FIRST, COMPLETED_BY, Completion
from workflows.rules.compute import (
    SCHEDULED_EVENTS,
    completed_by,
    compute_deadlines,
    flags,
    flags_by_kind,
)
from workflows.rules.dates import (
    act_by,
    act_by_reason,
    add_months,
    aim_for,
    date_in_words,
    days_after,
    days_beginning_with,
    long_date,
    months_after,
    months_starting_with,
    tribunal_working_days_after,
    weeks_after,
    weeks_before,
    working_days_after,
    working_days_before,
)
from workflows.rules.facts import Deadline, Facts, FactsError, Rule
from workflows.rules.parsing import _ORDER_CHECKS as _ORDER_CHECKS
from workflows.rules.parsing import check_event_name, parse_date, parse_event, validate
from workflows.rules.periods import LA, OFF, Counter, P, S
from workflows.rules.registry import DEADLINE_KINDS, ORDER_KINDS, RULES
from workflows.rules.vocabulary import EVENTS, Confidence, Owner, State

__all__ = [
    "APPEAL_SOURCE",
    "COMES_FIRST",
    "COMPLAINT_CODE",
    "COMPLETED_BY",
    "DEADLINE_KINDS",
    "EVENTS",
    "LA",
    "OFF",
    "ORDER_KINDS",
    "P",
    "PLACEMENT_ONLY_NOTE",
    "RULES",
    "S",
    "SCHEDULED_EVENTS",
    "Completion",
    "Confidence",
    "Counter",
    "Deadline",
    "Facts",
    "FactsError",
    "Owner",
    "Rule",
    "State",
    "act_by",
    "act_by_reason",
    "add_months",
    "aim_for",
    "check_event_name",
    "completed_by",
    "compute_deadlines",
    "date_in_words",
    "days_after",
    "days_beginning_with",
    "flags",
    "flags_by_kind",
    "long_date",
    "months_after",
    "months_starting_with",
    "parse_date",
    "parse_event",
    "tribunal_working_days_after",
    "validate",
    "weeks_after",
    "weeks_before",
    "working_days_after",
    "working_days_before",
]
