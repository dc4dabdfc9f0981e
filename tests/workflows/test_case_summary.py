"""The case list's next step and urgency, stored on Case: right, and never drifting from the
case's dates whatever an adviser, a family or the pipeline does."""

import contextlib
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import admin_services
from notifications import services as notification_services
from tests.factories import CaseFactory, ContactFactory
from tests.hypothesis_profiles import examples
from workflows import rules, selectors, services
from workflows.case_summary import SUMMARY_FIELDS, case_summaries_refresh
from workflows.models import Case, Deadline, GivenDate

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 10)  # a Wednesday


def at_noon(day: date):
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC), tick=False)


def from_scratch(case: Case, today: date) -> dict:
    """What the case list should say of `case` on `today`, through the models' own methods
    (state, effective act-by), as the family page reads them."""
    deadlines = list(Deadline.objects.filter(case=case))
    given_dates = list(GivenDate.objects.filter(case=case))
    covered = {GivenDate.COVERS[g.kind] for g in given_dates if g.kind in GivenDate.COVERS}
    steps = []
    for d in deadlines:
        state = d.state(today)
        if d.kind in covered or state == rules.State.DONE:
            continue
        family = d.owner == rules.Owner.PARENT
        steps.append(
            {
                "passed": family and state == rules.State.PASSED,
                "next_act_by": d.effective_act_by,
                "next_kind": d.kind,
                "next_due": d.effective_due,
                "next_label": "",
                "next_owner": d.owner,
                "missed": family and d.status == Deadline.Status.MISSED,
            }
        )
    for g in given_dates:
        state = g.state(today)
        if state == rules.State.DONE or (g.is_meeting and state == rules.State.PASSED):
            continue  # done, or a meeting that has been (no step, and not a missed date)
        steps.append(
            {
                "passed": g.owner == rules.Owner.PARENT and state == rules.State.PASSED,
                "next_act_by": g.act_by,
                "next_kind": g.message_kind,
                "next_due": g.value,
                "next_label": g.label if g.kind == GivenDate.Kind.OTHER else "",
                "next_owner": g.owner,
                "missed": False,
            }
        )
    if not steps:
        return {
            **dict.fromkeys(["next_kind", "next_label", "next_owner"], ""),
            **dict.fromkeys(["next_due", "next_act_by", "family_first_due"], None),
            "family_missed": False,
            "family_passed": False,
            "passed": False,
        }
    order = ("next_act_by", "next_kind", "next_due", "next_label", "next_owner")
    # On one day, the mediation adviser before the appeal (rules.COMES_FIRST).
    first = min(
        steps,
        key=lambda s: (
            not s["passed"],
            s["next_act_by"],
            s["next_kind"] not in rules.COMES_FIRST,
            *(s[k] for k in order[1:]),
        ),
    )
    family = [s for s in steps if s["next_owner"] == rules.Owner.PARENT]
    return {
        **{k: first[k] for k in order},
        "family_first_due": min((s["next_due"] for s in family), default=None),
        "family_missed": any(s["missed"] for s in family),
        "family_passed": first["passed"],
        "passed": any(s["passed"] for s in steps),
    }


def stored(case: Case, today: date) -> dict:
    row = (
        selectors.cases_by_urgency(Case.objects.filter(pk=case.pk), today)
        .values(*SUMMARY_FIELDS, "passed_family")
        .get()
    )
    row["passed"] = row.pop("passed_family")
    return row


def _case(**events) -> Case:
    case = CaseFactory()
    ContactFactory(case=case)
    for event, value in events.items():
        services.key_date_set(case=case, event=event, value=value)
    return case


def _override(deadline: Deadline, day: date | None, status: str = "open") -> None:
    services.deadline_update(
        deadline=deadline,
        status=status,
        override_date=day,
        override_reason="The council's letter gives another date" if day else "",
        status_reason="The family said so" if status in ("missed", "waived") else "",
        by=None,
    )


# --- what the list shows ----------------------------------------------------------------------


