"""Turn a case's deadlines into outbox rows, in the same transaction as the change that moved them.

The planner is idempotent: it works out the messages the case should have, cancels pending rows
that no longer match, creates the missing ones, and queues a "your date changed" message when a
family was told a date that has since moved. Running it twice changes nothing.

The work of one case is in notifications/plan_core.py (`_CasePlan`, a pure core with no I/O);
this module reads a batch of cases for it and writes what their plans say.
"""

from __future__ import annotations

import logging
import operator
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from notifications.models import OutboundMessage, ReminderPolicy
from notifications.outbox import NewMessage, messages_insert
from notifications.plan_core import TOLD, Kind, Planned, Recipient, Status, _CasePlan
from sendflow import bulk
from workflows.case_summary import case_summaries_refresh
from workflows.models import AdviserTask, Case, Contact, Deadline, DeadlineView, GivenDate

logger = logging.getLogger(__name__)

# Contact.channels() without building the contact: a phone number field parses on load.
_WANTS_SMS = ExpressionWrapper(Q(wants_sms=True) & ~Q(mobile=""), output_field=BooleanField())
_WANTS_EMAIL = ExpressionWrapper(Q(wants_email=True) & ~Q(email=""), output_field=BooleanField())


class _Inputs(NamedTuple):
    """What the planner reads of a batch of cases, each list by case id."""

    policies: dict[str, ReminderPolicy]
    cases: dict[int, Case]
    contacts: dict[int, list[tuple[Recipient, str]]]
    deadlines: dict[int, list[DeadlineView]]
    given: dict[int, list[GivenDate]]
    messages: dict[int, list[Planned]]


def _inputs(case_ids: list[int], *, lock: bool) -> _Inputs:
    policies = {p.deadline_kind: p for p in ReminderPolicy.objects.filter(enabled=True)}
    # The cases first, in id order, as every writer of a case's dates locks them: the refresh of
    # their next step at the end locks them again, and a writer that came in without the lock
    # (a family's choice of texts or emails) must not hold outbox rows while it waits for it.
    cases = Case.objects.filter(bulk.ids_filter("id", case_ids))
    if lock:
        cases = cases.select_for_update()
    cases = {c.id: c for c in cases.order_by("id").only("id", "status", "reminders_paused")}
    contacts: dict[int, list[tuple[Recipient, str]]] = defaultdict(list)
    for contact_id, case_id, sms, email in (
        Contact.objects.filter(bulk.ids_filter("case_id", case_ids))
        .annotate(planner_sms=_WANTS_SMS, planner_email=_WANTS_EMAIL)
        .values_list("id", "case_id", "planner_sms", "planner_email")
    ):
        recipient = Recipient(contact_id, case_id)
        # In Contact.channels() order: text first, then email.
        contacts[case_id].extend((recipient, c) for c, on in (("sms", sms), ("email", email)) if on)
    deadlines: dict[int, list[DeadlineView]] = defaultdict(list)
    for values in Deadline.objects.filter(bulk.ids_filter("case_id", case_ids)).values_list(
        *DeadlineView.VIEW_FIELDS
    ):
        deadlines[values[1]].append(DeadlineView(*values))
    given: dict[int, list[GivenDate]] = defaultdict(list)
    for given_date in GivenDate.objects.filter(bulk.ids_filter("case_id", case_ids)):
        given[given_date.case_id].append(given_date)
    existing: dict[int, list[Planned]] = defaultdict(list)
    messages = OutboundMessage.objects.filter(bulk.ids_filter("case_id", case_ids)).exclude(
        kind=Kind.TEST
    )
    # What was told is read only where something was: JSON and instants cost most to load.
    told_fields = ("dates_told", "sending_at", "created_at")
    told = {
        message_id: rest
        for message_id, *rest in messages.filter(status__in=TOLD)
        .exclude(dates_told={})
        .values_list("id", *told_fields)
    }
    untold = ({}, None, None)
    for values in messages.values_list(*Planned._fields[: -len(told_fields)]):
        message = Planned(*values, *told.get(values[0], untold))
        existing[message.case_id].append(message)
    return _Inputs(policies, cases, contacts, deadlines, given, existing)


