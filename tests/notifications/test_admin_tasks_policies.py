"""The adviser's admin for messages: adviser tasks, reminder policies and opt-outs."""

from datetime import time

import pytest
from django.urls import reverse

from notifications.models import OutboundMessage, ReminderPolicy, Suppression
from tests.helpers import ADMIN_NOW as NOW
from tests.helpers import action, changelist, family
from workflows.models import AdviserTask

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


# --- adviser tasks -------------------------------------------------------------------------------


def test_tasks_list_open_first_and_mark_done(admin_client_logged_in, now):
    case = family("SF-TASK")
    done = AdviserTask.objects.create(case=case, kind="overdue", text="Done one", done_at=NOW)
    task = AdviserTask.objects.create(case=case, kind="delivery_failed", text="Open one")
    page = changelist(admin_client_logged_in, "advisertask").content.decode()
    assert page.index("Open one") < page.index("Done one")
    assert reverse("admin:workflows_case_change", args=[case.pk]) in page
    open_only = changelist(admin_client_logged_in, "advisertask", "?state=open").content.decode()
    assert "Open one" in open_only
    assert "Done one" not in open_only

    url = reverse("admin:workflows_advisertask_changelist")
    assert action(admin_client_logged_in, url, "mark_done", [task.id, done.id]).status_code == 302
    task.refresh_from_db()
    assert task.done_at == now
    done.refresh_from_db()
    assert done.done_at == NOW  # unchanged


# --- policies ------------------------------------------------------------------------------------


def policy_list_data(policies, **changes):
    data = {
        "form-TOTAL_FORMS": str(len(policies)),
        "form-INITIAL_FORMS": str(len(policies)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, p in enumerate(policies):
        data.update(
            {
                f"form-{i}-id": str(p.id),
                f"form-{i}-style": p.style,
                f"form-{i}-offsets": p.offsets,
                f"form-{i}-send_time": p.send_time.strftime("%H:%M"),
                f"form-{i}-enabled": "on" if p.enabled else "",
            }
        )
        for name, value in changes.get(p.deadline_kind, {}).items():
            data[f"form-{i}-{name}"] = value
    return data


def test_policies_are_edited_in_the_list_and_bad_offsets_are_shown(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    url = reverse("admin:notifications_reminderpolicy_changelist")
    policies = list(ReminderPolicy.objects.order_by("deadline_kind"))
    response = admin_client_logged_in.post(
        url, policy_list_data(policies, appeal={"offsets": "4w,fortnight"})
    )
    assert response.status_code == 200
    assert "&#x27;fortnight&#x27; is not an offset" in response.content.decode()
    assert ReminderPolicy.objects.get(deadline_kind="appeal").offsets == "4w,2w,1w,2wd,0d"

    with django_capture_on_commit_callbacks() as replans:
        response = admin_client_logged_in.post(
            url, policy_list_data(policies, appeal={"offsets": "3w,1w", "send_time": "09:30"})
        )
    assert response.status_code == 302
    assert replans  # pending messages follow the new policy without waiting for the night
    appeal = ReminderPolicy.objects.get(deadline_kind="appeal")
    assert (appeal.offsets, appeal.send_time) == ("3w,1w", time(9, 30))


def test_a_policy_for_a_deadline_the_rules_no_longer_know_is_an_error_on_its_row(
    admin_client_logged_in,
):
    ReminderPolicy.objects.create(deadline_kind="retired_deadline", style="countdown")
    policies = list(ReminderPolicy.objects.order_by("deadline_kind"))
    response = admin_client_logged_in.post(
        reverse("admin:notifications_reminderpolicy_changelist"),
        policy_list_data(policies, retired_deadline={"offsets": "1w"}),
    )
    assert response.status_code == 200
    assert "Unknown deadline &#x27;retired_deadline&#x27;" in response.content.decode()


# --- opt-outs -----------------------------------------------------------------------------------


def test_an_opt_out_can_be_found_and_removed(admin_client_logged_in):
    Suppression.objects.create(channel="sms", address="+447400123456", reason="stop_reply")
    other = Suppression.objects.create(channel="email", address="ben@example.com", reason="web")
    page = changelist(admin_client_logged_in, "suppression", "?q=7400123").content.decode()
    assert "+447400123456" in page
    assert "ben@example.com" not in page
    url = reverse("admin:notifications_suppression_delete", args=[other.id])
    assert admin_client_logged_in.post(url, {"post": "yes"}).status_code == 302
    assert not Suppression.objects.filter(id=other.id).exists()
