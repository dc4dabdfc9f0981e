#!/usr/bin/env python
"""Where recompute-and-plan spends its time: Python, each kind of SQL statement, COPY, commit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/profile_plan.py [--cases 5000] [--db-name sendflow_plan_profile]

In a throwaway database (dropped at the end), benchmark_deadlines.py's cases (its date mix, a
parent on SMS and email) are recomputed and planned twice in batches of 1,000, each its own
transaction: first insert, then update. For each run it prints cases/s, this process's CPU and
its PostgreSQL backend's CPU, then the wall time per case of each kind of statement (by its
first words), of each COPY by table, and of the commits (where PostgreSQL checks the deferred
foreign keys of every row written). A COPY's time includes psycopg encoding its rows. A script,
not a timed test: compare runs on a quiet machine.
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=5_000)
parser.add_argument("--db-name", default="sendflow_plan_profile", help="the throwaway database")
args = parser.parse_args()

import django  # noqa: E402

django.setup()

import benchmark_deadlines  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from sendflow import bulk  # noqa: E402
from workflows import services  # noqa: E402

seconds: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)


def timed(label: str, began: float) -> None:
    seconds[label] += time.perf_counter() - began
    calls[label] += 1


def statement_timer(execute, sql, params, many, context):
    began = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        timed(" ".join(sql.split()[:4])[:70], began)


def copy_timer(rows_insert):
    def copy(model, *a, **kw):
        began = time.perf_counter()
        try:
            return rows_insert(model, *a, **kw)
        finally:
            timed(f"COPY {model._meta.db_table}", began)

    return copy


def commit_timer(commit):
    def timed_commit(wrapper):
        began = time.perf_counter()
        try:
            return commit(wrapper)
        finally:
            timed("COMMIT (deferred foreign-key checks)", began)

    return timed_commit


def run(ids: list[int], label: str) -> None:
    seconds.clear()
    calls.clear()
    began, cpu, server = time.perf_counter(), time.process_time(), benchmark_deadlines.server_cpu()
    with connection.execute_wrapper(statement_timer):
        for i in range(0, len(ids), 1000):
            with transaction.atomic():
                services.deadlines_recompute_many(case_ids=ids[i : i + 1000])
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu
    server = benchmark_deadlines.server_cpu() - server if server is not None else float("nan")
    count = len(ids)
    print(
        f"{label}: {count / wall:,.0f} cases/s ({wall:.2f} s wall); CPU per case: this process "
        f"{cpu / count * 1e6:,.0f} us, its PostgreSQL backend {server / count * 1e6:,.0f} us"
    )
    for name, spent in sorted(seconds.items(), key=lambda item: -item[1])[:12]:
        print(f"   {spent / count * 1e6:7.1f} us a case  {calls[name]:5,} x  {name}")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to PostgreSQL: COPY and the commit's checks are what it shows.")
    from django.db.backends.postgresql.base import DatabaseWrapper

    bulk.rows_insert = copy_timer(bulk.rows_insert)
    DatabaseWrapper._commit = commit_timer(DatabaseWrapper._commit)
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = args.db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        ids = benchmark_deadlines.seed_cases(args.cases, contacts=True, prefix="PROF")
        run(ids, "first compute (insert)")
        run(ids, "recompute (update)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