@at_noon(TODAY)
def test_an_overridden_date_sorts_by_its_own_act_by_not_by_the_override_itself():
    # The council decides by Saturday 13 March (what others owe is due on its date).
    council = _case(ehc_request_received=date(2027, 1, 30))
    assert council.__class__.objects.get(pk=council.pk).next_act_by == date(2027, 3, 13)
    # The family's mediation contact, moved by the adviser to Sunday 14 March: act by Friday.
    family = _case(decision_sent=date(2027, 3, 1))
    _override(family.deadlines.get(kind="mediation_adviser_contact"), date(2027, 3, 14))
    ordered = list(selectors.cases_by_urgency(Case.objects.all(), TODAY))
    assert [c.pk for c in ordered] == [family.pk, council.pk]
    assert (ordered[0].next_due, ordered[0].next_act_by) == (date(2027, 3, 14), date(2027, 3, 12))


@at_noon(TODAY)
def test_a_hearing_before_any_computed_date_is_the_next_step(client, adviser):
    case = _case(decision_sent=date(2027, 3, 1))
    services.given_date_set(case=case, kind="hearing", value=date(2027, 3, 22), time=time(10))
    case.refresh_from_db()
    assert (case.next_kind, case.next_act_by) == ("given:hearing", date(2027, 3, 22))
    client.force_login(adviser)
    page = client.get("/admin/workflows/case/?cases=all").content.decode()
    assert "Tribunal hearing" in page
    assert "given:" not in page


@at_noon(TODAY)
def test_an_other_given_date_shows_the_advisers_own_words():
    case = _case()
    services.given_date_set(
        case=case, kind="other", label="Case management call", value=date(2027, 3, 15)
    )
    case.refresh_from_db()
    assert (case.next_kind, case.next_label) == ("given:other", "Case management call")


@at_noon(TODAY)
def test_a_family_date_that_passes_overnight_counts_as_passed_before_the_nightly_run():
    case = _case(decision_sent=date(2027, 1, 12))  # mediation contact by 12 March
    assert not stored(case, TODAY)["passed"]
    assert stored(case, date(2027, 3, 13))["passed"]
    assert list(selectors.cases_by_urgency(Case.objects.all(), date(2027, 3, 13))) == [case]


@at_noon(TODAY)
def test_a_deadline_marked_missed_is_passed_and_one_marked_met_is_not_the_next_step():
    case = _case(decision_sent=date(2027, 3, 1))
    contact = case.deadlines.get(kind="mediation_adviser_contact")
    _override(contact, None, status="missed")
    assert stored(case, TODAY)["passed"]
    _override(contact, None, status="met")
    assert stored(case, TODAY) == from_scratch(case, TODAY)
    assert stored(case, TODAY)["next_kind"] == "appeal"


@at_noon(TODAY)
def test_saving_a_case_form_from_before_a_recompute_keeps_the_new_next_step():
    case = _case()
    held = Case.objects.get(pk=case.pk)  # an admin form opened before the date was recorded
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 3, 1))
    held.notes = "Phoned the family"
    held.save()
    assert stored(case, TODAY) == from_scratch(case, TODAY)
    assert stored(case, TODAY)["next_kind"] == "mediation_adviser_contact"


@at_noon(TODAY)
def test_the_refresh_writes_only_cases_whose_summary_changed():
    # The family will have contacted the mediation adviser on 20 March: that step is done then.
    cases = [
        _case(decision_sent=date(2027, 3, 1), mediation_adviser_contacted=date(2027, 3, 20))
        for _ in range(3)
    ]
    assert {c.next_kind for c in Case.objects.all()} == {"mediation_adviser_contact"}
    assert case_summaries_refresh(case_ids=[c.pk for c in cases], today=TODAY) == 0
    assert case_summaries_refresh(case_ids=[c.pk for c in cases], today=date(2027, 3, 22)) == 3
    assert {c.next_kind for c in Case.objects.all()} == {"appeal"}


# --- never drifting -----------------------------------------------------------------------------

