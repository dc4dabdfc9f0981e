import smtplib
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notifications.backends.base import Backend, SendError

try:  # django-anymail is optional at run time: only ESP deployments configure it
    from anymail.exceptions import (
        AnymailAPIError,
        AnymailInvalidAddress,
        AnymailRecipientsRefused,
    )
except ImportError:  # pragma: no cover
    AnymailAPIError = AnymailInvalidAddress = AnymailRecipientsRefused = ()


class EmailBackend(Backend):
    """Email through Django's EMAIL_BACKEND (console, file, SMTP, or an ESP via anymail)."""

    channel = "email"

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
        headers = {"X-Sendflow-Reference": reference, "Message-ID": message_id(reference)}
        if unsubscribe_url:
            # RFC 8058: the mail client's unsubscribe button POSTs List-Unsubscribe=One-Click
            # to the stop URL, which stops this address's emails without a page.
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        service_email = settings.SENDFLOW_ADVICE_SERVICE_EMAIL
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=from_address(),
            to=[to],
            reply_to=[formataddr((settings.SENDFLOW_ADVICE_SERVICE_NAME, service_email))]
            if service_email
            else None,
            headers=headers,
        )
        if html:
            message.attach_alternative(html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()] or [550]
            # 5xx: the address is bad; 4xx (greylisting, mailbox full): try again later.
            raise SendError(
                f"Address refused: {exc.recipients}", permanent=min(codes) >= 500
            ) from exc
        except (AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
            raise SendError(f"Address refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            raise SendError(f"Our mail settings were refused: {exc}", config=True) from exc
        except (ConnectionRefusedError, smtplib.SMTPConnectError) as exc:
            raise SendError(f"Mail server unreachable: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx replies are final; 4xx ask us to try again later.
            raise SendError(f"SMTP {exc.smtp_code}: {exc}", permanent=exc.smtp_code >= 500) from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
            raise SendError(f"No answer from the mail server: {exc}", ambiguous=True) from exc
        except AnymailAPIError as exc:
            status = getattr(exc, "status_code", None) or 0
            if status in (401, 403):
                raise SendError(f"Email provider refused our key: {exc}", config=True) from exc
            if 400 <= status < 500 and status != 429:
                raise SendError(f"Email provider refused: {exc}", permanent=True) from exc
            raise SendError(f"Email provider error: {exc}", ambiguous=status >= 500) from exc
        except OSError as exc:
            raise SendError(f"Email not sent: {exc}") from exc
        status = getattr(message, "anymail_status", None)
        return (status and status.message_id) or f"email-{reference}"


def from_address() -> str:
    """DEFAULT_FROM_EMAIL's address under the advice service's name: families know the service,
    not sendflow."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    service = settings.SENDFLOW_ADVICE_SERVICE_NAME or name
    return formataddr((service, address)) if address else settings.DEFAULT_FROM_EMAIL


def message_id(reference: str) -> str:
    """The same Message-ID on every attempt at one message, so a resend after an unknown
    outcome shows once in the family's mail client."""
    host = urlsplit(settings.SENDFLOW_PUBLIC_URL).hostname or "sendflow.invalid"
    return f"<sendflow-message-{reference}@{host}>"
