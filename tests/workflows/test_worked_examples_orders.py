"""Worked examples for the deadline calculator: re-assessment, orders and the rest;
and bad input (exit status 2).

Conventions and the England and Wales holiday tables every date below was worked from:
the docstring of tests/workflows/test_worked_examples_appeal.py (from domain/legal-rules.md).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ re-assessment, orders, etc.
    # Mon 2 Mar 2026 + 14 weeks (98 d) = Mon 8 Jun 2026.
    case(
        "reassessment-final-plan",
        {"reassessment_notified": "2026-03-02"},
        {"reassessment_final_plan": "2026-06-08"},
    ),
    # Order sent Mon 6 Jul 2026: +2w Mon 20 Jul; +10w Mon 14 Sep; +14w Mon 12 Oct 2026. August is
    # NOT skipped for reg 44 periods.
    case(
        "order-assessment-across-august",
        {"order_assessment_sent": "2026-07-06"},
        {
            "order_assessment_notice": "2026-07-20",
            "order_assessment_no_plan": "2026-09-14",
            "order_assessment_final_plan": "2026-10-12",
        },
    ),
    # Order sent Fri 20 Nov 2026: draft +5w = Fri 25 Dec 2026 (not rolled); final +11w = Fri 5 Feb
    # 2027.
    case(
        "order-make-plan",
        {"order_make_plan_sent": "2026-11-20"},
        {"order_draft_plan": "2026-12-25", "order_final_plan": "2027-02-05"},
    ),
    # Fri 30 Jul 2027 + 5 weeks = Fri 3 Sep 2027.
    case(
        "order-amend-plan",
        {"order_amend_plan_sent": "2027-07-30"},
        {"order_amended_plan": "2027-09-03"},
    ),
    # Fri 18 Dec 2026 + 2 weeks = Fri 1 Jan 2027, not rolled.
    case(
        "order-name-school",
        {"order_name_school_sent": "2026-12-18"},
        {"order_name_school": "2027-01-01"},
    ),
    # Mon 10 Jan 2028: +2w Mon 24 Jan; +10w Mon 20 Mar; +14w Mon 17 Apr 2028 (Easter Monday, not
    # rolled).
    case(
        "concession-assessment",
        {"concession_assessment_notified": "2028-01-10"},
        {
            "concession_assessment_notice": "2028-01-24",
            "concession_no_plan": "2028-03-20",
            "concession_final_plan": "2028-04-17",
        },
    ),
    # Fri 27 Feb 2026 + 5 weeks = Fri 3 Apr 2026 (Good Friday, not rolled).
    case(
        "concession-amend",
        {"concession_amend_notified": "2026-02-27"},
        {"concession_amended_plan": "2026-04-03"},
    ),
    # Mon 1 Jun 2026 + 5 weeks = Mon 6 Jul 2026.
    case(
        "recommendation-response",
        {"recommendation_made": "2026-06-01"},
        {"recommendation_response": "2026-07-06"},
    ),
    # 30 working days after Mon 2 Nov 2026: Mon 7 Dec is the 25th, 8-11 Dec (29), Mon 14 Dec (30).
    case(
        "la-appeal-response-basic",
        {"appeal_registered": "2026-11-02"},
        {"la_appeal_response": "2026-12-14"},
    ),
    # 30 working days after Mon 1 Mar 2027: 2-5 (4), 8-12 (9), 15-19 (14), 22-25 (18), [26 GF,
    # 29 EM], 30 Mar-2 Apr (22), 5-9 (27), 12-14 (30) -> Wed 14 Apr 2027.
    case(
        "la-appeal-response-across-easter",
        {"appeal_registered": "2027-03-01"},
        {"la_appeal_response": "2027-04-14"},
    ),
    # 5th working day before Mon 9 Nov 2026: Fri 6, Thu 5, Wed 4, Tue 3, Mon 2 Nov.
    case(
        "mediation-meeting-notice-basic",
        {"mediation_meeting": "2026-11-09"},
        {"mediation_meeting_notice": "2026-11-02"},
    ),
    # Before Thu 9 Apr 2026: Wed 8 (1), Tue 7 (2), [Mon 6 EM, Fri 3 GF], Thu 2 (3), Wed 1 (4),
    # Tue 31 Mar (5).
    case(
        "mediation-meeting-notice-across-easter",
        {"mediation_meeting": "2026-04-09"},
        {"mediation_meeting_notice": "2026-03-31"},
    ),
    # Before Tue 5 Jan 2027: Mon 4 (1), [Fri 1 hol], Thu 31 (2), Wed 30 (3), Tue 29 (4),
    # [Mon 28, Fri 25 hol], Thu 24 Dec 2026 (5).
    case(
        "mediation-meeting-notice-across-christmas",
        {"mediation_meeting": "2027-01-05"},
        {"mediation_meeting_notice": "2026-12-24"},
    ),
    # Phase transfer in Sep 2027: review and amend "before 15 February" -> 14 Feb 2027.
    case(
        "phase-transfer-2027",
        {"phase_transfer": "2027-09-01"},
        {"phase_transfer_review": "2027-02-14"},
    ),
    # Phase transfer in Sep 2028 -> 14 Feb 2028.
    case(
        "phase-transfer-2028",
        {"phase_transfer": "2028-09-04"},
        {"phase_transfer_review": "2028-02-14"},
    ),
    # Secondary to post-16 in Sep 2027: "before 31 March" -> 30 Mar 2027.
    case(
        "post16-transfer-2027",
        {"post16_transfer": "2027-09-06"},
        {"phase_transfer_review": "2027-03-30"},
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)


# ---------------------------------------------------------------------- bad input: exit status 2


def run_bad(*args: str) -> str:
    """Run the command expecting a usage error; return everything it said."""
    out, err = StringIO(), StringIO()
    with pytest.raises((SystemExit, CommandError)) as excinfo:
        call_command("deadlines", *args, "--format", "json", stdout=out, stderr=err)
    exc = excinfo.value
    code = exc.code if isinstance(exc, SystemExit) else exc.returncode
    assert code == 2, f"exit status {code!r}, expected 2 ({exc})"
    return f"{exc}\n{err.getvalue()}\n{out.getvalue()}"


def test_bad_month_exits_2():
    run_bad("--event", "decision_sent=2026-13-01")


def test_unknown_event_exits_2():
    run_bad("--event", "not_a_real_event=2026-01-15")


def test_certificate_before_decision_exits_2():
    said = run_bad(
        "--event", "decision_sent=2026-03-10", "--event", "certificate_issued=2026-03-01"
    )
    assert "certificate" in said.lower()
