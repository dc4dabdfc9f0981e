"""The outbox's own checks in /healthz (sendflow.health runs them): the nightly recompute that
plans messages further ahead, and GOV.UK Notify's key and free texts, where it is used.
notifications.apps registers them when the app starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sendflow import health
from sendflow.health import CheckFailed, Warned
from workflows.words import counted

NIGHTLY_TASK = "notifications.tasks.deadlines_recompute_all_task"
NIGHTLY_STALE = timedelta(hours=49)  # two nights missed
NIGHTLY_START_GRACE = timedelta(hours=2)  # sent and waiting for a worker, or still running


def nightly() -> str:
    """Messages further ahead than the planner's horizon join the outbox on the nightly
    recompute: a night missed costs nothing, but it must not stop unseen. Read from the runs it
    records when it gets through every case (beat's last_run_at says only that it was sent)."""
    from django_celery_beat.models import PeriodicTask

    from notifications.plan_core import PLAN_AHEAD
    from workflows.models import RecomputeRun

    stops = f"reminders more than {PLAN_AHEAD.days} days ahead are not being planned"
    task = (
        PeriodicTask.objects.filter(task=NIGHTLY_TASK)
        .order_by("-enabled", "id")
        .values("enabled", "last_run_at", "date_changed")
        .first()
    )
    if task is None:
        raise CheckFailed(f"the nightly recompute is not scheduled: {stops}")
    if not task["enabled"]:
        raise CheckFailed(f"the nightly recompute is disabled: {stops}")
    now = timezone.now()
    whole = (
        RecomputeRun.objects.filter(finished_at__isnull=False, failed=0)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if whole is not None and now - whole <= NIGHTLY_STALE:
        return f"last completed {whole.isoformat()}"
    latest = RecomputeRun.objects.order_by("-started_at").first()
    if whole is None and latest is None:
        sent = task["last_run_at"]
        if sent is None:  # a new deployment before its first night, or a schedule never due
            if now - task["date_changed"] > NIGHTLY_STALE:
                raise CheckFailed(f"beat has never sent the nightly recompute: {stops}")
            return "not run yet"
        # Sent moments ago, or before this version recorded runs at all (its upgrade).
        if now - sent <= NIGHTLY_START_GRACE or sent <= _runs_recorded_since():
            return "not run yet"
        raise CheckFailed(f"the nightly recompute was sent {sent.isoformat()} but never ran")
    if latest is not None and latest.finished_at is None:
        if now - latest.started_at <= NIGHTLY_START_GRACE:
            return f"running since {latest.started_at.isoformat()}"
        raise CheckFailed(
            f"the nightly recompute started {latest.started_at.isoformat()} and did not finish: "
            f"{stops}"
        )
    if latest is not None and latest.failed:
        raise CheckFailed(
            f"the nightly recompute of {latest.started_at:%Y-%m-%d} left "
            f"{counted(latest.failed, 'case')} out: {stops} for them"
        )
    since = f"since {whole.isoformat()}" if whole else "ever"
    raise CheckFailed(f"the nightly recompute has not completed {since}: {stops}")


def _runs_recorded_since():
    """When the migration that records the nightly's runs (workflows.RecomputeRun) ran here."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = (
        MigrationRecorder.Migration.objects.filter(app="workflows", name="0014_recompute_runs")
        .values_list("applied", flat=True)
        .first()
    )
    return applied or timezone.now()


def notify() -> str:
    """A key Notify refuses fails every message through it: alarm until one goes again."""
    from notifications import notify_usage

    if problem := notify_usage.key_refused(now=timezone.now()):
        raise CheckFailed(problem)
    return "the API key is accepted"


def notify_allowance() -> str:
    """Texts through Notify are free up to a yearly allowance: say how much is used."""
    from notifications import notify_usage

    allowance = notify_usage.allowance(today=timezone.localdate())
    if allowance.warning:
        raise Warned(str(allowance))
    return str(allowance)


def provider_checks() -> dict[str, Callable[[], str]]:
    """The checks of the providers this deployment uses."""
    from notifications import notify_usage

    used = notify_usage.channels()
    checks: dict[str, Callable[[], str]] = {"notify": notify} if used else {}
    if "sms" in used:
        checks["notify_allowance"] = notify_allowance
    return checks


def checks_register() -> None:
    health.check_register("nightly", nightly, before="migrations")
    health.PROVIDER_CHECKS.append(provider_checks)
