"""The planner's pure core asks a deadline and a date a letter gave the same questions (the
DatedObligation interface): why a row is no longer wanted, and whether a date change still
stands. The words stay those the message history already holds, for both kinds of date."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from notifications.plan_core import DATE_PASSED, Planned, _CasePlan
from workflows.models import Deadline, DeadlineView, GivenDate

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 2, 10)
DUE = date(2027, 2, 1)


def deadline(id_: int, *, due: date = DUE, status: str = "open") -> DeadlineView:
    return DeadlineView(id_, 1, "appeal", due, due, due, "parent", None, status, "", None)


def given(id_: int, *, value: date = DUE, done_on: date | None = None) -> GivenDate:
    return GivenDate(
        id=id_, case_id=1, kind="final_evidence", value=value, owner="parent", done_on=done_on
    )


def message(*, deadline_id=None, given_date_id=None, kind="reminder", due=DUE) -> Planned:
    return Planned(
        1, 1, 1, deadline_id, given_date_id, kind, "sms", "1d", due, "pending", "", {}, None,
        datetime(2027, 1, 4, tzinfo=LONDON),
    )  # fmt: skip


def plan(*, deadlines=(), given_dates=()) -> _CasePlan:
    return _CasePlan(
        case=SimpleNamespace(id=1, status="open", reminders_paused=False),
        recipients=[],
        deadlines=list(deadlines),
        given_dates=list(given_dates),
        messages=[],
        policies={},
        now=datetime(2027, 2, 10, 3, tzinfo=LONDON),
        today=TODAY,
    )


def test_reasons_for_a_deadline_and_a_given_date_keep_their_words():
    p = plan(
        deadlines=[
            deadline(1),
            deadline(2, due=date(2027, 3, 1)),
            deadline(3, status=Deadline.Status.MET),
            deadline(4, status=Deadline.Status.MISSED),
        ],
        given_dates=[given(11), given(12, value=date(2027, 3, 1)), given(13, done_on=TODAY)],
    )
    why = p._why_not_wanted
    assert why(message(deadline_id=9)) == "the deadline no longer stands"
    assert why(message(given_date_id=19)) == "the date no longer stands"
    assert why(message(deadline_id=2)) == "the date moved to 2027-03-01"
    assert why(message(given_date_id=12)) == "the date moved to 2027-03-01"
    assert why(message(deadline_id=3)) == "step done: Marked met by the adviser"
    assert why(message(given_date_id=13)) == "step done: marked done on Wednesday 10 February 2027"
    assert why(message(deadline_id=4)) == "deadline marked missed"
    assert why(message(deadline_id=1)) == DATE_PASSED
    assert why(message(given_date_id=11)) == DATE_PASSED
    assert why(message(deadline_id=1, kind="check")) == "no longer planned"
    assert why(message(given_date_id=11, kind="check")) == "no longer planned"


def test_a_date_change_stands_while_its_date_does_for_both_kinds():
    p = plan(deadlines=[deadline(1)], given_dates=[given(11), given(13, done_on=TODAY)])
    for ids in ({"deadline_id": 1}, {"given_date_id": 11}):
        assert p._still_current(message(kind="date_changed", **ids))
        assert not p._still_current(message(kind="date_changed", due=date(2027, 1, 1), **ids))
    assert not p._still_current(message(kind="date_changed", given_date_id=13))  # done
    assert not p._still_current(message(kind="date_changed", deadline_id=9))  # gone
