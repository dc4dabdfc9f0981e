"""benchmark_scale.py's seed: the generated CSV for (a) and the cases for (c) and (d), seeded
through the ORM and cloned in SQL (see benchmark_scale.py's docstring for what is made and how).

Imported by scripts/benchmark_scale.py after django.setup(); not a script of its own.
"""

import csv
import random
import time
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboundMessage
from workflows import services, words
from workflows.models import AdviserTask, Case, Contact, Deadline, KeyDate, Route, RouteKind

Status = OutboundMessage.Status
TODAY = timezone.localdate()


def say(text: str = "") -> None:
    print(text, flush=True)


def dates_for(rng: random.Random) -> dict[str, date]:
    """decision_sent in the last 4 months; a third also have a certificate, not after today."""
    sent = TODAY - timedelta(days=rng.randrange(1, 121))
    events = {"decision_sent": sent}
    if rng.random() < 1 / 3:
        events["certificate_issued"] = min(sent + timedelta(days=rng.randrange(7, 31)), TODAY)
    return events


def empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Case._meta.db_table} RESTART IDENTITY CASCADE")


def counts() -> str:
    return (
        f"{Case.objects.count():,} cases, {Deadline.objects.count():,} deadlines, "
        f"{OutboundMessage.objects.count():,} outbox rows"
    )


# --- (a) import's CSV -----------------------------------------------------------------------------


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["reference", "parent_name", "email", "mobile", "channels", "placement_only"]
            + ["decision_sent", "certificate_issued"]
        )
        for i in range(rows):
            events = dates_for(rng)
            certificate = events.get("certificate_issued")
            out.writerow(
                [
                    f"IMP-{i:07d}",
                    f"Parent {i} Example",
                    f"parent{i}@example.com",
                    f"07400 {i % 1_000_000:06d}",
                    "sms,email",
                    "no",
                    events["decision_sent"].strftime("%d/%m/%Y"),
                    certificate.isoformat() if certificate else "",
                ]
            )


# --- seed ----------------------------------------------------------------------------------------


def advisers() -> list[int]:
    User = get_user_model()
    ids = []
    for i in range(10):
        user, _ = User.objects.get_or_create(
            username=f"adviser{i}", defaults={"is_staff": True, "email": f"a{i}@iass.example"}
        )
        ids.append(user.id)
    return ids


def seed(start: int, stop: int) -> None:
    """Cases start..stop-1 with route, parent, key dates, then deadlines and outbox planned."""
    if stop <= start:
        return
    rng = random.Random(start)
    adviser_ids = advisers()
    kinds = list(RouteKind.values)
    now = timezone.now()
    began = time.perf_counter()
    made = 0
    for chunk in range(start, stop, 10_000):
        numbers = range(chunk, min(chunk + 10_000, stop))
        cases = Case.objects.bulk_create(
            (
                Case(
                    reference=f"SC-{i:07d}",
                    adviser_id=adviser_ids[i % 10] if rng.random() < 0.8 else None,
                    local_authority="Hampshire County Council",
                )
                for i in numbers
            ),
            batch_size=5000,
        )
        Route.objects.bulk_create(
            (Route(case=case, kind=kinds[case.id % len(kinds)]) for case in cases),
            batch_size=5000,
        )
        Contact.objects.bulk_create(
            (
                Contact(
                    case=case,
                    role=Contact.Role.PARENT,
                    name=f"Parent {case.reference}",
                    email=f"{case.reference.lower()}@example.com",
                    mobile=f"+447400{case.id % 1_000_000:06d}",
                    wants_sms=True,
                    wants_email=True,
                    consent_at=now,
                    consent_source=Contact.ConsentSource.IMPORT,
                )
                for case in cases
            ),
            batch_size=5000,
        )
        KeyDate.objects.bulk_create(
            (
                KeyDate(
                    case=case,
                    event=event,
                    value=value,
                    source=KeyDate.Source.IMPORT,
                    confirmed=True,
                )
                for case in cases
                for event, value in dates_for(rng).items()
            ),
            batch_size=5000,
        )
        made += len(cases)
    inserted = time.perf_counter() - began
    ids = list(
        Case.objects.filter(reference__gte=f"SC-{start:07d}", reference__lt=f"SC-{stop:07d}")
        .order_by("id")
        .values_list("id", flat=True)
    )
    began = time.perf_counter()
    for i in range(0, len(ids), 1000):
        with transaction.atomic():
            failures = services.deadlines_recompute_many(case_ids=ids[i : i + 1000])
        assert not failures, failures
    planned = time.perf_counter() - began
    began = time.perf_counter()
    low, high = ids[0], ids[-1]
    OutboundMessage.objects.filter(
        case_id__gte=low, case_id__lte=high, status=Status.PENDING, send_at__lt=now
    ).update(status=Status.SENT, sent_at=now)
    messages = OutboundMessage.objects.filter(case_id__gte=low, case_id__lte=high)
    with connection.cursor() as cursor:
        table = OutboundMessage._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET status = CASE WHEN id %% 100 < 2 THEN %s ELSE %s END, "
            "last_error = 'benchmark: provider said no' "
            "WHERE case_id BETWEEN %s AND %s AND (id %% 100 < 3)",
            [Status.FAILED, Status.UNKNOWN, low, high],
        )
    Case.objects.filter(id__range=(low, high), id__in=ids[::50]).update(reminders_paused=True)
    AdviserTask.objects.bulk_create(
        (
            AdviserTask(
                case_id=case_id,
                kind=AdviserTask.Kind.CHECK_DEADLINE,
                text="benchmark: check the family has the certificate",
            )
            for case_id in ids[::20]
        ),
        batch_size=5000,
    )
    settle()
    touched = time.perf_counter() - began
    say(
        f"   seeded {made:,} cases (SC-{start:07d}..SC-{stop - 1:07d}): bulk_create of cases, "
        f"routes, parents and key dates {inserted:.1f} s; deadlines and outbox by "
        f"deadlines_recompute_many in batches of 1,000 {planned:.1f} s "
        f"({made / planned:,.0f} cases/s); statuses, pauses and tasks by UPDATE {touched:.1f} s. "
        f"Now {counts()}, {messages.count():,} of them for these cases, "
        f"{AdviserTask.objects.filter(done_at__isnull=True).count():,} open tasks"
    )


