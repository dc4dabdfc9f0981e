"""Found by the admin's autodiscovery: the ModelAdmins of the apps below, registered here, on top,
because a case's pages compose every app (its contacts, messages, tasks, history and search)."""

from casework import admin_notifications, admin_workflows  # noqa: F401  (they register)
