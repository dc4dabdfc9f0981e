#!/usr/bin/env python
"""Issue 10's "Must show" figures at a region's scale, printed with the command that made them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/benchmark_scale.py [--import-sizes 10000,50000] [--plan-cases 10000] \
        [--nightly 100000] [--list-sizes 10000,100000] [--runs 5] \
        [--skip-import] [--skip-plan] [--skip-nightly] [--skip-lists]

Everything runs in a throwaway PostgreSQL database (TEST NAME `sendflow_scale`, or --db-name,
dropped at the end; its tables are emptied between parts). A script, never a timed test.

(a) Import: a generated CSV (reference, parent_name, email, mobile, channels `sms,email`,
    placement_only `no`, decision_sent spread over the 4 months up to yesterday, so the appeal
    dates fall from two months ago to two months ahead; a third also have certificate_issued, 7
    to 30 days after the decision and never after today) imported by
    `python manage.py import_cases FILE` in a child process. Wall time, rows/s, the child's CPU
    and peak memory (its own ru_maxrss from os.wait4, not the database server's).
(b) Recompute and plan: benchmark_deadlines.py's ORM part with --with-contacts (a parent on SMS
    and email, so each recompute also plans the outbox), first insert then update, cases/s: on
    the issue's date mix (decisions spread over ten years, most reminders beyond the outbox's
    ten-week horizon), then on the seed's (a) mix, where nearly every reminder is within it.
(c) Nightly: `workflows.services.deadlines_recompute_open_cases()` over N open cases, wall time:
    tonight, then a day on (time-machine), when it also plans what came within the horizon.
(d) Lists: each adviser list (the case list with each filter and sort, the outbox and the tasks
    with each filter and sort, the dashboard), in this process through django.test.Client
    logged in as a superuser, then a few as adviser0 (an Adviser: own and unassigned cases):
    one warm-up, then --runs timed GETs (median and p95, the p95 interpolated from that many
    runs) and one more GET under CaptureQueriesContext for the query count and the time spent
    in SQL. Server time here is Django's whole request (middleware, queries, template), no
    network. --keep leaves the database for EXPLAIN ANALYZE.

The cases for (c) and (d) are seeded, not imported: bulk_create for cases, one route, one parent
(SMS and email) and key dates each (the same date mix as the CSV), then their deadlines and
outbox by `deadlines_recompute_many` in batches of 1,000 (each batch its own transaction, timed
and printed), then a realistic outbox state by UPDATE: messages due before now marked sent, about
2% failed and 1% unknown, 2% of cases paused, 80% assigned among 10 advisers, and an open task on
5% of cases besides the ones the planner made. Beyond the first --template cases (10,000, or the
smallest size if less) the seed is generated faster: copies of that first block by INSERT ...
SELECT, every id and foreign key shifted, references and unique tokens new, so the dates repeat
the first block's mix. The output says which way each block was made. After each block,
VACUUM ANALYZE (as autovacuum leaves the tables soon after a load).
"""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--import-sizes", type=sizes, default=[10_000, 50_000])
parser.add_argument("--plan-cases", type=int, default=10_000)
parser.add_argument("--nightly", type=int, default=100_000, help="open cases for (c)")
parser.add_argument("--list-sizes", type=sizes, default=[10_000, 100_000])
parser.add_argument(
    "--template",
    type=int,
    default=10_000,
    help="cases seeded through deadlines_recompute_many; larger sizes clone them in SQL",
)
parser.add_argument("--runs", type=int, default=5, help="timed GETs per list (after a warm-up)")
parser.add_argument(
    "--db-name", default="sendflow_scale", help="the throwaway database (dropped at the end)"
)
parser.add_argument("--skip-import", action="store_true")
parser.add_argument("--skip-plan", action="store_true")
parser.add_argument("--skip-nightly", action="store_true")
parser.add_argument("--skip-lists", action="store_true")
parser.add_argument(
    "--only", default="", help="time only the lists whose label holds this text (e.g. today)"
)
parser.add_argument(
    "--keep", action="store_true", help="leave the database there (for EXPLAIN ANALYZE)"
)
args = parser.parse_args()
_python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
_env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k == "DATABASE_URL"]
print("$ " + shlex.join([*_env, _python, *sys.argv]), flush=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from scale_seed import (  # noqa: E402
    TODAY,
    Status,
    counts,
    dates_for,
    empty_tables,
    grow,
    say,
    settle,  # noqa: F401 (benchmark_report.py calls scale.settle)
    write_csv,
)

from notifications.models import OutboundMessage  # noqa: E402
from workflows import services, words  # noqa: E402
from workflows.models import AdviserTask, Case  # noqa: E402

# --- (a) import ----------------------------------------------------------------------------------


def child_database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'] or '', safe='')}{password}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def bench_import(row_counts: list[int]) -> None:
    say("\n(a) import_cases of a generated CSV, in a child process")
    folder = Path(tempfile.mkdtemp(prefix="sendflow-scale-"))
    env = {**os.environ, "DATABASE_URL": child_database_url(), "PYTHONPATH": str(BASE_DIR)}
    for rows in row_counts:
        empty_tables()
        path = folder / f"caseload-{rows}.csv"
        write_csv(path, rows)
        command = [sys.executable, "manage.py", "import_cases", str(path)]
        say(f"   $ DATABASE_URL=<{connection.settings_dict['NAME']}> {shlex.join(command)}")
        log = folder / f"import-{rows}.log"
        with log.open("wb") as out:
            started = time.perf_counter()
            child = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=out)
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        lines = log.read_text(errors="replace").strip().splitlines()
        if child.returncode != 0:
            say(f"   exit {child.returncode}: " + " | ".join(lines[-5:]))
            continue
        say(f"   {lines[-1] if lines else '(no output)'}")
        say(
            f"   {rows:,} rows in {elapsed:.1f} s wall = {rows / elapsed:,.0f} rows/s; child CPU "
            f"{usage.ru_utime + usage.ru_stime:.1f} s; peak memory {usage.ru_maxrss / 1024:,.0f} "
            f"MB (ru_maxrss); wrote {counts()}"
        )
        path.unlink()
    say("   target: 50,000 rows in under 90 s and under 400 MB")