TEMPLATE_TOP: dict = {}


def settle() -> None:
    """VACUUM ANALYZE: the tables as autovacuum leaves them soon after a bulk load (PostgreSQL
    13+ vacuums after inserts too), with statistics and a visibility map, so index-only scans
    read no heap. The lists are measured in the state advisers meet all day, not in the minute
    after a load."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def clone(copies_from: int, copies_to: int) -> None:
    """Copies k = copies_from..copies_to-1 of the template (the first seeded block), in SQL.

    Each table's rows of the template are inserted again with ids shifted by k times the
    template's largest id, foreign keys shifted alike, new references and unique tokens."""
    models = [Case, Route, Contact, KeyDate, Deadline, OutboundMessage, AdviserTask]
    top = TEMPLATE_TOP  # each table's largest id when the template was first cloned
    if not top:
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                top[model] = cursor.fetchone()[0]
    template = Case.objects.filter(id__lte=top[Case]).count()
    assert template == top[Case], "the template's case ids are not 1..n"
    special = {
        (Case, "reference"): "'SC-' || lpad((id + {off} - 1)::text, 7, '0')",
        (Case, "access_token"): "substr(md5(random()::text || id::text), 1, 22)",
        (Contact, "opt_out_token"): "substr(md5(random()::text || id::text), 1, 16)",
        # A parent's name and email carry the case's reference, as seeded: shifted with it, so
        # a search finds each family once, not once per copy.
        (Contact, "name"): "'Parent SC-' || lpad((case_id + {off} - 1)::text, 7, '0')",
        (Contact, "email"): "'sc-' || lpad((case_id + {off} - 1)::text, 7, '0') || '@example.com'",
    }
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for k in range(copies_from, copies_to):
            for model in models:
                columns, values = [], []
                for field in model._meta.concrete_fields:
                    column = connection.ops.quote_name(field.column)
                    columns.append(column)
                    if field.primary_key:
                        values.append(f"{column} + {k * top[model]}")
                    elif field.is_relation and field.related_model in top:
                        values.append(f"{column} + {k * top[field.related_model]}")
                    elif (model, field.column) in special:
                        values.append(special[(model, field.column)].format(off=k * top[Case]))
                    else:
                        values.append(column)
                table = model._meta.db_table
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                    f"FROM {table} WHERE id <= %s",
                    [top[model]],
                )
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    settle()
    say(
        f"   cloned the first {template:,} seeded cases "
        f"{words.counted(copies_to - copies_from, 'time')} by "
        f"INSERT ... SELECT (ids, foreign keys, references, parents' names and emails and "
        f"tokens shifted; dates, outbox and tasks as seeded) in "
        f"{time.perf_counter() - began:.1f} s. Now {counts()}"
    )


def grow(current: int, size: int, template: int) -> None:
    """From `current` seeded cases to `size`: seeded up to the template, cloned beyond it."""
    if current < template:
        seed(current, min(size, template))
        current = min(size, template)
    if size > current:
        copies = (size - current) // template
        if copies:
            clone(current // template, current // template + copies)
            current += copies * template
        seed(current, size)
