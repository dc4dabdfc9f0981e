"""Running an old data migration's step against today's app registry (as a few tests do): the
migration names Contact and AdviserTask where they lived then, in notifications; they live in
workflows since its migration 0021."""

from django.apps import apps as live_apps

MOVED = {("notifications", "contact"): "workflows", ("notifications", "advisertask"): "workflows"}


def today_label(app_label: str, model_name: str) -> str:
    return MOVED.get((app_label, model_name.lower()), app_label)


class TodaysApps:
    """The live registry, answering to the migration's names."""

    def get_model(self, app_label, model_name=None):
        if model_name is None:
            app_label, model_name = app_label.split(".")
        return live_apps.get_model(today_label(app_label, model_name), model_name)

    def __getattr__(self, name):
        return getattr(live_apps, name)


apps = TodaysApps()
