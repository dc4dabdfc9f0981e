"""Issue 19, part 3: the adviser's marking (met, missed, waived) carries its reason. Missed and
waived need one (they change what the family is told, and a late appeal must explain a miss);
it is shown after the state today wherever the marking is, and kept in the change history."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.case_records import case_erase, change_history
from casework.history import case_chronology
from tests.factories import CaseFactory, ContactFactory
from tests.workflows.test_admin import case_post_data, inline_management
from workflows import services, words
from workflows.models import Route

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)  # near the session's own day: it stays valid
REASON = "The family chose mediation first"


def _case():
    case = CaseFactory()
    ContactFactory(case=case)
    Route.objects.create(case=case, kind="appeal")
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 11, 2))
    return case


def _post(client, case, *, status, reason=""):
    """The case page saved with the appeal marked `status`, the other deadlines as they are."""
    deadlines = list(case.deadlines.order_by("id"))
    key_date = case.key_dates.get()
    data = case_post_data(case)
    data.update(inline_management("key_dates", total=1, initial=1))
    data.update(
        {
            "key_dates-0-id": key_date.id,
            "key_dates-0-case": case.id,
            "key_dates-0-event": key_date.event,
            "key_dates-0-value": key_date.value.isoformat(),
        }
    )
    data.update(inline_management("deadlines", total=len(deadlines), initial=len(deadlines)))
    for i, d in enumerate(deadlines):
        appeal = d.kind == "appeal"
        data.update(
            {
                f"deadlines-{i}-id": d.id,
                f"deadlines-{i}-case": case.id,
                f"deadlines-{i}-status": status if appeal else d.status,
                f"deadlines-{i}-status_reason": reason if appeal else d.status_reason,
                f"deadlines-{i}-override_date": "",
                f"deadlines-{i}-override_reason": "",
            }
        )
    return client.post(reverse("admin:workflows_case_change", args=[case.id]), data)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("status", ["waived", "missed"])
def test_marking_waived_or_missed_without_a_reason_is_refused_and_nothing_saved(
    admin_client_logged_in, status
):
    case = _case()
    response = _post(admin_client_logged_in, case, status=status)
    assert response.status_code == 200
    assert f"Say why it is marked {status}." in response.content.decode()
    appeal = case.deadlines.get(kind="appeal")
    assert (appeal.status, appeal.status_reason) == ("open", "")


@time_machine.travel(NOW, tick=False)
def test_marking_met_needs_no_reason(admin_client_logged_in):
    case = _case()
    assert _post(admin_client_logged_in, case, status="met").status_code == 302
    assert case.deadlines.get(kind="appeal").status == "met"


@time_machine.travel(NOW, tick=False)
def test_a_waived_deadline_shows_its_reason_after_the_state_and_keeps_it_in_the_history(
    admin_client_logged_in,
):
    case = _case()
    response = _post(admin_client_logged_in, case, status="waived", reason=f"  {REASON} ")
    assert response.status_code == 302, response.content.decode()[:2000]
    appeal = case.deadlines.get(kind="appeal")
    assert (appeal.status, appeal.status_reason) == ("waived", REASON)

    # The deadline list: the state today first, then the marking with its reason.
    listing = admin_client_logged_in.get(reverse("admin:workflows_deadline_changelist"))
    row = next(r for r in listing.content.decode().split("<tr") if "Appeal to the SEND" in r)
    assert "Done (the adviser marked it waived)" in row
    assert f"Marked waived: {REASON}" in row
    assert row.index("Done (the adviser marked it waived)") < row.index(REASON)

    # The case page: editable where the marking is, and said in the routes beside the state.
    page = admin_client_logged_in.get(
        reverse("admin:workflows_case_change", args=[case.id])
    ).content.decode()
    group = page[page.index('id="deadlines-group"') :]
    assert re.search(r'name="deadlines-\d+-status_reason"', group)
    assert f'value="{REASON}"' in group
    routes = page[page.index('id="case-routes"') :]
    assert f"Marked waived: {REASON}" in routes

    # The change history and the chronology keep who marked it and why.
    logged = [e.changes_dict for e in change_history(case=case)]
    assert any(c.get("status_reason") == ["", REASON] for c in logged)
    assert any(
        e.what.startswith("Deadline changed") and REASON in e.detail for e in case_chronology(case)
    )


@time_machine.travel(NOW, tick=False)
def test_unmarking_clears_the_reason(admin_client_logged_in):
    case = _case()
    assert _post(admin_client_logged_in, case, status="waived", reason=REASON).status_code == 302
    # The adviser sets "Not marked" and leaves the old reason typed in: it goes with the mark.
    assert _post(admin_client_logged_in, case, status="open", reason=REASON).status_code == 302
    appeal = case.deadlines.get(kind="appeal")
    assert (appeal.status, appeal.status_reason) == ("open", "")


def test_the_service_refuses_a_waiver_without_a_reason(adviser):
    case = _case()
    appeal = case.deadlines.get(kind="appeal")
    with pytest.raises(ValidationError, match="Say why it is marked waived"):
        services.deadline_update(
            deadline=appeal,
            status="waived",
            status_reason=" ",
            override_date=None,
            override_reason="",
            by=adviser,
        )


def test_a_moved_date_reopens_the_marking_and_its_task_says_why_it_was_marked(adviser):
    from workflows.models import AdviserTask

    case = _case()
    appeal = case.deadlines.get(kind="appeal")
    services.deadline_update(
        deadline=appeal,
        status="missed",
        status_reason="Letter arrived late",
        override_date=None,
        override_reason="",
        by=adviser,
    )
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
    appeal.refresh_from_db()
    assert (appeal.status, appeal.status_reason) == ("open", "")
    task = AdviserTask.objects.get(case=case, kind=AdviserTask.Kind.CHECK_DEADLINE)
    assert "marked missed (Letter arrived late) and is open again" in task.text


def test_erasing_a_case_removes_the_reasons_words(adviser):
    case = _case()
    appeal = case.deadlines.get(kind="appeal")
    services.deadline_update(
        deadline=appeal,
        status="waived",
        status_reason="Mum in hospital",
        override_date=None,
        override_reason="",
        by=adviser,
    )
    case_erase(case=case, actor=adviser)
    appeal.refresh_from_db()
    assert appeal.status_reason == "(erased)"


def test_the_marking_says_its_reason():
    assert words.marking_words(status="waived", status_reason=REASON) == (
        f"Marked waived: {REASON}"
    )
    assert words.marking_words(status="open", status_reason=REASON) == "Not marked"
    assert (
        words.marking_words(
            status="missed",
            status_reason="letter late",
            override_date=date(2027, 3, 1),
            override_reason="Tribunal's date",
        )
        == "Marked missed: letter late; date moved to Monday 1 March 2027: Tribunal's date"
    )
