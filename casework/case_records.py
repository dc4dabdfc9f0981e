"""Subject access, erasure, retention and the family link: everything held about a family, and
how it goes. These touch both apps (cases, and their contacts and messages), so they live here,
on top of both, and nowhere else."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case as Case_
from django.db.models import Value, When
from django.utils import timezone

from governance.audit import Action, audit_record
from governance.models import AuditEvent
from notifications import gsm
from notifications.models import OutboundMessage, Suppression
from notifications.notify_usage import ERASED_NOTIFY_ID, NOTIFY_ID
from workflows.case_summary import case_summaries_refresh
from workflows.models import AdviserTask, Case, CaseClosing, Contact, new_access_token

logger = logging.getLogger(__name__)

ERASED = "(erased)"
Status = OutboundMessage.Status
WAITING = [Status.PENDING, Status.QUEUED]


# --- subject access ------------------------------------------------------------------------------


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def case_export_data(*, case: Case) -> dict:
    """Everything held about a case and its people, as a person would read it."""
    contacts = list(case.contacts.all())
    addresses = {address for c in contacts for _, address in _all_addresses(c)}
    addresses |= set(case.messages.exclude(to="").values_list("to", flat=True))
    return {
        "exported_at": _when(timezone.now()),
        "case": {
            "reference": case.reference,
            "adviser": case.adviser.get_username() if case.adviser else None,
            "local_authority": case.local_authority,
            "status": case.get_status_display(),
            "placement_only": case.placement_only,
            "reminders_paused": case.reminders_paused,
            "notes": case.notes,
            "family_link_works": case.link_works,
            "created_at": _when(case.created_at),
            "closed_at": _when(case.closed_at),
            "closings": [
                {"closed_at": _when(c.closed_at), "reopened_at": _when(c.reopened_at)}
                for c in case.closings.all()
            ],
            "erase_on": _when(erase_on(case)),
            "erased_at": _when(case.erased_at),
            "routes": [r.get_kind_display() for r in case.routes.all()],
        },
        "contacts": [
            {
                "role": c.get_role_display(),
                "name": c.name,
                "email": c.email,
                "mobile": c.mobile.as_e164 if c.mobile else "",
                "texts": c.wants_sms,
                "emails": c.wants_email,
                "language": c.get_language_display(),
                "consent_given_at": _when(c.consent_at),
                "consent_source": c.get_consent_source_display(),
            }
            for c in contacts
        ],
        "key_dates": [
            {"event": k.get_event_display(), "name": k.event, "date": _when(k.value)}
            for k in case.key_dates.all()
        ],
        "given_dates": [
            {
                "what": g.title,
                "name": g.kind,
                "date": _when(g.value),
                "time": g.time.isoformat("minutes") if g.time else "",
                "who_acts": g.get_owner_display(),
                "where_it_came_from": g.source,
                "recorded_by": g.get_recorded_source_display(),
                "confirmed": g.confirmed,
                "done_on": _when(g.done_on),
            }
            for g in case.given_dates.all()
        ],
        "deadlines": [
            {
                "deadline": d.get_kind_display(),
                "name": d.kind,
                "due": _when(d.due),
                "aim_for": _when(d.aim_for),
                "act_by": _when(d.act_by),
                "who_acts": d.get_owner_display(),
                "legal_source": d.rule,
                "confidence": d.confidence,
                "working": d.steps,
                "warnings": d.warnings,
                "status": d.get_status_display(),
                "status_reason": d.status_reason,
                "done": d.done_in_words(),
                "override_date": _when(d.override_date),
                "override_reason": d.override_reason,
            }
            for d in case.deadlines.order_by("due", "kind")
        ],
        "messages": [
            {
                "kind": m.get_kind_display(),
                "channel": m.get_channel_display(),
                "deadline": m.deadline_kind,
                "to": m.to,
                "subject": m.subject,
                "body": m.body,
                "status": m.get_status_display(),
                "status_reason": m.status_reason,
                "send_at": _when(m.send_at),
                "history": {
                    "attempts": m.attempts,
                    "queued_at": _when(m.queued_at),
                    "sending_at": _when(m.sending_at),
                    "sent_at": _when(m.sent_at),
                    "delivered_at": _when(m.delivered_at),
                    "provider_status": m.provider_status,
                    "last_error": m.last_error,
                },
            }
            for m in case.messages.order_by("send_at", "id")
        ],
        "tasks": [
            {
                "kind": t.get_kind_display(),
                "text": t.text,
                "created_at": _when(t.created_at),
                "done_at": _when(t.done_at),
            }
            for t in case.tasks.order_by("created_at", "id")
        ],
        "suppressions": [
            {
                "channel": s.channel,
                "address": s.address,
                "reason": s.get_reason_display(),
                "since": _when(s.created_at),
            }
            for s in Suppression.objects.filter(address__in=addresses).order_by("created_at")
        ],
        "audit": {
            "events": [
                {
                    "at": _when(e.at),
                    "what": e.get_action_display(),
                    "who": e.actor_name or None,
                    "from": e.ip,
                    "detail": e.detail,
                }
                for e in case.audit_events.order_by("at", "id")
            ],
            "changes": [
                {
                    "at": _when(entry.timestamp),
                    "what": f"{entry.get_action_display()} {entry.content_type.name}",
                    "record": entry.object_repr,
                    "who": entry.actor.get_username() if entry.actor else None,
                    "from": entry.remote_addr,
                    "changes": entry.changes,
                }
                for entry in change_history(case=case).select_related("actor", "content_type")
            ],
        },
    }


def _all_addresses(contact: Contact) -> list[tuple[str, str]]:
    found = []
    if contact.mobile:
        found.append(("sms", contact.mobile.as_e164))
    if contact.email:
        found.append(("email", contact.email.lower()))
    return found


def change_history(*, case: Case):
    """django-auditlog's entries about the case and every row hanging off it."""
    return LogEntry.objects.filter(additional_data__case_id=case.pk).order_by("timestamp", "id")


