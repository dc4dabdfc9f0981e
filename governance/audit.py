"""Record who looked at or acted on a case: one call per event, from admin, views and commands."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from datetime import datetime

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest

from governance.models import AuditEvent
from sendflow import bulk
from sendflow.throttle import client_ip

Action = AuditEvent.Action


def audit_record(
    *,
    action: str,
    case=None,
    request: HttpRequest | None = None,
    actor=None,
    detail: dict | None = None,
    command: bool = False,
) -> AuditEvent:
    """Append one event; the actor and address come from the request when there is one, and
    a management command (`command`) names the operating-system account that ran it."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor.get_username()
        if actor is not None
        else _command_user()
        if command
        else "",
        case=case,
        case_reference=case.reference if case is not None else "",
        ip=(client_ip(request) or None) if request is not None else None,
        detail=detail or {},
    )


def audit_record_many(
    *,
    action: str,
    cases: Iterable[tuple[int, str]],
    detail: dict | None = None,
    now: datetime | None = None,
) -> None:
    """One event per case (id, reference), from a management command, written in bulk (a whole
    caseload): call it inside the transaction that acts on the cases."""
    who = _command_user()
    bulk.rows_insert(
        AuditEvent,
        ["action", "actor_name", "case_id", "case_reference", "detail"],
        ((action, who, case_id, reference, detail or {}) for case_id, reference in cases),
        defaults=True,
        now=now,
    )


def _command_user() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def changes_log(
    pairs: Iterable[tuple[Model | None, Model]], *, fields: list[str] | None = None
) -> int:
    """django-auditlog's change history for rows a bulk update wrote (bulk_update sends no
    signals, so auditlog sees nothing): one entry per (before, after) that differs, with the
    same fields and actor (its middleware's, in the admin) as a save would give; a `before` of
    None is a row the bulk write created. Returns how many. `fields` limits the comparison to
    the ones written (a row read with .only() would load each other field with a query of its
    own)."""
    logged = 0
    for before, after in pairs:
        changes = model_instance_diff(
            before,
            after,
            fields_to_check=fields,
            use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
        )
        if changes:
            action = LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE
            LogEntry.objects.log_create(after, action=action, changes=changes)
            logged += 1
    return logged
