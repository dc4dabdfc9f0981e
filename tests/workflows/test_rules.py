"""The rules without a database: arithmetic, the working shown, and the words of every error."""

from dataclasses import replace
from datetime import date

import pytest

from workflows import working_days
from workflows.rules import (
    Confidence,
    Facts,
    FactsError,
    Owner,
    add_months,
    compute_deadlines,
    long_date,
    parse_date,
    parse_event,
)


def deadlines(placement_only=False, **events):
    found = compute_deadlines(Facts(events=events, placement_only=placement_only))
    return {d.kind: d for d in found}


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2027, 12, 30), 2, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_long_date_is_govuk_style():
    assert long_date(date(2027, 3, 1)) == "Monday 1 March 2027"


def test_appeal_working_matches_the_issue_example():
    appeal = deadlines(decision_sent=date(2026, 12, 31))["appeal"]
    assert appeal.due == date(2027, 3, 1)
    assert (
        "2 months after Thursday 31 December 2026 is Sunday 28 February 2027 "
        "(February has no 31st)" in appeal.steps
    )
    assert (
        "Sunday is not a working day, so the Tribunal accepts the appeal on Monday 1 March 2027"
        in appeal.steps
    )
    assert appeal.owner is Owner.PARENT
    assert appeal.confidence is Confidence.PRIMARY
    assert "r.20(1)(c)" in appeal.rule


def test_appeal_on_a_bank_holiday_names_the_holiday():
    # 25 Mar 2027 + 1 month... use a decision whose 2-month date is Easter Monday 29 Mar 2027.
    appeal = deadlines(decision_sent=date(2027, 1, 29))["appeal"]
    assert appeal.due == date(2027, 3, 30)
    assert any("Monday 29 March 2027 is a bank holiday (Easter Monday)" in s for s in appeal.steps)


def test_appeal_on_good_friday_rolls_past_easter_monday():
    appeal = deadlines(decision_sent=date(2026, 2, 3))["appeal"]  # raw Fri 3 Apr 2026
    assert appeal.due == date(2026, 4, 7)
    assert any("Good Friday" in s for s in appeal.steps)


def test_later_certificate_extends_the_appeal_and_says_so():
    appeal = deadlines(decision_sent=date(2026, 2, 10), certificate_issued=date(2026, 3, 25))[
        "appeal"
    ]
    assert appeal.due == date(2026, 4, 27)  # raw Sat 25 Apr 2026 -> Mon 27 Apr
    assert "The later of the two dates counts: Saturday 25 April 2026" in appeal.steps


def test_placement_only_ignores_the_certificate_and_needs_no_adviser_contact():
    found = deadlines(
        placement_only=True, decision_sent=date(2026, 2, 10), certificate_issued=date(2026, 3, 25)
    )
    assert found["appeal"].due == date(2026, 4, 10)
    assert "mediation_adviser_contact" not in found
    assert any("Section I" in s for s in found["appeal"].steps)


def test_august_window_moves_the_appeal_to_september():
    appeal = deadlines(decision_sent=date(2027, 6, 2))["appeal"]
    assert appeal.due == date(2027, 9, 1)
    assert any("falls in August" in s for s in appeal.steps)


def test_mediation_adviser_contact_is_not_rolled_and_tells_parent_to_act_before():
    contact = deadlines(decision_sent=date(2026, 1, 15))["mediation_adviser_contact"]
    assert contact.due == date(2026, 3, 15)
    assert any(
        "aim for Friday 13 March 2026, the last working day before" in s for s in contact.steps
    )
    assert contact.aim_for == contact.act_by == date(2026, 3, 13)


def test_local_authority_deadline_on_a_bank_holiday_stays_put():
    final_plan = deadlines(ehc_request_received=date(2026, 1, 5))["ehc_final_plan"]
    assert final_plan.due == date(2026, 5, 25)
    assert final_plan.owner is Owner.LOCAL_AUTHORITY
    assert any("still due on that day" in s for s in final_plan.steps)


def test_working_days_across_christmas_list_the_holidays_skipped():
    due = deadlines(mediation_declined=date(2026, 12, 23))["certificate_due"]
    # Thu 24 Dec (1), Fri 25 Christmas, Sat, Sun, Mon 28 substitute, Tue 29 (2), Wed 30 (3).
    assert due.due == date(2026, 12, 30)
    assert any("Christmas Day on Friday 25 December 2026" in s for s in due.steps)
    assert due.owner is Owner.MEDIATION_ADVISER


def test_deemed_certificate_stays_due_when_mediation_is_recorded_later():
    found = deadlines(
        decision_sent=date(2026, 9, 1),
        mediation_requested=date(2026, 9, 10),
        mediation_not_arranged=date(2026, 10, 12),
        mediation_concluded=date(2026, 10, 20),
    )
    # Mon 12 Oct + 3 working days: the deemed certificate, not 3 days after the later meeting.
    assert found["certificate_due"].due == date(2026, 10, 15)
    assert any("'deemed' certificate" in s for s in found["certificate_due"].steps)


