"""The audit trail, subject access export, erasure, retention and the family link."""

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework import case_records as services
from governance.models import AuditEvent
from notifications.models import OutboundMessage, Suppression
from tests.factories import AdviserFactory, CaseFactory, ContactFactory, SupervisorFactory
from workflows.models import AdviserTask, Case, GivenDate

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 4, 12, tzinfo=UTC)


@pytest.fixture
def family(db):
    case = CaseFactory(reference="SF-777", notes="Diagnosis: autism; school: Oak Primary")
    contact = ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind="summary",
        channel="email",
        status="sent",
        to="amira@example.com",
        subject="Your dates",
        body=f"Dear Amira, your page: https://x.example/f/{case.access_token}/",
        send_at=NOW,
        sent_at=NOW,
    )
    OutboundMessage.objects.create(
        case=case, contact=contact, kind="reminder", channel="sms", send_at=NOW + timedelta(days=9)
    )
    AdviserTask.objects.create(case=case, kind="inbound_sms", text="Amira texted: call me")
    GivenDate.objects.create(
        case=case,
        kind="other",
        label="Oak Primary meeting",
        value=date(2027, 2, 1),
        source="Email from Amira's head teacher",
    )
    Suppression.objects.create(channel="sms", address="+447400123456", reason="stop_reply")
    return case


def export(reference):
    out = io.StringIO()
    call_command("case_export", reference, stdout=out)
    return json.loads(out.getvalue())


def test_export_holds_everything_and_erase_removes_the_personal_data(family):
    before = export("SF-777")
    assert before["contacts"][0]["email"] == "amira@example.com"
    assert before["case"]["notes"].startswith("Diagnosis")
    assert any(m["body"].startswith("Dear Amira") for m in before["messages"])
    assert before["suppressions"][0]["address"] == "+447400123456"
    assert before["tasks"][0]["text"] == "Amira texted: call me"
    assert before["given_dates"][0]["what"] == "Oak Primary meeting"

    out = io.StringIO()
    call_command("case_erase", "SF-777", "--yes", stdout=out)
    assert "1 pending message cancelled" in out.getvalue()
    after = json.dumps(export("SF-777"))
    for secret in ("amira@example.com", "Amira", "Diagnosis", "Oak Primary", "7400123456"):
        assert secret not in after.replace('"+447400123456"', "")  # the kept STOP aside
    family.refresh_from_db()
    assert family.erased_at
    assert family.status == "closed"
    assert not OutboundMessage.objects.filter(case=family, status="pending").exists()
    # Counts stay: two messages, one sent summary, one cancelled reminder.
    assert OutboundMessage.objects.filter(case=family).count() == 2
    assert OutboundMessage.objects.get(case=family, kind="summary").status == "sent"
    # A family that said STOP is never texted again.
    assert Suppression.objects.filter(address="+447400123456", reason="stop_reply").exists()
    # The change history keeps that a field changed, not what it said.
    for entry in LogEntry.objects.filter(additional_data__case_id=family.pk):
        assert "amira" not in json.dumps(entry.changes).lower()
        assert "Amira" not in entry.object_repr


def test_erasing_twice_is_harmless(family):
    services.case_erase(case=family)
    services.case_erase(case=family)
    family.refresh_from_db()
    assert family.erased_at
    assert AuditEvent.objects.filter(case=family, action="erase").count() == 2


def test_erase_without_yes_changes_nothing(family):
    with pytest.raises(Exception, match="--yes"):
        call_command("case_erase", "SF-777")
    family.refresh_from_db()
    assert family.erased_at is None


def test_the_family_link_ends_when_the_case_closes_or_is_erased(client, family, settings):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    url = reverse("family-page", args=[family.access_token])
    assert client.get(url).status_code == 200
    family.status = Case.Status.CLOSED
    family.save()
    assert family.closed_at is not None
    ended = client.get(url)
    assert ended.status_code == 410
    assert "This link has ended" in ended.content.decode()
    assert "01632 960123" in ended.content.decode()
    family.status = Case.Status.OPEN
    family.save()
    assert family.closed_at is None
    assert client.get(url).status_code == 200
    services.case_erase(case=family)
    assert client.get(url).status_code == 404  # the old token is gone altogether