EVENTS = ["decision_sent", "certificate_issued", "mediation_adviser_contacted", "appeal_submitted"]
GIVEN_KINDS = ["hearing", "final_evidence", "la_response", "other"]
OFFSETS = st.integers(min_value=-120, max_value=120)
STEP = st.one_of(
    st.tuples(st.just("key"), st.sampled_from(EVENTS), OFFSETS),
    st.tuples(st.just("remove"), st.sampled_from(EVENTS)),
    st.tuples(st.just("given"), st.sampled_from(GIVEN_KINDS), OFFSETS),
    st.tuples(st.just("given_done"), st.integers(0, 3), st.none() | OFFSETS),
    st.tuples(
        st.just("deadline"),
        st.integers(0, 5),
        st.sampled_from(["open", "met", "missed", "waived"]),
        st.none() | st.integers(-60, 60),
    ),
    st.tuples(st.just("pause"), st.booleans()),
    st.tuples(st.just("send")),
    st.tuples(st.just("days_pass"), st.integers(1, 40)),
)


def _apply(step, case: Case, today: date) -> None:
    kind = step[0]
    if kind == "key":
        services.key_date_set(case=case, event=step[1], value=today + timedelta(days=step[2]))
    elif kind == "remove":
        services.key_date_remove(case=case, event=step[1])
    elif kind == "given":
        existing = case.given_dates.filter(kind=step[1]).first()
        services.given_date_set(
            case=case,
            kind=step[1],
            value=today + timedelta(days=step[2]),
            label="Case management call" if step[1] == "other" else "",
            given_date=existing,
        )
    elif kind == "given_done":
        given_dates = list(case.given_dates.order_by("id"))
        if given_dates:
            done_on = None if step[2] is None else today + timedelta(days=step[2])
            services.given_date_done(
                given_date=given_dates[step[1] % len(given_dates)], done_on=done_on
            )
    elif kind == "deadline":
        deadlines = list(case.deadlines.order_by("id"))
        if deadlines:
            deadline = deadlines[step[1] % len(deadlines)]
            moved = None if step[3] is None else deadline.due + timedelta(days=step[3])
            _override(deadline, moved, status=step[2])
    elif kind == "pause":
        admin_services.case_pause_set(case=case, paused=step[1])
    elif kind == "send":
        claimed = notification_services.messages_dispatch(enqueue=False).claimed
        for message_id in claimed:
            notification_services.message_send(message_id=message_id)


@settings(
    max_examples=examples(40),  # 20 under `make test`, 80 in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.slow
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_the_stored_next_step_always_equals_one_worked_out_from_scratch(steps, settings):
    settings.SMS_BACKEND = "locmem"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = date(2027, 1, 4)
    with transaction.atomic():
        case = _case()
        other = _case(decision_sent=date(2026, 12, 1))  # a neighbour no step touches
        for step in steps:
            with at_noon(today):
                if step[0] == "days_pass":
                    today += timedelta(days=step[1])
                    with at_noon(today):
                        services.deadlines_recompute_open_cases()  # the nightly run
                else:
                    # Dates that contradict each other are refused, and nothing changes.
                    with contextlib.suppress(ValidationError):
                        _apply(step, case, today)
            for each in (case, other):
                assert stored(each, today) == from_scratch(each, today), step
        transaction.set_rollback(True)


def test_a_hearing_that_has_been_is_not_the_next_step_nor_a_passed_family_date():
    case = CaseFactory()
    with at_noon(TODAY):
        services.given_date_set(case=case, kind="hearing", value=TODAY, time=time(10))
        services.given_date_set(case=case, kind="attendance_form", value=date(2027, 4, 30))
    assert stored(case, TODAY)["next_kind"] == "given:hearing"  # the day itself: still ahead
    later = date(2027, 3, 15)
    with at_noon(later):
        services.case_replan(case=case)
    row = stored(case, later)
    assert row["next_kind"] == "given:attendance_form"
    assert not row["passed"]
