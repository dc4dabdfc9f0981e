from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Figures for a period, for the service's manager: counts only, never a family's details.

    On top of the other apps (casework layer): it reads cases, deadlines, the outbox, tasks and
    the audit trail, and nothing below imports it."""

    name = "reports"
    verbose_name = "Reports"
