"""Deadlines are stored with their case and recomputed in the same transaction as any change."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import CaseFactory, KeyDateFactory
from workflows import services
from workflows.models import Case, Deadline, KeyDate

pytestmark = pytest.mark.django_db


def stored(case):
    return dict(case.deadlines.values_list("kind", "due"))


def test_setting_a_key_date_stores_every_deadline_it_determines():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    assert stored(case) == {
        "appeal": date(2027, 3, 1),
        "mediation_adviser_contact": date(2027, 2, 28),
    }
    appeal = case.deadlines.get(kind="appeal")
    assert appeal.owner == "parent"
    assert appeal.confidence == "PRIMARY"
    assert any("Monday 1 March 2027" in step for step in appeal.steps)


def test_the_stored_day_to_aim_for_follows_the_decision_letters_date():
    """The case page, messages and export read the stored aim_for and act_by: one day, the one
    the calculator prints (issue 20 part 7)."""
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 3, 4))
    services.key_date_set(case=case, event="decision_letter_dated", value=date(2027, 2, 26))
    for deadline in case.deadlines.all():
        assert (deadline.due, deadline.aim_for, deadline.act_by) == (
            date(2027, 5, 4),
            date(2027, 4, 26),
            date(2027, 4, 26),
        ), deadline.kind


def test_a_complaint_to_a_school_is_stored_as_the_schools_by_the_parents_date():
    case = CaseFactory(complaint_to="school")
    services.key_date_set(case=case, event="complaint_sent", value=date(2026, 11, 2))
    assert stored(case) == {}  # no code covers a school: no date until the parent gives one
    services.key_date_set(case=case, event="complaint_response_requested", value=date(2026, 12, 4))
    reply = case.deadlines.get(kind="complaint_response")
    assert (reply.due, reply.owner) == (date(2026, 12, 4), "school")
    case.complaint_to = "local_authority"
    case.save()
    services.deadlines_recompute(case=case)
    reply = case.deadlines.get(kind="complaint_response")
    assert (reply.due, reply.owner) == (date(2026, 12, 4), "local_authority")


def test_a_later_certificate_moves_the_stored_appeal():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
    services.key_date_set(case=case, event="certificate_issued", value=date(2026, 11, 30))
    assert stored(case)["appeal"] == date(2027, 1, 4)


def test_placement_only_case_has_no_adviser_contact_deadline():
    case = CaseFactory(placement_only=True)
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    assert set(stored(case)) == {"appeal"}


def test_removing_a_key_date_removes_the_deadlines_that_no_longer_stand():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    services.key_date_set(case=case, event="ehc_request_received", value=date(2026, 1, 5))
    services.key_date_remove(case=case, event="ehc_request_received")
    assert set(stored(case)) == {"appeal", "mediation_adviser_contact"}


def test_a_contradictory_date_is_refused_and_nothing_is_written():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 6, 1))
    before = stored(case)
    with pytest.raises(ValidationError) as error:
        services.key_date_set(case=case, event="certificate_issued", value=date(2026, 5, 1))
    assert "The certificate date is before the decision date" in error.value.messages[0]
    assert not KeyDate.objects.filter(case=case, event="certificate_issued").exists()
    assert stored(case) == before


def test_override_keeps_the_computed_date_and_records_who_when_why(adviser):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    appeal = case.deadlines.get(kind="appeal")
    services.deadline_update(
        deadline=appeal,
        status="open",
        override_date=date(2026, 3, 20),
        override_reason="Tribunal extended time by direction",
        by=adviser,
    )
    appeal.refresh_from_db()
    assert appeal.due == date(2026, 3, 16)
    assert appeal.effective_due == date(2026, 3, 20)
    assert appeal.overridden_by == adviser
    assert appeal.overridden_at is not None

    # A recompute refreshes the computed date but never touches the adviser's override.
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 16))
    appeal.refresh_from_db()
    assert appeal.due == date(2026, 3, 16)  # raw Mon 16 Mar 2026
    assert appeal.override_date == date(2026, 3, 20)


def test_status_set_by_the_adviser_survives_a_recompute(adviser):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    contact = case.deadlines.get(kind="mediation_adviser_contact")
    services.deadline_update(
        deadline=contact, status="met", override_date=None, override_reason="", by=adviser
    )
    services.key_date_set(case=case, event="certificate_issued", value=date(2026, 3, 1))
    assert case.deadlines.get(kind="mediation_adviser_contact").status == "met"


@pytest.mark.parametrize("override", [date(9999, 12, 31), date(2025, 3, 15), date(2027, 3, 17)])
def test_an_override_more_than_a_year_from_the_computed_date_is_refused(adviser, override):
    """Issue 10: 31/12/9999 was accepted and shown to the family."""
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    appeal = case.deadlines.get(kind="appeal")  # Monday 16 March 2026
    with pytest.raises(ValidationError, match="more than a year from the computed date"):
        services.deadline_update(
            deadline=appeal,
            status="open",
            override_date=override,
            override_reason="typed in a hurry",
            by=adviser,
        )
    appeal.refresh_from_db()
    assert appeal.override_date is None
    services.deadline_update(
        deadline=appeal,
        status="open",
        override_date=date(2027, 3, 16),  # exactly a year on: allowed
        override_reason="Tribunal direction",
        by=adviser,
    )


def test_override_without_a_reason_is_refused(adviser):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    with pytest.raises(ValidationError, match="Say why"):
        services.deadline_update(
            deadline=case.deadlines.get(kind="appeal"),
            status="open",
            override_date=date(2026, 3, 20),
            override_reason="  ",
            by=adviser,
        )


def test_database_refuses_an_unexplained_override():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.filter(case=case, kind="appeal").update(override_date=date(2026, 4, 1))


def test_database_refuses_a_second_key_date_of_one_kind():
    case = CaseFactory()
    KeyDateFactory(case=case, event="decision_sent")
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyDateFactory(case=case, event="decision_sent", value=date(2026, 2, 1))


def test_database_refuses_an_unknown_event():
    case = CaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyDate.objects.create(case=case, event="certificate_recieved", value=date(2026, 2, 1))


def test_recompute_many_reports_contradictions_and_keeps_their_old_deadlines():
    good, bad = CaseFactory(), CaseFactory()
    services.key_date_set(case=good, event="decision_sent", value=date(2026, 1, 15))
    services.key_date_set(case=bad, event="decision_sent", value=date(2026, 6, 1))
    # A contradiction that slipped in behind the services' back (an old import, a raw SQL fix).
    KeyDate.objects.create(case=bad, event="certificate_issued", value=date(2026, 5, 1))
    failures = services.deadlines_recompute_many(case_ids=[good.id, bad.id])
    assert list(failures) == [bad.id]
    assert "certificate date is before the decision date" in failures[bad.id]
    assert stored(bad)["appeal"] == date(2026, 9, 1)  # raw 1 Aug: the August rule
    assert stored(good)["appeal"] == date(2026, 3, 16)


def test_deleting_a_case_deletes_its_deadlines():
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    Case.objects.filter(id=case.id).delete()
    assert not Deadline.objects.exists()


def test_a_missed_deadline_reopens_when_a_later_certificate_moves_it(adviser):
    from workflows.models import AdviserTask

    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 9, 1))
    appeal = case.deadlines.get(kind="appeal")
    services.deadline_update(
        deadline=appeal,
        status="missed",
        status_reason="The family decided too late",
        override_date=None,
        override_reason="",
        by=adviser,
    )
    services.key_date_set(case=case, event="certificate_issued", value=date(2026, 11, 20))
    appeal.refresh_from_db()
    assert (appeal.due, appeal.status) == (date(2026, 12, 21), "open")
    task = AdviserTask.objects.get(case=case, kind=AdviserTask.Kind.CHECK_DEADLINE)
    assert "moved from Monday 2 November 2026 to Monday 21 December 2026" in task.text
    assert "It was marked missed (The family decided too late) and is open again" in task.text


def test_recompute_rewrites_only_the_deadlines_whose_computed_values_changed():
    """One UPDATE per batch: the moved case's rows change in place (same ids, new dates and
    stamp); a case whose dates did not change keeps its rows, stamp and adviser's status."""
    moved, steady = CaseFactory(), CaseFactory()
    for case in (moved, steady):
        KeyDateFactory(case=case, event="decision_sent", value=date(2026, 10, 1))
    with time_machine.travel(datetime(2026, 10, 2, 9, 0, tzinfo=UTC), tick=False):
        services.deadlines_recompute_many(case_ids=[moved.id, steady.id])
    steady.deadlines.filter(kind="appeal").update(status=Deadline.Status.WAIVED)
    before = {
        (d.case_id, d.kind): (d.id, d.due, d.computed_at, d.status) for d in Deadline.objects.all()
    }
    KeyDate.objects.filter(case=moved).update(value=date(2026, 10, 8))
    later = datetime(2026, 10, 9, 9, 0, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        services.deadlines_recompute_many(case_ids=[moved.id, steady.id])
    after = {
        (d.case_id, d.kind): (d.id, d.due, d.computed_at, d.status) for d in Deadline.objects.all()
    }
    assert after.keys() == before.keys()
    assert after[(moved.id, "appeal")] == (
        before[(moved.id, "appeal")][0],
        date(2026, 12, 8),
        later,
        Deadline.Status.OPEN,
    )
    assert after[(moved.id, "mediation_adviser_contact")][1:3] == (date(2026, 12, 8), later)
    assert after[(steady.id, "appeal")] == before[(steady.id, "appeal")]
    assert (
        after[(steady.id, "mediation_adviser_contact")]
        == (before[(steady.id, "mediation_adviser_contact")])
    )
    appeal = moved.deadlines.get(kind="appeal")
    assert any("Tuesday 8 December 2026" in step for step in appeal.steps)


def test_nightly_recompute_reaches_every_open_case_batch_by_batch():
    open_cases = [CaseFactory() for _ in range(5)]
    closed = CaseFactory(status=Case.Status.CLOSED)
    for case in [*open_cases, closed]:
        KeyDateFactory(case=case, event="decision_sent", value=date(2026, 10, 1))

    assert services.deadlines_recompute_open_cases(batch=2) == 5

    for case in open_cases:
        assert stored(case) == {
            "appeal": date(2026, 12, 1),
            "mediation_adviser_contact": date(2026, 12, 1),
        }
    assert stored(closed) == {}


def test_a_failing_nightly_batch_is_retried_then_reported_and_the_rest_still_run(monkeypatch):
    from django.db import OperationalError

    cases = [CaseFactory() for _ in range(6)]
    for case in cases:
        KeyDateFactory(case=case, event="decision_sent", value=date(2026, 10, 1))
    real = services.deadlines_recompute_many
    broken = cases[2].id
    tries = []

    def flaky(*, case_ids):
        if broken in case_ids:
            tries.append(list(case_ids))
            raise OperationalError("deadlock detected")
        return real(case_ids=case_ids)

    monkeypatch.setattr(services, "deadlines_recompute_many", flaky)
    with pytest.raises(services.NightlyRecomputeIncomplete, match="2 of 6 open cases"):
        services.deadlines_recompute_open_cases(batch=2)
    assert len(tries) == 2  # tried once more before giving up on that batch
    for case in cases[:2] + cases[4:]:  # the batches before and after still ran
        assert stored(case)["appeal"] == date(2026, 12, 1)
    assert stored(cases[2]) == {}
