"""One message per person, channel and day through a real worker, Redis and PostgreSQL: the
rows due to one family together reach the provider as one send, and all reach a final state."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import OutboundMessage, ReminderPolicy
from tests.factories import CaseFactory, ContactFactory
from workflows import services as workflow_services

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = OutboundMessage.Status


def test_a_familys_rows_due_together_reach_the_provider_as_one_text(pipeline):
    # A transactional test's database is emptied after each test, data migrations' rows too:
    # the policies the planner reads are made here.
    for kind in ("appeal", "mediation_adviser_contact"):
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": "countdown", "offsets": "4w,2w,1w,2wd,0d"}
        )
    case = CaseFactory()
    ContactFactory(case=case, wants_email=False)  # texts only
    workflow_services.key_date_set(
        case=case, event="decision_sent", value=timezone.localdate() - timedelta(days=3)
    )
    # Bring the summary and the two 4-week reminders (mediation adviser, appeal) to now: on the
    # real clock the summary may be waiting for the end of quiet hours (the worker has none).
    now = timezone.now() - timedelta(minutes=1)
    OutboundMessage.objects.filter(case=case, kind="reminder", offset="4w").update(send_at=now)
    OutboundMessage.objects.filter(case=case, kind="summary").update(send_at=now)
    ids = list(
        OutboundMessage.objects.filter(case=case, send_at__lte=timezone.now()).values_list(
            "id", flat=True
        )
    )
    assert len(ids) == 3

    claimed = services.messages_dispatch().claimed
    assert len(claimed) == 1
    pipeline.worker()
    pipeline.wait_until_final(ids)

    assert pipeline.statuses(ids) == {Status.SENT: 3}
    sends = pipeline.sends()
    assert list(sends) == [str(claimed[0])], "one send, made by the lead"
    assert len(sends[str(claimed[0])]) == 1
    (sent,) = [json.loads(p.read_text()) for p in pipeline.sms_dir.glob("*.json")]
    body = sent["body"]
    assert "Contact the mediation adviser by" in body
    assert body.index("mediation adviser") < body.index("SEND Tribunal")
    riders = OutboundMessage.objects.filter(id__in=ids).exclude(id=claimed[0])
    assert set(riders.values_list("combined_into", flat=True)) == {claimed[0]}