def test_a_new_link_ends_the_old_one_at_once_and_resends_the_summary(client, family):
    old = family.access_token
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    client.post(
        reverse("admin:workflows_case_changelist"),
        {"action": "send_new_link", "_selected_action": [family.pk]},
    )
    family.refresh_from_db()
    assert family.access_token != old
    client.logout()
    assert client.get(reverse("family-page", args=[old])).status_code == 404
    assert client.get(reverse("family-page", args=[family.access_token])).status_code == 200
    summary = OutboundMessage.objects.get(case=family, kind="summary")
    assert summary.status == "pending"
    assert AuditEvent.objects.filter(case=family, action="new_link", actor=supervisor).exists()


def test_the_admin_never_shows_the_whole_token(admin_client_logged_in, family):
    message = OutboundMessage.objects.get(case=family, kind="summary")
    for url in (
        reverse("admin:workflows_case_change", args=[family.pk]),
        reverse("admin:notifications_outboundmessage_change", args=[message.pk]),
        reverse("admin:notifications_outboundmessage_changelist"),
    ):
        page = admin_client_logged_in.get(url).content.decode()
        assert family.access_token not in page, url
    page = admin_client_logged_in.get(
        reverse("admin:notifications_outboundmessage_change", args=[message.pk])
    ).content.decode()
    assert "amira@example.com" not in page
    assert "a***@example.com" in page


def test_views_changes_and_actions_are_recorded_with_who_and_where(client, family):
    ann = AdviserFactory(username="ann")
    Case.objects.filter(pk=family.pk).update(adviser=ann)
    client.force_login(ann)
    url = reverse("admin:workflows_case_change", args=[family.pk])
    client.get(url, REMOTE_ADDR="203.0.113.9")
    view = AuditEvent.objects.get(action="view", case=family)
    assert (view.actor, view.ip) == (ann, "203.0.113.9")
    client.post(
        reverse("admin:workflows_case_changelist"),
        {"action": "pause_reminders", "_selected_action": [family.pk]},
    )
    assert AuditEvent.objects.filter(action="pause", case=family, actor=ann).exists()
    # A change, with before and after values, by django-auditlog.
    family.refresh_from_db()
    family.local_authority = "Newshire"
    from auditlog.context import set_actor

    with set_actor(ann):
        family.save()
    entry = LogEntry.objects.filter(additional_data__case_id=family.pk).latest("timestamp")
    assert entry.changes["local_authority"] == ["Exampleshire", "Newshire"]
    assert entry.actor == ann


def test_the_family_side_is_recorded(client, family):
    contact = family.contacts.get()
    client.post(reverse("opt-out", args=[contact.opt_out_token]), {"channel": "email"})
    event = AuditEvent.objects.get(action="opt_out")
    assert event.case == family
    assert str(event) == "Family opted out on the web SF-777 by the family"


