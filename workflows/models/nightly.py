"""The nightly recompute's record of its runs."""

from django.db import models


class RecomputeRun(models.Model):
    """One run of the recompute of every open case: nightly, and after a reminder policy changes.

    It is what writes a message to the outbox once its day comes within ten weeks
    (notifications.plan_core.PLAN_AHEAD), so /healthz reads when one last finished whole: beat's
    own record says only that the task was sent."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)  # unset: running, or it died
    cases = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)  # cases in batches that failed twice

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Recompute of {self.started_at:%Y-%m-%d %H:%M}"
