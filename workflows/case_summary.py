"""A case's next step and urgency, stored on Case so the adviser's lists read columns, not
subqueries over every deadline (issue 10: lists that stay fast at 100,000 cases).

`case_summaries_refresh` is the only writer. It runs in the same transaction as every change
that moves a case's dates: at the end of the planner (`messages_plan`, which every recompute,
given-date change and pause ends with) and after an adviser's status or override on a deadline
(`deadline_update`); the nightly recompute refreshes every open case, since a date passing moves
the next step. What depends on today at read time (has a family date passed?) is compared in
SQL against the stored dates (workflows.selectors.passed_family); only the urgency order reads
the stored `family_passed`, so that an index gives the case list's first page.

The next step, as the case list has always shown it (and as the family page's "one next
thing" reads): of the case's computed deadlines and dates given in a letter still to do (not
done given `today`; a computed deadline covered by a given date counts through the given date),
a passed date the family owed first, then the earliest day to act by (an override's own act-by),
then a step that comes first on its day (rules.COMES_FIRST), then by kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sendflow import bulk
from workflows import models, rules, words
from workflows.models import Case, Deadline, GivenDate

SUMMARY_FIELDS = models.SUMMARY_FIELDS  # Case.save() leaves these alone
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Summary:
    next_kind: str = ""  # a deadline kind, or words.GIVEN_PREFIX + a given date's kind
    next_label: str = ""  # a given "other" date's own words
    next_owner: str = ""
    next_due: date | None = None  # the effective date (an override, or the letter's date)
    next_act_by: date | None = None  # the day to act by (an override's own act-by)
    family_first_due: date | None = None  # the earliest date the family owes, still to do
    family_missed: bool = False  # the adviser marked a family deadline missed
    family_passed: bool = False  # a family date had passed, given the refresh's `today`


NOTHING = Summary()


@dataclass(frozen=True, slots=True)
class _Step:
    passed_family: bool
    act_by: date
    kind: str
    due: date
    label: str
    owner: str
    missed: bool


def _deadline_step(row: tuple, today: date) -> _Step | None:
    """Deadline.state() and effective_act_by, over a values_list row."""
    _, kind, owner, due, act_by, override_date, status, done_by, done_on = row
    if (done_by and done_on is not None and done_on <= today) or status in (
        Deadline.Status.MET,
        Deadline.Status.WAIVED,
    ):
        return None
    effective = override_date or due
    if override_date:
        act_by = rules.act_by(due=override_date, owner=owner)
    missed = status == Deadline.Status.MISSED
    passed = missed or effective < today
    return _Step(owner == rules.Owner.PARENT and passed, act_by, kind, effective, "", owner, missed)


def _given_step(row: tuple, today: date) -> _Step | None:
    """GivenDate.state() and act_by, over a values_list row."""
    _, kind, label, owner, value, done_on = row
    if done_on is not None and done_on <= today:
        return None
    if kind in GivenDate.MEETINGS:
        if value < today:
            return None  # a meeting or hearing that has been is no step, nor a missed date
        act_by = value
    else:
        act_by = rules.act_by(due=value, owner=owner or rules.Owner.PARENT)
    return _Step(
        owner == rules.Owner.PARENT and value < today,
        act_by,
        f"{words.GIVEN_PREFIX}{kind}",
        value,
        label if kind == GivenDate.Kind.OTHER else "",
        owner,
        False,
    )


def summarise(deadlines: Iterable[tuple], given_dates: Iterable[tuple], today: date) -> Summary:
    """One case's Summary from its deadline and given-date rows (see _DEADLINE_COLUMNS)."""
    given_dates = list(given_dates)
    covered = {GivenDate.COVERS[g[1]] for g in given_dates if g[1] in GivenDate.COVERS}
    steps = [
        step
        for row in deadlines
        if row[1] not in covered and (step := _deadline_step(row, today)) is not None
    ]
    steps += [step for row in given_dates if (step := _given_step(row, today)) is not None]
    if not steps:
        return NOTHING
    # Every field in the key, so two steps that tie are the same step to the list.
    first = min(
        steps,
        key=lambda s: (
            not s.passed_family,
            s.act_by,
            s.kind not in rules.COMES_FIRST,
            s.kind,
            s.due,
            s.label,
            s.owner,
        ),
    )
    family = [s for s in steps if s.owner == rules.Owner.PARENT]
    return Summary(
        next_kind=first.kind,
        next_label=first.label,
        next_owner=first.owner,
        next_due=first.due,
        next_act_by=first.act_by,
        family_first_due=min((s.due for s in family), default=None),
        family_missed=any(s.missed for s in family),
        family_passed=first.passed_family,
    )


_DEADLINE_COLUMNS = (
    "case_id",
    "kind",
    "owner",
    "due",
    "act_by",
    "override_date",
    "status",
    "done_by",
    "done_on",
)
_GIVEN_COLUMNS = ("case_id", "kind", "label", "owner", "value", "done_on")


def case_summaries_compute(*, case_ids: Iterable[int], today: date) -> dict[int, Summary]:
    """Each case's Summary given `today`, from scratch: two queries however many cases."""
    case_ids = list(case_ids)
    deadlines: dict[int, list[tuple]] = defaultdict(list)
    for row in Deadline.objects.filter(bulk.ids_filter("case_id", case_ids)).values_list(
        *_DEADLINE_COLUMNS
    ):
        deadlines[row[0]].append(row)
    given: dict[int, list[tuple]] = defaultdict(list)
    for row in GivenDate.objects.filter(bulk.ids_filter("case_id", case_ids)).values_list(
        *_GIVEN_COLUMNS
    ):
        given[row[0]].append(row)
    return {
        case_id: summarise(deadlines.get(case_id, ()), given.get(case_id, ()), today)
        for case_id in case_ids
    }


def case_summaries_refresh(*, case_ids: Iterable[int], today: date) -> int:
    """Store the Summary of each case, in batches of a few queries; return how many changed.

    Call inside the transaction that changed the cases' dates. The cases are locked first (in
    id order, as deadlines_recompute_many locks them), so two writers of one case cannot
    store each other's stale summary."""
    case_ids = sorted(set(case_ids))
    changed = 0
    for i in range(0, len(case_ids), BATCH):
        batch = case_ids[i : i + BATCH]
        stored = {
            row[0]: Summary(*row[1:])
            for row in Case.objects.select_for_update()
            .filter(bulk.ids_filter("id", batch))
            .order_by("id")
            .values_list("id", *SUMMARY_FIELDS)
        }
        fresh = case_summaries_compute(case_ids=stored, today=today)
        moved = {case_id: s for case_id, s in fresh.items() if stored[case_id] != s}
        _write(moved)
        changed += len(moved)
    return changed


def _write(summaries: dict[int, Summary]) -> None:
    bulk.rows_update(
        Case,
        fields=SUMMARY_FIELDS,
        rows=[(case_id, *_values(s)) for case_id, s in summaries.items()],
    )


def _values(summary: Summary) -> tuple:
    # Not dataclasses.astuple: it deep-copies every value, a third of this module's time.
    return tuple(getattr(summary, name) for name in SUMMARY_FIELDS)


def _as_dict(summary: Summary) -> dict:
    return dict(zip(SUMMARY_FIELDS, _values(summary), strict=True))
