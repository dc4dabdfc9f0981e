"""The nightly recompute of every open case, in batches."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from workflows import services
from workflows.models import Case, RecomputeRun

# The name the single services module logged under, kept so log filters and alerts still match.
logger = logging.getLogger("workflows.services")


RECOMPUTE_RUNS_KEPT = timedelta(days=90)


def deadlines_recompute_open_cases(*, batch: int = 1000) -> int:
    """Recompute every open case in batches, each its own transaction; return the count.

    A batch locks its cases until it commits (about a second for a thousand), so an adviser's
    save waits at most for one batch; in id order, so a batch's rows sit close together. Each
    run is recorded (RecomputeRun), its end only when it got through every batch."""
    run = RecomputeRun.objects.create(started_at=timezone.now())
    # A run a night, kept for a season: enough to see when the runs stopped or slowed.
    RecomputeRun.objects.filter(started_at__lt=run.started_at - RECOMPUTE_RUNS_KEPT).delete()
    ids = list(
        Case.objects.filter(status=Case.Status.OPEN).order_by("id").values_list("id", flat=True)
    )
    failed: list[list[int]] = []
    reached = 0
    try:
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            # A batch that fails (a deadlock with an adviser's save, a lost connection) is tried
            # once more, then left for the end: the rest of the night's cases still get theirs.
            for attempt in (1, 2):
                try:
                    # Through the package, as when this lived in services.py: whoever
                    # replaces services.deadlines_recompute_many (a test) replaces it here too.
                    services.deadlines_recompute_many(case_ids=chunk)
                    break
                except DatabaseError:
                    logger.exception(
                        "Nightly recompute: cases %s to %s failed (attempt %s)",
                        chunk[0],
                        chunk[-1],
                        attempt,
                    )
            else:
                failed.append(chunk)
            reached = i + len(chunk)
    finally:
        # Also when cut short (the task's time limit, a worker stopping): the cases it did not
        # reach count as left out, so /healthz says so at once.
        run.finished_at = timezone.now()
        run.cases, run.failed = len(ids), sum(map(len, failed)) + len(ids) - reached
        try:
            run.save(update_fields=["finished_at", "cases", "failed"])
        except DatabaseError:  # the connection that stopped the run: it stays unfinished
            logger.exception("Nightly recompute: its run could not be recorded")
    if failed:
        raise NightlyRecomputeIncomplete(
            f"{sum(map(len, failed))} of {len(ids)} open cases were not recomputed "
            f"(case ids {', '.join(f'{c[0]}-{c[-1]}' for c in failed)}); the rest were"
        )
    return len(ids)


class NightlyRecomputeIncomplete(Exception):
    """Some batches of the nightly recompute failed twice; the task fails so monitors see it."""
