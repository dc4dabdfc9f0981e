"""The adviser's lists cost the same number of queries for one row as for a full page, and
never count a whole table."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboundMessage
from tests.factories import (
    AdviserFactory,
    AdviserTaskFactory,
    CaseFactory,
    ContactFactory,
    SupervisorFactory,
)
from workflows import admin_paging, services
from workflows.models import AdviserTask

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
CASES = "/admin/workflows/case/"
OUTBOX = "/admin/notifications/outboundmessage/"
TASKS = "/admin/workflows/advisertask/"
PAGES = [
    CASES,
    f"{CASES}?cases=all",
    f"{CASES}?cases=all&urgency=passed",
    f"{CASES}?cases=all&urgency=due_5wd",
    f"{CASES}?cases=all&urgency=four_weeks",
    f"{CASES}?cases=all&urgency=family_dates",
    f"{CASES}?cases=all&problems=messages",
    f"{CASES}?cases=all&problems=tasks",
    f"{CASES}?cases=all&problems=none",
    f"{CASES}?cases=all&routes__kind__exact=appeal",
    f"{CASES}?cases=all&o=1",
    f"{CASES}?cases=all&o=-{{problems}}",
    OUTBOX,
    f"{OUTBOX}?status__exact=failed",
    f"{OUTBOX}?kind__exact=reminder",
    f"{OUTBOX}?send_at__year=2027",
    TASKS,
    f"{TASKS}?state=open",
    "/admin/",
]


def _family(reference, adviser, decision_sent):
    case = CaseFactory(reference=reference, adviser=adviser)
    ContactFactory(case=case)
    services.key_date_set(case=case, event="decision_sent", value=decision_sent)
    case.key_dates.update(confirmed=False)  # told by the family: waits for the adviser
    OutboundMessage.objects.create(
        case=case, kind="reminder", channel="sms", status="failed", send_at=timezone.now()
    )
    AdviserTaskFactory(case=case, kind="check_deadline", text="Check the letter")
    case.routes.create(kind="appeal")
    return case


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.slow
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["supervisor", "adviser"])
def test_every_list_takes_the_same_queries_for_one_row_as_for_many(client, who):
    ann = AdviserFactory(username="ann")
    user = SupervisorFactory() if who == "supervisor" else ann
    _family("A-0", ann, date(2026, 12, 1))
    client.force_login(user)
    # The problems column's place: a supervisor also sees an adviser column.
    pages = [url.format(problems=7 if who == "supervisor" else 6) for url in PAGES]
    for url in pages:
        client.get(url)  # sessions, permissions and caches settle
    one = {url: _queries(client, url) for url in pages}
    for n in range(1, 8):
        _family(f"A-{n}", ann, date(2026, 11, 2 + n))
    many = {url: _queries(client, url) for url in pages}
    assert many == one


@time_machine.travel(NOW, tick=False)
def test_the_problems_column_counts_each_cases_own_messages_and_tasks(client):
    ann = AdviserFactory(username="ann")
    busy = _family("A-BUSY", ann, date(2026, 12, 1))
    OutboundMessage.objects.create(
        case=busy, kind="reminder", channel="email", status="unknown", send_at=timezone.now()
    )
    quiet = CaseFactory(reference="B-QUIET", adviser=ann)
    client.force_login(ann)
    AdviserTaskFactory(case=None, kind="overdue", text="No case: the pipeline's own")
    response = client.get(f"{CASES}?o=-6")  # cases with problems first
    rows = list(response.context["cl"].result_list)
    assert [c.reference for c in rows] == ["A-BUSY", "B-QUIET"]
    tasks = AdviserTask.objects.filter(
        case=busy, done_at__isnull=True
    ).count()  # ours, the planner's
    assert (rows[0].problem_messages, rows[0].open_tasks) == (2, tasks)
    assert (rows[1].problem_messages, rows[1].open_tasks) == (0, 0)
    page = response.content.decode()
    assert "2 failed or unknown" in page
    assert f"{tasks} open tasks" in page
    with_problems = client.get(f"{CASES}?problems=messages").context["cl"].result_list
    assert [c.pk for c in with_problems] == [busy.pk]
    assert quiet.pk not in [c.pk for c in with_problems]


@time_machine.travel(NOW, tick=False)
def test_a_long_outbox_says_more_than_its_counting_cap(client, monkeypatch):
    monkeypatch.setattr(admin_paging, "COUNT_CAP", 3)  # 1,000 in use
    case = _family("A-0", None, date(2026, 12, 1))
    for _ in range(4):
        OutboundMessage.objects.create(
            case=case, kind="reminder", channel="sms", status="sent", send_at=timezone.now()
        )
    client.force_login(SupervisorFactory())
    page = client.get(OUTBOX).content.decode()
    assert "More than 3 outbound messages" in page
    page = client.get(f"{OUTBOX}?status__exact=failed").content.decode()
    assert "1 outbound message" in page
    assert "More than" not in page


@time_machine.travel(NOW, tick=False)
def test_the_route_filter_keeps_its_url_and_shows_each_case_once(client):
    appeal = _family("A-APPEAL", None, date(2026, 12, 1))
    appeal.routes.create(kind="mediation")  # two routes: still one row
    CaseFactory(reference="B-NONE")
    client.force_login(SupervisorFactory())
    rows = client.get(f"{CASES}?cases=all&routes__kind__exact=appeal").context["cl"].result_list
    assert [c.reference for c in rows] == ["A-APPEAL"]
    rows = client.get(f"{CASES}?cases=all&routes__kind__exact=complaint").context["cl"].result_list
    assert list(rows) == []
