"""Today's SQL, part by part (today_paging reads a page with it): each group's sources as plain
SQL over the tables Django names, with %s parameters, for SQLite and PostgreSQL alike.

Each group's SQL says what `today.ranked()` does in Python: a deadline or a message is its own
item; a task that repeats one (the passed date, the date owed, the failed message, the family's
date) is left out by NOT EXISTS while that item exists; identical open tasks (kind, case, text)
are one row, GROUP BY. Dates are compared, never computed, in SQL (the callers pass `today` and
the days derived from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection

from casework import today as t
from notifications.models import OutboundMessage
from workflows import rules, working_days
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
