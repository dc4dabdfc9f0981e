#!/usr/bin/env python
"""The burst contest (issue 10 part 5): the naive design against sendflow's dispatch, printed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/benchmark_burst.py [--sizes 1000,10000] [--naive-timeout 3600] \
        [--cycle-window 120] [--db-name sendflow_burst]

One process, one throwaway PostgreSQL database (TEST NAME `sendflow_burst`, or --db-name; dropped
at the end),
and Celery pointed at kombu's in-memory transport (`memory://`, forced: nothing reaches a real
broker, no worker runs, nothing is sent). For each size N, the same N SMS reminders (N cases,
each with a parent, an appeal deadline and one pending `OutboundMessage`) are due at once, and:

**sendflow** (what beat's "dispatch due messages" row runs every minute): the rows are due one
minute ago; the clock starts, `notifications.services.messages_dispatch_due()` runs (called again
only if it stopped early), and the clock stops when it returns with all N rows claimed
(pending -> queued, `SELECT ... FOR UPDATE SKIP LOCKED` batches of SENDFLOW_DISPATCH_BATCH) and
their ids published to the in-memory broker after each batch's commit, SENDFLOW_SEND_CHUNK ids a
task. Printed apart: the same claim with `messages_dispatch(enqueue=False)` in a loop (no
publishing), after the rows are put back to pending. Not counted: up to a minute of waiting for
the next beat tick, since sendflow's beat row fires once a minute; the naive design wakes on
time, which is its one advantage and is stated, not hidden.

**naive** (what users build first): one django-celery-beat `ClockedSchedule` and one one-off
`PeriodicTask` (`clocked`, `one_off=True`, task `notifications.tasks.messages_send_task`, args
`[[message id]]`) per reminder, bulk-inserted (insertion is not timed), all at the same instant
T0, with the project's own beat rows disabled in this database so only the reminders are
scheduled. A `django_celery_beat.schedulers.DatabaseScheduler` is built against the project's
Celery app (broker `memory://`) and read the rows *before* T0 (as a running beat would have: its
schedule reloads whenever a PeriodicTask changes), then the script runs exactly celery beat's
`Service.start` loop: `interval = scheduler.tick()`; sleep `interval` if it is positive, then
`_do_sync()` if `should_sync()`. Every tick reads `scheduler.schedule`, which asks the database
whether the schedule changed (`PeriodicTasks.last_change`) and compares every entry of the old
and new schedule; each due entry is popped from the heap and its task published by
`task.apply_async` (one message per reminder); `sync_every` (180 s) writes the run entries back
(`last_run_at`, `total_run_count`), which marks the schedule changed, so the next tick reloads all
enabled rows and rebuilds the heap, as in production. The clock is the wall clock from T0 (the
clocked time) to the N-th successful `apply_async` (counted by wrapping the scheduler's
`apply_async`); "first" is T0 to the first one (how late beat woke). T0 is set, after a timed
dry read of the same rows, far enough ahead that the measured scheduler has loaded before T0; the
script says so if it did not. `DJANGO_CELERY_BEAT_TZ_AWARE`, `max_interval`, `sync_every` and
`beat_sync_every` are printed as used (all defaults here).

A burst that outlasts SCHEDULE_SYNC_MAX_INTERVAL (300 s from the scheduler's first read) meets
django-celery-beat 2.9's forced full reload, and never recovers (read from its source, and seen
here: the reloads are counted). The reload first syncs the reminders sent so far, each through
`ModelEntry.save()`, which fetches a fresh row (`no_changes` False) and so marks the schedule
changed; the heap rebuild then disables each one-off already run with another such save; so the
next tick reloads every enabled row again, sends one reminder, and the one it sent is synced and
disabled by the next reload: one reminder per full read of the remaining rows. On a loaded
2-core machine a 10,000 burst crosses that line (on 1 December 2026, at load 6, about 4,000 were
sent by then and each further one took about 3.4 s, so the rest would have taken hours). Once
the script sees ten reloads in a row with at most one reminder between them, it watches that pace
for --cycle-window seconds (120) and stops, printing what it measured (the time so far is a
floor for the naive side, so the ratio is printed as "more than") and, labelled as a projection,
how long the rest would take; --cycle-window 0 runs on to --naive-timeout instead.

Both sides publish real task messages into the same in-memory transport, so both include their
serialisation and broker hand-off, and neither includes a worker or a provider. The ratio is
naive / sendflow (claim and publish). Logging is at WARNING (LOG_LEVEL), so beat's per-task INFO
line ("Sending due task ...") is not written; a real beat writes one per reminder.
"""

