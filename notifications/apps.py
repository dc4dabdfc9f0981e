from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Contacts and messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from notifications import health, planner
        from notifications.models import ReminderPolicy, Suppression
        from workflows import services as workflow_services

        # Change history of the settings advisers change; the outbox is written by the
        # pipeline (its own history is in its rows).
        auditlog.register(ReminderPolicy)
        auditlog.register(Suppression)
        # Every write of a case's dates re-plans its messages: the outbox builds on workflows,
        # so it tells workflows how.
        workflow_services.messages_planner_set(planner.messages_plan)
        health.checks_register()
