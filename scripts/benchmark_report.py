#!/usr/bin/env python
"""Issue 21's speed figures: a year's and a month's report at 100,000 cases on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/benchmark_report.py [--cases 100000] [--runs 5] [--db-name sendflow_report]

The caseload is benchmark_scale.py's seed (its `grow`: 10,000 cases through
deadlines_recompute_many with their deadlines and outbox, cloned in SQL beyond that; 80% assigned
among 10 advisers, 2% failed and 1% unknown messages, a task on 5% of cases), then spread over a
year by UPDATE: each case opened on one of the last 365 days (its messages and deadlines moved
with it), a third of them closed 30 to 120 days after opening (with their closings), messages
sent with 1 or 2 segments, some delivered. VACUUM ANALYZE, then for each report one warm-up and
--runs timed calls of reports.figures.report (every figure, in this process: no HTTP), the
median and the slowest printed, with the query count. Targets: year < 2 s, month < 500 ms. A
script, never a test. The throwaway database is dropped at the end unless --keep.
"""

import argparse
import contextlib
import io
import os
import shlex
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=100_000)
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--db-name", default="sendflow_report")
parser.add_argument("--keep", action="store_true", help="leave the database (EXPLAIN ANALYZE)")
parser.add_argument(
    "--reuse", action="store_true", help="report on the database a --keep run left, no seeding"
)
parser.add_argument("--verbose", action="store_true", help="print the slowest queries")
args = parser.parse_args()
_env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k == "DATABASE_URL"]
print("$ " + shlex.join([*_env, "python", *sys.argv]), flush=True)

# benchmark_scale reads its own arguments when imported: give it none of ours.
_argv, sys.argv = sys.argv, [sys.argv[0], "--db-name", args.db_name]
with contextlib.redirect_stdout(io.StringIO()):  # its own "$ command" line
    import benchmark_scale as scale

sys.argv = _argv

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications.models import OutboundMessage  # noqa: E402
from reports.figures import Scope, report  # noqa: E402
from reports.periods import Period, preset_period  # noqa: E402
from workflows.models import Case, CaseClosing, Deadline  # noqa: E402

say = scale.say


def spread() -> None:
    """Open each case on one of the last 365 days, and move its dated rows with it."""
    case, deadline = Case._meta.db_table, Deadline._meta.db_table
    closing = CaseClosing._meta.db_table
    message = OutboundMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {case} SET created_at = created_at - (id % 365) * interval '1 day'")
        cursor.execute(
            f"UPDATE {case} SET status = 'closed', "
            f"closed_at = created_at + (30 + id % 91) * interval '1 day' "
            f"WHERE id % 3 = 0 AND created_at + (30 + id % 91) * interval '1 day' < now()"
        )
        # Each closing as Case.save keeps it (the report counts closings, not closed_at).
        cursor.execute(
            f"INSERT INTO {closing} (case_id, closed_at) "
            f"SELECT id, closed_at FROM {case} WHERE closed_at IS NOT NULL"
        )
        cursor.execute(
            f"UPDATE {deadline} d SET due = d.due - (d.case_id % 365) * interval '1 day', "
            "aim_for = d.aim_for - (d.case_id % 365) * interval '1 day', "
            "act_by = d.act_by - (d.case_id % 365) * interval '1 day'"
        )
        cursor.execute(
            f"UPDATE {message} SET send_at = send_at - (case_id % 365) * interval '1 day', "
            "sent_at = sent_at - (case_id % 365) * interval '1 day', "
            "segments = CASE WHEN channel = 'sms' THEN 1 + id % 2 END, "
            "status = CASE WHEN status = 'sent' AND id % 4 = 0 THEN 'delivered' ELSE status END"
        )
        cursor.execute(
            f"UPDATE {message} SET status = 'sent', sent_at = send_at "
            "WHERE status = 'pending' AND send_at < now()"
        )


def timed(label: str, period) -> None:
    today = timezone.localdate()
    report(period=period, scope=Scope(), today=today)  # warm-up
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        report(period=period, scope=Scope(), today=today)
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        figures = report(period=period, scope=Scope(), today=today)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]
    if args.verbose:
        for query in slowest:
            say(f"   {float(query['time']) * 1000:,.0f} ms: {query['sql'][:300]}")
    adviser = []
    for _ in range(args.runs):
        began = time.perf_counter()
        report(period=period, scope=Scope(adviser="adviser0"), today=today)
        adviser.append(time.perf_counter() - began)
    say(
        f"{label} ({period.start} to {period.end}): median {statistics.median(times) * 1000:,.0f}"
        f" ms, slowest {max(times) * 1000:,.0f} ms of {args.runs}; {len(queries)} queries; "
        f"one adviser's: median {statistics.median(adviser) * 1000:,.0f} ms. "
        f"Opened {figures['cases']['opened']:,}, texts sent "
        f"{figures['messages']['sms']['sent']:,}, family deadlines "
        f"{sum(r['due'] for r in figures['family_deadlines'].values()):,}"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = args.db_name
    if args.reuse:
        connection.close()
        connection.settings_dict["NAME"] = args.db_name
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        say(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
            f"PostgreSQL {version}; today {scale.TODAY}"
        )
        began = time.perf_counter()
        if not args.reuse:
            scale.grow(0, args.cases, min(10_000, args.cases))
            spread()
            scale.settle()
        say(
            f"seeded and spread over a year in {time.perf_counter() - began:.0f} s: "
            f"{scale.counts()}"
        )
        today = timezone.localdate()
        timed("a year's report", Period(today - timedelta(days=364), today))
        timed("a month's report", preset_period("last_month", today=today))
    finally:
        connection.close()
        if args.keep or args.reuse:
            say(f"kept the database {args.db_name}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
