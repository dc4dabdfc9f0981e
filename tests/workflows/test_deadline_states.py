"""Where a family stands: which event completes each deadline, passed dates, the day to aim for,
the decision letter's date, the complaint's reply-by date, and the working that must not mislead.
Pure rules, no database."""

from datetime import date

import pytest

from workflows import rules
from workflows.rules import COMPLETED_BY, EVENTS, RULES, Facts, FactsError, State

START = date(2026, 3, 2)  # a Monday
LATER = date(2026, 3, 10)


def found(placement_only=False, **events):
    deadlines = rules.compute_deadlines(Facts(events=events, placement_only=placement_only))
    return {d.kind: d for d in deadlines}


def test_every_deadline_kind_has_a_row_in_the_completion_table():
    assert set(COMPLETED_BY) == set(RULES)
    named = {e for c in COMPLETED_BY.values() for e in (*c.by, *(c.after or ()))}
    assert named <= set(EVENTS)


def _completion_rows():
    for kind, completion in COMPLETED_BY.items():
        for event in completion.by:
            yield pytest.param(kind, event, id=f"{kind}-done-by-{event}")


def _starting_events(kind: str) -> dict[str, date]:
    """The event that starts this deadline's clock, on START."""
    return dict.fromkeys(COMPLETED_BY[kind].after or RULES[kind].triggers[:1], START)


@pytest.mark.parametrize(("kind", "event"), list(_completion_rows()))
def test_each_completing_event_marks_its_deadline_done(kind, event):
    events = {**_starting_events(kind), event: LATER}
    deadline = found(**events)[kind]
    assert deadline.done_by == event
    assert deadline.done_on == LATER
    assert deadline.state(date(2030, 1, 1)) is State.DONE  # done stays done after the date
    # A done deadline keeps its computed date and its working.
    without = found(**_starting_events(kind))[kind]
    assert without.done_by is None
    if event not in RULES[kind].triggers:
        assert (deadline.due, deadline.steps) == (without.due, without.steps)


@pytest.mark.parametrize(
    ("kind", "start", "completer"),
    [
        ("ehc_final_plan", "ehc_request_received", "decision_sent"),
        ("ehc_assessment_decision", "ehc_request_received", "decision_sent"),
        ("amendment_comments", "amendment_notice_sent", "decision_sent"),
        ("review_decision", "review_meeting", "decision_sent"),
    ],
)
def test_an_event_dated_before_the_clock_started_does_not_complete_it(kind, start, completer):
    """A decision sent before the EHC request is an older decision, not the answer to it."""
    deadline = found(**{start: LATER, completer: START})[kind]
    assert deadline.done_by is None
    assert deadline.state(LATER) is State.OPEN


def test_the_first_completing_event_is_named():
    contact = found(
        decision_sent=START,
        mediation_adviser_contacted=date(2026, 3, 20),
        certificate_issued=date(2026, 4, 20),
    )["mediation_adviser_contact"]
    assert (contact.done_by, contact.done_on) == ("mediation_adviser_contacted", date(2026, 3, 20))


def test_a_recorded_certificate_completes_the_mediation_adviser_contact():
    """Issue 6: a certificate was recorded, yet the family was told to contact the adviser."""
    d = found(decision_sent=date(2026, 11, 10), certificate_issued=date(2026, 12, 1))
    assert d["mediation_adviser_contact"].done_by == "certificate_issued"
    assert d["mediation_adviser_contact"].state(date(2026, 12, 2)) is State.DONE
    assert d["appeal"].done_by is None


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 11, 15), State.OPEN),
        (date(2026, 11, 16), State.OPEN),  # the last day itself is still open
        (date(2026, 11, 17), State.PASSED),
        (date(2026, 12, 1), State.PASSED),
    ],
)
def test_an_appeal_is_passed_from_the_day_after_its_date(today, state):
    appeal = found(decision_sent=date(2026, 9, 15))["appeal"]
    assert appeal.due == date(2026, 11, 16)
    assert appeal.state(today) is state


