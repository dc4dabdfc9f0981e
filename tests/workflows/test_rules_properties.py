"""Properties that must hold for every date from 2025 to 2035, not just the worked examples."""

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.hypothesis_profiles import examples
from workflows import working_days
from workflows.rules import (
    EVENTS,
    Facts,
    FactsError,
    State,
    add_months,
    aim_for,
    compute_deadlines,
    validate,
)

DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31))
WORKING_DAY_KINDS = {
    "appeal",
    "certificate_due",
    "complaint_stage2_response",
    "la_appeal_response",
    "mediation_meeting_notice",
}

# These count back from a future date (a meeting, a move to a new school).
DEADLINES_BEFORE_THEIR_EVENT = {
    "review_notice",
    "mediation_meeting_notice",
    "phase_transfer_review",
}


def due_dates(events, placement_only=False):
    found = compute_deadlines(Facts(events=events, placement_only=placement_only))
    return {d.kind: d.due for d in found}


def is_valid(events, placement_only=False):
    try:
        validate(Facts(events=events, placement_only=placement_only))
    except FactsError:
        return False
    return True


@given(sent=DATES, certificate=st.none() | DATES)
def test_appeal_is_a_working_day_on_or_after_both_raw_dates(sent, certificate):
    events = {"decision_sent": sent}
    if certificate is not None:
        assume(certificate >= sent)
        events["certificate_issued"] = certificate
    appeal = due_dates(events)["appeal"]
    assert working_days.is_working_day(appeal)
    assert appeal >= add_months(sent, 2)
    if certificate is not None:
        assert appeal >= add_months(certificate, 1)


@given(sent=DATES, gap=st.integers(min_value=0, max_value=120))
def test_a_later_certificate_never_moves_the_appeal_earlier(sent, gap):
    without = due_dates({"decision_sent": sent})["appeal"]
    with_certificate = due_dates(
        {"decision_sent": sent, "certificate_issued": sent + timedelta(days=gap)}
    )["appeal"]
    assert with_certificate >= without


@given(sent=DATES, first=st.integers(0, 120), later_by=st.integers(0, 60))
def test_a_later_certificate_date_never_moves_the_appeal_earlier(sent, first, later_by):
    earlier = sent + timedelta(days=first)
    later = earlier + timedelta(days=later_by)
    before = due_dates({"decision_sent": sent, "certificate_issued": earlier})["appeal"]
    after = due_dates({"decision_sent": sent, "certificate_issued": later})["appeal"]
    assert after >= before


@settings(max_examples=examples(400))
@given(
    events=st.dictionaries(st.sampled_from(sorted(EVENTS)), DATES, min_size=1, max_size=8),
    placement_only=st.booleans(),
    moved=st.data(),
    shift=st.integers(min_value=1, max_value=400),
)
def test_every_deadline_is_monotone_in_each_input(events, placement_only, moved, shift):
    assume(is_valid(events, placement_only))
    event = moved.draw(st.sampled_from(sorted(events)))
    later_events = {**events, event: events[event] + timedelta(days=shift)}
    assume(later_events[event] <= date(2035, 12, 31))
    assume(is_valid(later_events, placement_only))
    before = due_dates(events, placement_only)
    after = due_dates(later_events, placement_only)
    assert before.keys() == after.keys()
    for kind, due in before.items():
        assert after[kind] >= due, f"{kind} moved earlier when {event} moved later"


@given(
    events=st.dictionaries(st.sampled_from(sorted(EVENTS)), DATES, min_size=1, max_size=8),
    placement_only=st.booleans(),
)
def test_rolled_and_working_day_deadlines_fall_on_working_days(events, placement_only):
    assume(is_valid(events, placement_only))
    for kind, due in due_dates(events, placement_only).items():
        if kind in WORKING_DAY_KINDS:
            assert working_days.is_working_day(due), f"{kind} on {due} is not a working day"


@given(events=st.dictionaries(st.sampled_from(sorted(EVENTS)), DATES, min_size=1, max_size=8))
def test_deadlines_never_fall_before_the_events_that_start_them(events):
    assume(is_valid(events))
    found = compute_deadlines(Facts(events=events))
    earliest_event = min(events.values())
    for deadline in found:
        if deadline.kind not in DEADLINES_BEFORE_THEIR_EVENT:
            assert deadline.due >= earliest_event


@settings(max_examples=examples(300))
@given(
    events=st.dictionaries(st.sampled_from(sorted(EVENTS)), DATES, min_size=1, max_size=8),
    placement_only=st.booleans(),
)
def test_aim_for_is_a_working_day_at_most_four_days_before_the_date(events, placement_only):
    assume(is_valid(events, placement_only))
    for deadline in compute_deadlines(Facts(events=events, placement_only=placement_only)):
        # The day to aim for follows the decision letter's date where that is earlier (safe_by);
        # without it, the last working day on or before the date.
        assert deadline.aim_for == min(aim_for(deadline.due), deadline.safe_by or deadline.due)
        aim = aim_for(deadline.due)
        assert working_days.is_working_day(aim), f"{deadline.kind}: aim for {aim}"
        assert deadline.due - timedelta(days=4) <= aim <= deadline.due
        if working_days.is_working_day(deadline.due):
            assert aim == deadline.due
        if deadline.owner == "parent":
            # The family is never told to act after the last working day on or before it, and
            # the day to act by is the day to aim for (issue 20 part 7).
            assert deadline.act_by <= aim
            assert deadline.act_by == deadline.aim_for
        else:
            assert deadline.act_by == deadline.due  # others simply owe it by its date


@given(day=DATES)
def test_aim_for_every_day_is_the_last_working_day_on_or_before_it(day):
    aim = aim_for(day)
    assert working_days.is_working_day(aim)
    assert day - timedelta(days=4) <= aim <= day
    between = [aim + timedelta(days=n) for n in range(1, (day - aim).days + 1)]
    assert not any(working_days.is_working_day(d) for d in between)


@settings(max_examples=examples(300))
@given(
    events=st.dictionaries(st.sampled_from(sorted(EVENTS)), DATES, min_size=1, max_size=8),
    today=DATES,
)
def test_every_deadline_has_exactly_one_state(events, today):
    assume(is_valid(events))
    for deadline in compute_deadlines(Facts(events=events)):
        state = deadline.state(today)
        if deadline.done_by and deadline.done_on <= today:
            assert state is State.DONE
            assert events[deadline.done_by] == deadline.done_on
        elif deadline.due < today:
            assert state is State.PASSED
        else:
            assert state is State.OPEN
