#!/usr/bin/env python
"""Where an import's time goes, with recompute-and-plan kept apart from the import's own work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sendflow .venv/bin/python \
        scripts/profile_import.py [--rows 10000] [--profile] [--top 40] [--db-name sendflow_profile]

In a throwaway database (TEST NAME `sendflow_profile`, or --db-name; dropped at the end), a
generated CSV like benchmark_scale.py's (a parent on SMS and email, decision_sent, a third with
certificate_issued) is imported by `import_cases` in this process. Printed: wall time of the
whole command and, apart, of parse_file (reading and checking), deadlines_recompute_many (which
also plans the outbox: not the import's own work), the audit events, and the commit (PostgreSQL
checks the deferred foreign keys of every row written then); the rest is the import's writing.
With --profile, cProfile's top functions by cumulative time too (profiling slows Python-heavy
parts more than database waits, so compare the split without it). A script, not a timed test.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=10_000)
parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
parser.add_argument("--top", type=int, default=40)
parser.add_argument("--db-name", default="sendflow_profile", help="the throwaway database")
args = parser.parse_args()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from casework import importing  # noqa: E402

spent: dict[str, float] = {}


def timed(owner, name: str, label: str) -> None:
    """Wrap owner.name so its wall time adds up under `label`."""
    original = getattr(owner, name)

    def wrapper(*a, **kw):
        started = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


def write_csv(path: Path, rows: int) -> None:
    rng, today = random.Random(rows), timezone.localdate()
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["reference", "parent_name", "email", "mobile", "channels", "placement_only"]
            + ["decision_sent", "certificate_issued"]
        )
        for i in range(rows):
            sent = today - timedelta(days=rng.randrange(1, 121))
            certificate = ""
            if rng.random() < 1 / 3:
                certificate = min(sent + timedelta(days=rng.randrange(7, 31)), today).isoformat()
            out.writerow(
                [
                    f"IMP-{i:07d}",
                    f"Parent {i} Example",
                    f"parent{i}@example.com",
                    f"07400 {i % 1_000_000:06d}",
                    "sms,email",
                    "no",
                    sent.strftime("%d/%m/%Y"),
                    certificate,
                ]
            )


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = args.db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        path = Path(tempfile.mkdtemp(prefix="sendflow-profile-")) / "caseload.csv"
        write_csv(path, args.rows)
        timed(importing, "parse_file", "parse_file (read and check)")
        timed(importing.services, "deadlines_recompute_many", "recompute and plan")
        timed(importing, "audit_record_many", "audit events")
        timed(connection, "commit", "commit (deferred foreign keys)")
        profile = cProfile.Profile()
        started = time.perf_counter()
        if args.profile:
            profile.enable()
        call_command("import_cases", str(path), stdout=io.StringIO())
        if args.profile:
            profile.disable()
        wall = time.perf_counter() - started
        print(f"import_cases of {args.rows:,} rows: {wall:.1f} s wall in this process")
        for label, seconds in spent.items():
            print(f"   {label:<34}{seconds:7.1f} s")
        rest = wall - sum(spent.values())
        print(f"   {'the rest (the import writing)':<34}{rest:7.1f} s")
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        path.unlink()
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