# --- (b) recompute and plan ----------------------------------------------------------------------


def bench_plan(count: int) -> None:
    import benchmark_deadlines

    say(
        f"\n(b) recompute and plan with a parent on SMS and email: benchmark_deadlines.bench_orm"
        f"({count:,} cases, batches of 1,000, with contacts)"
    )
    say("   the issue's mix: decisions spread from 2025 to 2034 (most reminders far ahead)")
    empty_tables()
    benchmark_deadlines.bench_orm(count, 1000, True)
    say(
        "   a caseload's mix, as seeded below: decisions in the last 4 months (nearly every "
        "reminder within the outbox's horizon, so the most rows a case writes)"
    )
    empty_tables()
    benchmark_deadlines.bench_orm(count, 1000, True, events=dates_for)
    say("   target: >= 2,000 cases/s on first insert and on update")


# --- (c) nightly ---------------------------------------------------------------------------------


def bench_nightly() -> None:
    import time_machine
    from benchmark_deadlines import server_cpu

    open_cases = Case.objects.filter(status=Case.Status.OPEN).count()
    say(f"\n(c) nightly recompute: deadlines_recompute_open_cases() over {open_cases:,} open cases")
    # Tonight finds the outbox as the seed left it; the next night, a day on, also plans the
    # messages that have come within the planner's horizon (plan_core.PLAN_AHEAD) meanwhile.
    for label, later in (("tonight", timedelta(0)), ("the next night", timedelta(days=1))):
        before = OutboundMessage.objects.count()
        with time_machine.travel(timezone.now() + later, tick=True):
            started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
            done = services.deadlines_recompute_open_cases()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = server_cpu() - server if server is not None else None
        say(
            f"   {label}: {done:,} cases in {elapsed:.1f} s wall = {done / elapsed:,.0f} cases/s, "
            f"{OutboundMessage.objects.count() - before:,} outbox rows added ({counts()}); "
            "target: 100,000 in under 120 s"
        )
        say(
            f"      CPU: this process {cpu:.1f} s"
            + (f", its PostgreSQL backend {server:.1f} s" if server is not None else "")
            + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


# --- (d) lists -----------------------------------------------------------------------------------


def superuser():
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def adviser_login():
    """adviser0 in the Adviser group, as adviser_create makes one: own and unassigned cases."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.get(username="adviser0")
    user.groups.add(Group.objects.get(name="Adviser"))
    return user


def sort_urls(model, base: str, label: str, user) -> list[tuple[str, str]]:
    """Every column a change list lets one sort by, both ways, by its index (checkbox is 0)."""
    request = RequestFactory().get(base)
    request.user = user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    urls = []
    for index, name in enumerate(changelist.list_display):
        if name in changelist.sortable_by and changelist.get_ordering_field(name):
            urls.append((f"{label}, sorted by {name}", f"{base}?o={index}"))
            urls.append((f"{label}, sorted by {name} desc", f"{base}?o=-{index}"))
    return urls


def last_page(model, base: str, user) -> int:
    """The number of a change list's last page (its page numbers count from 1)."""
    request = RequestFactory().get(base)
    request.user = user
    return admin.site._registry[model].get_changelist_instance(request).paginator.num_pages


def case_list_urls(user) -> list[tuple[str, str]]:
    base = "/admin/workflows/case/"
    urls = [("case list, default", base), ("case list, cases=mine", f"{base}?cases=mine")]
    for value in ("passed", "due_5wd", "four_weeks", "family_dates"):
        urls.append((f"case list, urgency={value}", f"{base}?urgency={value}"))
    for value in ("messages", "tasks", "none"):
        urls.append((f"case list, problems={value}", f"{base}?problems={value}"))
    urls.append(("case list, route=appeal", f"{base}?routes__kind__exact=appeal"))
    adviser = get_user_model().objects.get(username="adviser0")
    urls.append(("case list, adviser=adviser0", f"{base}?adviser__id__exact={adviser.id}"))
    urls.append(("case list, status=open", f"{base}?status__exact=open"))
    urls.append(("case list, paused=yes", f"{base}?reminders_paused__exact=1"))
    urls.append(("case list, search", f"{base}?q=SC-0000123"))
    # A broad term (a common surname, say): SC-0001 finds the 1,000 references SC-0001000..1999.
    urls.append(("case list, search finding 1,000 families", f"{base}?q=SC-0001"))
    # SC-001 finds SC-0010000..SC-0019999: none at 10,000 cases, 10,000 from 20,000 on.
    urls.append(("case list, search finding 10,000 families", f"{base}?q=SC-001"))
    urls.append(("case list, last page", f"{base}?p={last_page(Case, base, user)}"))
    return urls + sort_urls(Case, base, "case list", user)


def other_urls(user) -> list[tuple[str, str]]:
    base = "/admin/notifications/outboundmessage/"
    urls = [("outbox, default", base)]
    for status in Status.values:
        urls.append((f"outbox, status={status}", f"{base}?status__exact={status}"))
    urls.append(("outbox, status=failed,unknown", f"{base}?status__in=failed,unknown"))
    for channel in ("sms", "email"):
        urls.append((f"outbox, channel={channel}", f"{base}?channel__exact={channel}"))
    for kind in OutboundMessage.Kind.values:
        urls.append((f"outbox, kind={kind}", f"{base}?kind__exact={kind}"))
    adviser = get_user_model().objects.get(username="adviser0")
    urls.append(("outbox, adviser=adviser0", f"{base}?adviser={adviser.id}"))
    urls.append(("outbox, adviser=none", f"{base}?adviser=none"))
    month = TODAY.replace(day=1)
    urls.append(
        ("outbox, this month", f"{base}?send_at__year={month.year}&send_at__month={month.month}")
    )
    urls.append(("outbox, one case", f"{base}?case__id__exact=123"))
    urls.append(("outbox, search", f"{base}?q=SC-0000123"))
    urls.append(("outbox, search finding 1,000 families", f"{base}?q=SC-0001"))
    urls.append(("outbox, search finding 10,000 families", f"{base}?q=SC-001"))
    urls += sort_urls(OutboundMessage, base, "outbox", user)
    tasks = "/admin/workflows/advisertask/"
    urls += [
        ("adviser tasks, default", tasks),
        ("adviser tasks, state=open", f"{tasks}?state=open"),
        ("adviser tasks, state=done", f"{tasks}?state=done"),
    ]
    for kind in AdviserTask.Kind.values:
        urls.append((f"adviser tasks, kind={kind}", f"{tasks}?kind__exact={kind}"))
    urls.append(("adviser tasks, adviser=adviser0", f"{tasks}?state=open&adviser={adviser.id}"))
    urls += sort_urls(AdviserTask, tasks, "adviser tasks", user)
    urls.append(("admin index (dashboard)", "/admin/"))
    urls.append(("today, everyone", "/admin/today/"))
    urls.append(("today, adviser=adviser0", f"/admin/today/?adviser={adviser.id}"))
    urls.append(("today, unassigned or adviser left", "/admin/today/?adviser=none"))
    return urls


def adviser_urls() -> list[tuple[str, str]]:
    """The same lists as adviser0 sees them: own and unassigned cases only."""
    return [
        ("as adviser0: case list, default (mine)", "/admin/workflows/case/"),
        ("as adviser0: case list, cases=all", "/admin/workflows/case/?cases=all"),
        ("as adviser0: case list, urgency=passed", "/admin/workflows/case/?urgency=passed"),
        ("as adviser0: outbox, default", "/admin/notifications/outboundmessage/"),
        ("as adviser0: adviser tasks, state=open", "/admin/workflows/advisertask/?state=open"),
        ("as adviser0: admin index (dashboard)", "/admin/"),
        ("as adviser0: today", "/admin/today/"),
    ]


def bench_lists(size: int, runs: int) -> None:
    say(
        f"\n(d) adviser lists at {Case.objects.count():,} cases ({counts()}); "
        f"{runs} warm GETs each after one warm-up, as a superuser, then as adviser0"
    )
    if "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = superuser()
    client = Client()
    client.force_login(user)
    as_adviser = Client()
    as_adviser.force_login(adviser_login())
    say(f"   {'list':<48}{'median':>10}{'p95':>10}{'max':>10}{'queries':>9}{'in SQL':>9}")
    slow = []
    pages = [(client, label, url) for label, url in case_list_urls(user) + other_urls(user)]
    pages += [(as_adviser, label, url) for label, url in adviser_urls()]
    pages = [page for page in pages if args.only in page[1]]
    for who, label, url in pages:
        response = who.get(url)
        if response.status_code != 200:
            say(f"   {label:<48} HTTP {response.status_code} at {url}")
            continue
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            who.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            who.get(url)
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if runs > 1 else median
        if p95 >= 300:
            slow.append(label)
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        say(
            f"   {label:<48}{median:>8.0f} ms{p95:>7.0f} ms{max(times):>7.0f} ms"
            f"{len(queries):>9}{sql:>6.0f} ms"
        )
    say(
        f"   target: under 300 ms each; at {size:,} cases {len(slow)} of "
        f"{words.counted(len(pages), 'list')} had "
        f"a p95 of 300 ms or more" + (f": {', '.join(slow)}" if slow else "")
    )


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = args.db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        say(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; PostgreSQL "
            f"{version}; database {connection.settings_dict['NAME']}; today {TODAY}"
        )
        if not args.skip_import:
            bench_import(args.import_sizes)
        if not args.skip_plan:
            bench_plan(args.plan_cases)
        steps = sorted(
            {*([] if args.skip_lists else args.list_sizes)}
            | ({args.nightly} if not args.skip_nightly else set())
        )
        if steps:
            empty_tables()
            say("\nseed for (c) and (d), grown size by size:")
        seeded = 0
        template = min(args.template, steps[0]) if steps else 0
        for size in steps:
            grow(seeded, size, template)
            seeded = size
            if not args.skip_lists and size in args.list_sizes:
                bench_lists(size, args.runs)
            if not args.skip_nightly and size == args.nightly:
                bench_nightly()
    finally:
        connection.close()
        if args.keep:
            say(f"\nkept the database {args.db_name}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