def test_discrimination_claim_ends_the_day_before_the_corresponding_date():
    claim = deadlines(discrimination_act=date(2026, 3, 10))["discrimination_claim"]
    assert claim.due == date(2026, 9, 9)
    assert claim.confidence is Confidence.PRIMARY


def test_final_amended_plan_takes_the_earlier_bound():
    found = deadlines(review_meeting=date(2026, 3, 2), amendment_notice_sent=date(2026, 4, 20))
    # notice + 8 weeks = 15 Jun; meeting + 12 weeks = 25 May: the earlier counts.
    assert found["final_amended_plan"].due == date(2026, 5, 25)


def test_dates_past_published_bank_holidays_carry_a_warning():
    later_year = working_days.CONFIRMED_THROUGH_YEAR + 2
    appeal = deadlines(decision_sent=date(later_year, 3, 3))["appeal"]
    assert appeal.warnings
    assert str(later_year) in appeal.warnings[0]
    assert not deadlines(decision_sent=date(2026, 3, 3))["appeal"].warnings


def test_no_events_gives_no_deadlines():
    assert compute_deadlines(Facts(events={})) == []


def test_deadlines_come_sorted_by_date():
    found = compute_deadlines(
        Facts(events={"decision_sent": date(2026, 1, 15), "ehc_request_received": date(2026, 1, 5)})
    )
    assert [d.due for d in found] == sorted(d.due for d in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13-01", "'2026-13-01' is not a real date: there is no month 13"),
        ("2026-02-29", "'2026-02-29' is not a real date: February 2026 has 28 days"),
        ("31/04/2026", "'31/04/2026' is not a real date: April 2026 has 30 days"),
        ("tomorrow", "'tomorrow' is not a date: write it as YYYY-MM-DD, for example 2026-03-01"),
        (
            "\uff12\uff10\uff12\uff16-\uff10\uff13-\uff10\uff11",  # full-width 2026-03-01
            "'\uff12\uff10\uff12\uff16-\uff10\uff13-\uff10\uff11' is not a date: it has "
            "digits other than 0-9 (full-width or from another script); type it with 0-9 as "
            "YYYY-MM-DD, for example 2026-03-01",
        ),
        (
            "\u0660\u0661/\u0660\u0663/\u0662\u0660\u0662\u0666",  # Arabic-Indic 01/03/2026
            "'\u0660\u0661/\u0660\u0663/\u0662\u0660\u0662\u0666' is not a date: it has "
            "digits other than 0-9 (full-width or from another script); type it with 0-9 as "
            "YYYY-MM-DD, for example 2026-03-01",
        ),
    ],
)
def test_bad_dates_say_what_is_wrong(text, message):
    with pytest.raises(FactsError) as error:
        parse_date(text)
    assert str(error.value) == message


def test_uk_style_dates_are_read_day_first():
    assert parse_date("01/03/2027") == date(2027, 3, 1)
    assert parse_date(" 2028-02-29 ") == date(2028, 2, 29)


def test_unknown_event_lists_the_known_ones():
    with pytest.raises(
        FactsError, match="Unknown event 'decison_sent'. Known events: decision_sent"
    ):
        parse_event("decison_sent=2026-01-01")


def test_event_without_a_date_shows_the_expected_shape():
    with pytest.raises(FactsError, match="should look like decision_sent=2026-03-01"):
        parse_event("decision_sent")


def test_certificate_before_decision_is_refused_in_plain_words():
    with pytest.raises(FactsError, match="^The certificate date is before the decision date"):
        compute_deadlines(
            Facts(
                events={
                    "decision_sent": date(2026, 6, 1),
                    "certificate_issued": date(2026, 5, 1),
                }
            )
        )


def test_dates_outside_the_supported_years_are_refused():
    with pytest.raises(FactsError, match="outside the years sendflow can count"):
        compute_deadlines(Facts(events={"decision_sent": date(1999, 12, 31)}))


def test_council_response_to_an_appeal_skips_august_under_r12_3_b():
    response = deadlines(appeal_registered=date(2026, 7, 20))["la_appeal_response"]
    # 9 working days left in July (21-31), none in August, 21 more from Tue 1 Sep.
    assert response.due == date(2026, 9, 29)
    assert any("r.12(3)(b)" in s for s in response.steps)


def test_council_response_to_an_appeal_skips_christmas_to_new_year():
    response = deadlines(appeal_registered=date(2026, 12, 10))["la_appeal_response"]
    assert response.due == date(2027, 1, 29)


def test_a_completed_deadline_keeps_its_working_and_letter_date_advice():
    """Completing a deadline changes only who did it and when, even with the letter's date."""
    dates = {"decision_sent": date(2026, 3, 10), "decision_letter_dated": date(2026, 3, 2)}
    before = deadlines(**dates)["appeal"]
    after = deadlines(**dates, appeal_submitted=date(2026, 4, 20))["appeal"]
    assert (before.done_by, before.done_on) == (None, None)
    assert (after.done_by, after.done_on) == ("appeal_submitted", date(2026, 4, 20))
    assert before.safe_by is not None
    assert any("The letter is dated" in step for step in before.steps)
    assert replace(after, done_by=None, done_on=None) == before
