"""GOV.UK Notify through a real worker, Redis and PostgreSQL: the worker's real
notifications-python-client talks to a local fake Notify API (tests/fakes/fake_notify.py), and
Notify's delivery receipts come back over HTTP to the running site. What lands is checked at the
fake (every send counted) and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from notifications import services
from notifications.models import OutboundMessage, ReminderPolicy, WebhookReceipt
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_notify import FakeNotify, Reply, make_api_key
from tests.integration.conftest import later_than_every_limit, wait_for
from workflows import services as workflow_services
from workflows.models import AdviserTask

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = OutboundMessage.Status
SMS_TEMPLATE_ID = "11111111-2222-4333-8444-555555555555"
EMAIL_TEMPLATE_ID = "66666666-7777-4888-9999-aaaaaaaaaaaa"
CALLBACK_TOKEN = "notify-callback-token-for-integration-0123456789"
MOBILE = "+447400123456"


@pytest.fixture
def notify(pipeline, settings) -> Iterator[FakeNotify]:
    """A fake Notify on 127.0.0.1; the workers and this process (its sweeper and the webhooks
    the live server answers) are set up for SMS_BACKEND=notify and EMAIL_BACKEND=notify."""
    api_key = make_api_key()
    fake = FakeNotify(api_key=api_key).start()
    env = {
        "SMS_BACKEND": "notify",
        "EMAIL_BACKEND": "notify",
        "NOTIFY_API_KEY": api_key,
        "NOTIFY_BASE_URL": fake.url,
        "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
        "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
        "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN,
        "NOTIFY_TIMEOUT_SECONDS": "1",  # the timeout test: the fake holds its answer longer
    }
    fake.worker_env = env
    settings.SMS_BACKEND = "notify"
    settings.EMAIL_BACKEND = "notify"
    settings.NOTIFY_API_KEY = api_key
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
    settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    settings.NOTIFY_TIMEOUT_SECONDS = 2.0
    services._backend.cache_clear()
    try:
        yield fake
    finally:
        pipeline.close()  # the workers first: a held answer is released as the fake stops
        fake.stop()
    assert fake.errors == [], "the fake Notify itself failed"


def a_case_due_now(*, wants_email: bool, email: str) -> list[int]:
    """A family's summary and first appeal and mediation adviser reminders, due now; their ids.
    (A transactional test's database has no data migrations' rows: the policies are made here.)"""
    for kind in ("appeal", "mediation_adviser_contact"):
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "countdown", "offsets": "4w,2w,1w,2wd,0d"}
        )
    case = CaseFactory()
    ContactFactory(case=case, mobile=MOBILE, email=email, wants_sms=True, wants_email=wants_email)
    workflow_services.key_date_set(
        case=case, event="decision_sent", value=timezone.localdate() - timedelta(days=3)
    )
    now = timezone.now() - timedelta(minutes=1)
    OutboundMessage.objects.filter(case=case, kind="reminder", offset="4w").update(send_at=now)
    OutboundMessage.objects.filter(case=case, kind="summary").update(send_at=now)
    return list(
        OutboundMessage.objects.filter(case=case, send_at__lte=timezone.now()).values_list(
            "id", flat=True
        )
    )


def receipt(message: OutboundMessage, status: str) -> dict:
    """A delivery receipt as Notify posts it to the callback URL."""
    return {
        "id": message.provider_id,
        "reference": str(message.id),
        "to": message.to,
        "status": status,
        "created_at": "2026-01-20T10:00:00.000000Z",
        "completed_at": "2026-01-20T10:00:05.000000Z",
        "sent_at": "2026-01-20T10:00:01.000000Z",
        "notification_type": message.channel,
        "template_id": SMS_TEMPLATE_ID,
        "template_version": 1,
    }


def post_receipt(live_server, payload: dict, token: str) -> requests.Response:
    return requests.post(
        f"{live_server.url}/webhooks/notify/status/",
        json=payload,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_a_cases_text_and_email_go_through_notify_and_a_receipt_marks_delivered(
    pipeline, notify, live_server
):
    ids = a_case_due_now(wants_email=True, email="amira@example.com")
    leads = services.messages_dispatch().claimed
    assert len(leads) == 2  # one text and one email: everything due today, combined
    pipeline.worker(extra_env=notify.worker_env)
    pipeline.wait_until_final(ids)

    assert pipeline.statuses(ids) == {Status.SENT: len(ids)}
    assert len(notify.sends) == 2
    by_type = {n.type: n for n in notify.notifications}
    text, email = by_type["sms"], by_type["email"]
    sms_row = OutboundMessage.objects.get(id=int(text.reference))
    email_row = OutboundMessage.objects.get(id=int(email.reference))
    assert {sms_row.id, email_row.id} == set(leads)
    assert (sms_row.channel, email_row.channel) == ("sms", "email")
    # The pass-through templates: ((body)) for a text, ((subject)) and ((body)) for an email.
    assert text.template_id == SMS_TEMPLATE_ID
    assert set(text.personalisation) == {"body"}
    assert text.to == MOBILE
    assert "appeal" in text.personalisation["body"].lower()
    assert email.template_id == EMAIL_TEMPLATE_ID
    assert set(email.personalisation) == {"subject", "body"}
    assert email.to == "amira@example.com"
    assert email.personalisation["subject"] == email_row.subject
    assert (sms_row.provider_id, email_row.provider_id) == (text.id, email.id)
    assert all(r.authorised for r in notify.requests)

    # A receipt with another token is refused and writes nothing.
    refused = post_receipt(live_server, receipt(sms_row, "delivered"), token="not-the-token")
    assert refused.status_code == 403
    assert pipeline.statuses(ids) == {Status.SENT: len(ids)}
    assert not WebhookReceipt.objects.exists()

    # With the right token, the text and every row combined into it are delivered.
    accepted = post_receipt(live_server, receipt(sms_row, "delivered"), token=CALLBACK_TOKEN)
    assert accepted.status_code == 204
    texts = list(
        OutboundMessage.objects.filter(id__in=ids, channel="sms").values_list("id", flat=True)
    )
    assert pipeline.statuses(texts) == {Status.DELIVERED: len(texts)}
    assert OutboundMessage.objects.get(id=email_row.id).status == Status.SENT
    assert len(notify.sends) == 2


def test_a_400_from_notify_fails_the_text_and_tells_the_adviser(pipeline, notify):
    ids = a_case_due_now(wants_email=False, email="")
    notify.queue(Reply.BAD_NUMBER)
    (lead,) = services.messages_dispatch().claimed
    pipeline.worker(extra_env=notify.worker_env)
    pipeline.wait_until_final(ids)

    assert pipeline.statuses(ids) == {Status.FAILED: len(ids)}
    assert len(notify.sends) == 1
    assert notify.notifications == []
    (task,) = AdviserTask.objects.filter(kind=AdviserTask.Kind.DELIVERY_FAILED)
    assert task.message_id == lead
    assert "GOV.UK Notify says this is not a mobile number it can text" in task.text
    assert "Check the contact details with the family" in task.text


def test_a_timeout_after_notify_took_the_text_is_reconciled_by_reference_not_resent(
    pipeline, notify
):
    ids = a_case_due_now(wants_email=False, email="")
    notify.queue(Reply.TIMEOUT)  # Notify takes the text; its answer comes after the client gave up
    (lead,) = services.messages_dispatch().claimed
    worker = pipeline.worker(extra_env=notify.worker_env)
    wait_for(
        lambda: pipeline.ids_with_status([lead], Status.UNKNOWN),
        what="the send to time out and be recorded as unknown",
        explain=pipeline.explain(ids),
    )
    notify.release()
    assert len(notify.sends) == 1
    assert "did not answer in time" in OutboundMessage.objects.get(id=lead).last_error

    with pipeline.quiet(worker, stuck=set(), ids=ids):
        later = later_than_every_limit()
        sweep = services.messages_sweep(now=later)
        services.messages_dispatch(now=later)  # were anything put back to go again
    assert sweep.reconciled_sent == 1
    assert sweep.resent == 0

    pipeline.wait_until_final(ids)
    assert pipeline.statuses(ids) == {Status.SENT: len(ids)}
    (accepted,) = notify.notifications
    assert OutboundMessage.objects.get(id=lead).provider_id == accepted.id
    (lookup,) = notify.lookups
    assert lookup.query["reference"] == str(lead)
    assert len(notify.sends) == 1, "sent a second time"
