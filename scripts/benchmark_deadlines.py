#!/usr/bin/env python
"""Benchmark the deadline engine and print its figures (a script, never a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/benchmark_deadlines.py [--cases 100000] [--orm-cases 10000] [--with-contacts]

1. Pure rules: cases per second through rules.compute_deadlines on one core.
2. Recompute and store through the ORM (workflows.services.deadlines_recompute_many), first
   insert then update, into a throwaway test database that is dropped at the end.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from notifications import plan_core  # noqa: E402
from notifications.models import OutboundMessage  # noqa: E402
from workflows import rules, services  # noqa: E402
from workflows.models import (  # noqa: E402
    Case,
    Contact,
    Deadline,
    KeyDate,
)


def synthetic_events(rng: random.Random) -> dict[str, date]:
    """A plausible mix: every case has a decision; many a certificate; some EHC and reviews."""
    sent = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 3650))
    events = {"decision_sent": sent}
    if rng.random() < 0.5:
        events["mediation_requested"] = sent + timedelta(days=rng.randrange(1, 40))
        events["mediation_concluded"] = events["mediation_requested"] + timedelta(days=30)
        events["certificate_issued"] = events["mediation_concluded"] + timedelta(days=3)
    if rng.random() < 0.2:
        events["ehc_request_received"] = sent - timedelta(days=rng.randrange(100, 200))
    if rng.random() < 0.1:
        events["review_meeting"] = sent - timedelta(days=rng.randrange(10, 30))
    return events


def bench_rules(count: int) -> None:
    rng = random.Random(2026)
    cases = [
        rules.Facts(events=synthetic_events(rng), placement_only=rng.random() < 0.1)
        for _ in range(count)
    ]
    rules.compute_deadlines(cases[0])  # warm the holiday cache
    started, cpu = time.perf_counter(), time.process_time()
    produced = sum(len(rules.compute_deadlines(facts)) for facts in cases)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"pure rules: {count:,} cases, {produced:,} deadlines in {elapsed:.2f} s ({cpu:.2f} s CPU)"
    )
    print(
        f"pure rules: {count / elapsed:,.0f} cases/s on one core, {count / cpu:,.0f} per CPU "
        f"second (target >= 20,000; load average {os.getloadavg()[0]:.1f})"
    )


def server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs on
    this machine (read from /proc): on a shared machine, CPU says more than wall time. None on
    SQLite, which runs inside this process (its CPU is already in the process's figure)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed_cases(
    count: int, *, contacts: bool, prefix: str = "BENCH", events=synthetic_events
) -> list[int]:
    """`count` cases with key dates from `events` (synthetic_events unless told) and, with
    `contacts`, a parent on SMS and email each (so a recompute also plans their outbox);
    returns their ids."""
    rng = random.Random(7)
    cases = Case.objects.bulk_create(Case(reference=f"{prefix}-{i:06d}") for i in range(count))
    KeyDate.objects.bulk_create(
        KeyDate(case=case, event=event, value=value)
        for case in cases
        for event, value in events(rng).items()
    )
    if contacts:  # each family also gets its outbox planned: summary and reminders, 2 channels
        Contact.objects.bulk_create(
            Contact(
                case=case,
                name="Parent",
                email=f"parent{case.id}@example.com",
                mobile="+447400123456",
                wants_sms=True,
                wants_email=True,
            )
            for case in cases
        )
    return [case.id for case in cases]


def bench_orm(count: int, batch: int, contacts: bool, *, events=synthetic_events) -> None:
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if connection.vendor != "postgresql":
        print("note: the target is set for PostgreSQL; set DATABASE_URL to measure it")
    ids = seed_cases(count, contacts=contacts, events=events)
    for label in ("first compute (insert)", "recompute (update)"):
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        for i in range(0, count, batch):
            with transaction.atomic():
                failures = services.deadlines_recompute_many(case_ids=ids[i : i + batch])
            assert not failures, failures
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = server_cpu() - server if server is not None else None
        rows = Deadline.objects.count()
        messages = OutboundMessage.objects.count()
        print(
            f"ORM {label}: {count:,} cases ({rows:,} deadline rows, {messages:,} outbox rows) "
            f"in {elapsed:.2f} s = {count / elapsed:,.0f} cases/s (target >= 2,000), "
            f"batches of {batch:,}"
        )
        if contacts:  # what a case costs is mostly its messages: say how many it has
            print(
                f"    {messages / count:.1f} planned messages a case in the outbox "
                f"({messages / elapsed:,.0f} outbox rows/s when each is written); those due "
                f"more than {plan_core.PLAN_AHEAD.days} days ahead join it on a later night"
            )
        print(
            f"    CPU: this process {cpu:.2f} s"
            + (
                f", its PostgreSQL backend {server:.2f} s: {count / (cpu + server):,.0f} cases "
                "per CPU second of both"
                if server is not None
                else ""
            )
            + f"; the rest of the wall time is waiting (load average {os.getloadavg()[0]:.1f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--orm-cases", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument(
        "--with-contacts",
        action="store_true",
        help="give each case a parent on SMS and email, so recompute also plans the outbox",
    )
    args = parser.parse_args()

    bench_rules(args.cases)
    old_name = connection.settings_dict["NAME"]
    # Its own database, so it never collides with a test run's test_<name>, nor with another
    # benchmark run against another database on the same server.
    connection.settings_dict["TEST"]["NAME"] = f"{old_name}_benchmark"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        bench_orm(args.orm_cases, args.batch, args.with_contacts)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
