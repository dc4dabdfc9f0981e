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
from it).
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Trim

from casework import today as t
from notifications.models import OutboundMessage
from workflows import rules, selectors, working_days
from workflows.models import AdviserTask, Case, Deadline, FamilyReportedDate, GivenDate, KeyDate

Kind = AdviserTask.Kind
PARENT = str(rules.Owner.PARENT)
# Everyone else who may owe the family a date (a given date's owner may be blank: the kind's).
OTHERS = tuple(str(o) for o in rules.Owner if o != rules.Owner.PARENT)
UNDONE_STATUSES = (Deadline.Status.OPEN.value, Deadline.Status.MISSED.value)
MISSED = Deadline.Status.MISSED.value
PROBLEMS = (OutboundMessage.Status.FAILED.value, OutboundMessage.Status.UNKNOWN.value)
OTHER_TASK_KINDS = tuple(k for k in t.TASK_GROUPS if t.TASK_GROUPS[k] != t.ODD_DATES)

D = Deadline._meta.db_table
G = GivenDate._meta.db_table
K = KeyDate._meta.db_table
F = FamilyReportedDate._meta.db_table
M = OutboundMessage._meta.db_table
T = AdviserTask._meta.db_table
C = Case._meta.db_table
U = get_user_model()._meta.db_table

# Typed NULLs: PostgreSQL types an untyped NULL in a nested UNION as text.
NO_DATE, NO_TIME, NO_TEXT = "CAST(NULL AS DATE)", "CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TEXT)"
# The columns every group's rows share: where the row comes from, its id (a task row: the
# lowest id of its identical tasks; a family date: the case), its case, and the sort keys.
COLUMNS = "src, obj, case_id, o1, o2, o3, o4, tie"
# Each group in parts whose rows never interleave (a group's tasks come after its dated items,
# as ranked() orders them), so a page reads only the part(s) it spans: (group, part, order).
PARTS = (
    # A family's passed dates, most recent first, in three ranges that never interleave, each
    # read backwards along the index deadline_family_undone_by_due: marked missed though its
    # date is still ahead; passed within the 8 weeks the family can still act; older.
    (t.PASSED_FAMILY, "missed_ahead", "o2 DESC, tie"),
    (t.PASSED_FAMILY, "recent", "o2 DESC, tie"),
    (t.PASSED_FAMILY, "older", "o2 DESC, tie"),
    (t.PASSED_FAMILY, "tasks", "o3, tie"),  # oldest first
    (t.DUE_SOON, "dated", "o2, tie"),  # the day to act by
    (t.MESSAGE, "messages", "o1, o3, tie"),  # failed, then unknown, each oldest first
    (t.MESSAGE, "tasks", "o3, tie"),
    (t.FROM_FAMILY, "all", "o3, o1, tie"),  # oldest first, dates and texts together
    (t.PASSED_OWED, "dated", "o2, src, tie"),  # the date owed, oldest first
    (t.PASSED_OWED, "tasks", "o3, tie"),
    (t.ODD_DATES, "tasks", "o3, tie"),
    (t.UNASSIGNED, "cases", "o4, tie"),  # by reference
)
ORDER = {(group, part): order for group, part, order in PARTS}
PASSED_FAMILY_ORDER = "o1, o2 DESC, tie"  # the three ranges' rows read together


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class Sql:
    text: str
    params: list

    def __add__(self, other: Sql) -> Sql:
        return Sql(self.text + other.text, self.params + other.params)


def _union(parts: list[Sql]) -> Sql:
    return Sql(" UNION ALL ".join(p.text for p in parts), [x for p in parts for x in p.params])


