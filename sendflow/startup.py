"""Load the settings or stop with the one line that says what to set.

Every entry point (manage.py, the WSGI application, the Celery app) calls this first: a
start-up refusal (no secret key in production, the advice service's details unset...) would
otherwise reach the operator at the bottom of a traceback through Django's settings loader.
"""

import os
import sys


def settings_or_exit() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads sendflow/settings.py, which may refuse)
    except ImproperlyConfigured as refusal:
        print(f"sendflow will not start: {refusal}", file=sys.stderr)  # noqa: T201
        sys.exit(1)
