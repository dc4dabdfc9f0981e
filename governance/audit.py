"""Record who looked at or acted on a case: one call per event, from admin, views and commands."""

from __future__ import annotations

from django.http import HttpRequest

from governance.models import AuditEvent
from sendflow.throttle import client_ip

Action = AuditEvent.Action


def audit_record(
    *,
    action: str,
    case=None,
    request: HttpRequest | None = None,
    actor=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event; the actor and address come from the request when there is one."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        case=case,
        case_reference=case.reference if case is not None else "",
        ip=(client_ip(request) or None) if request is not None else None,
        detail=detail or {},
    )
