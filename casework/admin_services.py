"""What the admin's buttons do: retry, pause, mark done, policy saves, previews and test sends.

Apart from services.py (the sending pipeline) so the admin can grow without touching it. Every
state change is a conditional UPDATE or goes through the pipeline's own services.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as datetime_time

from django.db import transaction
from django.utils import timezone

from notifications import gsm, rendering, schedule, services
from notifications.composing import SMS_SEGMENTS
from notifications.models import OutboundMessage, ReminderPolicy
from notifications.plan_core import CHECK_OFFSET, PASSED_OFFSET
from workflows import rules, words, working_days
from workflows import services as workflow_services
from workflows.models import AdviserTask, Case, Contact, Deadline, GivenDate

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status

RETRYABLE = (Status.FAILED, Status.UNKNOWN)
TEST_CASE_REFERENCE = "SENDFLOW-TEST"
# More than this costs too much and arrives in pieces on older phones (DESIGN.md: 2 segments).
SMS_SEGMENT_LIMIT = SMS_SEGMENTS


# --- outbox ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retry:
    requeued: int = 0  # failed, now pending for the next dispatch
    resent: int = 0  # unknown, and the provider had no record: pending again
    found_sent: int = 0  # unknown, and the provider had it: marked sent, not resent
    checking: int = 0  # unknown, and the provider could not answer yet: left to the sweeper
    skipped: int = 0  # in no state to retry (cancelled, pending, sent, delivered ...)


def messages_retry(*, message_ids: Iterable[int], by=None, now: datetime | None = None) -> Retry:
    """Send failed messages at the next dispatch; unknown ones only once the provider says it
    has no record of them (DESIGN.md invariant 2: no blind resend). Only messages whose planned
    time has passed: a cancelled one is the planner's to bring back (a paused case's future
    reminders would otherwise go at once, out of order, and supersede the rest)."""
    now = now or timezone.now()
    ids = list(message_ids)
    reason = f"retried by {by}" if by else "retried by an adviser"
    requeued = OutboundMessage.objects.filter(
        id__in=ids, status=Status.FAILED, send_at__lte=now
    ).update(
        status=Status.PENDING,
        send_at=now,
        claim_token=None,
        status_reason=reason,
        updated_at=now,
    )
    resent = found_sent = checking = 0
    # The provider call happens outside any transaction; the reconcile UPDATE is conditional.
    for message in OutboundMessage.objects.filter(
        id__in=ids, status=Status.UNKNOWN, send_at__lte=now
    ):
        outcome = services.message_reconcile(message=message, now=now)
        if outcome == Status.PENDING:
            resent += 1
        elif outcome == Status.SENT:
            found_sent += 1
        else:
            checking += 1
    skipped = len(set(ids)) - requeued - resent - found_sent - checking
    return Retry(requeued, resent, found_sent, checking, skipped)


def tasks_mark_done(*, task_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark open tasks done; return how many were open."""
    now = now or timezone.now()
    return AdviserTask.objects.filter(id__in=list(task_ids), done_at__isnull=True).update(
        done_at=now
    )


# --- cases and policies ------------------------------------------------------------------------


@transaction.atomic
def case_pause_set(*, case: Case, paused: bool) -> Case:
    """Hold (or release) every message to the family; pending ones are cancelled or re-planned."""
    Case.objects.filter(pk=case.pk).update(reminders_paused=paused, updated_at=timezone.now())
    case.reminders_paused = paused
    workflow_services.case_replan(case=case)
    return case


@transaction.atomic
def policy_save(*, policy: ReminderPolicy) -> ReminderPolicy:
    policy.full_clean()
    policy.save()
    # Pending messages follow the new policy at once, not only after the nightly recompute. A
    # broker outage must not undo the save: the nightly run catches up then.
    transaction.on_commit(_replan_open_cases, robust=True)
    return policy


def _replan_open_cases() -> None:
    from notifications.tasks import deadlines_recompute_all_task

    deadlines_recompute_all_task.delay()


# --- previews ----------------------------------------------------------------------------------

SAMPLE_NAME = "Alex Morgan-Williams"
SAMPLE_EMAIL = "alex.morgan-williams@example.com"
SAMPLE_MOBILE = "+447400123456"


