"""/healthz for operators and their monitors: the database, the broker, beat's last dispatch, the
nightly recompute and the migrations (and GOV.UK Notify's key and free texts, where it is used),
each with its state. 200 when every check passes, 503 when
one fails. No login (a monitor has none) and nothing personal: states, times and counts only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sendflow.words import counted

DISPATCH_TASK = "notifications.tasks.messages_dispatch_task"


class CheckFailed(Exception):
    pass


def database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "answers"


def broker() -> str:
    from sendflow.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.SENDFLOW_HEALTH_TIMEOUT)
        return f"{connection.transport_cls} answers"


def beat() -> str:
    from django_celery_beat.models import PeriodicTask

    last = (
        PeriodicTask.objects.filter(task=DISPATCH_TASK, enabled=True)
        .exclude(last_run_at__isnull=True)
        .order_by("-last_run_at")
        .values_list("last_run_at", flat=True)
        .first()
    )
    if last is None:
        raise CheckFailed("beat has never dispatched (is it running, and the task enabled?)")
    age = timezone.now() - last
    if age > timedelta(seconds=settings.SENDFLOW_BEAT_STALE_SECONDS):
        raise CheckFailed(f"last dispatched {last.isoformat()}, {int(age.total_seconds())} s ago")
    return f"last dispatched {last.isoformat()}"


def migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CheckFailed(f"{counted(len(plan), 'migration')} not applied")
    return "all applied"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database,
    "broker": broker,
    "beat": beat,
    "migrations": migrations,
}


class Warned(Exception):
    """Worth a person's look, not a failure: /healthz stays 200."""


# The checks of the providers this deployment uses: each app that talks to one adds a function
# returning its checks by name (notifications.health: GOV.UK Notify's key and allowance).
PROVIDER_CHECKS: list[Callable[[], dict[str, Callable[[], str]]]] = []


def check_register(name: str, check: Callable[[], str], *, before: str) -> None:
    """An app's own check, shown in its place among the others (the order /healthz lists)."""
    items = [(k, v) for k, v in CHECKS.items() if k != name]
    at = next(i for i, (k, _) in enumerate(items) if k == before)
    items.insert(at, (name, check))
    CHECKS.clear()
    CHECKS.update(items)


def provider_checks() -> dict[str, Callable[[], str]]:
    """The checks of the providers this deployment uses."""
    checks: dict[str, Callable[[], str]] = {}
    for found in PROVIDER_CHECKS:
        checks.update(found())
    return checks


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in {**CHECKS, **provider_checks()}.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except Warned as exc:
            results[name] = {"ok": True, "warning": True, "detail": str(exc)}
        except CheckFailed as exc:
            results[name] = {"ok": False, "detail": str(exc)}
        except Exception as exc:  # a check that cannot run is a failing check
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: could not check"}
    return results


@never_cache
@require_GET
def healthz(request):
    results = run_checks()
    ok = all(r["ok"] for r in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "failing", "checks": results}, status=200 if ok else 503
    )