def test_the_appeal_is_done_once_sent_even_after_its_date():
    appeal = found(decision_sent=date(2026, 9, 15), appeal_submitted=date(2026, 11, 20))["appeal"]
    assert appeal.state(date(2026, 12, 1)) is State.DONE
    assert appeal.due == date(2026, 11, 16)  # the date and its working stay


@pytest.mark.parametrize(
    ("decision", "due", "aim"),
    [
        # Issue 6: Sunday 10 January 2027 -> aim for Friday 8 January.
        (date(2026, 11, 10), date(2027, 1, 10), date(2027, 1, 8)),
        # Easter Monday 6 April 2026: Good Friday too -> Thursday 2 April (4 days before).
        (date(2026, 2, 6), date(2026, 4, 6), date(2026, 4, 2)),
        # Summer bank holiday Monday 31 August 2026 -> Friday 28 August.
        (date(2026, 6, 30), date(2026, 8, 30), date(2026, 8, 28)),
        # Tuesday 28 December 2027, a substitute day; Monday 27 too -> Friday 24 December.
        (date(2027, 10, 28), date(2027, 12, 28), date(2027, 12, 24)),
        # A working day needs no aiming: the date itself.
        (date(2026, 11, 11), date(2027, 1, 11), date(2027, 1, 11)),
    ],
)
def test_the_mediation_adviser_date_carries_the_day_to_aim_for(decision, due, aim):
    contact = found(decision_sent=decision)["mediation_adviser_contact"]
    assert (contact.due, contact.aim_for, contact.act_by) == (due, aim, aim)


def test_the_date_reads_with_the_day_to_aim_for():
    contact = found(decision_sent=date(2026, 11, 10))["mediation_adviser_contact"]
    assert rules.date_in_words(due=contact.due, act_by=contact.act_by) == (
        "Sunday 10 January 2027 - aim for Friday 8 January 2027, the last working day before"
    )


def test_a_council_deadline_on_a_bank_holiday_is_due_on_it_with_no_aim_phrase():
    final_plan = found(ehc_request_received=date(2026, 1, 5))["ehc_final_plan"]
    assert final_plan.due == date(2026, 5, 25)
    assert final_plan.aim_for == date(2026, 5, 22)  # the contract's aim_for, for every deadline
    assert final_plan.act_by == final_plan.due  # but the family is not told to act for it
    assert rules.date_in_words(due=final_plan.due, act_by=final_plan.act_by) == (
        "Monday 25 May 2026"
    )


# --- the complaint route, as the leaflet describes it ----------------------------------------


def test_the_reply_by_date_the_parent_gave_is_the_due_date():
    """Issue 6: a parent who asked for a reply by 1 December was told 8 January."""
    reply = found(complaint_sent=date(2026, 11, 2), complaint_response_requested=date(2026, 12, 1))[
        "complaint_response"
    ]
    assert reply.due == date(2026, 12, 1)
    assert reply.owner is rules.Owner.LOCAL_AUTHORITY
    assert any("asked for a reply by Tuesday 1 December 2026" in s for s in reply.steps)
    # Who it went to is not recorded: counted as the council, and the family is told so.
    assert any("sendflow counts this as a complaint to the council" in s for s in reply.steps)
    assert "complaint_stage2_response" not in found(
        complaint_sent=date(2026, 11, 2), complaint_response_requested=date(2026, 12, 1)
    )


def complaint(to, **events):
    deadlines = rules.compute_deadlines(Facts(events=events, complaint_to=to))
    return {d.kind: d for d in deadlines}


def test_a_complaint_to_a_school_is_owed_by_the_school_on_the_parents_date_only():
    """The council's Complaint Handling Code does not cover schools (legal-rules.md §10b): the
    school owes the reply, by the date the parent asked for, and the Code's 15 working days
    appear nowhere (issue 20 part 7)."""
    sent, asked = date(2026, 11, 2), date(2026, 12, 4)
    reply = complaint(rules.Owner.SCHOOL, complaint_sent=sent, complaint_response_requested=asked)[
        "complaint_response"
    ]
    assert (reply.due, reply.owner) == (asked, rules.Owner.SCHOOL)
    assert "Complaint Handling Code" not in reply.rule
    working = " ".join(reply.steps)
    assert "does not cover schools" in working
    assert "The school owes you this reply" in working
    assert "Monday 23 November 2026" not in working  # the Code's date for a council
    assert "a council has 5 working days" not in working


