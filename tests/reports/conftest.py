"""Rows made directly, at fixed dates, so each figure's definition is tested on its own."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.models import OutboundMessage
from tests.factories import CaseFactory
from workflows.models import AdviserTask, Case, CaseClosing, Deadline, Route

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def make_case(db):
    def make(*, opened: date, closed: date | None = None, routes=(), **fields) -> Case:
        case = CaseFactory(**fields)
        Case.objects.filter(pk=case.pk).update(
            created_at=at(opened),
            closed_at=at(closed) if closed else None,
            status="closed" if closed else "open",
        )
        if closed:
            CaseClosing.objects.create(case=case, closed_at=at(closed))
        for kind in routes:
            Route.objects.create(case=case, kind=kind)
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def make_deadline(db):
    def make(case, *, kind="appeal", due: date, owner="parent", **fields) -> Deadline:
        return Deadline.objects.create(
            case=case,
            kind=kind,
            due=due,
            owner=owner,
            rule="test",
            confidence="PRIMARY",
            computed_at=at(due - timedelta(days=60)),
            aim_for=due,
            act_by=due,
            **fields,
        )

    return make


@pytest.fixture
def make_message(db):
    def make(case, *, channel="sms", send: date, status="sent", **fields) -> OutboundMessage:
        sent = status in ("sent", "delivered") or fields.pop("was_sent", False)
        return OutboundMessage.objects.create(
            case=case,
            kind=fields.pop("kind", "reminder"),
            channel=channel,
            send_at=at(send),
            sent_at=at(send) if sent else None,
            status=status,
            **fields,
        )

    return make


@pytest.fixture
def make_task(db):
    def make(case, *, kind="deadline_passed", made: datetime, done: datetime | None = None):
        task = AdviserTask.objects.create(case=case, kind=kind, text="t")
        AdviserTask.objects.filter(pk=task.pk).update(created_at=made, done_at=done)
        return task

    return make
