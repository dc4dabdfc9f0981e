"""Today (/admin/today/): one work queue, most urgent first, in the adviser's voice."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework import today, today_paging
from notifications.models import OutboundMessage
from tests.factories import (
    AdviserFactory,
    AdviserTaskFactory,
    CaseFactory,
    ContactFactory,
    SupervisorFactory,
)
from workflows import services
from workflows.models import AdviserTask

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)  # a Wednesday
TODAY = date(2027, 3, 10)
YOU = re.compile(r"\byou(r|rs|rself)?\b", re.IGNORECASE)


def _case(reference, adviser=None, **events):
    case = CaseFactory(reference=reference, adviser=adviser)
    ContactFactory(case=case, name=f"Family {reference}")
    for event, value in events.items():
        services.key_date_set(case=case, event=event, value=value)
    return case


@pytest.fixture
def caseload(db):
    with time_machine.travel(NOW, tick=False):
        ann = AdviserFactory(username="ann")
        world = {
            "ann": ann,
            # decision 1 Dec 2026: the appeal (1 Feb 2027) and the mediation contact passed.
            "passed": _case("B-PASSED", ann, decision_sent=date(2026, 12, 1)),
            # decision 14 Jan 2027: the appeal and the mediation contact by 14 Mar 2027 (a Sunday).
            "soon": _case("C-SOON", ann, decision_sent=date(2027, 1, 14)),
            "theirs": _case(
                "E-THEIRS", AdviserFactory(username="bob"), decision_sent=date(2026, 12, 1)
            ),
            "nobody": _case("F-NOBODY", None),
        }
    OutboundMessage.objects.all().delete()
    AdviserTask.objects.all().delete()
    return world


def _items(response):
    return list(response.context["page"].object_list)


# --- ranking, without the database ---------------------------------------------------------------


def _item(group, order, cause, **kw):
    return today.Item(
        group=group, order=order, cause=cause, case_id=1, reference="R", what="x", **kw
    )


def test_ranked_puts_recent_passed_first_then_older_then_due_soon_and_merges_duplicates():
    old = _item(today.PASSED_FAMILY, (1, -100), ("deadline", 1), also=("passed", 1))
    recent = _item(today.PASSED_FAMILY, (0, -200), ("deadline", 2), also=("passed", 1))
    soon = _item(today.DUE_SOON, (300,), ("deadline", 3))
    task = {"group": today.PASSED_OWED, "cause": ("task", "check_deadline", 1, "Same text")}
    twin_a = _item(order=(1,), task_ids=[7], **task)
    twin_b = _item(order=(2,), task_ids=[8], **task)
    passed_task = _item(
        today.PASSED_FAMILY, (5,), ("task", "x", 1, "t"), joins=("passed", 1), task_ids=[9]
    )
    out = today.ranked([soon, twin_b, old, passed_task, twin_a, recent])
    assert [i.cause for i in out] == [
        ("deadline", 2),
        ("deadline", 1),
        ("deadline", 3),
        task["cause"],
    ]
    assert out[0].task_ids == [9]  # the passed-date task folds into the most recent passed date
    assert out[-1].task_ids == [7, 8]  # two identical tasks are one item, closed together


# --- the page -----------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_an_advisers_today_lists_a_passed_family_deadline_first_and_only_their_cases(
    client, caseload
):
    AdviserTaskFactory(case=caseload["theirs"], kind="inbound_sms", text="Hello")
    client.force_login(caseload["ann"])
    response = client.get(reverse("admin:today"))
    assert response.status_code == 200
    items = _items(response)
    whats = [i.what for i in items]
    assert whats[0] == "passed_family"
    assert "due_soon" in whats
    assert whats.index("due_soon") > max(i for i, w in enumerate(whats) if w == "passed_family")
    assert {i.reference for i in items} == {"B-PASSED", "C-SOON"}
    page = response.content.decode()
    assert "E-THEIRS" not in page
    assert "F-NOBODY" not in page
    assert "Family B-PASSED (B-PASSED)" in items[0].sentence
    for item in items:
        assert not YOU.search(item.sentence), item.sentence
        assert item.when


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_sees_everyones_and_the_unassigned_or_one_adviser(client, caseload):
    client.force_login(SupervisorFactory())
    items = _items(client.get(reverse("admin:today")))
    assert {"B-PASSED", "C-SOON", "E-THEIRS", "F-NOBODY"} <= {i.reference for i in items}
    assert items[-1].what == "unassigned"
    bob = caseload["theirs"].adviser
    one = _items(client.get(reverse("admin:today"), {"adviser": bob.pk}))
    assert {i.reference for i in one} == {"E-THEIRS"}
    nobody = _items(client.get(reverse("admin:today"), {"adviser": "none"}))
    assert [i.reference for i in nobody] == ["F-NOBODY"]


@time_machine.travel(NOW, tick=False)
def test_advisers_and_supervisors_land_on_today_after_logging_in(client, caseload):
    ann = caseload["ann"]
    ann.set_password("a long enough password")
    ann.save()
    response = client.post(
        reverse("admin:login"), {"username": "ann", "password": "a long enough password"}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:today")
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:today") in index


@time_machine.travel(NOW, tick=False)
def test_mark_done_closes_the_task_and_its_twin_and_the_item_leaves(client, caseload):
    for _ in range(2):
        AdviserTaskFactory(case=caseload["soon"], kind="inbound_sms", text="Call me")
    client.force_login(caseload["ann"])
    url = reverse("admin:today")
    [item] = [i for i in _items(client.get(url)) if i.what == "inbound_sms"]
    assert len(item.task_ids) == 2
    response = client.post(url, {"action": "done", "id": item.task_ids})
    assert response.status_code == 302
    assert response.url == url
    assert not AdviserTask.objects.filter(done_at__isnull=True).exists()
    assert "inbound_sms" not in [i.what for i in _items(client.get(url))]


@time_machine.travel(NOW, tick=False)
def test_mark_done_leaves_another_advisers_task_alone(client, caseload):
    theirs = AdviserTaskFactory(case=caseload["theirs"], kind="inbound_sms", text="Hi")
    client.force_login(caseload["ann"])
    client.post(reverse("admin:today"), {"action": "done", "id": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.done_at is None


@time_machine.travel(NOW, tick=False)
def test_retry_requeues_a_failed_message_and_the_item_leaves(client, caseload):
    message = OutboundMessage.objects.create(
        case=caseload["soon"],
        kind="reminder",
        channel="sms",
        status="failed",
        last_error="Invalid 'To' number",
        send_at=timezone.now(),
    )
    client.force_login(caseload["ann"])
    url = reverse("admin:today")
    [item] = [i for i in _items(client.get(url)) if i.message_id]
    assert item.what == "message_failed"
    assert not YOU.search(item.sentence)
    assert client.post(url, {"action": "retry", "id": [message.pk]}).status_code == 302
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.PENDING
    assert not [i for i in _items(client.get(url)) if i.message_id]


def _many(start, stop, adviser):
    for n in range(start, stop):
        case = _case(f"M-{n:03}", adviser, decision_sent=date(2026, 12, 1))
        OutboundMessage.objects.create(
            case=case, kind="reminder", channel="sms", status="failed", send_at=NOW
        )
        AdviserTaskFactory(case=case, kind="inbound_sms", text=f"text {n}")
        AdviserTaskFactory(case=case, kind="deadline_passed", text="passed")


@pytest.mark.slow
@pytest.mark.parametrize("role", ["adviser", "supervisor"])
@time_machine.travel(NOW, tick=False)
def test_today_reads_a_few_queries_however_many_cases(
    client, db, role, django_assert_max_num_queries
):
    # A page reads the parts' counts (one query a part, at most len(PARTS), fewer once more than
    # LISTED are found), the parts it spans (one query each) and its own items' details: a
    # bound that does not grow with the caseload (today_paging). The
    # bound counts the reads' savepoint (its transaction, in a test) and, on PostgreSQL, the
    # SET LOCAL that turns JIT off for them.
    ann = AdviserFactory(username="ann")
    client.force_login(ann if role == "adviser" else SupervisorFactory())
    url = reverse("admin:today")
    _many(0, 5, ann)
    with django_assert_max_num_queries(19 + len(today_paging.PARTS) - 1):
        small = client.get(url)
    _many(5, 50, ann)
    with django_assert_max_num_queries(19 + len(today_paging.PARTS) - 1):
        large = client.get(url)
    assert large.context["count"] > small.context["count"] >= 5
    assert len(_items(large)) == today.PAGE_SIZE
