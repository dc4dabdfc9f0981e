"""Today a page at a time in SQL (issue 19: the lists' budget at 100,000 cases).

The groups are strictly ordered (casework.today: PASSED_FAMILY first ... UNASSIGNED last),
so one query counts each group's items and the page's offset walks through those counts: only
the group or two a page spans are read, each as a UNION ALL of its sources ordered and LIMITed
in the database. Each group's SQL says what `today.ranked()` does in Python: a deadline or a
message is its own item; a task that repeats one (the passed date, the date owed, the failed
message, the family's date) is left out by NOT EXISTS while that item exists; identical open
tasks (kind, case, text) are one row, GROUP BY. What the page's items fold in (the tasks
"Mark done" closes with them) and their words are read for the page only (today.worded).

Plain SQL over the tables Django names, with %s parameters, for SQLite and PostgreSQL alike:
dates are compared, never computed, in SQL (the callers pass `today` and the days derived
from it). Each part's SQL is built in casework.today_sql; this module counts, pages and words.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Trim

from casework import today as t
from casework.today_sql import (
    ORDER,
    PARTS,
    PASSED_FAMILY_ORDER,
    PROBLEMS,
    Kind,
    Scope,
    Sql,
    _in,
)
from notifications.models import OutboundMessage
from workflows import selectors, working_days
from workflows.models import AdviserTask, Case, Deadline, FamilyReportedDate, GivenDate, KeyDate


def scope_for(user, *, adviser: str, today: date) -> Scope:
    cases, with_unassigned = t.cases_for(user, adviser=adviser)
    if not selectors.sees_all_cases(user) and selectors.case_scope(user) != Q(pk__in=[]):
        # An adviser's own open cases (cases_for): said once, so the planner reads one range
        # of case_by_adviser instead of OR-ing the scope "own or unassigned" with "own".
        cases = Case.objects.filter(adviser=user, status=Case.Status.OPEN)
    everyone = selectors.sees_all_cases(user) and adviser in ("", "all")
    text, params = cases.order_by().values("pk").query.sql_with_params()
    soon, _ = working_days.add_working_days(today, t.SOON_WORKING_DAYS)
    return Scope(
        cases=Sql(text, list(params)),
        case_rows=cases,
        everyone=everyone,
        with_unassigned=with_unassigned,
        no_case_tasks=with_unassigned and adviser != "none",
        today=today,
        soon=soon,
        older=today - t.STILL_ACTIONABLE,
    )


# The most urgent items listed. Beyond them (a service's everyone: tens of thousands of passed
# dates at 100,000 cases) counting every item exactly took most of a page's time, and nobody
# pages past the tenth: the page says there are more and how to see fewer (one adviser's).
LISTED = 500


def counts(scope: Scope) -> dict[tuple[int, str], int]:
    """Each part's number of items, most urgent part first, until there are more than LISTED:
    each counted only up to what is still needed, and the parts after that not at all (at
    100,000 cases the passed dates alone are tens of thousands, and the tasks that might stand
    beside them cost 140 ms to count while listing none)."""
    found = {(group, part): 0 for group, part, _ in PARTS}
    total = 0
    with connection.cursor() as cursor:
        for group, part, _ in PARTS:
            sql = scope.part(group, part)
            if sql is None:
                continue
            query = (
                Sql("SELECT COUNT(*) FROM (SELECT 1 AS one FROM (", [])
                + sql
                + Sql(") p LIMIT %s) q", [LISTED + 1 - total])
            )
            cursor.execute(query.text, query.params)
            found[group, part] = int(cursor.fetchone()[0])
            total += found[group, part]
            if total > LISTED:
                break
    return found


@dataclass(frozen=True)
class Row:
    group: int
    src: str
    obj: int
    case_id: int | None


def rows(scope: Scope, sizes: dict[tuple[int, str], int], offset: int, limit: int) -> list[Row]:
    """The rows from `offset` on (at most `limit`), walking the parts in order: only the parts
    the page spans are read."""
    out: list[Row] = []
    for group, part, order in PARTS:
        if limit <= 0:
            break
        size = sizes.get((group, part), 0)
        if offset >= size:
            offset -= size
            continue
        sql = Sql("SELECT src, obj, case_id FROM (", []) + scope.part(group, part)
        sql += Sql(f") q ORDER BY {order} LIMIT %s OFFSET %s", [limit, offset])
        with connection.cursor() as cursor:
            cursor.execute(sql.text, sql.params)
            found = [Row(group, src, int(obj), case_id) for src, obj, case_id in cursor.fetchall()]
        out += found
        limit -= len(found)
        offset = 0
    return out


def first_per_case(scope: Scope, sql: Sql, order: str, case_ids) -> dict[int, tuple[str, int]]:
    """Of `sql`'s rows on these cases, the first of each case in `order` (the item the
    case's repeating tasks fold into, as ranked() keeps the most urgent)."""
    case_ids = list(case_ids)
    if not case_ids:
        return {}
    query = Sql("SELECT src, obj, case_id FROM (", []) + sql
    query += Sql(f") q WHERE case_id IN ({_in(case_ids)}) ORDER BY {order}", case_ids)
    first: dict[int, tuple[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query.text, query.params)
        for src, obj, case_id in cursor.fetchall():
            first.setdefault(int(case_id), (src, int(obj)))
    return first


@contextmanager
def reading():
    """One transaction for a page's reads, without PostgreSQL's JIT compilation: these short
    queries over 100,000 cases are estimated dear enough to be compiled, and compiling took
    longer (40-1,400 ms) than running them. SET LOCAL ends with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


class TodayList:
    """The list as django.core.paginator.Paginator reads it: count() from the groups' counts,
    a slice by the SQL walk (rows of Row, turned into items by page_items)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._counts: dict[tuple[int, str], int] | None = None

    def group_counts(self) -> dict[tuple[int, str], int]:
        if self._counts is None:
            self._counts = counts(self.scope)
        return self._counts

    def count(self) -> int:
        """The items listed: all of them, or the LISTED most urgent (see `more`). The parts'
        counts are exact up to there, which is all the offset's walk (rows()) reads."""
        return min(sum(self.group_counts().values()), LISTED)

    @property
    def more(self) -> bool:
        """More need a person than are listed."""
        return sum(self.group_counts().values()) > LISTED

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Row]:
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        return rows(self.scope, self.group_counts(), start, stop - start)


