#!/usr/bin/env python
"""Benchmark the outbox pipeline and print its figures (a script, never a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/benchmark_dispatch.py [--sizes 10000,100000,1000000] [--burst 10000] \
        [--e2e 5000] [--worker prefork:2 --worker threads:8 ...] [--provider twilio|loopback]

1. One dispatch tick (services.messages_dispatch, enqueue=False): time and query count with
   1,000 due reminders among 10k, 100k and 1M pending rows; then, apart, the time to publish the
   1,000 ids to Redis (services.enqueue_sends).
2. A burst of 10,000 reminders due in the same minute: time until all are queued by dispatch
   ticks run back to back (with their publishing to Redis).
3. End to end: due reminders -> dispatch -> Redis -> ONE `celery worker` process (its pool as
   given) -> the real SMS backend -> a fake provider on 127.0.0.1: time until every row is sent.
   --provider twilio (default): the Twilio backend and SDK against tests/fakes/fake_twilio.py;
   loopback: tests/integration/fake_provider.py's minimal JSON API. Ids per send task come from
   SENDFLOW_SEND_CHUNK in the environment, as deployed.

Everything runs in a throwaway database (test_sendflow_bench, dropped at the end) and a
redis-server of its own on a free port (stopped at the end).
"""

import argparse
import atexit
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")

DUE = 1_000
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "auth-token-for-the-benchmark-0123"
TWILIO_FROM = "+447900000001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", str(folder), "--logfile", str(folder / "redis.log")),
        ]
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"redis-server did not start on port {port}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="pending rows in all")
    parser.add_argument("--runs", type=int, default=7, help="dispatch ticks timed at each size")
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--e2e", type=int, default=5_000, help="messages end to end")
    parser.add_argument(
        "--worker",
        action="append",
        help="pool:concurrency of the one worker process, e.g. prefork:2 or threads:8; "
        "repeat to compare (default prefork:2)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each --worker")
    parser.add_argument("--provider", choices=["twilio", "loopback"], default="twilio")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="the worker keeps its database connections this long (DATABASE_URL "
        "?conn_max_age=); default: as configured (0, a new connection for every task)",
    )
    parser.add_argument(
        "--worker-loglevel",
        default="INFO",
        help="the worker's --loglevel (INFO, as deployed, also logs every Twilio request)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the worker logs (printed path)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: tick,burst,e2e")
    return parser.parse_args()


args = parse_args()
_python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
_env = [
    f"{name}={value}"
    for name, value in sorted(os.environ.items())
    if name == "DATABASE_URL" or name.startswith(("SENDFLOW_", "CELERY_TASK_"))
]
print("$ " + shlex.join([*_env, _python, *sys.argv]))
WORK = Path(tempfile.mkdtemp(prefix="sendflow-bench-"))
REDIS, REDIS_PORT = start_redis(WORK)
atexit.register(REDIS.kill)  # however the script ends
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, DateTimeField  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications import services  # noqa: E402
from notifications.models import OutboundMessage  # noqa: E402
from sendflow.celery import app as celery_app  # noqa: E402
from workflows.models import (  # noqa: E402
    Case,
    Contact,
    Deadline,
)

Status = OutboundMessage.Status
broker = redis.Redis(host="127.0.0.1", port=REDIS_PORT)


# --- rows ----------------------------------------------------------------------------------------


def make_reminders(count: int, *, tag: str, send_at, due: date) -> list[int]:
    """`count` families, each with one appeal deadline and one SMS reminder for it."""
    now = timezone.now()
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
                send_at=send_at(i),
            )
            for i, (case, contact, deadline) in enumerate(
                zip(cases, contacts, deadlines, strict=True)
            )
        ),
        batch_size=5000,
    )
    return [m.id for m in messages]


def insert_filler(count: int, *, start, case_id: int, contact_id: int) -> None:
    """`count` pending reminders due later, one INSERT ... SELECT generate_series."""
    if count <= 0:
        return
    now = timezone.now()
    fixed = {
        "case_id": case_id,
        "contact_id": contact_id,
        "deadline_kind": "appeal",
        "kind": OutboundMessage.Kind.REMINDER,
        "channel": "sms",
        "offset": "1w",
        "status": Status.PENDING,
    }
    columns, values, params = [], [], []
    for field in OutboundMessage._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "send_at":
            values.append("%s::timestamptz + g * interval '1 second'")
            params.append(start)
            continue
        values.append("%s")
        if field.column in fixed:
            params.append(fixed[field.column])
        elif isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
            params.append(now)
        else:
            params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {OutboundMessage._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, count])


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutboundMessage._meta.db_table}")


