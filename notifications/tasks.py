"""Thin Celery tasks: load by id, call one service. Beat runs the periodic ones from
django-celery-beat rows made by a data migration (notifications/migrations)."""

import time
from collections.abc import Callable

from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def messages_send_task(message_ids: list[int]) -> None:
    # Redelivery after a crash is safe: each send claims its row queued -> sending first.
    started = time.monotonic()
    # Each provider call may take its full timeout; stop well before the soft time limit.
    room = settings.CELERY_TASK_SOFT_TIME_LIMIT - settings.TWILIO_TIMEOUT_SECONDS - 5
    for number, message_id in enumerate(message_ids):
        if time.monotonic() - started > room:
            services.enqueue_sends(message_ids[number:])  # the rest, in a fresh task
            return
        services.message_send(message_id=message_id)


@shared_task(ignore_result=True)
def messages_dispatch_task() -> int:
    return services.messages_dispatch_due()


# Housekeeping the apps above add to the sweep's run (casework.apps: abandoned import previews).
SWEEP_ALSO: list[Callable[[], object]] = []


@shared_task(ignore_result=True)
def messages_sweep_task() -> None:
    services.messages_sweep()
    for tidy in SWEEP_ALSO:  # casework: uploaded caseloads left between preview and confirm
        tidy()


# The whole caseload in one run: about a second a thousand cases, so a minute or more for a
# region's, past the default limits made for a send; cut short, the cases after the cut would
# never get their messages further ahead written (plan_core.PLAN_AHEAD). Still under Redis's
# hour of visibility, after which an unacknowledged task is delivered to a second worker.
@shared_task(ignore_result=True, soft_time_limit=50 * 60, time_limit=55 * 60)
def deadlines_recompute_all_task() -> int:
    """Nightly: every open case recomputed, then the adviser's checks of passed dates."""
    return services.deadlines_recompute_all()