@dataclass
class Scope:
    """The cases Today covers for one user, as a subquery, and the days it compares with."""

    cases: Sql
    case_rows: object  # the same cases as a QuerySet, for the page's ORM reads
    everyone: bool  # a supervisor's view of every open case
    with_unassigned: bool  # the cases with nobody to look after them are items (supervisors)
    no_case_tasks: bool  # tasks on no case (a text from an unknown number) count too
    today: date
    soon: date
    older: date  # a passed family date before this is more than 8 weeks old

    def case_in(self, column: str) -> Sql:
        if self.everyone:
            # Every open case: "not one of the few others" costs a probe of case_not_open,
            # where "in every open case" hashes 100,000 ids for each group.
            return Sql(
                f"{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {C} sx WHERE "
                f"sx.id = {column} AND sx.status <> %s)",
                [Case.Status.OPEN.value],
            )
        return Sql(f"{column} IN ({self.cases.text})", list(self.cases.params))

    # --- the conditions each source's items meet (Deadline.state in SQL) ---------------------

    def undone(self, a: str) -> Sql:
        # status IN (open, missed), not NOT IN (met, waived): the same rows (the check
        # constraint deadline_status_valid), and what the partial indexes deadline_*_undone say.
        return Sql(
            f"{a}.status IN ({_in(UNDONE_STATUSES)}) AND ({a}.done_by = '' OR "
            f"{a}.done_on IS NULL OR {a}.done_on > %s)",
            [*UNDONE_STATUSES, self.today],
        )

    def passed(self, a: str) -> Sql:
        return Sql(
            f"({a}.status = %s OR COALESCE({a}.override_date, {a}.due) < %s)",
            [MISSED, self.today],
        )

    def passed_family(self, a: str) -> Sql:
        return (
            Sql(f"{a}.owner = %s AND ", [PARENT])
            + self.undone(a)
            + Sql(" AND ", [])
            + (self.passed(a))
        )

    def passed_owed_deadline(self, a: str) -> Sql:
        """Another's deadline passed, unless a date from a letter settles it (GivenDate.COVERS:
        the given date wins, as on the case page)."""
        # owner <> parent, as the partial index deadline_owed_undone says it.
        sql = Sql(f"{a}.owner <> %s AND ", [PARENT]) + self.undone(a)
        sql += Sql(" AND ", []) + self.passed(a)
        for given_kind, deadline_kind in GivenDate.COVERS.items():
            sql += Sql(
                f" AND NOT ({a}.kind = %s AND EXISTS (SELECT 1 FROM {G} gc WHERE "
                f"gc.case_id = {a}.case_id AND gc.kind = %s))",
                [deadline_kind, given_kind],
            )
        return sql

    def passed_owed_given(self, a: str) -> Sql:
        """A date someone owed the family, from a letter, passed with nothing to show it came
        (a meeting that has been is no debt: the family attended it or not)."""
        return Sql(
            f"{a}.owner IN ({_in(OTHERS)}) AND {a}.kind NOT IN ({_in(GivenDate.MEETINGS)}) AND "
            f"({a}.done_on IS NULL OR {a}.done_on > %s) AND {a}.value < %s",
            [*OTHERS, *GivenDate.MEETINGS, self.today, self.today],
        )

    def message_item(self, a: str) -> Sql:
        return Sql(
            f"{a}.status IN ({_in(PROBLEMS)}) AND {a}.combined_into_id IS NULL AND ",
            list(PROBLEMS),
        ) + self.case_in(f"{a}.case_id")

    def waiting(self, case_column: str) -> Sql:
        return Sql(
            f"(EXISTS (SELECT 1 FROM {F} fw WHERE fw.case_id = {case_column} AND fw.status = %s)"
            f" OR EXISTS (SELECT 1 FROM {K} kw WHERE kw.case_id = {case_column} AND "
            "kw.confirmed = %s))",
            [FamilyReportedDate.Status.WAITING.value, False],
        )

    def due_soon_act_by(self, a: str) -> Sql:
        """Deadline.effective_act_by: an override's act-by is its last working day on or
        before (rules.aim_for), spelled out for the days where that is not the day itself."""
        sql = Sql(f"CASE WHEN {a}.override_date IS NULL THEN {a}.act_by", [])
        day = self.today
        while day <= self.soon + timedelta(days=14):  # later overrides act by after `soon`
            if not working_days.is_working_day(day):
                sql += Sql(f" WHEN {a}.override_date = %s THEN %s", [day, rules.aim_for(day)])
            day += timedelta(days=1)
        return sql + Sql(f" ELSE {a}.override_date END", [])

    # --- tasks -------------------------------------------------------------------------------

    def folds(self, kind: str) -> Sql | None:
        """NOT EXISTS the item a task of `kind` (alias ta, its message tm) repeats
        (today.task_item's `joins`), the kind inside so that the planner makes an anti-join;
        None for a kind that repeats nothing."""
        if kind == Kind.DEADLINE_PASSED:
            return (
                Sql(
                    f"NOT EXISTS (SELECT 1 FROM {D} dj WHERE ta.kind = %s AND "
                    "dj.case_id = ta.case_id AND ",
                    [kind],
                )
                + self.passed_family("dj")
                + Sql(")", [])
            )
        if kind == Kind.CHECK_DEADLINE:
            return (
                Sql(
                    f"NOT EXISTS (SELECT 1 FROM {D} dj WHERE ta.kind = %s AND "
                    "dj.case_id = ta.case_id AND ",
                    [kind],
                )
                + self.passed_owed_deadline("dj")
                + Sql(
                    f") AND NOT EXISTS (SELECT 1 FROM {G} gj WHERE ta.kind = %s AND "
                    "gj.case_id = ta.case_id AND ",
                    [kind],
                )
                + self.passed_owed_given("gj")
                + Sql(")", [])
            )
        if kind == Kind.DELIVERY_FAILED:
            return (
                Sql(
                    f"NOT EXISTS (SELECT 1 FROM {M} mj WHERE ta.kind = %s AND "
                    "mj.id = COALESCE(tm.combined_into_id, ta.message_id) AND ",
                    [kind],
                )
                + self.message_item("mj")
                + Sql(")", [])
            )
        if kind == Kind.FAMILY_DATE:
            return Sql(
                f"NOT EXISTS (SELECT 1 FROM {F} fw WHERE ta.kind = %s AND "
                "fw.case_id = ta.case_id AND fw.status = %s) AND NOT EXISTS (SELECT 1 FROM "
                f"{K} kw WHERE ta.kind = %s AND kw.case_id = ta.case_id AND kw.confirmed = %s)",
                [kind, FamilyReportedDate.Status.WAITING.value, kind, False],
            )
        return None

    def task_scope(self, a: str) -> Sql:
        sql = Sql("(", []) + self.case_in(f"{a}.case_id")
        if self.no_case_tasks:
            sql += Sql(f" OR {a}.case_id IS NULL", [])
        return sql + Sql(")", [])

    def tasks(self, group: int, o1: int) -> Sql:
        """Open tasks of the group's kinds not folded into another item, identical ones as one
        row (today.task_item's cause: kind, case, text; a task on no case is its own)."""
        if group == t.ODD_DATES:
            kinds = Sql(f"ta.kind NOT IN ({_in(OTHER_TASK_KINDS)})", list(OTHER_TASK_KINDS))
            folds = []
        else:
            names = [k.value for k, g in t.TASK_GROUPS.items() if g == group]
            kinds = Sql(f"ta.kind IN ({_in(names)})", names)
            folds = [fold for name in names if (fold := self.folds(name)) is not None]
        # Which open tasks stand, from the index open_task_by_kind alone (most fold into an
        # item), then only those read whole and grouped.
        message = f" LEFT JOIN {M} tm ON tm.id = ta.message_id" if group == t.MESSAGE else ""
        standing = (
            Sql(f"SELECT ta.id FROM {T} ta{message} WHERE ta.done_at IS NULL AND ", [])
            + kinds
            + Sql(" AND ", [])
            + self.task_scope("ta")
        )
        for fold in folds:
            standing += Sql(" AND ", []) + fold
        # The standing ids first, fenced (OFFSET 0: PostgreSQL keeps a subquery with one as it
        # is written), then only those tasks read whole: unfenced, its planner sorted every
        # task in the table for the GROUP BY before asking which stand (1.9 s at 100,000 cases).
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        return (
            Sql(
                f"SELECT 'task' AS src, MIN(tb.id) AS obj, tb.case_id AS case_id, {o1} AS o1, "
                f"{NO_DATE} AS o2, MIN(tb.created_at) AS o3, {NO_TEXT} AS o4, "
                "MIN(tb.id) AS tie FROM (",
                [],
            )
            + standing
            + Sql(
                f"{fence}) st JOIN {T} tb ON tb.id = st.id GROUP BY tb.kind, tb.case_id, "
                "TRIM(tb.text), CASE WHEN tb.case_id IS NULL THEN tb.id END",
                [],
            )
        )

    # --- the groups --------------------------------------------------------------------------

    def passed_family_deadlines(self) -> Sql:
        return (
            Sql(
                "SELECT 'deadline' AS src, d.id AS obj, d.case_id AS case_id, "
                "CASE WHEN COALESCE(d.override_date, d.due) < %s THEN 1 ELSE 0 END AS o1, "
                f"COALESCE(d.override_date, d.due) AS o2, {NO_TIME} AS o3, {NO_TEXT} AS o4, "
                "d.id AS tie "
                f"FROM {D} d WHERE ",
                [self.older],
            )
            + self.passed_family("d")
            + Sql(" AND ", [])
            + self.case_in("d.case_id")
        )

    def passed_family_range(self, part: str) -> Sql:
        """One range of passed_family_deadlines() (its rows, split by the date: see PARTS)."""
        due = "COALESCE(d.override_date, d.due)"
        ranges = {
            "missed_ahead": (f"d.status = %s AND {due} >= %s", [MISSED, self.today], 0),
            "recent": (f"{due} < %s AND {due} >= %s", [self.today, self.older], 0),
            "older": (f"{due} < %s", [self.older], 1),
        }
        where, params, older = ranges[part]
        return (
            Sql(
                f"SELECT 'deadline' AS src, d.id AS obj, d.case_id AS case_id, {older} AS o1, "
                f"{due} AS o2, {NO_TIME} AS o3, {NO_TEXT} AS o4, d.id AS tie "
                f"FROM {D} d WHERE d.owner = %s AND {where} AND ",
                [PARENT, *params],
            )
            + self.undone("d")
            + Sql(" AND ", [])
            + self.case_in("d.case_id")
        )

    def passed_owed_dates(self) -> Sql:
        deadlines = (
            Sql(
                "SELECT 'deadline' AS src, d.id AS obj, d.case_id AS case_id, 0 AS o1, "
                f"COALESCE(d.override_date, d.due) AS o2, {NO_TIME} AS o3, {NO_TEXT} AS o4, "
                "d.id AS tie "
                f"FROM {D} d WHERE ",
                [],
            )
            + self.passed_owed_deadline("d")
            + Sql(" AND ", [])
            + self.case_in("d.case_id")
        )
        given = (
            Sql(
                f"SELECT 'given', g.id, g.case_id, 0, g.value, {NO_TIME}, {NO_TEXT}, g.id "
                f"FROM {G} g WHERE ",
                [],
            )
            + self.passed_owed_given("g")
            + Sql(" AND ", [])
            + self.case_in("g.case_id")
        )
        return _union([deadlines, given])

    def part(self, group: int, part: str) -> Sql | None:
        """The SQL of one part of a group (COLUMNS), unordered; None when it has none here."""
        if part == "tasks":
            return self.tasks(group, 2)
        if group == t.PASSED_FAMILY:
            return self.passed_family_range(part)
        if group == t.DUE_SOON:
            act_by = self.due_soon_act_by("d")
            return (
                Sql("SELECT 'deadline' AS src, d.id AS obj, d.case_id AS case_id, 0 AS o1, ", [])
                + act_by
                + Sql(
                    f" AS o2, {NO_TIME} AS o3, {NO_TEXT} AS o4, d.id AS tie FROM {D} d "
                    "WHERE d.owner = %s "
                    "AND d.status <> %s AND COALESCE(d.override_date, d.due) >= %s AND ",
                    [PARENT, MISSED, self.today],
                )
                + self.undone("d")
                + Sql(" AND ", [])
                + act_by
                + Sql(" <= %s AND ", [self.soon])
                + self.case_in("d.case_id")
            )
        if group == t.MESSAGE:
            messages = Sql(
                "SELECT 'message' AS src, m.id AS obj, m.case_id AS case_id, "
                "CASE WHEN m.status = %s THEN 0 ELSE 1 END AS o1, "
                f"{NO_DATE} AS o2, m.send_at AS o3, "
                f"{NO_TEXT} AS o4, m.id AS tie FROM {M} m WHERE ",
                [OutboundMessage.Status.FAILED.value],
            ) + self.message_item("m")
            return messages
        if group == t.FROM_FAMILY:
            waiting = (
                Sql(
                    "SELECT 'family' AS src, w.case_id AS obj, w.case_id AS case_id, 0 AS o1, "
                    f"{NO_DATE} AS o2, MIN(w.at) AS o3, {NO_TEXT} AS o4, w.case_id AS tie "
                    "FROM ("
                    f"SELECT f.case_id AS case_id, f.reported_at AS at FROM {F} f "
                    "WHERE f.status = %s AND ",
                    [FamilyReportedDate.Status.WAITING.value],
                )
                + self.case_in("f.case_id")
                + Sql(
                    f" UNION ALL SELECT k.case_id, k.recorded_at FROM {K} k "
                    "WHERE k.confirmed = %s AND ",
                    [False],
                )
                + self.case_in("k.case_id")
                + Sql(") w GROUP BY w.case_id", [])
            )
            return _union([waiting, self.tasks(group, 1)])
        if group == t.PASSED_OWED:
            return self.passed_owed_dates()
        if group == t.UNASSIGNED and self.with_unassigned:
            # Two selects, each an index's range: no adviser (case_unassigned), an adviser
            # who has left (case_by_adviser).
            select = (
                "SELECT '{src}' AS src, c.id AS obj, c.id AS case_id, 0 AS o1, "
                f"{NO_DATE} AS o2, {NO_TIME} AS o3, c.reference AS o4, c.id AS tie "
                f"FROM {C} c WHERE c.status = %s AND "
            )
            nobody = (
                Sql(select.format(src="unassigned"), [Case.Status.OPEN.value])
                + Sql("c.adviser_id IS NULL AND ", [])
                + self.case_in("c.id")
            )
            left = (
                Sql(select.format(src="left"), [Case.Status.OPEN.value])
                + Sql(f"c.adviser_id IN (SELECT id FROM {U} WHERE is_active = %s) AND ", [False])
                + self.case_in("c.id")
            )
            return _union([nobody, left])
        return None


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
