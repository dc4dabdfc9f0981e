from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The audit trail (a leaf every app may call) and the second factor. Each app registers its
    own models for change history (workflows.apps, notifications.apps); subject access, erasure
    and retention compose every app's data, so they live on top (casework.case_records)."""

    name = "governance"
    verbose_name = "Audit trail"
