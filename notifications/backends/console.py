"""Console backends for development: each message becomes log lines instead of going out.

A message carries the family's private links, so its text goes at DEBUG only; INFO names the
message and a masked address. Settings turn DEBUG on for these loggers outside production.
"""

import logging
import uuid
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from notifications.backends.base import Backend
from sendflow.privacy import mask_email, mask_phone

sms_logger = logging.getLogger("sendflow.sms")
email_logger = logging.getLogger("sendflow.email")


class ConsoleSMSBackend(Backend):
    """Log each text instead of sending it: the default SMS_BACKEND."""

    channel = "sms"

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reference: str,
        html: str = "",
        unsubscribe_url: str = "",
    ) -> str:
        provider_id = f"console-{uuid.uuid4()}"
        sms_logger.info("SMS message %s to %s logged", reference, mask_phone(to))
        sms_logger.debug("SMS message %s to %s:\n%s", reference, to, body)
        return provider_id


class ConsoleEmailBackend(BaseEmailBackend):
    """Django's console email backend as log lines: the default EMAIL_BACKEND.

    Django's own prints every email whole to standard output, which in a container is the log.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            reference = message.extra_headers.get("X-Sendflow-Reference", "-")
            recipients = ", ".join(mask_email(address) for address in message.recipients())
            email_logger.info("Email message %s to %s logged", reference, recipients)
            email_logger.debug(
                "Email message %s:\n%s", reference, message.message().as_string(unixfrom=False)
            )
        return len(email_messages)
