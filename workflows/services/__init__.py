"""Every write to cases, key dates and deadlines. Deadlines are recomputed in the same transaction
as the change that moves them, so no reader ever sees a key date without its deadlines.

One module per job; every public name is here as before, so `services.key_date_set(...)` keeps
working. The planner hook is one global, in planning: set it with messages_planner_set."""

from workflows import rules, words
from workflows.services.cases import (
    case_replan,
    case_take_on,
    key_date_adviser_edit,
    key_date_remove,
    key_date_set,
)
from workflows.services.deadlines import (
    NEEDS_A_REASON,
    OVERRIDE_RANGE,
    deadline_update,
    override_out_of_range,
    status_reason_missing,
)
from workflows.services.family_dates import (
    DateChange,
    FamilyDateResult,
    family_date_report,
    reported_date_decide,
)
from workflows.services.given_dates import (
    family_given_date_report,
    given_date_adviser_edit,
    given_date_done,
    given_date_set,
)
from workflows.services.key_dates import key_dates_record
from workflows.services.nightly import (
    RECOMPUTE_RUNS_KEPT,
    NightlyRecomputeIncomplete,
    deadlines_recompute_open_cases,
)
from workflows.services.planning import messages_plan, messages_planner_set
from workflows.services.recompute import (
    deadline_row,
    deadlines_recompute,
    deadlines_recompute_many,
    facts_check,
    facts_for,
)

__all__ = [
    "NEEDS_A_REASON",
    "OVERRIDE_RANGE",
    "RECOMPUTE_RUNS_KEPT",
    "DateChange",
    "FamilyDateResult",
    "NightlyRecomputeIncomplete",
    "case_replan",
    "case_take_on",
    "deadline_row",
    "deadline_update",
    "deadlines_recompute",
    "deadlines_recompute_many",
    "deadlines_recompute_open_cases",
    "facts_check",
    "facts_for",
    "family_date_report",
    "family_given_date_report",
    "given_date_adviser_edit",
    "given_date_done",
    "given_date_set",
    "key_date_adviser_edit",
    "key_date_remove",
    "key_date_set",
    "key_dates_record",
    "messages_plan",
    "messages_planner_set",
    "override_out_of_range",
    "reported_date_decide",
    "rules",
    "status_reason_missing",
    "words",
]
