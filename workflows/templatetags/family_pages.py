"""What every family page, 404 and 500 included, shows of the advice service."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def advice_service() -> dict[str, str]:
    """Return the advice service's name, phone (and its tel: form) and email from settings.

    A tag rather than a context processor: Django renders 500.html with an empty context.
    """
    phone = settings.SENDFLOW_ADVICE_SERVICE_PHONE
    return {
        "name": settings.SENDFLOW_ADVICE_SERVICE_NAME,
        "phone": phone,
        "phone_href": "".join(c for c in phone if c.isdigit() or c == "+"),
        "email": settings.SENDFLOW_ADVICE_SERVICE_EMAIL,
    }
