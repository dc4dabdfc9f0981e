"""The adviser's admin for messages: a smoke test per ModelAdmin and the moved models' old
addresses. The screens' own tests: test_admin_outbox.py, test_admin_tasks_policies.py,
test_admin_cases.py and test_admin_preview.py."""

import pytest
from django.urls import reverse

from notifications.models import OutboundMessage, ReminderPolicy, Suppression
from tests.helpers import changelist, family, label, message
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


# --- one smoke test per ModelAdmin ----------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["outboundmessage", "advisertask", "reminderpolicy", "suppression"]
)
def test_changelists_open(admin_client_logged_in, model):
    assert changelist(admin_client_logged_in, model).status_code == 200


def test_change_pages_open(admin_client_logged_in):
    case = family()
    sent = message(
        case, status=Status.SENT, body="sendflow: the appeal is due.", to="+447400123456"
    )
    task = AdviserTask.objects.create(case=case, message=sent, kind="delivery_failed", text="Check")
    suppression = Suppression.objects.create(channel="sms", address="+447400123456", reason="web")
    policy = ReminderPolicy.objects.get(deadline_kind="appeal")
    for model, obj in [
        ("outboundmessage", sent),
        ("advisertask", task),
        ("reminderpolicy", policy),
        ("suppression", suppression),
    ]:
        url = reverse(f"admin:{label(model)}_{model}_change", args=[obj.pk])
        assert admin_client_logged_in.get(url).status_code == 200, model


def test_only_policies_can_be_added_by_hand(admin_client_logged_in):
    client = admin_client_logged_in
    assert client.get(reverse("admin:notifications_reminderpolicy_add")).status_code == 200
    for model in ("outboundmessage", "advisertask", "suppression"):
        assert client.get(reverse(f"admin:{label(model)}_{model}_add")).status_code == 403


def test_outbox_is_read_only_and_shows_the_text_as_sent(admin_client_logged_in):
    case = family()
    sent = message(
        case,
        channel="email",
        status=Status.SENT,
        to="amira@example.com",
        subject="Appeal: Monday 1 March 2027",
        body="Dear Amira,\n\nYour appeal must reach the Tribunal by Monday 1 March 2027.",
    )
    url = reverse("admin:notifications_outboundmessage_change", args=[sent.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert "Appeal: Monday 1 March 2027" in page
    assert "Your appeal must reach the Tribunal by Monday 1 March 2027." in page
    assert 'name="_save"' not in page
    response = admin_client_logged_in.post(url, {"status": "pending"})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_the_moved_models_old_admin_addresses_still_arrive(admin_client_logged_in):
    """Contact and AdviserTask moved to workflows: a bookmark of the old page redirects."""
    old = admin_client_logged_in.get("/admin/notifications/advisertask/?state=open")
    assert old.status_code == 302
    assert old["Location"] == "/admin/workflows/advisertask/?state=open"
    assert admin_client_logged_in.get(old["Location"]).status_code == 200
