"""Invariants 1-3 of DESIGN.md against a real worker, Redis and PostgreSQL, with faults injected:
every due message reaches a final state, and the provider gets at most one send for each."""

import os
import signal
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory
from tests.integration.conftest import due_test_messages, later_than_every_limit, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = OutboundMessage.Status
BATCH = 1000


def _held_sends(ids: list[int]) -> tuple[dict[int, str], list[int]]:
    """Hold two sends a quarter of the way in, each the first of its own task (so the two pool
    processes each stop on one): one the provider already has, one it has not seen. Return the
    holds and the ids of those two tasks."""
    chunk = settings.SENDFLOW_SEND_CHUNK
    first = (len(ids) // 4) // chunk * chunk
    second = first + chunk
    holds = {ids[first]: "after", ids[second]: "before"}
    return holds, ids[first : second + chunk]


def test_worker_sigkilled_mid_batch_loses_and_duplicates_nothing(pipeline):
    ids = due_test_messages(BATCH)
    holds, _ = _held_sends(ids)
    worker = pipeline.worker(holds=holds)
    assert len(services.messages_dispatch().claimed) == BATCH
    pipeline.wait_until_held(holds, ids)

    worker.kill()  # mid-batch, both pool processes in the middle of a provider call
    assert pipeline.in_flight(ids) == set(holds)
    assert pipeline.statuses(ids)[Status.QUEUED] > BATCH // 2

    replacement = pipeline.worker()
    with pipeline.quiet(replacement, stuck=set(holds), ids=ids):
        # The replacement has sent all Redis still had. What the dead worker had taken comes
        # back from Redis only after the visibility timeout (an hour): the sweeper, run past the
        # task time limit, re-enqueues it and asks the provider about the two cut off mid-send.
        later = later_than_every_limit()
        sweep = services.messages_sweep(now=later)
        services.messages_dispatch(now=later)  # the one the provider had no record of
    assert sweep.unknown == 2
    assert sweep.reconciled_sent == 1  # the provider had it: recorded, not sent again
    assert sweep.resent == 1  # the provider had nothing: sent again
    assert sweep.requeued > 0

    pipeline.wait_until_final(ids)
    pipeline.assert_sent_once_each(ids)


def test_pool_process_sigkilled_mid_send_is_redelivered_and_reconciled(pipeline):
    """The OOM killer takes one pool process: its task comes back at once (acks_late with
    reject_on_worker_lost), and the send it cut off is reconciled, not repeated."""
    ids = due_test_messages(BATCH)
    holds, in_hand = _held_sends(ids)
    killed = next(ref for ref, when in holds.items() if when == "after")
    worker = pipeline.worker(holds=holds)
    assert len(services.messages_dispatch().claimed) == BATCH
    pipeline.wait_until_held(holds, ids)

    os.kill(pipeline.holder(killed), signal.SIGKILL)
    pipeline.release(*holds)
    redelivered = [i for i in in_hand if i != killed]
    wait_for(
        lambda: pipeline.ids_with_status(redelivered, Status.SENT) == set(redelivered),
        what="the killed process's task to be redelivered and the rest of the batch sent",
        explain=pipeline.explain(ids),
    )

    with pipeline.quiet(worker, stuck={killed}, ids=ids):
        assert pipeline.statuses(ids) == {Status.SENT: BATCH - 1, Status.SENDING: 1}
        sweep = services.messages_sweep(now=later_than_every_limit())
    assert (sweep.requeued, sweep.unknown, sweep.reconciled_sent, sweep.resent) == (0, 1, 1, 0)

    pipeline.wait_until_final(ids)
    pipeline.assert_sent_once_each(ids)


def test_redis_restart_mid_batch_loses_and_duplicates_nothing(pipeline):
    ids = due_test_messages(BATCH)
    holds, in_hand = _held_sends(ids)
    worker = pipeline.worker(holds=holds)
    assert len(services.messages_dispatch().claimed) == BATCH
    pipeline.wait_until_held(holds, ids)

    pipeline.redis.kill()  # it keeps nothing on disk: every task message it held is gone
    pipeline.redis.start()
    assert pipeline.redis.queued_tasks() == 0
    pipeline.release(*holds)  # the two tasks the worker had in hand run to their end
    wait_for(
        lambda: pipeline.ids_with_status(in_hand, Status.SENT) == set(in_hand),
        what="the tasks in hand during the restart to finish",
        explain=pipeline.explain(ids),
    )

    with pipeline.quiet(worker, stuck=set(), ids=ids):
        left = pipeline.ids_with_status(ids, Status.QUEUED)
        assert len(left) > BATCH // 2, "the batch was not mid-way at the restart"
        later = later_than_every_limit()
        sweep = services.messages_sweep(now=later)
        services.messages_dispatch(now=later)
    assert sweep.requeued == len(left)
    assert sweep.unknown == 0

    pipeline.wait_until_final(ids)  # the worker reconnected to the restarted Redis by itself
    pipeline.assert_sent_once_each(ids)


def _dispatch_until_dry(claimed: list[int], start: threading.Barrier, errors: list) -> None:
    try:
        start.wait(timeout=10)
        while batch := services.messages_dispatch(limit=50).claimed:
            claimed.extend(batch)
    except Exception as exc:  # reported by the test
        errors.append(exc)
    finally:
        connection.close()


def test_two_dispatchers_at_once_claim_each_row_exactly_once(pipeline):
    ids = due_test_messages(BATCH)
    claims: list[list[int]] = [[], []]
    errors: list[Exception] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=_dispatch_until_dry, args=(claimed, start, errors))
        for claimed in claims
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not any(thread.is_alive() for thread in threads)

    first, second = (set(claimed) for claimed in claims)
    assert len(claims[0]) + len(claims[1]) == BATCH  # no id handed out twice...
    assert first | second == set(ids)  # ...and none left behind
    assert first, "the second dispatcher took everything: they did not overlap"
    assert second, "the first dispatcher took everything: they did not overlap"
    assert pipeline.statuses(ids) == {Status.QUEUED: BATCH}

    pipeline.worker()
    pipeline.wait_until_final(ids)
    pipeline.assert_sent_once_each(ids)


