"""Who is asking (the client's address, behind the proxy too) and how often they guess links."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

FAMILY_LINK_PREFIXES = ("/f/", "/stop/")


def client_ip(request: HttpRequest) -> str:
    """The address that connected to us or, behind the TLS proxy, the one that connected to it.

    Each proxy appends the address it saw to X-Forwarded-For, so the client's is the entry
    SENDFLOW_TRUSTED_PROXY_HOPS from the end; anything before it the client may have written
    itself. The header counts only when a proxy sent it: a request from a public address came
    straight to the app, and whatever it says about itself is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_TLS_PROXY or not _from_a_proxy(remote):
        return remote
    hops = settings.SENDFLOW_TRUSTED_PROXY_HOPS
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < hops:
        return remote  # fewer than the proxies we have: not written by them
    return entries[-hops]


# Where a proxy in front of the app reaches it from: this machine or a private network (RFC 1918,
# IPv6 unique local). Not ip.is_private, which also counts the documentation ranges.
_PROXY_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
]


def _from_a_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _PROXY_NETWORKS)


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
        response = self.get_response(request)
        if response.status_code != 404:
            # A right link is not a guess: a family behind the same network as a guesser still
            # gets in (the tokens' 96 to 128 bits keep them out of a guesser's reach anyway).
            return response
        if cache.get(key, 0) >= settings.SENDFLOW_LINK_MISS_LIMIT:
            return _too_many(window)
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