def test_a_complaint_to_a_school_without_a_reply_by_date_has_no_date_and_no_stage_2():
    assert complaint(rules.Owner.SCHOOL, complaint_sent=date(2026, 11, 2)) == {}
    escalated = complaint(
        rules.Owner.SCHOOL, complaint_sent=date(2026, 10, 1), complaint_escalated=date(2026, 11, 2)
    )
    assert "complaint_stage2_response" not in escalated


def test_a_complaint_to_the_council_keeps_the_code_and_names_the_council():
    d = complaint(
        rules.Owner.LOCAL_AUTHORITY,
        complaint_sent=date(2026, 10, 1),
        complaint_escalated=date(2026, 11, 2),
    )
    assert d["complaint_response"].owner is rules.Owner.LOCAL_AUTHORITY
    assert "The council owes you this reply" in d["complaint_response"].steps
    assert d["complaint_stage2_response"].due == date(2026, 12, 7)
    reply = complaint(rules.Owner.LOCAL_AUTHORITY, complaint_sent=date(2026, 11, 2))
    assert reply["complaint_response"].due == date(2026, 11, 23)


def test_without_a_reply_by_date_the_code_gives_15_working_days():
    reply = found(complaint_sent=date(2026, 11, 2))["complaint_response"]
    assert reply.due == date(2026, 11, 23)


def test_escalating_completes_stage_1_and_starts_stage_2():
    d = found(complaint_sent=date(2026, 10, 1), complaint_escalated=date(2026, 11, 2))
    assert d["complaint_response"].done_by == "complaint_escalated"
    assert d["complaint_stage2_response"].due == date(2026, 12, 7)
    assert d["complaint_stage2_response"].done_by is None


def test_a_reply_received_before_the_escalation_does_not_complete_stage_2():
    d = found(
        complaint_sent=date(2026, 10, 1),
        complaint_response_received=date(2026, 10, 20),
        complaint_escalated=date(2026, 11, 2),
    )
    assert d["complaint_response"].done_by == "complaint_response_received"
    assert d["complaint_stage2_response"].done_by is None
    later = found(
        complaint_sent=date(2026, 10, 1),
        complaint_escalated=date(2026, 11, 2),
        complaint_response_received=date(2026, 11, 30),
    )
    assert later["complaint_stage2_response"].done_by == "complaint_response_received"


def test_the_reply_by_date_is_labelled_as_a_reply_by_date_not_a_stage_2_request():
    assert "stage 2" not in EVENTS["complaint_response_requested"]
    with pytest.raises(FactsError, match="The reply-by date you gave is before the complaint"):
        found(complaint_sent=date(2026, 11, 2), complaint_response_requested=date(2026, 11, 1))


# --- workings that must not mislead --------------------------------------------------------------


def test_placement_only_certificate_working_never_mentions_the_one_month_clock():
    d = found(
        placement_only=True,
        decision_sent=date(2026, 9, 1),
        mediation_declined=date(2026, 9, 10),
    )
    working = " ".join(d["certificate_due"].steps)
    assert "1 month" not in working
    # The service's reading, not settled law: said so, with the adviser to ask (issue 20 part 7).
    assert "sendflow's reading is that a certificate does not change the date" in working
    assert "This is not settled law: ask your adviser" in working
    appeal = " ".join(
        found(
            placement_only=True,
            decision_sent=date(2026, 9, 1),
            certificate_issued=date(2026, 10, 20),
        )["appeal"].steps
    )
    assert "sendflow's reading" in appeal
    assert "does not extend the deadline" not in appeal
    not_placement = " ".join(
        found(decision_sent=date(2026, 9, 1), mediation_declined=date(2026, 9, 10))[
            "certificate_due"
        ].steps
    )
    assert "1 month after the day the certificate is issued" in not_placement