def test_dispatcher_skips_rows_another_dispatcher_holds_without_waiting(pipeline):
    ids = due_test_messages(BATCH)
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    first: list[int] = []

    def hold_a_claim_open() -> None:
        try:
            with transaction.atomic():
                first.extend(services.messages_dispatch(limit=400).claimed)
                held.set()
                release.wait(timeout=30)  # rows stay locked until this commits
        finally:
            connection.close()
            done.set()

    holder = threading.Thread(target=hold_a_claim_open)
    holder.start()
    try:
        assert held.wait(timeout=30)
        second: list[int] = []
        other = threading.Thread(
            target=lambda: (
                second.extend(services.messages_dispatch().claimed),
                connection.close(),
            )
        )
        other.start()
        other.join(timeout=10)
        assert not other.is_alive(), "the second dispatcher waited on rows the first holds"
    finally:
        release.set()
        holder.join(timeout=30)
    assert done.is_set()

    assert first == ids[:400]  # the earliest due, in order
    assert second == ids[400:]  # the rest, skipping the locked ones
    assert services.messages_dispatch().claimed == []
    pipeline.worker()
    pipeline.wait_until_final(ids)
    pipeline.assert_sent_once_each(ids)


def test_stop_after_claim_before_send_suppresses_the_text(pipeline):
    stopped_number = "+447400123456"
    case = CaseFactory()
    contact = ContactFactory(case=case, mobile=stopped_number, wants_sms=True)
    summary = OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind=OutboundMessage.Kind.SUMMARY,
        channel="sms",
        send_at=timezone.now() - timedelta(minutes=1),
    )
    others = due_test_messages(20)
    test_to_stopped = OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind=OutboundMessage.Kind.TEST,
        channel="sms",
        to=stopped_number,
        body="sendflow test to a number that replies STOP",
        send_at=timezone.now() - timedelta(minutes=1),
    )
    stopped = [summary.id, test_to_stopped.id]
    ids = [*stopped, *others]

    claimed = services.messages_dispatch().claimed
    assert sorted(claimed) == sorted(ids)
    assert pipeline.statuses(ids) == {Status.QUEUED: len(ids)}
    # The family replies STOP while the sends wait in Redis.
    services.suppress(channel="sms", address=stopped_number, reason="stop_reply")

    pipeline.worker()
    pipeline.wait_until_final(ids)
    assert pipeline.statuses(stopped) == {Status.SUPPRESSED: len(stopped)}
    sends = pipeline.sends()
    assert not {str(i) for i in stopped} & set(sends), "the provider got a text after STOP"
    pipeline.assert_sent_once_each(others)


def test_worker_sigkilled_mid_email_send_sends_again_with_the_same_message_id(pipeline, settings):
    """Invariant 2 for email, which has no lookup: the mail server took the message, the worker
    died before its reply, so sendflow cannot know; it sends again, with the same Message-ID (a
    mail app shows one), and the case says the family may have it twice."""
    from email import message_from_string

    from tests.fakes.fake_smtp import FakeSMTP

    smtp = FakeSMTP(hold_after_data=True).start()
    smtp_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    settings.EMAIL_BACKEND = smtp_env["EMAIL_BACKEND"]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    try:
        [message_id] = due_test_messages(1, channel="email", to="family@example.org")
        worker = pipeline.worker(extra_env=smtp_env)
        assert services.messages_dispatch().claimed == [message_id]
        wait_for(lambda: smtp.messages, what="the mail server to take the email")

        worker.kill()  # after the server took it, before its "250 queued" reached the worker
        smtp.release()
        later = later_than_every_limit()
        sweep = services.messages_sweep(now=later)
        assert (sweep.unknown, sweep.resent) == (1, 1)
        assert services.messages_dispatch(now=later, enqueue=False).claimed == [message_id]
        assert services.message_send(message_id=message_id, now=later) == Status.SENT
    finally:
        smtp.stop()

    first, second = (message_from_string(raw) for raw in smtp.messages)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].startswith(f"<sendflow-message-{message_id}@")
    message = OutboundMessage.objects.get(id=message_id)
    assert message.status_reason == services.MAY_HAVE_GONE_TWICE