def page_items(scope: Scope, page: list[Row], *, now: datetime) -> list[t.Item]:
    """The page's rows as items (no words yet: today.worded), each with the ids of every task
    it closes: its identical twins, and the tasks that repeat it."""
    by_src: dict[str, list[int]] = defaultdict(list)
    for row in page:
        by_src[row.src].append(row.obj)
    built: dict[tuple[str, int], t.Item] = {}
    if by_src["deadline"]:
        for d in (
            Deadline.objects.filter(id__in=by_src["deadline"])
            .select_related("case")
            .only(*t.DEADLINE_FIELDS)
        ):
            item = t.deadline_item(d, scope.today, scope.soon)
            if item is not None:
                built["deadline", d.id] = item
    if by_src["given"]:
        for g in GivenDate.objects.filter(id__in=by_src["given"]).select_related("case"):
            built["given", g.id] = t.given_item(g)
    if by_src["message"]:
        for m in (
            OutboundMessage.objects.filter(id__in=by_src["message"])
            .select_related("case")
            .only(*t.MESSAGE_FIELDS)
        ):
            built["message", m.id] = t.message_item(m, now)
    case_ids = {row.case_id for row in page if row.case_id}
    tasks = _open_tasks(case_ids, by_src["task"], by_src["message"])
    _task_items(scope, tasks, by_src["task"], built)
    _family_items(by_src["family"], built)
    if by_src["unassigned"] or by_src["left"]:
        for case_id, reference, adviser_id in Case.objects.filter(
            id__in=by_src["unassigned"] + by_src["left"]
        ).values_list("id", "reference", "adviser_id"):
            item = t.unassigned_item(case_id, reference, left=adviser_id is not None)
            built[("left" if adviser_id else "unassigned"), case_id] = item
    _fold(scope, page, tasks, built)
    return [built[row.src, row.obj] for row in page if (row.src, row.obj) in built]


@dataclass(frozen=True)
class _Task:
    id: int
    kind: str
    case_id: int | None
    text: str  # trimmed in SQL, as the groups compare it
    created: datetime
    message_id: int | None
    lead_id: int | None
    reference: str


def _open_tasks(case_ids, rep_ids, message_ids) -> list[_Task]:
    """The open tasks the page's items may close: on its cases, its task rows, its messages."""
    where = Q(case_id__in=case_ids) | Q(id__in=rep_ids)
    if message_ids:
        where |= Q(message_id__in=message_ids) | Q(message__combined_into_id__in=message_ids)
    rows = (
        AdviserTask.objects.filter(where, done_at__isnull=True)
        .annotate(trimmed=Trim("text"))
        .order_by("id")
        .values_list(
            "id",
            "kind",
            "case_id",
            "trimmed",
            "created_at",
            "message_id",
            "message__combined_into_id",
            "case__reference",
        )
    )
    return [_Task(*row[:-1], reference=row[-1] or "") for row in rows]