def test_a_certificate_without_a_decision_date_gives_an_appeal_date_with_a_warning():
    appeal = found(certificate_issued=date(2026, 11, 20))["appeal"]
    assert appeal.due == date(2026, 12, 21)  # 1 month: Sunday 20 December -> Monday 21
    assert any("decision was sent is not recorded" in w for w in appeal.warnings)
    assert any("may be later" in w for w in appeal.warnings)
    assert "appeal" not in found(placement_only=True, certificate_issued=date(2026, 11, 20))


def test_the_appeal_working_names_the_mediation_adviser_and_a_late_appeal():
    appeal = found(decision_sent=date(2026, 11, 10))["appeal"]
    working = " ".join(appeal.steps)
    assert "you must contact the mediation adviser" in working
    assert "Sunday 10 January 2027 - aim for Friday 8 January 2027" in working
    assert "ask the Tribunal to accept it late" in working
    placement = " ".join(
        found(placement_only=True, decision_sent=date(2026, 11, 10))["appeal"].steps
    )
    assert "mediation adviser" not in placement
    assert "no mediation certificate is needed" in placement
    assert "ask the Tribunal to accept it late" in placement


def test_the_letter_date_counts_when_the_sent_date_is_not_known():
    d = found(decision_letter_dated=date(2026, 9, 8))
    assert d["appeal"].due == date(2026, 11, 9)
    assert d["mediation_adviser_contact"].due == date(2026, 11, 8)
    assert any("counts from the date on the letter" in s for s in d["appeal"].steps)


def test_sent_date_counts_but_the_family_aims_for_the_earlier_letter_date():
    d = found(decision_sent=date(2026, 9, 15), decision_letter_dated=date(2026, 9, 8))
    appeal = d["appeal"]
    assert appeal.due == date(2026, 11, 16)  # from the day it was sent: the law
    assert appeal.act_by == date(2026, 11, 9)  # reminders count down to the earlier date
    assert rules.date_in_words(due=appeal.due, act_by=appeal.act_by) == (
        "Monday 16 November 2026 - aim for Monday 9 November 2026, counted from the date on the "
        "decision letter, to be safe"
    )
    contact = d["mediation_adviser_contact"]
    assert (contact.due, contact.act_by) == (date(2026, 11, 15), date(2026, 11, 6))


def test_the_same_letter_and_sent_date_change_nothing():
    d = found(decision_sent=date(2026, 9, 15), decision_letter_dated=date(2026, 9, 15))
    assert d["appeal"].act_by == d["appeal"].due == date(2026, 11, 16)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            {"decision_sent": date(2026, 9, 15), "appeal_submitted": date(2026, 9, 1)},
            "The appeal was sent before the decision date",
        ),
        (
            {"decision_letter_dated": date(2026, 9, 15), "certificate_issued": date(2026, 9, 1)},
            "The certificate date is before the date on the decision letter",
        ),
        (
            {"complaint_sent": date(2026, 9, 15), "complaint_escalated": date(2026, 9, 1)},
            "The complaint went to the next stage before it was sent",
        ),
    ],
)
def test_dates_that_cannot_both_be_true_are_refused_in_one_line(events, message):
    with pytest.raises(FactsError, match=message) as error:
        found(**events)
    assert "\n" not in str(error.value)


def test_odd_but_possible_dates_are_accepted_and_flagged():
    facts = Facts(
        events={
            "decision_sent": date(2026, 9, 15),
            "decision_letter_dated": date(2026, 9, 18),
            "mediation_declined": date(2026, 9, 20),
            "mediation_requested": date(2026, 10, 1),
            "appeal_submitted": date(2026, 11, 20),
        }
    )
    deadlines = rules.compute_deadlines(facts)
    flags = " ".join(rules.flags(facts, deadlines))
    assert "Mediation was asked for on Thursday 1 October 2026, after it was declined" in flags
    assert "dated Friday 18 September 2026, after the day it was sent" in flags
    assert "The appeal was sent on Friday 20 November 2026, after its last day" in flags
    assert rules.flags(Facts(events={"decision_sent": date(2026, 9, 15)}), []) == []


