from django.conf import settings
from django.utils.module_loading import import_string

from notifications.backends.base import Backend, SendError

__all__ = ["Backend", "SendError", "get_backend"]

SMS_BACKENDS = {
    "console": "notifications.backends.console.ConsoleSMSBackend",
    "file": "notifications.backends.file.FileSMSBackend",
    "locmem": "notifications.backends.locmem.LocmemSMSBackend",
    "twilio": "notifications.backends.twilio_sms.TwilioBackend",
    "notify": "notifications.backends.notify.NotifySMSBackend",
}
# EMAIL_BACKEND=notify (settings.py resolves it to the Django backend for Django's own emails):
# the outbox sends through the Notify backend, which can look a message up by reference.
NOTIFY_EMAIL = "notifications.backends.notify.NotifyDjangoEmailBackend"


def get_backend(channel: str) -> Backend:
    """The backend for "sms" (SMS_BACKEND: a short name or a dotted path) or "email"
    (EMAIL_BACKEND: Notify's own, else Django's mail through EmailBackend)."""
    if channel == "email":
        path = "notifications.backends.email.EmailBackend"
        if settings.EMAIL_BACKEND in ("notify", NOTIFY_EMAIL):
            path = "notifications.backends.notify.NotifyEmailBackend"
    else:
        path = SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    backend: type[Backend] = import_string(path)
    return backend()
