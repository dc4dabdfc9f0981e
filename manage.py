#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendflow.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads sendflow/settings.py, which may refuse)
    except ImproperlyConfigured as refusal:
        # A start-up refusal (no secret key in production...) says what to set in one line;
        # a traceback through Django's settings loader would bury it.
        sys.exit(f"sendflow will not start: {refusal}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