@dataclass(frozen=True)
class Preview:
    deadline_kind: str  # "" for the summary, which covers every deadline
    kind: str
    channel: str
    subject: str = ""
    body: str = ""
    note: str = ""  # which of the policy's messages this is
    error: str = ""  # the template could not be rendered

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.deadline_kind}"

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def segments(self) -> int:
        return gsm.segments(self.body)

    @property
    def gsm7(self) -> bool:
        return gsm.is_gsm7(self.body)

    @property
    def too_long(self) -> bool:
        return self.channel == "sms" and self.segments > SMS_SEGMENT_LIMIT


@dataclass(frozen=True)
class PreviewGroup:
    deadline_kind: str  # "" for the summary
    title: str
    policy: ReminderPolicy | None = None
    due: date | None = None
    note: str = ""
    previews: list[Preview] = field(default_factory=list)


def previews_render(*, adviser=None, today: date | None = None) -> list[PreviewGroup]:
    """Render every message the policies can send, for a made-up family; nothing is kept.

    The sample rows exist only inside a transaction that is always rolled back, so the real
    rendering code (which reads the case's deadlines) runs unchanged.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        try:
            return _previews(adviser=adviser, today=today)
        finally:
            transaction.set_rollback(True)


def preview_find(groups: list[PreviewGroup], *, key: str, channel: str) -> Preview | None:
    return next(
        (p for g in groups for p in g.previews if p.key == key and p.channel == channel), None
    )


def _previews(*, adviser, today: date) -> list[PreviewGroup]:
    now = timezone.now()
    everything = list(ReminderPolicy.objects.order_by("deadline_kind"))
    given_policies = {p.deadline_kind: p for p in everything if _is_given(p.deadline_kind)}
    policies = [p for p in everything if not _is_given(p.deadline_kind)]
    case, contact = _sample_family(adviser, "CASE")
    groups = [_summary_group(adviser, everything, today=today, now=now)]
    for policy in policies:
        sample = _sample_deadline(policy.deadline_kind, today=today)
        deadline = workflow_services.deadline_row(case_id=case.id, computed=sample, now=now)
        deadline.save()
        previews = []
        for kind, offset, sent_on, note in _moments(policy, deadline.due):
            moment = schedule.local_instant(sent_on, policy.send_time)
            for channel in ("sms", "email"):
                message = OutboundMessage(
                    case=case,
                    contact=contact,
                    deadline=deadline,
                    deadline_kind=deadline.kind,
                    kind=kind,
                    channel=channel,
                    offset=offset,
                    due_date=deadline.due,
                    send_at=moment,
                )
                previews.append(_render(message, now=moment, note=note))
        groups.append(
            PreviewGroup(
                deadline_kind=policy.deadline_kind,
                title=words.deadline_label(policy.deadline_kind),
                policy=policy,
                due=deadline.due,
                note="" if policy.enabled else "This policy is turned off: nothing is sent.",
                previews=previews,
            )
        )
    groups.extend(_given_groups(case, contact, given_policies, today=today))
    return groups


def _is_given(kind: str) -> bool:
    return kind.startswith(words.GIVEN_PREFIX)


def _given_groups(case, contact, policies, *, today: date) -> list[PreviewGroup]:
    """One group per kind of date a letter gives, with its policy: a meeting's reminders, the
    family's own countdown, the check for what others owe, and "your date changed"."""
    groups = []
    for kind in GivenDate.Kind:
        value = today + timedelta(weeks=8)
        given = GivenDate.objects.create(
            case=case,
            kind=kind,
            label="Case management hearing by phone" if kind == GivenDate.Kind.OTHER else "",
            value=value,
            time=datetime_time(14, 30) if kind in GivenDate.MEETINGS else None,
            source="Tribunal letter of 12 March 2027",
        )
        policy = policies.get(given.message_kind)
        send_time = policy.send_time if policy else datetime_time(10, 0)
        countdown = policy is None or policy.style == ReminderPolicy.Style.COUNTDOWN
        offsets = schedule.parse_offsets(policy.offsets) if policy else []
        if countdown and (given.is_meeting or given.is_family_own) and offsets:
            # The longest "in 9 days (7 working days)" makes the longest text.
            offset = max(
                offsets,
                key=lambda o: len(rendering.when_text(today=o.date_before(value), due=value)),
            )
            sent_on = offset.date_before(given.act_by)
            note = f"The {offset.text} reminder (of {policy.offsets})"
            if given.is_meeting:
                note += ': the "0d" one goes on the morning at 08:00 (a text after quiet hours)'
            moments = [(Kind.REMINDER, offset.text, sent_on, note + ".")]
        elif countdown and (given.is_meeting or given.is_family_own):
            moments = []
        else:
            sent_on = working_days.next_working_day(value)
            moments = [(Kind.CHECK, CHECK_OFFSET, sent_on, "Sent the working day after.")]
        moments.append(
            (Kind.DATE_CHANGED, "", value, "Sent when the date the family was told moves.")
        )
        previews = []
        for message_kind, offset, sent_on, note in moments:
            moment = schedule.local_instant(sent_on, send_time)
            for channel in ("sms", "email"):
                message = OutboundMessage(
                    case=case,
                    contact=contact,
                    given_date=given,
                    deadline_kind=given.message_kind,
                    kind=message_kind,
                    channel=channel,
                    offset=offset,
                    due_date=value,
                    send_at=moment,
                )
                previews.append(_render(message, now=moment, note=note))
        off = policy is None or not policy.enabled
        groups.append(
            PreviewGroup(
                deadline_kind=given.message_kind,
                title=f"Given in a letter: {given.title}",
                policy=policy,
                due=value,
                note="This policy is turned off: nothing is sent." if off else "",
                previews=previews,
            )
        )
    return groups


