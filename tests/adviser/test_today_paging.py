"""Today read a page at a time in SQL (casework.today_paging): the same list as the
reference (today.today_items, which builds every item in Python), paged across the groups'
boundaries, its count the items one can page through; and the one-click actions it added
(confirm the family's date, take on the case), refused on another adviser's case."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry

from casework import today
from governance.models import AuditEvent
from notifications.models import OutboundMessage
from tests.factories import AdviserFactory, CaseFactory, ContactFactory, SupervisorFactory
from workflows import services
from workflows.models import AdviserTask, Case, FamilyReportedDate, GivenDate, KeyDate

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)  # a Wednesday
TODAY = date(2027, 3, 10)
YOU = re.compile(r"\byou(r|rs|rself)?\b", re.IGNORECASE)
URL = "/admin/today/"


def _case(reference, adviser=None, **events):
    case = CaseFactory(reference=reference, adviser=adviser)
    ContactFactory(case=case, name=f"Family {reference}")
    for event, value in events.items():
        services.key_date_set(case=case, event=event, value=value)
    return case


def _task(case, kind, text, minutes):
    task = AdviserTask.objects.create(case=case, kind=kind, text=text)
    AdviserTask.objects.filter(pk=task.pk).update(created_at=NOW - timedelta(minutes=minutes))
    return task


def _message(case, status, minutes, channel="sms"):
    return OutboundMessage.objects.create(
        case=case,
        kind="reminder",
        channel=channel,
        status=status,
        last_error="Invalid 'To' number" if status == "failed" else "",
        send_at=NOW - timedelta(minutes=minutes),
    )


@pytest.fixture
def mixed(db):
    """A caseload with something in every group, twins, tasks that repeat an item, and a
    case another adviser has, one nobody has and one whose adviser left."""
    with time_machine.travel(NOW, tick=False):
        ann = AdviserFactory(username="ann")
        bob = AdviserFactory(username="bob")
        gone = AdviserFactory(username="gone", is_active=False)
        # Passed family deadlines: 1 Dec 2026 (more than 8 weeks ago) and 20 Jan 2027.
        old = _case("A-OLD", ann, decision_sent=date(2026, 12, 1))
        recent = _case("B-RECENT", ann, decision_sent=date(2027, 1, 4))
        soon = _case("C-SOON", ann, decision_sent=date(2027, 1, 14))
        quiet = _case("D-QUIET", ann, decision_sent=date(2027, 2, 10))
        theirs = _case("E-THEIRS", bob, decision_sent=date(2026, 12, 1))
        nobody = _case("F-NOBODY", None, decision_sent=date(2027, 1, 14))
        left = _case("G-LEFT", gone, decision_sent=date(2027, 1, 4))
        services.given_date_set(case=quiet, kind=GivenDate.Kind.LA_RESPONSE, value=date(2027, 2, 1))
        services.given_date_set(
            case=soon, kind=GivenDate.Kind.DECISION_EXPECTED, value=date(2027, 3, 1)
        )
        done = services.given_date_set(
            case=recent, kind=GivenDate.Kind.DECISION_EXPECTED, value=date(2027, 2, 20)
        )
        services.given_date_done(given_date=done, done_on=date(2027, 2, 21))
        services.family_date_report(
            case=quiet, event="decision_sent", value=date(2027, 2, 24), today=TODAY
        )
    OutboundMessage.objects.all().delete()
    AdviserTask.objects.all().delete()
    minutes = iter(range(1000, 0, -7))
    for case in (old, recent, theirs, left):
        _task(case, "deadline_passed", "URGENT", next(minutes))  # folds into the deadline
    _task(soon, "deadline_passed", "URGENT", next(minutes))  # nothing passed: its own item
    for case in (quiet, soon, nobody):
        _task(case, "check_deadline", "Check the council's reply", next(minutes))
    for case in (old, soon, theirs, nobody):
        failed = _message(case, "failed", next(minutes))
        _message(case, "unknown", next(minutes), channel="email")
        # The task about the failed message folds into it; twins fold together.
        for _ in range(2):
            AdviserTask.objects.create(
                case=case, kind="delivery_failed", text="Undelivered", message=failed
            )
    _task(quiet, "overdue", "Late", next(minutes))
    for _ in range(2):  # identical: one item, closed together
        _task(recent, "inbound_sms", "Call me please", next(minutes))
    _task(recent, "inbound_sms", "  Call me please  ", next(minutes))  # the same, spaced
    _task(old, "inbound_sms", "Another text", next(minutes))
    _task(quiet, "family_date", "The family says...", next(minutes))  # folds into the date
    _task(old, "dates_to_check", "Odd dates", next(minutes))
    _task(None, "inbound_sms", "From an unknown number", next(minutes))
    KeyDate.objects.filter(case=soon, event="decision_sent").update(confirmed=False)
    return {"ann": ann, "bob": bob, "quiet": quiet, "nobody": nobody, "left": left}


def _shape(item):
    return (item.what, item.reference, item.day, sorted(item.task_ids))


def _all_pages(client, params=None):
    """Every item, page after page, and the count the page shows."""
    items, page, count = [], 1, None
    while True:
        response = client.get(URL, {**(params or {}), "page": page})
        assert response.status_code == 200
        count = response.context["count"]
        items += list(response.context["page"].object_list)
        if not response.context["page"].has_next():
            return items, count
        page += 1


@pytest.mark.parametrize(
    ("who", "adviser"),
    [("ann", ""), ("supervisor", ""), ("supervisor", "bob"), ("supervisor", "none")],
)
@pytest.mark.parametrize("page_size", [3, 50])
@time_machine.travel(NOW, tick=False)
def test_paged_in_sql_the_list_is_the_references_across_every_page(
    client, mixed, monkeypatch, who, adviser, page_size
):
    monkeypatch.setattr(today, "PAGE_SIZE", page_size)
    user = mixed["ann"] if who == "ann" else SupervisorFactory()
    client.force_login(user)
    choice = str(mixed["bob"].pk) if adviser == "bob" else adviser
    expected = today.today_items(user, today=TODAY, now=NOW, adviser=choice)
    items, count = _all_pages(client, {"adviser": choice} if choice else None)
    assert [_shape(i) for i in items] == [_shape(i) for i in expected]
    assert count == len(items) == len(expected)
    groups = [i.group for i in items]
    assert groups == sorted(groups)  # most urgent first, across the page boundaries
    for item in items:
        assert not YOU.search(item.sentence), item.sentence


@time_machine.travel(NOW, tick=False)
def test_each_cause_once_twins_and_repeating_tasks_closed_with_their_item(client, mixed):
    client.force_login(mixed["ann"])
    items, _ = _all_pages(client)
    whats = [i.what for i in items]
    # The deadline_passed tasks of cases with a passed date fold into the case's most recent
    # passed deadline; the one on C-SOON (nothing passed there) stands alone.
    assert whats.count("passed_task") == 1
    passed = [i for i in items if i.what == "passed_family"]
    assert [i.reference for i in passed if i.task_ids] == ["B-RECENT", "A-OLD"]
    assert passed[0].reference == "B-RECENT"  # recent first, the older after
    texts = [i for i in items if i.what == "inbound_sms"]
    assert sorted(len(i.task_ids) for i in texts) == [1, 3]  # three twins, one other text
    failed = [i for i in items if i.what == "message_failed"]
    assert {len(i.task_ids) for i in failed} == {2}  # its task and the task's twin
    assert "delivery_task" not in whats
    owed = [i for i in items if i.what == "passed_owed"]
    # The council's reply owed on D-QUIET and the Tribunal's decision on C-SOON passed; the
    # one on B-RECENT came (marked done).
    assert [(i.reference, i.day) for i in owed] == [
        ("D-QUIET", date(2027, 2, 1)),
        ("C-SOON", date(2027, 3, 1)),
    ]
    assert all(i.task_ids for i in owed)  # each case's check task closes with its date
    assert "check_task" not in whats  # every check task joined a date owed
    [family] = [i for i in items if i.what == "family_date" and i.reference == "D-QUIET"]
    assert family.reference == "D-QUIET"
    assert family.task_ids
    assert family.confirm
    assert family.confirm[0] == "reported"


@time_machine.travel(NOW, tick=False)
def test_mark_done_on_a_folded_item_closes_its_tasks_and_they_do_not_come_back(client, mixed):
    client.force_login(mixed["ann"])
    [texts] = [i for i in _all_pages(client)[0] if len(i.task_ids) == 3]
    client.post(URL, {"action": "done", "id": texts.task_ids})
    assert not AdviserTask.objects.filter(id__in=texts.task_ids, done_at__isnull=True).exists()
    items, count = _all_pages(client)
    assert texts.task_ids[0] not in {t for i in items for t in i.task_ids}
    assert count == len(items)


# --- confirm the date ----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_confirm_the_date_uses_the_familys_reported_date_and_the_item_leaves(client, mixed):
    client.force_login(mixed["ann"])
    response = client.get(URL)
    [item] = [
        i
        for i in response.context["page"].object_list
        if i.reference == "D-QUIET" and i.what == "family_date"
    ]
    assert "Confirm the date" in response.content.decode()
    kind, pk = item.confirm
    response = client.post(URL, {"action": "confirm", "kind": kind, "id": pk})
    assert response.status_code == 302
    reported = FamilyReportedDate.objects.get(pk=pk)
    assert reported.status == FamilyReportedDate.Status.ACCEPTED
    assert reported.decided_by == mixed["ann"]
    key_date = KeyDate.objects.get(case=mixed["quiet"], event="decision_sent")
    assert key_date.value == date(2027, 2, 24)
    assert key_date.confirmed
    assert LogEntry.objects.get_for_object(key_date).filter(actor=mixed["ann"]).exists()
    assert "D-QUIET" not in {
        i.reference for i in client.get(URL).context["page"].object_list if i.confirm
    }


@time_machine.travel(NOW, tick=False)
def test_confirm_the_date_ticks_an_unconfirmed_key_date(client, db):
    with time_machine.travel(NOW, tick=False):
        ann = AdviserFactory(username="ann")
        case = _case("H-FAMILY", ann)
        services.family_date_report(
            case=case, event="decision_sent", value=date(2027, 3, 1), today=TODAY
        )
    client.force_login(ann)
    [item] = [i for i in client.get(URL).context["page"].object_list if i.confirm]
    assert item.confirm[0] == "key_date"
    assert item.task_ids  # the task asking to confirm it goes with the item
    client.post(URL, {"action": "confirm", "kind": "key_date", "id": item.confirm[1]})
    key_date = KeyDate.objects.get(pk=item.confirm[1])
    assert key_date.confirmed
    assert key_date.source == KeyDate.Source.FAMILY  # still the family's date, now checked
    assert LogEntry.objects.get_for_object(key_date).filter(actor=ann).exists()
    assert not [i for i in client.get(URL).context["page"].object_list if i.confirm]


@time_machine.travel(NOW, tick=False)
def test_confirm_the_date_leaves_another_advisers_date_alone(client, db):
    with time_machine.travel(NOW, tick=False):
        ann, bob = AdviserFactory(username="ann"), AdviserFactory(username="bob")
        case = _case("I-BOBS", bob)
        services.family_date_report(
            case=case, event="decision_sent", value=date(2027, 3, 1), today=TODAY
        )
    key_date = KeyDate.objects.get(case=case)
    client.force_login(ann)
    client.post(URL, {"action": "confirm", "kind": "key_date", "id": key_date.pk})
    key_date.refresh_from_db()
    assert not key_date.confirmed


# --- take on the case ----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_takes_on_an_unassigned_case_and_a_case_whose_adviser_left(client, mixed):
    sue = SupervisorFactory(username="sue")
    client.force_login(sue)
    items = _all_pages(client)[0]
    staffing = [(i.what, i.reference) for i in items if i.group == today.UNASSIGNED]
    assert staffing == [("unassigned", "F-NOBODY"), ("adviser_left", "G-LEFT")]
    page = client.get(URL, {"adviser": "none"})
    assert "Take on the case" in page.content.decode()
    assert {i.reference for i in _all_pages(client, {"adviser": "none"})[0]} == {
        "F-NOBODY",
        "G-LEFT",
    }
    for case in (mixed["nobody"], mixed["left"]):
        assert client.post(URL, {"action": "take_on", "id": case.pk}).status_code == 302
        case.refresh_from_db()
        assert case.adviser == sue
        assert AuditEvent.objects.filter(case=case, action=AuditEvent.Action.ASSIGN).exists()
    assert not [i for i in _all_pages(client)[0] if i.group == today.UNASSIGNED]


@time_machine.travel(NOW, tick=False)
def test_an_adviser_may_take_an_unassigned_case_but_not_another_advisers(client, mixed):
    client.force_login(mixed["ann"])
    theirs = Case.objects.get(reference="E-THEIRS")
    client.post(URL, {"action": "take_on", "id": theirs.pk})
    client.post(URL, {"action": "take_on", "id": mixed["left"].pk})
    assert Case.objects.get(pk=theirs.pk).adviser == mixed["bob"]
    assert Case.objects.get(pk=mixed["left"].pk).adviser.username == "gone"
    client.post(URL, {"action": "take_on", "id": mixed["nobody"].pk})
    assert Case.objects.get(pk=mixed["nobody"].pk).adviser == mixed["ann"]


@time_machine.travel(NOW, tick=False)
def test_the_new_items_speak_in_the_advisers_voice(client, mixed):
    client.force_login(SupervisorFactory())
    items = _all_pages(client)[0]
    sentences = {i.what: i.sentence for i in items}
    assert "owed the family" in sentences["passed_owed"]
    assert "has left" in sentences["adviser_left"]
    for item in items:
        assert not YOU.search(item.sentence), item.sentence


@time_machine.travel(NOW, tick=False)
def test_beyond_the_listed_most_urgent_the_page_says_there_are_more(client, mixed, monkeypatch):
    from casework import today_paging

    monkeypatch.setattr(today, "PAGE_SIZE", 3)
    monkeypatch.setattr(today_paging, "LISTED", 4)
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    expected = today.today_items(supervisor, today=TODAY, now=NOW)
    assert len(expected) > 4

    items, count = _all_pages(client)

    assert count == 4
    assert [_shape(i) for i in items] == [_shape(i) for i in expected[:4]]  # the most urgent
    page = client.get(URL).content.decode()
    assert "More than 4 things need a person: the 4 most urgent are listed" in page
    assert "Choose whose cases to see fewer." in page
