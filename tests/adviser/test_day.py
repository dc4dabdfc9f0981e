"""The adviser's day: cases by urgency, the index page's counts, the pipeline and /healthz."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import health as outbox_health
from notifications.models import OutboundMessage
from sendflow import health
from tests.factories import (
    AdviserFactory,
    AdviserTaskFactory,
    CaseFactory,
    ContactFactory,
    SupervisorFactory,
)
from workflows import selectors, services
from workflows.models import AdviserTask, Case, FamilyReportedDate, KeyDate

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 10)  # a Wednesday


def _case(reference, adviser=None, **events):
    case = CaseFactory(reference=reference, adviser=adviser)
    ContactFactory(case=case, name=f"Family {reference}")
    for event, value in events.items():
        services.key_date_set(case=case, event=event, value=value)
    return case


@pytest.fixture
def caseload(db):
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        world = _caseload()
    # What the planner and the rules' checks made: each test adds the messages and tasks it counts.
    OutboundMessage.objects.all().delete()
    AdviserTask.objects.all().delete()
    return world


def _caseload():
    ann = AdviserFactory(username="ann")
    return {
        "ann": ann,
        # decision 1 Dec 2026: the appeal (1 Feb 2027) and the mediation contact have passed.
        "passed": _case("B-PASSED", ann, decision_sent=date(2026, 12, 1)),
        # decision 1 Mar 2027: the mediation adviser by 4 May, the appeal by then too.
        "later": _case("A-LATER", ann, decision_sent=date(2027, 3, 1)),
        # request received 3 Feb 2027: the council decides by 17 Mar 2027, 5 working days away.
        "soon": _case("C-SOON", ann, ehc_request_received=date(2027, 2, 3)),
        "nothing": _case("D-NOTHING", ann),
        "theirs": _case(
            "E-THEIRS", AdviserFactory(username="bob"), decision_sent=date(2026, 12, 1)
        ),
    }


def test_cases_by_urgency_puts_passed_family_deadlines_first_then_the_next_act_by(caseload):
    ordered = list(selectors.cases_by_urgency(Case.objects.all(), TODAY))
    refs = [c.reference for c in ordered]
    assert refs == ["B-PASSED", "E-THEIRS", "C-SOON", "A-LATER", "D-NOTHING"]
    first = ordered[0]
    assert first.passed_family
    # The passed appeal is the next step, not the later-looking mediation contact.
    assert first.next_kind in ("appeal", "mediation_adviser_contact")
    assert selectors.next_step_act_by(first) < TODAY
    assert ordered[2].next_kind == "ehc_assessment_decision"
    assert ordered[-1].next_kind == ""


def test_a_done_or_met_deadline_is_not_urgent(caseload):
    case = caseload["passed"]
    for deadline in case.deadlines.filter(owner="parent"):
        services.deadline_update(
            deadline=deadline, status="met", override_date=None, override_reason="", by=None
        )
    ordered = [c.reference for c in selectors.cases_by_urgency(Case.objects.all(), TODAY)]
    assert ordered[0] == "E-THEIRS"


@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_case_list_opens_on_the_advisers_own_open_cases_most_urgent_first(client, caseload):
    client.force_login(caseload["ann"])
    url = reverse("admin:workflows_case_changelist")
    response = client.get(url)
    refs = [c.reference for c in response.context["cl"].result_list]
    assert refs == ["B-PASSED", "C-SOON", "A-LATER", "D-NOTHING"]
    page = response.content.decode()
    assert "My open cases" in page
    assert "Passed 2" in page or "Passed " in page
    assert "5 working days left" in page
    everything = [c.reference for c in client.get(url + "?cases=all").context["cl"].result_list]
    assert "D-NOTHING" in everything


@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_case_list_takes_a_fixed_number_of_queries(client, caseload):
    client.force_login(SupervisorFactory())
    url = reverse("admin:workflows_case_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        _case(f"X-{n}", caseload["ann"], decision_sent=date(2026, 11, 2 + n))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_case_page_opens_with_banners_for_what_needs_the_adviser(client, caseload):
    case = caseload["passed"]
    KeyDate.objects.create(
        case=case,
        event="mediation_requested",
        value=date(2026, 12, 20),
        source="family",
        confirmed=False,
    )
    FamilyReportedDate.objects.create(case=case, event="certificate_issued", value=date(2027, 1, 5))
    OutboundMessage.objects.create(
        case=case, kind="reminder", channel="sms", status="failed", send_at=timezone.now()
    )
    AdviserTaskFactory(case=case, kind="check_deadline", text="Check the letter")
    client.force_login(caseload["ann"])
    page = client.get(reverse("admin:workflows_case_change", args=[case.pk])).content.decode()
    for banner in (
        "case-passed-deadlines",
        "case-family-dates",
        "case-failed-messages",
        "case-open-tasks-banner",
    ):
        assert f'id="{banner}"' in page, banner


def _counts(page_context, key):
    return {item.key: item.count for item in page_context["dashboard_mine"]}[key]


@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_index_counts_an_advisers_day_each_linking_to_its_list(client, caseload):
    ann = caseload["ann"]
    OutboundMessage.objects.create(
        case=caseload["later"],
        kind="reminder",
        channel="sms",
        status="failed",
        send_at=timezone.now(),
    )
    OutboundMessage.objects.create(
        case=caseload["later"],
        kind="reminder",
        channel="email",
        status="unknown",
        send_at=timezone.now(),
    )
    OutboundMessage.objects.create(
        case=caseload["theirs"],
        kind="reminder",
        channel="sms",
        status="failed",
        send_at=timezone.now(),
    )
    AdviserTaskFactory(case=caseload["soon"], kind="check_deadline", text="t")
    AdviserTaskFactory(
        case=caseload["soon"], kind="check_deadline", text="done", done_at=timezone.now()
    )
    FamilyReportedDate.objects.create(
        case=caseload["later"], event="certificate_issued", value=date(2027, 3, 5)
    )
    client.force_login(ann)
    response = client.get(reverse("admin:index"))
    counts = {item.key: item for item in response.context["dashboard_mine"]}
    assert {k: c.count for k, c in counts.items()} == {
        "passed": 1,
        "due_soon": 1,
        "problem_messages": 2,
        "open_tasks": 1,
        "family_dates": 1,
    }
    assert "pipeline" not in response.context  # an adviser's index has no pipeline
    # Each count opens the list it counts.
    for key, expected in (
        ("passed", {"B-PASSED"}),
        ("due_soon", {"C-SOON"}),
        ("family_dates", {"A-LATER"}),
    ):
        shown = {c.reference for c in client.get(counts[key].url).context["cl"].result_list}
        assert shown == expected, key
    outbox = client.get(counts["problem_messages"].url).context["cl"].result_list
    assert len(outbox) == 2
    tasks = client.get(counts["open_tasks"].url).context["cl"].result_list
    assert [t.text for t in tasks] == ["t"]


@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_a_supervisor_sees_each_advisers_counts_and_the_pipeline(client, caseload):
    from django_celery_beat.models import PeriodicTask

    now = timezone.now()
    OutboundMessage.objects.create(
        case=caseload["later"],
        kind="reminder",
        channel="sms",
        status="pending",
        send_at=now - timedelta(hours=2),
    )
    OutboundMessage.objects.create(
        case=caseload["later"], kind="reminder", channel="sms", status="queued", send_at=now
    )
    OutboundMessage.objects.create(
        case=caseload["later"],
        kind="reminder",
        channel="sms",
        status="failed",
        send_at=now,
        last_error="The 'To' number +447400123456 is not valid",
    )
    PeriodicTask.objects.filter(task="notifications.tasks.messages_dispatch_task").update(
        last_run_at=now - timedelta(seconds=30)
    )
    client.force_login(SupervisorFactory())
    response = client.get(reverse("admin:index"))
    rows = {
        row.name: {c.key: c.count for c in row.counts}
        for row in response.context["dashboard_advisers"]
    }
    assert rows["ann"]["passed"] == 1
    assert rows["bob"]["passed"] == 1
    pipeline = response.context["pipeline"]
    assert pipeline.oldest_due == now - timedelta(hours=2)
    assert (pipeline.queued, pipeline.sending) == (1, 0)
    assert [n for _, n in pipeline.failures] == [1]
    assert "+447400123456" not in response.content.decode()
    assert pipeline.beat_last_run == now - timedelta(seconds=30)


def test_the_admin_header_names_the_service_and_groups_the_index(client, settings):
    from tests.factories import SuperuserFactory

    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    client.force_login(SuperuserFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert "Exampleshire SENDIASS" in page
    assert "Django administration" not in page
    groups = [app["name"] for app in client.get(reverse("admin:index")).context["app_list"]]
    assert groups == ["Casework", "Messages", "Settings"]
    settings_models = client.get(reverse("admin:index")).context["app_list"][2]["models"]
    assert "PeriodicTask" in {m["object_name"] for m in settings_models}


def test_beat_tables_are_for_superusers_only_on_the_index(client):
    client.force_login(SupervisorFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert "Periodic tasks" not in page


# --- /healthz ----------------------------------------------------------------------------------


@pytest.fixture
def beat_ticked(db):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(task=health.DISPATCH_TASK).update(last_run_at=timezone.now())
    services.deadlines_recompute_open_cases()  # last night's run, whole


def test_healthz_answers_json_with_each_check_and_needs_no_login(client, beat_ticked):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "beat", "nightly", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.parametrize("failing", ["database", "broker", "beat", "nightly", "migrations"])
def test_healthz_reports_each_failing_check_with_503(client, beat_ticked, monkeypatch, failing):
    def broken():
        raise health.CheckFailed(f"{failing} is down")

    monkeypatch.setitem(health.CHECKS, failing, broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"][failing] == {"ok": False, "detail": f"{failing} is down"}
    assert all(c["ok"] for name, c in body["checks"].items() if name != failing)


def test_healthz_beat_fails_when_it_has_not_dispatched_lately(client, db):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(task=health.DISPATCH_TASK).update(
        last_run_at=timezone.now() - timedelta(hours=1)
    )
    body = client.get("/healthz").json()
    assert body["checks"]["beat"]["ok"] is False
    PeriodicTask.objects.filter(task=health.DISPATCH_TASK).update(last_run_at=None)
    assert "never" in client.get("/healthz").json()["checks"]["beat"]["detail"]


def nightly_check(client) -> dict:
    return client.get("/healthz").json()["checks"]["nightly"]


def test_healthz_nightly_reads_the_runs_that_got_through_every_case(client, db):
    """Reminders more than ten weeks ahead join the outbox on the nightly recompute: /healthz
    fails when it has not got through every open case for two nights, or is turned off."""
    from django_celery_beat.models import PeriodicTask

    from workflows.models import RecomputeRun

    nightly = PeriodicTask.objects.filter(task=outbox_health.NIGHTLY_TASK)
    now = timezone.now()
    assert nightly_check(client) == {"ok": True, "detail": "not run yet"}  # a new deployment
    # Upgraded from a version that recorded no runs: last night's send is not held against it.
    nightly.update(last_run_at=now - timedelta(hours=20))
    assert nightly_check(client) == {"ok": True, "detail": "not run yet"}
    MigrationRecorder.Migration.objects.filter(app="workflows", name="0014_recompute_runs").update(
        applied=now - timedelta(days=2)
    )
    nightly.update(last_run_at=now - timedelta(hours=3))  # sent since, and no worker ran it
    assert "never ran" in nightly_check(client)["detail"]
    nightly.update(last_run_at=None, date_changed=now - timedelta(days=3))  # never due
    assert "beat has never sent" in nightly_check(client)["detail"]

    services.deadlines_recompute_open_cases()
    assert nightly_check(client)["detail"].startswith("last completed")
    hours_ago = lambda n: now - timedelta(hours=n)  # noqa: E731
    RecomputeRun.objects.update(started_at=hours_ago(25), finished_at=hours_ago(25))
    assert nightly_check(client)["ok"] is True  # one night missed: nothing is late yet
    RecomputeRun.objects.update(started_at=hours_ago(50), finished_at=hours_ago(50))
    check = nightly_check(client)
    assert check["ok"] is False
    assert "has not completed since" in check["detail"]
    assert "not being planned" in check["detail"]

    # Tonight's run: still running for a while, then one that died part way.
    RecomputeRun.objects.create(started_at=hours_ago(0.1))
    assert nightly_check(client)["detail"].startswith("running since")
    RecomputeRun.objects.filter(finished_at=None).update(started_at=hours_ago(3))
    assert "did not finish" in nightly_check(client)["detail"]
    RecomputeRun.objects.filter(finished_at=None).update(finished_at=now, cases=9, failed=2)
    assert "left 2 cases out" in nightly_check(client)["detail"]

    nightly.update(enabled=False)
    assert "disabled" in nightly_check(client)["detail"]
    assert client.get("/healthz").status_code == 503


def test_a_nightly_run_cut_short_says_how_many_cases_it_left_out(client, monkeypatch):
    """The task's time limit stops it part way: the cases it did not reach count as left out."""
    from celery.exceptions import SoftTimeLimitExceeded

    from workflows.models import RecomputeRun

    for reference in ("A", "B", "C"):
        CaseFactory(reference=reference)
    calls = []

    def recompute(*, case_ids):
        calls.append(case_ids)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return {}

    monkeypatch.setattr(services, "deadlines_recompute_many", recompute)
    with pytest.raises(SoftTimeLimitExceeded):
        services.deadlines_recompute_open_cases(batch=1)
    run = RecomputeRun.objects.get()
    assert (run.cases, run.failed) == (3, 2)
    assert run.finished_at is not None
    assert "left 2 cases out" in nightly_check(client)["detail"]


def test_the_nightly_task_may_run_longer_than_a_send(settings):
    """Cut short at the default limit (a minute), a region's caseload would never be recomputed
    past the same case, night after night."""
    from notifications.tasks import deadlines_recompute_all_task

    assert deadlines_recompute_all_task.soft_time_limit > 10 * settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_healthz_reports_a_check_that_raises(client, beat_ticked, monkeypatch):
    def crash():
        raise ConnectionRefusedError("secret host detail")

    monkeypatch.setitem(health.CHECKS, "broker", crash)
    body = client.get("/healthz").json()
    assert body["checks"]["broker"] == {
        "ok": False,
        "detail": "ConnectionRefusedError: could not check",
    }
