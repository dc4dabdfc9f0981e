from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who looked at or acted on a case, when, and from where: what the change history
    (django-auditlog's LogEntry) does not hold. Append-only: rows are never updated, and only a
    superuser may delete them."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened the case page"
        PAUSE = "pause", "Paused reminders"
        RESUME = "resume", "Resumed reminders"
        RETRY = "retry", "Retried a message"
        SEND_TEST = "send_test", "Sent a test message"
        ASSIGN = "assign", "Assigned the case"
        NEW_LINK = "new_link", "Sent a new family link"
        EXPORT = "export", "Exported everything held"
        ERASE = "erase", "Erased the personal data"
        IMPORT = "import", "Imported from a CSV file"
        OPT_OUT = "opt_out", "Family opted out on the web"
        STOP = "stop", "Family texted STOP"
        START = "start", "Family texted START"
        FAMILY_DATE = "family_date", "Family recorded a date"
        DEADLINE_MOVED = "deadline_moved", "A computed date moved"
        TWO_FACTOR_ON = "two_factor_on", "Turned on two-factor sign-in"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as written: the person's login name outlives their account.
    actor_name = models.CharField("who", max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    case = models.ForeignKey(
        "workflows.Case", models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    case_reference = models.CharField("case", max_length=40, blank=True)
    ip = models.GenericIPAddressField("from", null=True, blank=True)
    # What was done, without personal data: ids, counts, masked addresses, field names.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [  # the audit list filtered by case, newest first
            models.Index(fields=["case", "at"], name="audit_by_case"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or ("the family" if self.action in FAMILY_ACTIONS else "the system")
        return f"{self.get_action_display()} {self.case_reference} by {who}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)


FAMILY_ACTIONS = {
    AuditEvent.Action.OPT_OUT,
    AuditEvent.Action.STOP,
    AuditEvent.Action.START,
    AuditEvent.Action.FAMILY_DATE,
}