# --- from the review of issue 6 ----------------------------------------------------------------


def test_an_event_recorded_for_a_future_day_completes_nothing_until_that_day():
    facts = Facts(events={"decision_sent": date(2026, 3, 10), "appeal_submitted": date(2026, 5, 1)})
    appeal = {d.kind: d for d in rules.compute_deadlines(facts)}["appeal"]
    assert appeal.state(date(2026, 3, 20)) is State.OPEN
    assert appeal.state(date(2026, 5, 1)) is State.DONE
    flags = rules.flags(facts, [appeal], today=date(2026, 3, 20))
    assert any("has not come yet" in f for f in flags)
    # A meeting set ahead is not odd.
    meeting = Facts(events={"review_meeting": date(2026, 5, 1)})
    assert rules.flags(meeting, [], today=date(2026, 3, 20)) == []


def test_a_stage_1_reply_on_the_day_of_escalating_does_not_complete_stage_2():
    d = found(
        complaint_sent=date(2026, 3, 2),
        complaint_response_received=date(2026, 3, 10),
        complaint_escalated=date(2026, 3, 10),
    )
    assert d["complaint_stage2_response"].done_by is None


def test_a_final_amended_plan_is_not_done_by_a_decision_before_the_amendment_notice():
    d = found(
        review_meeting=date(2026, 3, 2),
        decision_sent=date(2026, 3, 20),
        amendment_notice_sent=date(2026, 3, 27),
    )
    assert d["final_amended_plan"].done_by is None
    assert d["amendment_comments"].done_by is None


def test_a_mediation_meeting_after_the_30_days_does_not_count_as_arranged_in_time():
    late = found(mediation_requested=date(2026, 3, 2), mediation_meeting=date(2026, 5, 20))
    assert late["mediation_by"].done_by is None
    in_time = found(mediation_requested=date(2026, 3, 2), mediation_meeting=date(2026, 3, 25))
    assert in_time["mediation_by"].done_by == "mediation_meeting"


def test_a_later_certificate_after_a_deemed_one_warns_and_flags():
    facts = Facts(
        events={
            "decision_sent": date(2026, 1, 15),
            "mediation_requested": date(2026, 1, 20),
            "mediation_not_arranged": date(2026, 2, 25),
            "mediation_concluded": date(2026, 4, 20),
            "certificate_issued": date(2026, 4, 22),
        }
    )
    deadlines = rules.compute_deadlines(facts)
    appeal = next(d for d in deadlines if d.kind == "appeal")
    assert any("a certificate was due by Monday 2 March 2026" in w for w in appeal.warnings)
    assert any("'deemed' certificate was due" in f for f in rules.flags(facts, deadlines))


@pytest.mark.parametrize(
    ("kind", "start", "done"),
    [
        ("discrimination_claim", "discrimination_act", "discrimination_claim_sent"),
        ("ombudsman_complaint", "matter_first_known", "ombudsman_complaint_sent"),
    ],
)
def test_the_family_can_record_a_claim_or_complaint_as_sent(kind, start, done):
    assert found(**{start: START, done: LATER})[kind].done_by == done


@pytest.mark.parametrize(
    "events",
    [
        pytest.param({"decision_sent": date(2026, 9, 1)}, id="not-yet-in-touch"),
        pytest.param(
            {"decision_sent": date(2026, 9, 1), "mediation_adviser_contacted": date(2026, 9, 8)},
            id="in-touch",
        ),
    ],
)
def test_the_appeal_without_a_certificate_needs_the_tribunals_permission(events):
    """Reg 33 never says "tell the Tribunal why": without a certificate the family must ask the
    Tribunal's permission to register the appeal (HESC r.19), given only in exceptional
    circumstances, so the mediation adviser date never reads as optional (issue 20 part 7)."""
    working = " ".join(found(**events)["appeal"].steps)
    assert "tell the Tribunal why" not in working
    assert (
        "Without a certificate you must ask the Tribunal's permission to register the appeal "
        "(HESC Rules 2008 r.19), which it gives only in exceptional circumstances"
    ) in working
