from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Contacts and messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from notifications.models import ReminderPolicy, Suppression

        # Change history of the settings advisers change; the outbox is written by the
        # pipeline (its own history is in its rows).
        auditlog.register(ReminderPolicy)
        auditlog.register(Suppression)