def reset_to_pending(ids: list[int]) -> None:
    OutboundMessage.objects.filter(id__in=ids).update(
        status=Status.PENDING,
        claim_token=None,
        queued_at=None,
        sending_at=None,
        sent_at=None,
        provider_id="",
        attempts=0,
        to="",
        body="",
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- 1. one tick ---------------------------------------------------------------------------------


def bench_tick(sizes: list[int], runs: int) -> None:
    print(f"\n1. dispatch tick: {DUE:,} due among N pending, {runs} ticks each (median [min-max])")
    now = timezone.now()
    due_ids = make_reminders(
        DUE,
        tag="DUE",
        send_at=lambda i: now - timedelta(minutes=1) + timedelta(microseconds=i),
        due=timezone.localdate() + timedelta(days=30),
    )
    filler = Contact.objects.filter(case__reference="DUE-0000000").get()
    pending = DUE
    for size in sizes:
        insert_filler(
            size - pending,
            start=now + timedelta(days=1, seconds=pending),
            case_id=filler.case_id,
            contact_id=filler.id,
        )
        pending = size
        analyze()
        ticks, counts, breakdown = [], set(), None
        for _ in range(runs):
            reset_to_pending(due_ids)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                dispatch = services.messages_dispatch(now=now, enqueue=False)
                ticks.append(time.perf_counter() - started)
            assert sorted(dispatch.claimed) == due_ids, "the tick did not claim exactly the due"
            statements = [
                q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
            ]
            counts.add(len(statements))
            breakdown = breakdown or queries.captured_queries
        publish = []
        for _ in range(runs):
            broker.flushall()
            started = time.perf_counter()
            services.enqueue_sends(due_ids)
            publish.append(time.perf_counter() - started)
        tasks = broker.llen("celery")
        broker.flushall()
        print(
            f"   {size:>9,} pending: tick {ms(statistics.median(ticks))} "
            f"[{ms(min(ticks))}-{ms(max(ticks))}], "
            f"{'/'.join(map(str, sorted(counts)))} queries (+BEGIN/COMMIT); "
            f"publish {DUE:,} ids ({tasks} tasks of {settings.SENDFLOW_SEND_CHUNK}) "
            f"{ms(statistics.median(publish))} [{ms(min(publish))}-{ms(max(publish))}]"
        )
        for query in breakdown:
            print(f"{'':16}{float(query['time']) * 1000:7.1f} ms  {query['sql'][:90]}")
    OutboundMessage.objects.filter(id__in=due_ids).update(status=Status.SENT)
    print("   target: < 100 ms a tick, the same query count at every size")


# --- 2. a burst ----------------------------------------------------------------------------------


def bench_burst(count: int) -> None:
    pending = OutboundMessage.objects.filter(status=Status.PENDING).count()
    print(
        f"\n2. burst: {count:,} reminders due in the same minute ({pending:,} other pending rows)"
    )
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    ids = make_reminders(
        count,
        tag="BURST",
        send_at=lambda i: minute + timedelta(microseconds=i * 60_000_000 // count),
        due=timezone.localdate() + timedelta(days=30),
    )
    analyze()
    broker.flushall()
    now = timezone.now()
    started = time.perf_counter()
    ticks = []
    while True:
        tick = time.perf_counter()
        claimed = services.messages_dispatch(now=now).claimed  # publishes on commit
        ticks.append(time.perf_counter() - tick)
        if not claimed:
            break
    elapsed = time.perf_counter() - started
    queued = OutboundMessage.objects.filter(id__in=ids, status=Status.QUEUED).count()
    assert queued == count, f"only {queued} of {count} queued"
    print(
        f"   all {queued:,} queued in {elapsed:.2f} s by {len(ticks) - 1} ticks of "
        f"{settings.SENDFLOW_DISPATCH_BATCH:,} (+1 empty); a tick with publishing: median "
        f"{ms(statistics.median(ticks[:-1]))}, max {ms(max(ticks[:-1]))}; "
        f"{broker.llen('celery'):,} tasks in Redis"
    )
    print("   target: <= 5 s")
    OutboundMessage.objects.filter(id__in=ids).update(status=Status.SENT)
    broker.flushall()


# --- 3. end to end -------------------------------------------------------------------------------


class Provider:
    """The fake provider on 127.0.0.1 and the worker environment that points at it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind == "twilio":
            from tests.fakes.fake_twilio import FakeTwilio

            self.fake = FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN).start()
            self.env = {
                "SMS_BACKEND": "twilio",
                "TWILIO_ACCOUNT_SID": TWILIO_SID,
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "TWILIO_FROM_NUMBER": TWILIO_FROM,
                "TWILIO_API_BASE_URL": self.fake.url,
            }
        else:
            from tests.integration.fake_provider import LoopbackProvider

            self.fake = LoopbackProvider().start()
            self.env = {
                "SMS_BACKEND": "tests.integration.fake_provider.LoopbackSMSBackend",
                "FAKE_PROVIDER_URL": self.fake.url,
            }

    def references(self) -> list[str]:
        if self.kind == "twilio":
            return [
                parse_qs(urlsplit(m.status_callback or "").query).get("m", [""])[0]
                for m in list(self.fake.messages)
            ]
        return [ref for ref, n in self.fake.sends.items() for _ in range(n)]

    def stop(self) -> None:
        self.fake.stop()


def start_worker(pool: str, concurrency: int, provider: Provider, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    env = {
        **os.environ,
        **provider.env,
        "PYTHONPATH": str(BASE_DIR),
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '', safe='')}{password}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        + (f"?conn_max_age={args.conn_max_age}" if args.conn_max_age is not None else ""),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "SENDFLOW_QUIET_HOURS": "00:00-00:00",  # the worker runs on the real clock
    }
    name = f"bench-{pool}-{concurrency}@localhost"
    command = [
        str(BASE_DIR / ".venv" / "bin" / "celery"),
        *("-A", "sendflow", "worker", "--loglevel", args.worker_loglevel, "-n", name),
        *("--pool", pool, "--concurrency", str(concurrency)),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    db_options = urlsplit(env["DATABASE_URL"]).query
    print(
        f"   worker: {shlex.join(command[1:])}"
        + (f" (DATABASE_URL ?{db_options})" * bool(db_options))
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[name], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the worker did not start:\n{log.read_text(errors='replace')}")
    return process


def cpu_seconds(root: int) -> tuple[float, float]:
    """CPU seconds so far: process `root` with its children, and the whole machine busy."""
    tick = os.sysconf("SC_CLK_TCK")
    worker = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if root in (int(stat.parent.name), int(fields[1])):
            worker += int(fields[11]) + int(fields[12])
    # /proc/stat "cpu": user nice system idle iowait irq softirq steal ...
    times = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = sum(times) - times[3] - times[4]
    return worker / tick, busy / tick


def bench_end_to_end(count: int, workers: list[str], provider_kind: str) -> None:
    print(
        f"\n3. end to end: {count:,} due SMS reminders -> dispatch -> Redis -> one worker "
        f"process -> {provider_kind} backend -> fake provider on 127.0.0.1"
    )
    ids = make_reminders(
        count,
        tag="E2E",
        send_at=lambda i: timezone.now() - timedelta(minutes=1),
        due=timezone.localdate() + timedelta(days=30),
    )
    analyze()
    for spec in [spec for spec in workers for _ in range(args.repeat)]:
        pool, concurrency = spec.split(":")
        reset_to_pending(ids)
        broker.flushall()
        provider = Provider(provider_kind)
        log = WORK / f"worker-{pool}-{concurrency}.log"
        worker = start_worker(pool, int(concurrency), provider, log)
        try:
            (worker_cpu, busy_cpu), own_cpu = cpu_seconds(worker.pid), time.process_time()
            started = time.perf_counter()
            ticks = 0
            while services.messages_dispatch().claimed:
                ticks += 1
            dispatched = time.perf_counter() - started
            deadline = time.monotonic() + 600
            rows = OutboundMessage.objects.filter(id__range=(min(ids), max(ids)))
            while (sent := rows.filter(status=Status.SENT).count()) < count:
                if time.monotonic() > deadline:
                    raise SystemExit(f"only {sent} of {count} sent after 600 s; see {log}")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            worker_after, busy_after = cpu_seconds(worker.pid)
            worker_cpu, busy_cpu = worker_after - worker_cpu, busy_after - busy_cpu
            own_cpu = time.process_time() - own_cpu
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            provider.stop()
        references = provider.references()
        twice = len(references) - len(set(references))
        statuses = dict(
            OutboundMessage.objects.filter(id__in=ids).values_list("status").annotate(n=Count("id"))
        )
        print(
            f"   {pool}:{concurrency}: {count:,} sent in {elapsed:.2f} s = "
            f"{count / elapsed:,.0f} messages/s (dispatch: {ticks} ticks, {dispatched:.2f} s); "
            f"provider got {len(references):,} sends, {twice} duplicates; rows {statuses}"
        )
        print(
            f"{'':6}CPU: worker {worker_cpu:.1f} s ({worker_cpu / count * 1000:.1f} ms a message), "
            f"this process (dispatch, fake provider, polling) {own_cpu:.1f} s; the machine was "
            f"busy {busy_cpu:.1f} of {os.cpu_count() * elapsed:.1f} core-seconds; load average "
            f"{os.getloadavg()[0]:.2f}"
        )
    print("   target: >= 200 messages/s through one worker process")


def main() -> None:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    skip = set(args.skip.split(","))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(
        f"machine: {os.cpu_count()} CPUs; PostgreSQL {pg_version}; "
        f"Redis {broker.info()['redis_version']} on port {REDIS_PORT}; "
        f"SENDFLOW_DISPATCH_BATCH={settings.SENDFLOW_DISPATCH_BATCH}, "
        f"SENDFLOW_SEND_CHUNK={settings.SENDFLOW_SEND_CHUNK}"
    )
    if connection.vendor != "postgresql":
        print("note: the targets are set for PostgreSQL; set DATABASE_URL to measure them")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if "tick" not in skip:
            bench_tick(sizes, args.runs)
        if "burst" not in skip:
            bench_burst(args.burst)
        if "e2e" not in skip:
            bench_end_to_end(args.e2e, args.worker or ["prefork:2"], args.provider)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        REDIS.kill()
        REDIS.wait()
        if args.keep:
            print(f"\nworker logs kept in {WORK}")
        else:
            shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