import argparse
import json
import os
import shlex
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # never a real broker (a host: no warning)
os.environ.setdefault("LOG_LEVEL", "WARNING")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", default="1000,10000", help="reminders due at once, comma-separated")
parser.add_argument(
    "--naive-timeout",
    type=float,
    default=3600,
    help="stop the naive side after this many seconds past T0 and print how far it got",
)
parser.add_argument(
    "--cycle-window",
    type=float,
    default=120,
    help="once beat reloads every row before each reminder, watch its pace this many seconds "
    "and stop (0: run on to --naive-timeout)",
)
parser.add_argument(
    "--db-name", default="sendflow_burst", help="the throwaway database (dropped at the end)"
)
parser.add_argument(
    "--lead",
    type=float,
    default=None,
    help="seconds between the scheduler's read and T0 (default: 2x the dry read + 3 s)",
)
args = parser.parse_args()
sys.stdout.reconfigure(line_buffering=True)  # each line as it comes, into a log file too
_python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
_env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k == "DATABASE_URL"]
print("$ " + shlex.join([*_env, _python, *sys.argv]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_celery_beat.models import ClockedSchedule, PeriodicTask, PeriodicTasks  # noqa: E402
from django_celery_beat.schedulers import DatabaseScheduler  # noqa: E402

from notifications import services  # noqa: E402
from notifications.models import OutboundMessage  # noqa: E402
from sendflow.celery import app as celery_app  # noqa: E402
from workflows import words  # noqa: E402
from workflows.models import (  # noqa: E402
    Case,
    Contact,
    Deadline,
)

Status = OutboundMessage.Status
TASK = "notifications.tasks.messages_send_task"


def make_reminders(count: int, *, tag: str, send_at) -> list[int]:
    """`count` families, each with one appeal deadline and one pending SMS reminder for it."""
    now = timezone.now()
    due = timezone.localdate() + timedelta(days=30)
    cases = Case.objects.bulk_create(
        (Case(reference=f"{tag}-{i:07d}") for i in range(count)), batch_size=5000
    )
    contacts = Contact.objects.bulk_create(
        (
            Contact(
                case=case, name="Parent", mobile=f"+447{i:09d}", wants_sms=True, wants_email=False
            )
            for i, case in enumerate(cases)
        ),
        batch_size=5000,
    )
    deadlines = Deadline.objects.bulk_create(
        (
            Deadline(
                case=case,
                kind="appeal",
                due=due,
                owner="parent",
                rule="benchmark",
                confidence="PRIMARY",
                computed_at=now,
                aim_for=due,
                act_by=due,
            )
            for case in cases
        ),
        batch_size=5000,
    )
    messages = OutboundMessage.objects.bulk_create(
        (
            OutboundMessage(
                case=case,
                contact=contact,
                deadline=deadline,
                deadline_kind="appeal",
                kind=OutboundMessage.Kind.REMINDER,
                channel="sms",
                offset="1w",
                due_date=due,
                send_at=send_at,
            )
            for case, contact, deadline in zip(cases, contacts, deadlines, strict=True)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutboundMessage._meta.db_table}")
    return [m.id for m in messages]


def broker_count() -> int:
    """Task messages waiting in the in-memory transport's default queue."""
    with celery_app.connection_for_write() as conn:
        return conn.SimpleQueue(celery_app.conf.task_default_queue).qsize()


def broker_purge() -> None:
    with celery_app.connection_for_write() as conn:
        conn.SimpleQueue(celery_app.conf.task_default_queue).clear()


def reset_to_pending(ids: list[int]) -> None:
    OutboundMessage.objects.filter(id__in=ids).update(
        status=Status.PENDING, claim_token=None, queued_at=None
    )


# --- sendflow ------------------------------------------------------------------------------------


def run_sendflow(ids: list[int]) -> float:
    count = len(ids)
    broker_purge()
    started = time.perf_counter()
    total, calls = 0, 0
    while total < count:
        claimed = services.messages_dispatch_due()
        calls += 1
        total += claimed
        if not claimed:
            break
    elapsed = time.perf_counter() - started
    queued = OutboundMessage.objects.filter(id__in=ids, status=Status.QUEUED).count()
    tasks = broker_count()
    assert queued == count, f"sendflow queued only {queued} of {count}"
    print(
        f"   sendflow: all {count:,} claimed and published in {elapsed:.3f} s "
        f"(messages_dispatch_due called {words.counted(calls, 'time')}; {tasks:,} task "
        f"messages of up to "
        f"{settings.SENDFLOW_SEND_CHUNK} ids in the broker)"
    )
    # The claim alone, for the record: back to pending, then enqueue=False ticks.
    reset_to_pending(ids)
    broker_purge()
    started = time.perf_counter()
    ticks = []
    while True:
        tick = time.perf_counter()
        claimed = services.messages_dispatch(enqueue=False).claimed
        ticks.append(time.perf_counter() - tick)
        if not claimed:
            break
    claim_only = time.perf_counter() - started
    queued = OutboundMessage.objects.filter(id__in=ids, status=Status.QUEUED).count()
    assert queued == count, f"the claim-only loop queued {queued} of {count}"
    print(
        f"   sendflow, claim only (messages_dispatch(enqueue=False) x {len(ticks) - 1} + 1 "
        f"empty, batches of {settings.SENDFLOW_DISPATCH_BATCH:,}): {claim_only:.3f} s"
    )
    OutboundMessage.objects.filter(id__in=ids).update(status=Status.SENT)
    broker_purge()
    return elapsed


# --- naive ---------------------------------------------------------------------------------------


class CountingScheduler(DatabaseScheduler):
    """The real DatabaseScheduler; apply_async is wrapped only to count and time hand-offs, and
    all_as_schedule (the full read of every enabled row) only to count reloads."""

    sent = 0
    first_at = last_at = None

    def __init__(self, *a, **kw):
        self.reloads: list[tuple[float, int]] = []  # (when, reminders sent by then)
        super().__init__(*a, **kw)

    def all_as_schedule(self):
        self.reloads.append((time.time(), self.sent))
        return super().all_as_schedule()

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        if entry.task == TASK:
            now = time.time()
            self.first_at = self.first_at or now
            self.last_at = now
            self.sent += 1
        return result


def make_naive(ids: list[int], at) -> None:
    """One ClockedSchedule and one one-off PeriodicTask per reminder (bulk: not timed)."""
    clocks = ClockedSchedule.objects.bulk_create(
        (ClockedSchedule(clocked_time=at) for _ in ids), batch_size=5000
    )
    PeriodicTask.objects.bulk_create(
        (
            PeriodicTask(
                name=f"reminder {message_id}",
                task=TASK,
                args=json.dumps([[message_id]]),
                clocked=clock,
                one_off=True,
            )
            for message_id, clock in zip(ids, clocks, strict=True)
        ),
        batch_size=5000,
    )
    PeriodicTasks.update_changed()  # what save() would have done, so beat reloads


NAIVE_FLOOR: dict[int, float] = {}  # size -> seconds the naive side ran without finishing


def _reloading_per_reminder(reloads: list[tuple[float, int]], t0_ts: float) -> bool:
    """The last 10 full reads, all after T0, came with at most one reminder sent between each."""
    recent = reloads[-10:]
    return (
        len(recent) == 10
        and recent[0][0] > t0_ts
        and recent[-1][1] - recent[0][1] <= len(recent) - 1
    )


def run_naive(ids: list[int]) -> float | None:
    count = len(ids)
    broker_purge()
    # The rows first, inside beat's 5-minute window for clocked tasks, then a timed dry read.
    make_naive(ids, timezone.now() + timedelta(seconds=240))
    started = time.perf_counter()
    dry = CountingScheduler(app=celery_app)
    dry.close()
    dry_read = time.perf_counter() - started
    lead = args.lead if args.lead is not None else 2 * dry_read + 3
    t0 = timezone.now() + timedelta(seconds=lead)
    ClockedSchedule.objects.filter(periodictask__task=TASK).update(clocked_time=t0)
    PeriodicTasks.update_changed()
    t0_ts = t0.timestamp()

    started = time.perf_counter()
    scheduler = CountingScheduler(app=celery_app)  # reads every enabled row
    interval = scheduler.tick()  # builds the heap; nothing is due yet
    loaded = time.perf_counter() - started
    loaded_before_t0 = time.time() < t0_ts and scheduler.sent == 0
    print(
        f"   naive: {count:,} one-off PeriodicTasks; DatabaseScheduler read them and built its "
        f"heap in {loaded:.2f} s, {'before' if loaded_before_t0 else 'AFTER'} T0 "
        f"(dry read {dry_read:.2f} s; T0 = read + {lead:.1f} s); max_interval "
        f"{scheduler.max_interval} s, sync_every {scheduler.sync_every} s, beat_sync_every "
        f"{scheduler.sync_every_tasks or 0}, DJANGO_CELERY_BEAT_TZ_AWARE "
        f"{getattr(settings, 'DJANGO_CELERY_BEAT_TZ_AWARE', True)}"
    )
    ticks, syncs = 1, 0
    give_up = t0_ts + args.naive_timeout
    report_at = t0_ts + 60
    cycle = None  # (when, sent): beat began reloading every row before each reminder
    # celery.beat.Service.start, as it is (plus a line a minute, so a long run shows its pace).
    while scheduler.sent < count and time.time() < give_up:
        if interval and interval > 0.0:
            time.sleep(interval)
            if scheduler.should_sync():
                scheduler._do_sync()
                syncs += 1
        interval = scheduler.tick()
        ticks += 1
        now = time.time()
        if now >= report_at:
            print(
                f"   naive: {scheduler.sent:,} of {count:,} {now - t0_ts:.0f} s after T0 "
                f"({len(scheduler.reloads)} full reads of the rows so far)"
            )
            report_at += 60
        if cycle is None and _reloading_per_reminder(scheduler.reloads, t0_ts):
            cycle = (now, scheduler.sent)
            print(
                f"   naive: from {now - t0_ts:.0f} s after T0 ({scheduler.sent:,} sent), beat "
                "reads every enabled row again before each reminder (see the docstring)"
            )
        if cycle is not None and args.cycle_window and now - cycle[0] >= args.cycle_window:
            break
    scheduler.close()
    tasks = broker_count()
    if scheduler.sent < count:
        stopped = time.time() - t0_ts
        reason = (
            f"stopped {args.cycle_window:.0f} s into that cycle"
            if cycle is not None and args.cycle_window and stopped < args.naive_timeout
            else "gave up"
        )
        print(
            f"   naive: {reason} {stopped:.0f} s after T0 with {scheduler.sent:,} of {count:,} "
            f"handed to the broker ({tasks:,} task messages): it takes MORE than {stopped:.0f} s"
        )
        if cycle is not None and scheduler.sent > cycle[1]:
            pace = (time.time() - cycle[0]) / (scheduler.sent - cycle[1])
            left = count - scheduler.sent
            print(
                f"   naive: in the cycle, {pace:.2f} s a reminder with {left:,} still enabled; "
                f"each full read shrinks as reminders go, so the rest would take about "
                f"{pace * left / 2 / 60:,.0f} more minutes (a projection, not a measurement)"
            )
        NAIVE_FLOOR[count] = stopped
        elapsed = None
    else:
        elapsed = scheduler.last_at - t0_ts
        print(
            f"   naive: all {count:,} handed to the broker {elapsed:.3f} s after T0 (first "
            f"{scheduler.first_at - t0_ts:.3f} s after T0; {ticks:,} ticks, "
            f"{words.counted(syncs, 'sync')} between sleeps; {tasks:,} task messages in the broker)"
        )
    # Not timed: one DELETE each, without the per-row delete signal (beat is gone by now).
    PeriodicTask.objects.filter(task=TASK)._raw_delete(PeriodicTask.objects.db)
    ClockedSchedule.objects.filter(periodictask__isnull=True)._raw_delete(
        ClockedSchedule.objects.db
    )
    PeriodicTasks.update_changed()
    broker_purge()
    return elapsed


def main() -> None:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL server: the contest is for PostgreSQL")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = args.db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        print(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; PostgreSQL "
            f"{version}; database {connection.settings_dict['NAME']}; broker "
            f"{celery_app.conf.broker_url}; SENDFLOW_DISPATCH_BATCH="
            f"{settings.SENDFLOW_DISPATCH_BATCH}, SENDFLOW_SEND_CHUNK="
            f"{settings.SENDFLOW_SEND_CHUNK}"
        )
        # Only the reminders are scheduled: the project's own beat rows are switched off here.
        disabled = PeriodicTask.objects.filter(enabled=True).update(enabled=False)
        PeriodicTasks.update_changed()
        print(f"   ({disabled} beat rows from the migrations disabled in this database)")
        results = []
        for size in sizes:
            print(f"\n{size:,} reminders due at once")
            ids = make_reminders(
                size, tag=f"BURST{size}", send_at=timezone.now() - timedelta(minutes=1)
            )
            ours = run_sendflow(ids)
            naive = run_naive(ids)
            results.append((size, naive, ours))
            if naive is not None:
                print(f"   ratio naive / sendflow: {naive / ours:,.0f}x")
        print("\nsummary (seconds until all N were handed to the broker)")
        for size, naive, ours in results:
            if naive is not None:
                naive_text, ratio = f"{naive:8.2f} s", f"{naive / ours:,.0f}x"
            else:  # unfinished: what it ran is a floor, and so is the ratio
                floor = NAIVE_FLOOR[size]
                naive_text, ratio = f"> {floor:6.0f} s (unfinished)", f"> {floor / ours:,.0f}x"
            print(f"   {size:>7,}: naive {naive_text}, sendflow {ours:6.3f} s, ratio {ratio}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
