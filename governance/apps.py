from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """Who may see a family, what was done to their case, subject access, erasure, retention."""

    name = "governance"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from notifications.models import ReminderPolicy, Suppression
        from workflows.models import Case, Contact, Deadline, GivenDate, KeyDate, Route

        # Change history with before and after values. The family link's token is never
        # written into the log; the outbox and tasks are written by the pipeline (their own
        # history is in their rows).
        auditlog.register(Case, exclude_fields=["access_token", "updated_at", "created_at"])
        auditlog.register(Contact, exclude_fields=["opt_out_token"])
        auditlog.register(Route)
        auditlog.register(KeyDate, exclude_fields=["recorded_at"])
        auditlog.register(GivenDate, exclude_fields=["recorded_at"])
        auditlog.register(
            Deadline, include_fields=["status", "status_reason", "override_date", "override_reason"]
        )
        auditlog.register(ReminderPolicy)
        auditlog.register(Suppression)
