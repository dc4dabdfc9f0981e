from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """The screens that compose the other apps: the admin site, Today, the case and family pages,
    import, search and history. On top: it imports the others, nothing imports it."""

    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework import import_previews
        from notifications import tasks

        tasks.SWEEP_ALSO.append(import_previews.remove_abandoned)
