import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from sendflow.startup import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
settings_or_exit()

app = Celery("sendflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger, **kwargs) -> None:
    """A worker replaces the console handler settings.LOGGING made: mask on its handlers too."""
    from sendflow.privacy import RedactingFilter

    for handler in logger.handlers:
        handler.addFilter(RedactingFilter())
