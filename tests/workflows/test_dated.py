"""One interface for a case's dated things (issue 23): a computed deadline and a date a letter
gave both satisfy workflows.dated.DatedObligation, and an outbox row gives the one it is about."""

from datetime import date, time

import pytest

from tests.factories import CaseFactory, GivenDateFactory, MessageFactory
from workflows import rules, words
from workflows.dated import DatedObligation
from workflows.models import Deadline, DeadlineView, GivenDate

DUE = date(2027, 3, 7)  # a Sunday: the family aims for Friday 5 March
FRIDAY = date(2027, 3, 5)


def _deadline(**fields) -> Deadline:
    values = {
        "kind": "appeal",
        "due": DUE,
        "aim_for": FRIDAY,
        "act_by": FRIDAY,
        "owner": rules.Owner.PARENT,
        "status": Deadline.Status.OPEN,
    }
    return Deadline(**{**values, **fields})


def test_deadline_given_date_and_the_planners_view_satisfy_the_interface():
    view = DeadlineView(1, 2, "appeal", DUE, FRIDAY, FRIDAY, "parent", None, "open", "", None)
    for dated in (_deadline(), GivenDate(kind="hearing", value=DUE), view):
        assert isinstance(dated, DatedObligation)


def test_a_deadline_as_the_interface_says_it():
    deadline = _deadline(override_date=date(2027, 3, 10))
    assert deadline.computed is True
    assert deadline.told_key == deadline.message_kind == "appeal"
    assert deadline.effective_due == date(2027, 3, 10)
    assert deadline.effective_act_by == rules.act_by(due=date(2027, 3, 10), owner="parent")
    assert deadline.family_owes is True
    assert deadline.is_meeting is False
    assert deadline.title == words.deadline_label("appeal")
    assert deadline.state(date(2027, 3, 11)) == rules.State.PASSED


def test_a_deadline_others_owe_asks_the_adviser_to_check_it_came():
    deadline = _deadline(kind="la_appeal_response", owner=rules.Owner.LOCAL_AUTHORITY)
    assert deadline.family_owes is False
    assert deadline.check_task_text() == words.check_task("la_appeal_response", DUE)


def test_a_given_date_as_the_interface_says_it():
    hearing = GivenDate(
        pk=7, kind="hearing", value=DUE, time=time(10, 30), owner=rules.Owner.PARENT
    )
    assert hearing.computed is False
    assert hearing.told_key == "given-7"
    assert hearing.message_kind == "given:hearing"
    assert hearing.effective_due == hearing.effective_act_by == DUE  # a meeting's own day
    assert hearing.family_owes is True
    assert hearing.is_meeting is True
    assert hearing.title == "Tribunal hearing"
    assert hearing.done_in_words() == ""
    hearing.done_on = DUE
    assert hearing.state(DUE) == rules.State.DONE
    assert hearing.done_in_words() == "marked done on Sunday 7 March 2027"


def test_a_given_date_others_owe_asks_the_adviser_to_check_it_happened():
    response = GivenDate(kind="la_response", value=DUE, owner=rules.Owner.LOCAL_AUTHORITY)
    assert response.family_owes is False
    assert response.effective_act_by == rules.act_by(due=DUE, owner="local_authority")
    assert response.check_task_text() == words.given_check_task(
        "la_response", response.date_in_words(), label=response.title
    )


@pytest.mark.django_db
def test_a_message_gives_the_date_it_is_about_whichever_it_is():
    case = CaseFactory()
    deadline = _deadline(case=case, rule="", confidence="primary", computed_at="2027-01-04T09:00Z")
    deadline.save()
    hearing = GivenDateFactory(case=case)
    about_deadline = MessageFactory(case=case, deadline=deadline)
    about_hearing = MessageFactory(case=case, given_date=hearing, deadline_kind="given:hearing")
    summary = MessageFactory(case=case, kind="summary", deadline_kind="")
    assert about_deadline.obligation == deadline
    assert about_hearing.obligation == hearing
    assert summary.obligation is None
    deadline.delete()  # its messages outlive it
    about_deadline.refresh_from_db()
    assert about_deadline.obligation is None