def _sample_family(adviser, suffix: str) -> tuple[Case, Contact]:
    case = Case.objects.create(
        reference=f"SENDFLOW-PREVIEW-{suffix}-{uuid.uuid4().hex[:8]}",
        adviser=adviser,
        notes="A made-up family for the message preview; rolled back, never saved.",
    )
    contact = Contact.objects.create(
        case=case,
        name=SAMPLE_NAME,
        email=SAMPLE_EMAIL,
        mobile=SAMPLE_MOBILE,
        wants_sms=True,
        wants_email=True,
    )
    return case, contact


def _sample_deadline(kind: str, *, today: date) -> rules.Deadline:
    """The deadline the rules give when the events that start it all happened today."""
    rule = rules.RULES.get(kind)
    if rule is not None:
        for events in (dict.fromkeys(rule.triggers, today), *({t: today} for t in rule.triggers)):
            try:
                found = rules.compute_deadlines(rules.Facts(events=events))
            except rules.FactsError:
                continue
            match = next((d for d in found if d.kind == kind), None)
            if match:
                return match
    due = today + timedelta(weeks=8)
    return rules.Deadline(
        kind=kind,
        due=due,
        owner=rule.owner if rule else rules.Owner.PARENT,
        rule=rule.source if rule else "",
        confidence=rule.confidence if rule else rules.Confidence.UNCONFIRMED,
        steps=(f"(The working for the date would be shown here: {rules.long_date(due)}.)",),
    )


def _moments(policy: ReminderPolicy, due: date) -> list[tuple[str, str, date, str]]:
    """(kind, offset, day sent, note) for each message kind this policy sends."""
    moments = []
    if policy.style == ReminderPolicy.Style.COUNTDOWN:
        offsets = schedule.parse_offsets(policy.offsets)
        if offsets:
            # The longest "in 9 days (7 working days)" makes the longest text.
            offset = max(
                offsets,
                key=lambda o: len(rendering.when_text(today=o.date_before(due), due=due)),
            )
            day = offset.date_before(due)
            moments.append(
                (
                    Kind.REMINDER,
                    offset.text,
                    day,
                    f"The {offset.text} reminder (the longest of {policy.offsets}), "
                    f"sent {rules.long_date(day)}.",
                )
            )
        after = due + timedelta(days=1)
        moments.append(
            (
                Kind.PASSED,
                PASSED_OFFSET,
                after,
                "Sent once if the date passes with nothing recorded to show it was done "
                f"(here {rules.long_date(after)}); the adviser gets an urgent task too.",
            )
        )
    else:
        day = working_days.next_working_day(due)
        moments.append(
            (Kind.CHECK, CHECK_OFFSET, day, f"Sent the working day after: {rules.long_date(day)}.")
        )
    moments.append((Kind.DATE_CHANGED, "", due, "Sent when a date the family was told moves."))
    return moments


