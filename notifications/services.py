"""Dispatch, send, sweep: the outbox rows are the truth, Celery only carries their ids.

Each step moves a row with a conditional UPDATE (compare-and-set), so a redelivered task, a second
dispatcher or a second beat finds nothing to do. Provider calls happen outside any transaction.

The services live in one module a job; this one names them for callers (``services.message_send``):
dispatch (claim, combine, enqueue), sending (send one, retry or fail), failed_sends (email
instead, the adviser's task), sweeping (requeue, reconcile unknowns, overdue), callbacks
(delivery reports, texts from families, webhook replays), inbound (what a family's text
does: STOP, START, HELP or a task), opt_outs, adviser_checks,
nightly (recompute every open case, then the checks).
"""

from notifications.adviser_checks import check_task_create, check_tasks_for_passed_dates
from notifications.callbacks import (
    inbound_stop_record,
    inbound_text_record,
    message_status_from_provider,
    webhook_receipt_record,
)
from notifications.dispatch import (
    Dispatch,
    enqueue_sends,
    messages_dispatch,
    messages_dispatch_due,
)
from notifications.inbound import InboundText, inbound_text_act
from notifications.nightly import deadlines_recompute_all
from notifications.opt_outs import suppress, unsuppress
from notifications.sending import (
    DEADLINE_KINDS,
    _after_sent,
    _backend,
    backend_for,
    backoff,
    message_send,
    message_status,
)
from notifications.sweeping import (
    MAY_HAVE_GONE_TWICE,
    Sweep,
    message_reconcile,
    messages_release_stale,
    messages_sweep,
)

__all__ = [
    "DEADLINE_KINDS",
    "MAY_HAVE_GONE_TWICE",
    "Dispatch",
    "InboundText",
    "Sweep",
    "_after_sent",
    "_backend",
    "backend_for",
    "backoff",
    "check_task_create",
    "check_tasks_for_passed_dates",
    "deadlines_recompute_all",
    "enqueue_sends",
    "inbound_stop_record",
    "inbound_text_act",
    "inbound_text_record",
    "message_reconcile",
    "message_send",
    "message_status",
    "message_status_from_provider",
    "messages_dispatch",
    "messages_dispatch_due",
    "messages_release_stale",
    "messages_sweep",
    "suppress",
    "unsuppress",
    "webhook_receipt_record",
]