def _case_plans(inputs: _Inputs, *, now: datetime, later_too=False) -> Iterable[_CasePlan]:
    today = timezone.localdate(now)
    moments: dict = {}
    for case_id, case in inputs.cases.items():
        plan = _CasePlan(
            case=case,
            recipients=inputs.contacts[case_id],
            deadlines=inputs.deadlines[case_id],
            given_dates=inputs.given[case_id],
            messages=inputs.messages[case_id],
            policies=inputs.policies,
            now=now,
            today=today,
            moments=moments,
            later_too=later_too,
        )
        plan.work_out()
        yield plan


def messages_ahead(*, case: Case, now: datetime | None = None) -> list[NewMessage]:
    """The messages the case will get that are not in the outbox yet, soonest first: those
    further ahead than PLAN_AHEAD, and any the next run will write (between midnight, when a
    day comes within reach, and the nightly run). What the family and the adviser are shown
    with the planned rows."""
    now = now or timezone.now()
    (plan,) = _case_plans(_inputs([case.id], lock=False), now=now, later_too=True)
    later = (plan._new(key, send_at, about) for key, send_at, about in plan.later)
    return sorted([*plan.to_create, *later], key=operator.attrgetter("send_at"))


@transaction.atomic
def messages_plan(*, case_ids: Iterable[int], now: datetime | None = None) -> None:
    now = now or timezone.now()
    case_ids = list(case_ids)
    inputs = _inputs(case_ids, lock=True)
    to_create: list[NewMessage] = []
    cancel: dict[str, list[int]] = defaultdict(list)
    reactivate: list[tuple[int, datetime]] = []
    urgent: list[tuple[int, str]] = []
    for plan in _case_plans(inputs, now=now):
        urgent.extend(plan.urgent_tasks())
        to_create.extend(plan.to_create)
        reactivate.extend(plan.reactivate)
        for reason, ids in plan.cancel.items():
            cancel[reason].extend(ids)

    # One UPDATE per batch for each, not one per reason or per message.
    bulk.rows_update(
        OutboundMessage,
        fields=["status_reason"],
        rows=[(message_id, reason) for reason, ids in cancel.items() for message_id in ids],
        also={"status": Status.CANCELLED, "updated_at": now},
        only_if={"status": Status.PENDING},
    )
    bulk.rows_update(
        OutboundMessage,
        fields=["send_at"],
        rows=reactivate,
        also={"status": Status.PENDING, "status_reason": "", "updated_at": now},
        only_if={"status": Status.CANCELLED},
    )
    messages_insert(to_create, now=now)
    _create_new_tasks(urgent)
    # Every recompute, given-date change and pause ends here: the case list's next step
    # follows in the same transaction.
    case_summaries_refresh(case_ids=case_ids, today=timezone.localdate(now))


def _create_new_tasks(tasks: list[tuple[int, str]]) -> None:
    """Raise each urgent task (case id, text) once, however often the planner runs: a nightly
    run finds the same passed dates every night, so only new ones become rows."""
    if not tasks:
        return
    tasks = list(dict.fromkeys(tasks))  # two identical dates (given twice) make one task
    kind = AdviserTask.Kind.DEADLINE_PASSED
    have = set(
        AdviserTask.objects.filter(
            bulk.ids_filter("case_id", list({case_id for case_id, _ in tasks})), kind=kind
        ).values_list("case_id", "text")
    )
    bulk.rows_insert(
        AdviserTask,
        ["case_id", "text"],
        [(c, t) for c, t in tasks if (c, t) not in have],
        constant=(kind, None, timezone.now(), None),
        constant_names=("kind", "message_id", "created_at", "done_at"),
    )