def test_supervisors_read_the_audit_trail_filtered_by_case_and_advisers_do_not(client, family):
    AuditEvent.objects.create(action="view", case=family, case_reference=family.reference)
    other = CaseFactory()
    AuditEvent.objects.create(action="view", case=other, case_reference=other.reference)
    client.force_login(SupervisorFactory())
    url = reverse("admin:governance_auditevent_changelist") + f"?case__id__exact={family.pk}"
    rows = client.get(url).context["cl"].result_list
    assert {e.case_id for e in rows} == {family.pk}
    history = client.get(reverse("admin:auditlog_logentry_changelist") + f"?case_id={family.pk}")
    assert history.status_code == 200
    assert all(e.additional_data["case_id"] == family.pk for e in history.context["cl"].result_list)
    event = AuditEvent.objects.filter(case=family).first()
    # Append-only: no one but a superuser deletes, nobody edits.
    assert (
        client.post(
            reverse("admin:governance_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    client.force_login(AdviserFactory())
    assert client.get(url).status_code == 403


def test_retention_erases_closed_cases_past_the_limit_in_batches(settings, db):
    settings.SENDFLOW_RETENTION_DAYS = 30
    old = [CaseFactory(status="closed") for _ in range(5)]
    recent = CaseFactory(status="closed")
    still_open = CaseFactory()
    Case.objects.filter(pk__in=[c.pk for c in old]).update(closed_at=NOW - timedelta(days=31))
    Case.objects.filter(pk=recent.pk).update(closed_at=NOW - timedelta(days=29))
    assert len(services.retention_purge(now=NOW, dry_run=True)) == 5
    assert not Case.objects.filter(erased_at__isnull=False).exists()
    erased = services.retention_purge(now=NOW, batch=2)
    assert sorted(erased) == sorted(c.reference for c in old)
    assert set(Case.objects.filter(erased_at__isnull=False)) == set(old)
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.erased_at is None
    assert still_open.erased_at is None
    assert services.retention_purge(now=NOW) == []


def test_retention_purge_command_and_the_admin_erase_on_date(admin_client_logged_in, settings):
    settings.SENDFLOW_RETENTION_DAYS = 2190
    case = CaseFactory(status="closed")
    Case.objects.filter(pk=case.pk).update(closed_at=datetime(2027, 1, 4, 12, tzinfo=UTC))
    url = reverse("admin:workflows_case_change", args=[case.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert "Sunday 2 January 2033" in page  # 2,190 days after 4 January 2027
    out = io.StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "0 cases closed more than 2190 days ago would be erased" in out.getvalue()


def test_the_nightly_retention_task_is_on_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="governance.tasks.retention_purge_task")
    assert task.enabled
    assert task.crontab.hour == "3"


def test_the_erase_action_asks_first_and_only_a_supervisor_sees_it(client, family):
    client.force_login(SupervisorFactory())
    changelist = reverse("admin:workflows_case_changelist")
    confirm = client.post(changelist, {"action": "erase_cases", "_selected_action": [family.pk]})
    assert "Erase these cases" in confirm.content.decode()
    family.refresh_from_db()
    assert family.erased_at is None
    client.post(
        changelist,
        {"action": "erase_cases", "_selected_action": [family.pk], "confirm": "yes"},
    )
    family.refresh_from_db()
    assert family.erased_at is not None


def test_the_export_action_downloads_json(client, family):
    client.force_login(SupervisorFactory())
    response = client.post(
        reverse("admin:workflows_case_changelist"),
        {"action": "export_cases", "_selected_action": [family.pk]},
    )
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["contacts"][0]["email"] == "amira@example.com"
    assert AuditEvent.objects.filter(action="export", case=family).exists()


def test_adviser_create_with_a_password_or_a_one_time_link(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-Unusual-passphrase-42\n"))
    call_command("adviser_create", "kim", "--email", "kim@iass.example", "--password-stdin")
    kim = get_user_model().objects.get(username="kim")
    assert kim.is_staff
    assert not kim.is_superuser
    assert kim.check_password("a-long-Unusual-passphrase-42")
    assert list(kim.groups.values_list("name", flat=True)) == ["Adviser"]

    out = io.StringIO()
    call_command("adviser_create", "sue", "--supervisor", stdout=out)
    sue = get_user_model().objects.get(username="sue")
    assert list(sue.groups.values_list("name", flat=True)) == ["Supervisor"]
    assert not sue.has_usable_password()
    link = out.getvalue().strip().splitlines()[-1]
    assert "/account/set-password/" in link


def test_the_one_time_link_sets_the_password(client, db):
    out = io.StringIO()
    call_command("adviser_create", "lee", stdout=out)
    path = "/" + out.getvalue().strip().splitlines()[-1].split("/", 3)[3]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Another-long-phrase-77", "new_password2": "Another-long-phrase-77"},
    )
    assert get_user_model().objects.get(username="lee").check_password("Another-long-phrase-77")
    # Used once: the link no longer works.
    assert "invalid" in client.get(path, follow=True).content.decode().lower()


def test_adviser_create_records_the_name_families_read(db):
    out = io.StringIO()
    call_command("adviser_create", "apatel", "--name", "Ann Patel", stdout=out)
    ann = get_user_model().objects.get(username="apatel")
    assert (ann.first_name, ann.last_name) == ("Ann", "Patel")
    assert "No --name" not in out.getvalue()

    out = io.StringIO()
    call_command("adviser_create", "bob2", stdout=out)
    assert "families will not see an adviser's name" in out.getvalue()


def test_erasure_leaves_no_given_date_s_own_words_in_the_case_list(db):
    from workflows import services as workflow_services

    case = CaseFactory(reference="SF-ERASE")
    workflow_services.given_date_set(
        case=case,
        kind="other",
        label="Call with Dr Patel about Amy",
        value=timezone.localdate() + timedelta(days=30),
    )
    assert Case.objects.get(pk=case.pk).next_label == "Call with Dr Patel about Amy"
    services.case_erase(case=case)
    assert "Patel" not in Case.objects.get(pk=case.pk).next_label
