"""Who sees which case: every registered admin declares a scope, and each scope is held."""

from datetime import UTC, date, datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from governance.models import AuditEvent
from notifications.models import OutboundMessage
from tests.factories import AdviserFactory, CaseFactory, ContactFactory, SupervisorFactory
from workflows.models import AdviserTask, Case, Deadline, FamilyReportedDate
from workflows.selectors import cases_visible_to

pytestmark = pytest.mark.django_db

SCOPES = {"case", "supervisor", "superuser"}


def _url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def test_every_registered_admin_and_inline_declares_a_scope():
    """A model registered without a scope would show every row to every adviser."""
    for model, model_admin in admin.site._registry.items():
        assert getattr(model_admin, "scope", None) in SCOPES, f"{model.__name__} has no scope"
        if model_admin.scope != "case":
            continue  # a supervisor's or superuser's page: its inlines go no further
        for inline in model_admin.inlines:
            assert getattr(inline, "scope", None) == "case", f"{inline.__name__} has no scope"


@pytest.fixture
def world(db):
    mine_adviser = AdviserFactory(username="ann")
    other_adviser = AdviserFactory(username="bob")
    mine = CaseFactory(reference="ANN-1", adviser=mine_adviser)
    theirs = CaseFactory(reference="BOB-1", adviser=other_adviser)
    free = CaseFactory(reference="FREE-1")
    for case in (mine, theirs, free):
        ContactFactory(case=case, name=f"Parent of {case.reference}")
        OutboundMessage.objects.create(
            case=case, kind="summary", channel="email", send_at=datetime(2027, 1, 4, 10, tzinfo=UTC)
        )
        AdviserTask.objects.create(case=case, kind="check_deadline", text=f"task {case}")
        Deadline.objects.create(
            case=case,
            kind="appeal",
            due=date(2027, 3, 1),
            owner="parent",
            rule="r",
            confidence="PRIMARY",
            computed_at=datetime(2027, 1, 1, tzinfo=UTC),
            aim_for=date(2027, 3, 1),
            act_by=date(2027, 3, 1),
        )
        FamilyReportedDate.objects.create(
            case=case, event="certificate_issued", value=date(2027, 1, 20)
        )
    return {"ann": mine_adviser, "mine": mine, "theirs": theirs, "free": free}


def _rows_for(model, case):
    if model is Case:
        return case.pk
    return model.objects.get(case=case).pk


@pytest.mark.parametrize(
    "model",
    [m for m, a in admin.site._registry.items() if getattr(a, "scope", None) == "case"],
    ids=lambda m: m.__name__,
)
def test_an_adviser_sees_only_their_own_and_unassigned_rows(client, world, model):
    client.force_login(world["ann"])
    # The case list opens on the adviser's own open cases; "All I can see" is the scope.
    changelist = client.get(_url(model, "changelist") + ("?cases=all" if model is Case else ""))
    assert changelist.status_code == 200
    shown = {obj.pk for obj in changelist.context["cl"].result_list}
    assert shown == {_rows_for(model, world["mine"]), _rows_for(model, world["free"])}
    # Another adviser's row by id: not found, not "perhaps it was deleted".
    hidden = _rows_for(model, world["theirs"])
    assert client.get(_url(model, "change", hidden)).status_code == 404
    assert client.get(_url(model, "history", hidden)).status_code == 404
    # Nor through a filter on the changelist.
    filtered = client.get(_url(model, "changelist") + f"?id__exact={hidden}")
    assert hidden not in {obj.pk for obj in filtered.context["cl"].result_list}


@pytest.mark.parametrize(
    "model",
    [m for m, a in admin.site._registry.items() if getattr(a, "scope", None) == "case"],
    ids=lambda m: m.__name__,
)
def test_a_supervisor_sees_every_row(client, world, model):
    client.force_login(SupervisorFactory())
    shown = {o.pk for o in client.get(_url(model, "changelist")).context["cl"].result_list}
    assert _rows_for(model, world["theirs"]) in shown
    assert client.get(_url(model, "change", _rows_for(model, world["theirs"]))).status_code == 200


