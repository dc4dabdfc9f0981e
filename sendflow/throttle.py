"""Who is asking (the client's address, behind the proxy too) and how often they guess links."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

FAMILY_LINK_PREFIXES = ("/f/", "/stop/")


def client_ip(request: HttpRequest) -> str:
    """The address that connected to us, or behind the TLS proxy the one that connected to it.

    The proxy appends the address it saw to X-Forwarded-For, so only the last entry is
    trustworthy; anything before it the client may have written itself.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


class FamilyLinkThrottleMiddleware:
    """Count wrong family and opt-out links per address; after too many, that address waits.

    A link's token is its only protection: this keeps guessing slow (20 misses in 10 minutes
    by default) without getting in the way of a family who mistyped one.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(FAMILY_LINK_PREFIXES):
            return self.get_response(request)
        key = f"sendflow:link-misses:{client_ip(request)}"
        window = settings.SENDFLOW_LINK_MISS_WINDOW_SECONDS
        if cache.get(key, 0) >= settings.SENDFLOW_LINK_MISS_LIMIT:
            return _too_many(window)
        response = self.get_response(request)
        if response.status_code == 404:
            cache.add(key, 0, timeout=window)  # the window starts at the first miss
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
        return response


def _too_many(window: int) -> HttpResponse:
    minutes = max(window // 60, 1)
    contact = " ".join(
        part
        for part in (settings.SENDFLOW_ADVICE_SERVICE_NAME, settings.SENDFLOW_ADVICE_SERVICE_PHONE)
        if part
    )
    text = (
        "Too many links that do not work have been tried from your connection.\n"
        f"Please wait {minutes} minutes and try again, using the link in your latest message.\n"
        f"If your link still does not work, contact {contact}.\n"
    )
    response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(window)
    response["Cache-Control"] = "no-store, private"
    return response
