from django.conf import settings
from django.utils.module_loading import import_string

from notifications.backends.base import Backend, SendError

__all__ = ["Backend", "SendError", "get_backend"]

SMS_BACKENDS = {
    "console": "notifications.backends.console.ConsoleSMSBackend",
    "file": "notifications.backends.file.FileSMSBackend",
    "locmem": "notifications.backends.locmem.LocmemSMSBackend",
    "twilio": "notifications.backends.twilio_sms.TwilioBackend",
}


def get_backend(channel: str) -> Backend:
    """The backend for "sms" (SMS_BACKEND: a short name or a dotted path) or "email"."""
    if channel == "email":
        path = "notifications.backends.email.EmailBackend"
    else:
        path = SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()