def _task_items(scope: Scope, tasks: list[_Task], rep_ids, built) -> None:
    """A task row: its identical open twins, less any that fold into a message on the list."""
    if not rep_ids:
        return
    by_id = {task.id: task for task in tasks}
    twins: dict[tuple, list[_Task]] = defaultdict(list)
    for task in tasks:
        if task.case_id is not None:
            twins[task.kind, task.case_id, task.text].append(task)
    leads = {
        task.lead_id or task.message_id
        for key in {(by_id[i].kind, by_id[i].case_id, by_id[i].text) for i in rep_ids}
        for task in twins.get(key, [])
        if task.kind == Kind.DELIVERY_FAILED and task.message_id
    }
    on_list = set()
    if leads:
        on_list = set(
            OutboundMessage.objects.filter(
                id__in=leads,
                status__in=PROBLEMS,
                combined_into__isnull=True,
                case__in=scope.case_rows.values("pk"),
            ).values_list("id", flat=True)
        )
    for rep_id in rep_ids:
        rep = by_id[rep_id]
        same = twins[rep.kind, rep.case_id, rep.text] if rep.case_id is not None else [rep]
        ids = [
            task.id
            for task in same
            if not (
                task.kind == Kind.DELIVERY_FAILED
                and task.message_id
                and (task.lead_id or task.message_id) in on_list
            )
        ]
        item = t.task_item(
            task_id=rep.id,
            kind=rep.kind,
            case_id=rep.case_id,
            reference=rep.reference,
            text=rep.text,
            created=rep.created,
            message_id=rep.message_id,
            lead_id=rep.lead_id,
        )
        built["task", rep_id] = replace(item, joins=None, task_ids=ids or [rep.id])


def _family_items(case_ids, built) -> None:
    """Each case's oldest date from the family waiting (the one "Confirm the date" accepts)."""
    if not case_ids:
        return
    waiting = [
        (at, 0, pk, case_id, value, reference)
        for pk, case_id, value, at, reference in FamilyReportedDate.objects.filter(
            case_id__in=case_ids, status=FamilyReportedDate.Status.WAITING
        ).values_list("id", "case_id", "value", "reported_at", "case__reference")
    ] + [
        (at, 1, pk, case_id, value, reference)
        for pk, case_id, value, at, reference in KeyDate.objects.filter(
            case_id__in=case_ids, confirmed=False
        ).values_list("id", "case_id", "value", "recorded_at", "case__reference")
    ]
    for at, source, pk, case_id, value, reference in sorted(waiting):
        if ("family", case_id) in built:
            continue
        [item] = t._waiting_dates([(case_id, reference, value, at)])
        item.confirm = ("reported" if source == 0 else "key_date", pk)
        built["family", case_id] = item


def _fold(scope: Scope, page: list[Row], tasks: list[_Task], built) -> None:
    """The tasks that repeat an item go with it (ranked(): into the case's most urgent)."""
    by_case: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_message: dict[int, list[int]] = defaultdict(list)
    for task in tasks:
        if task.case_id is not None:
            by_case[task.kind, task.case_id].append(task.id)
        if task.kind == Kind.DELIVERY_FAILED and task.message_id:
            by_message[task.lead_id or task.message_id].append(task.id)
    passed = {r.case_id for r in page if r.src == "deadline" and r.group == t.PASSED_FAMILY}
    owed = {r.case_id for r in page if r.src in ("deadline", "given") and r.group == t.PASSED_OWED}
    first_passed = first_per_case(
        scope, scope.passed_family_deadlines(), PASSED_FAMILY_ORDER, passed
    )
    first_owed = first_per_case(
        scope, scope.passed_owed_dates(), ORDER[t.PASSED_OWED, "dated"], owed
    )
    for row in page:
        item = built.get((row.src, row.obj))
        if item is None:
            continue
        folded: list[int] = []
        if row.group == t.PASSED_FAMILY and first_passed.get(row.case_id) == (row.src, row.obj):
            folded = by_case[Kind.DEADLINE_PASSED, row.case_id]
        elif row.group == t.PASSED_OWED and first_owed.get(row.case_id) == (row.src, row.obj):
            folded = by_case[Kind.CHECK_DEADLINE, row.case_id]
        elif row.src == "message":
            folded = by_message[row.obj]
        elif row.src == "family":
            folded = by_case[Kind.FAMILY_DATE, row.case_id]
        item.task_ids = [*item.task_ids, *(i for i in folded if i not in item.task_ids)]