# --- erasure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    reference: str
    contacts: int
    messages: int
    cancelled: int
    message_counts: dict[str, int]


@transaction.atomic
def case_erase(
    *, case: Case, request=None, actor=None, command: bool = False, now: datetime | None = None
) -> Erasure:
    """Remove a case's personal data; keep how many messages of each kind went, a STOP's
    suppression, and the dates' arithmetic. Safe to run again."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)  # the planner and sends wait
    contacts = list(case.contacts.values_list("id", flat=True))
    cancelled = case.messages.filter(status__in=WAITING).update(
        status=Status.CANCELLED, status_reason="case erased", claim_token=None, updated_at=now
    )
    # A text's segments outlive its body: the report's counts and Notify's allowance read them.
    for message in case.messages.filter(channel="sms", segments__isnull=True).exclude(body=""):
        OutboundMessage.objects.filter(pk=message.pk).update(segments=gsm.segments(message.body))
    case.messages.update(
        to="",
        subject="",
        body="",
        dates_told={},
        last_error="",
        # No id the provider could look the message up by; Notify's texts still count against
        # the year's free allowance.
        provider_id=Case_(
            When(provider_id__regex=NOTIFY_ID, then=Value(ERASED_NOTIFY_ID)), default=Value("")
        ),
        updated_at=now,
    )
    # Suppressions stay as they are: they hold a number, not a person, and a family that
    # said STOP is never texted again.
    for contact_id in contacts:
        Contact.objects.filter(pk=contact_id).update(
            name=ERASED,
            email="",
            mobile="",
            wants_sms=False,
            wants_email=False,
            consent_at=None,
            consent_source="",
            opt_out_token=_new_contact_token(),
        )
    AdviserTask.objects.filter(case=case).update(text=ERASED)
    # A given date's own words may name people; its date stays, like the key dates.
    case.given_dates.update(source="")
    case.given_dates.exclude(label="").update(label=ERASED)
    # So may the reason an adviser gave for a marking ("in hospital that week").
    case.deadlines.exclude(status_reason="").update(status_reason=ERASED)
    # The case list's stored next step may hold such a label ("Call with Dr Patel").
    case_summaries_refresh(case_ids=[case.pk], today=timezone.localdate(now))
    _scrub_change_history(case=case)
    first = case.erased_at is None
    if case.closed_at is None:  # erasing an open case closes it: the report counts that closing
        CaseClosing.objects.create(case=case, closed_at=now)
    Case.objects.filter(pk=case.pk).update(
        notes="",
        status=Case.Status.CLOSED,
        reminders_paused=True,
        closed_at=case.closed_at or now,
        erased_at=case.erased_at or now,
        access_token=new_access_token(),  # the family link is dead: nobody knows the new one
        updated_at=now,
    )
    counts = Counter(
        f"{kind} {channel} {status}"
        for kind, channel, status in case.messages.values_list("kind", "channel", "status")
    )
    erasure = Erasure(
        reference=case.reference,
        contacts=len(contacts),
        messages=sum(counts.values()),
        cancelled=cancelled,
        message_counts=dict(sorted(counts.items())),
    )
    audit_record(
        action=Action.ERASE,
        case=case,
        request=request,
        actor=actor,
        command=command,
        detail={
            "again": not first,
            "contacts": erasure.contacts,
            "messages": erasure.messages,
            "cancelled": cancelled,
        },
    )
    logger.info("Case %s erased (%s messages kept as counts)", case.pk, erasure.messages)
    return erasure


def _new_contact_token() -> str:
    from workflows.models import new_contact_token

    return new_contact_token()


def _scrub_change_history(*, case: Case) -> None:
    """The change history's before and after values of a family's details are personal data
    too: keep that a field changed, when and by whom, not what it said."""
    for entry in change_history(case=case).only("id", "changes", "content_type"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        LogEntry.objects.filter(pk=entry.pk).update(
            changes={field: [ERASED, ERASED] for field in changes},
            changes_text="",
            serialized_data=None,
            object_repr=ERASED
            if entry.content_type_id == ContentType.objects.get_for_model(Contact).id
            else case.reference,
        )
    # The events hold no addresses by construction (masked); nothing else to scrub there.
    AuditEvent.objects.filter(case=case).exclude(case_reference=case.reference).update(
        case_reference=case.reference
    )


# --- retention -----------------------------------------------------------------------------------


def erase_on(case: Case):
    """The day a closed case will be erased, or None while it is open (or already erased)."""
    if case.closed_at is None or case.erased_at is not None:
        return None
    return timezone.localdate(case.closed_at) + timedelta(days=settings.SENDFLOW_RETENTION_DAYS)


def cases_past_retention(*, now: datetime | None = None):
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SENDFLOW_RETENTION_DAYS)
    return Case.objects.filter(
        status=Case.Status.CLOSED, erased_at__isnull=True, closed_at__lt=cutoff
    ).order_by("closed_at", "id")


def retention_purge(
    *, now: datetime | None = None, batch: int | None = None, dry_run: bool = False
) -> list[str]:
    """Erase every closed case past SENDFLOW_RETENTION_DAYS, a batch per transaction, so a
    failure keeps what went before; return their references."""
    now = now or timezone.now()
    batch = batch or settings.SENDFLOW_RETENTION_BATCH
    due = list(cases_past_retention(now=now).values_list("id", "reference"))
    if dry_run:
        return [reference for _, reference in due]
    erased = []
    for start in range(0, len(due), batch):
        chunk = due[start : start + batch]
        with transaction.atomic():
            for case in Case.objects.filter(id__in=[i for i, _ in chunk]).order_by("id"):
                case_erase(case=case, now=now)
                erased.append(case.reference)
    if erased:
        logger.info("Retention: erased %s closed cases", len(erased))
    return erased


# --- the family link -----------------------------------------------------------------------------


@transaction.atomic
def case_link_replace(*, case: Case, request=None, now: datetime | None = None) -> int:
    """End the family's link at once and send them the new one with their summary of dates;
    return how many summaries will go."""
    now = now or timezone.now()
    Case.objects.filter(pk=case.pk).update(access_token=new_access_token(), updated_at=now)
    resent = (
        OutboundMessage.objects.filter(
            case=case, kind=OutboundMessage.Kind.SUMMARY, contact__isnull=False
        )
        .exclude(status__in=[Status.QUEUED, Status.SENDING, Status.UNKNOWN])
        .update(
            status=Status.PENDING,
            send_at=now,
            claim_token=None,
            status_reason="new family link",
            updated_at=now,
        )
    )
    audit_record(
        action=Action.NEW_LINK, case=case, request=request, detail={"summaries_to_send": resent}
    )
    return resent
