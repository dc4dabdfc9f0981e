"""What a log line or a shared screen may show of a family: masked addresses, no private links.

The one place that masks. Log lines name message ids and masked addresses; `RedactingFilter` is
the net under that for lines we do not write ourselves (Django's request log prints paths, and
/f/<token>/ is a family's private page).
"""

from __future__ import annotations

import logging
import re

from django.views.decorators.cache import cache_control

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# E.164 (+447700900123) or UK national (07700 900123) numbers, with or without spaces or dashes.
_PHONE = re.compile(r"(?:\+|\b0)\d(?:[ -]?\d){8,13}\b")
# The family's page and the opt-out page carry their token in the path.
_PRIVATE_LINK = re.compile(r"(/(?:f|stop)/)[A-Za-z0-9_-]+")
_PRIVATE_LINK_TOKEN = re.compile(r"(/(?:f|stop)/)([A-Za-z0-9_-]+)")


def mask_phone(number: str) -> str:
    """+447700900123 -> +4477******23: enough to tell two numbers apart, not to ring one."""
    number = str(number)
    if len(number) <= 7:
        return "*" * max(len(number) - 2, 0) + number[-2:]
    return number[:5] + "*" * (len(number) - 7) + number[-2:]


def mask_email(address: str) -> str:
    """jane@example.com -> j***@example.com."""
    name, at, domain = str(address).partition("@")
    if not at:
        return "***"
    return f"{name[:1]}***@{domain}"


def mask_address(address: str) -> str:
    """Mask an email address or a phone number, whichever it is."""
    if not address:
        return ""
    return mask_email(address) if "@" in str(address) else mask_phone(address)


def phone_ending(number: str) -> str:
    """How a page shows a family their own number: the last three digits."""
    return f"a mobile ending {str(number)[-3:]}"


def mask_token(token: str) -> str:
    """A private link's token as an admin screen shows it: enough to tell two apart."""
    return f"{str(token)[:4]}…" if token else ""


def mask_links(text: str) -> str:
    """Shorten the token of every family-page and opt-out link in `text` (a message body)."""
    return _PRIVATE_LINK_TOKEN.sub(lambda m: m.group(1) + mask_token(m.group(2)), text)


def redact(text: str) -> str:
    """Mask every email address and phone number in `text`, and drop private link tokens."""
    text = _PRIVATE_LINK.sub(r"\1***", text)
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    return _PHONE.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group())), text)


class RedactingFilter(logging.Filter):
    """Rewrite a record at INFO or above (and its traceback) with `redact`; never drops one.

    DEBUG is left whole: it is the developer's view of the console backends' messages.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


# A family's page and opt-out page: never kept by a browser's or a proxy's cache (phones are
# shared, and the back button would show the page to the next person).
private_page = cache_control(no_store=True, private=True)