@pytest.mark.parametrize(
    ("scope", "adviser_may", "supervisor_may"),
    [("supervisor", False, True), ("superuser", False, False)],
)
def test_supervisor_and_superuser_tables_are_refused_to_those_below(
    client, world, scope, adviser_may, supervisor_may
):
    models = [m for m, a in admin.site._registry.items() if a.scope == scope]
    assert models
    supervisor = SupervisorFactory()
    for user, may in ((world["ann"], adviser_may), (supervisor, supervisor_may)):
        client.force_login(user)
        for model in models:
            status = client.get(_url(model, "changelist")).status_code
            assert (status == 200) is may, f"{user} on {model.__name__}: {status}"
        index = client.get(reverse("admin:index")).content.decode()
        for model in models:
            assert (_url(model, "changelist") in index) is may


def test_an_action_on_a_crafted_selection_skips_hidden_cases(client, world):
    client.force_login(world["ann"])
    response = client.post(
        reverse("admin:workflows_case_changelist"),
        {"action": "pause_reminders", "_selected_action": [world["theirs"].pk, world["mine"].pk]},
    )
    assert response.status_code == 302
    world["theirs"].refresh_from_db()
    world["mine"].refresh_from_db()
    assert world["mine"].reminders_paused
    assert not world["theirs"].reminders_paused


def test_a_retry_of_another_advisers_message_does_nothing(client, world):
    hidden = OutboundMessage.objects.get(case=world["theirs"])
    OutboundMessage.objects.filter(pk=hidden.pk).update(status="failed")
    client.force_login(world["ann"])
    client.post(
        reverse("admin:notifications_outboundmessage_changelist"),
        {"action": "retry_now", "_selected_action": [hidden.pk]},
    )
    hidden.refresh_from_db()
    assert hidden.status == "failed"


def test_an_adviser_cannot_reassign_a_case_but_takes_on_an_unassigned_one(client, world):
    client.force_login(world["ann"])
    page = client.get(reverse("admin:workflows_case_change", args=[world["mine"].pk]))
    assert 'name="adviser"' not in page.content.decode()  # read-only for an adviser
    client.post(  # unassigned cases are under "All I can see"
        reverse("admin:workflows_case_changelist") + "?cases=all",
        {"action": "take_on", "_selected_action": [world["free"].pk, world["mine"].pk]},
    )
    world["free"].refresh_from_db()
    assert world["free"].adviser == world["ann"]
    assert AuditEvent.objects.filter(action="assign", case=world["free"]).exists()


def test_a_supervisor_assigns_and_it_is_recorded(client, world):
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    page = client.get(reverse("admin:workflows_case_change", args=[world["mine"].pk]))
    assert 'name="adviser"' in page.content.decode()
    assert cases_visible_to(supervisor).count() == 3


def test_export_and_erase_actions_are_not_offered_to_an_adviser(client, world):
    client.force_login(world["ann"])
    page = client.get(reverse("admin:workflows_case_changelist")).content.decode()
    assert "export_cases" not in page
    assert "erase_cases" not in page
    response = client.post(
        reverse("admin:workflows_case_changelist"),
        {"action": "erase_cases", "_selected_action": [world["mine"].pk], "confirm": "yes"},
    )
    world["mine"].refresh_from_db()
    assert world["mine"].erased_at is None
    assert response.status_code in (200, 302)


def test_the_roles_hold_exactly_their_permissions():
    adviser = set(Group.objects.get(name="Adviser").permissions.values_list("codename", flat=True))
    supervisor = set(
        Group.objects.get(name="Supervisor").permissions.values_list("codename", flat=True)
    )
    assert "view_all_cases" not in adviser
    assert "assign_case" not in adviser
    assert "view_reminderpolicy" not in adviser
    assert "view_suppression" not in adviser
    assert adviser < supervisor
    assert supervisor - adviser == {
        "view_all_cases",
        "assign_case",
        "export_case",
        "erase_case",
        "view_reminderpolicy",
        "add_reminderpolicy",
        "change_reminderpolicy",
        "view_suppression",
        "delete_suppression",
        "view_auditevent",
        "view_logentry",
        "view_localauthority",
        "add_localauthority",
        "change_localauthority",
    }
    assert {"view_familyreporteddate", "change_familyreporteddate"} <= adviser
    for codename in ("view_periodictask", "change_user", "view_group", "delete_case"):
        assert codename not in supervisor