def _summary_group(adviser, policies, *, today: date, now: datetime) -> PreviewGroup:
    """The summary with the longest names first: the longest text it can be. It lists every
    deadline and every kind of date a letter gives whose policy is turned on."""
    case, contact = _sample_family(adviser, "SUMMARY")
    now = schedule.local_instant(today, datetime_time(10, 0))  # as it would go on `today`
    enabled = [p.deadline_kind for p in policies if p.enabled]
    first = today + timedelta(weeks=8)
    labels = {}
    for kind in enabled:
        if _is_given(kind):
            labels[kind] = words.deadline_label(kind)
        else:
            labels[kind] = rendering.deadline_words(kind, first).label
    for i, kind in enumerate(sorted(enabled, key=lambda k: (-len(labels[k]), k))):
        due = first + timedelta(days=i)
        if _is_given(kind):
            given_kind = kind.removeprefix(words.GIVEN_PREFIX)
            GivenDate.objects.create(
                case=case,
                kind=given_kind,
                label="Case management hearing by phone" if given_kind == "other" else "",
                value=due,
                time=datetime_time(14, 30) if given_kind in GivenDate.MEETINGS else None,
                source="Tribunal letter of 12 March 2027",
            )
            continue
        rule = rules.RULES.get(kind)
        owner = rule.owner.value if rule else rules.Owner.PARENT.value
        Deadline.objects.create(
            case=case,
            kind=kind,
            due=due,
            owner=owner,
            rule="",
            confidence=rules.Confidence.UNCONFIRMED.value,
            computed_at=now,
            aim_for=rules.aim_for(due),
            act_by=rules.act_by(due=due, owner=owner),
        )
    previews = [
        _render(
            OutboundMessage(case=case, contact=contact, kind=Kind.SUMMARY, channel=channel),
            now=now,
            note=f"Lists the {len(enabled)} kinds of date that have a policy turned on.",
        )
        for channel in ("sms", "email")
    ]
    return PreviewGroup(deadline_kind="", title="Summary of dates", previews=previews)


def _render(message: OutboundMessage, *, now: datetime, note: str) -> Preview:
    base = {
        "deadline_kind": message.deadline_kind,
        "kind": message.kind,
        "channel": message.channel,
        "note": note,
    }
    try:
        rendered = rendering.render_send([message], now=now)  # as it would go, on its own
    except Exception as exc:
        # The preview exists to catch a broken template before a family would: show, not crash.
        logger.exception(
            "Preview of %s %s %s failed", message.deadline_kind, message.kind, message.channel
        )
        return Preview(**base, error=f"{type(exc).__name__}: {exc}")
    return Preview(**base, subject=rendered.subject, body=rendered.body)


# --- test messages -----------------------------------------------------------------------------


def adviser_message_send(
    *, channel: str, to: str, subject: str, body: str, now: datetime | None = None
) -> OutboundMessage:
    """Send a test message to an adviser at once, through the real pipeline; return it sent,
    failed, suppressed or held (a text in quiet hours waits for the morning)."""
    now = now or timezone.now()
    with transaction.atomic():
        case, _ = Case.objects.get_or_create(
            reference=TEST_CASE_REFERENCE,
            defaults={
                # Test messages skip the case checks when sent; closed keeps the case out of the
                # advisers' open caseload and the nightly recompute.
                "status": Case.Status.CLOSED,
                "notes": "Internal: holds test messages advisers send themselves from the admin. "
                "Not a family.",
            },
        )
        message = OutboundMessage.objects.create(
            case=case,
            kind=Kind.TEST,
            channel=channel,
            to=to,
            subject=subject,
            body=body,
            send_at=now,
            status=Status.QUEUED,
            queued_at=now,
        )
    # Outside any transaction: message_send calls the provider.
    services.message_send(message_id=message.id, now=now)
    message.refresh_from_db()
    if message.status in (Status.FAILED, Status.SUPPRESSED):
        # The adviser sees the outcome on the page; no task to look at it again.
        AdviserTask.objects.filter(message=message, done_at__isnull=True).update(done_at=now)
    return message
