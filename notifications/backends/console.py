import logging
import uuid

from notifications.backends.base import Backend

logger = logging.getLogger("sendflow.sms")


class ConsoleSMSBackend(Backend):
    """Log each text instead of sending it: the default for development."""

    channel = "sms"

    def send(self, *, to: str, subject: str, body: str, reference: str) -> str:
        logger.info("SMS to %s (ref %s):\n%s", to, reference, body)
        return f"console-{uuid.uuid4()}"
