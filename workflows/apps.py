from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Cases and deadlines"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from workflows.models import Case, Contact, Deadline, GivenDate, KeyDate, Route

        # Change history with before and after values. The family link's token is never
        # written into the log; tasks are written by the pipeline (their own history is in
        # their rows).
        auditlog.register(Case, exclude_fields=["access_token", "updated_at", "created_at"])
        auditlog.register(Contact, exclude_fields=["opt_out_token"])
        auditlog.register(Route)
        auditlog.register(KeyDate, exclude_fields=["recorded_at"])
        auditlog.register(GivenDate, exclude_fields=["recorded_at"])
        auditlog.register(
            Deadline, include_fields=["status", "status_reason", "override_date", "override_reason"]
        )
