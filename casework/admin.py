"""Found by the admin's autodiscovery: the ModelAdmins of the apps below, registered here, on top,
because a case's pages compose every app (its contacts, messages, tasks, history and search).
admin_governance re-registers the beat tables, users and groups, login lockouts, authenticator
apps and django-auditlog's log, whose own admins ran before (casework follows them in
INSTALLED_APPS)."""

from casework import admin_governance, admin_notifications, admin_workflows  # noqa: F401
