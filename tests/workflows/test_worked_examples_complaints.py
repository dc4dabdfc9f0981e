"""Worked examples for the deadline calculator: discrimination claims and complaints.

Conventions and the England and Wales holiday tables every date below was worked from:
the docstring of tests/workflows/test_worked_examples_appeal.py (from domain/legal-rules.md).
"""

import pytest

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ discrimination claims
    # "6 months starting with" 10 Mar 2026 -> 10 Sep 2026 - 1 day = Wed 9 Sep 2026 (section 5).
    case(
        "discrimination-basic",
        {"discrimination_act": "2026-03-10"},
        {"discrimination_claim": "2026-09-09"},
        absent=["appeal"],
    ),
    # 31 Aug 2026 + 6 months -> clamped Sun 28 Feb 2027 - 1 = Sat 27 Feb 2027 (not rolled).
    case(
        "discrimination-31-aug-clamped-then-minus-one",
        {"discrimination_act": "2026-08-31"},
        {"discrimination_claim": "2027-02-27"},
    ),
    # 31 Aug 2027 + 6 months -> clamped Tue 29 Feb 2028 - 1 = Mon 28 Feb 2028.
    case(
        "discrimination-31-aug-into-leap-february",
        {"discrimination_act": "2027-08-31"},
        {"discrimination_claim": "2028-02-28"},
    ),
    # 1 Sep 2027 + 6 months = 1 Mar 2028 - 1 = Tue 29 Feb 2028.
    case(
        "discrimination-ends-on-leap-day",
        {"discrimination_act": "2027-09-01"},
        {"discrimination_claim": "2028-02-29"},
    ),
    # 30 Aug 2028 + 6 months -> clamped Wed 28 Feb 2029 - 1 = Tue 27 Feb 2029.
    case(
        "discrimination-30-aug-2028-into-non-leap-2029",
        {"discrimination_act": "2028-08-30"},
        {"discrimination_claim": "2029-02-27"},
    ),
    # 1 Jul 2026 + 6 months = 1 Jan 2027 - 1 = Thu 31 Dec 2026 (no Christmas rule since 2020).
    case(
        "discrimination-no-christmas-extension",
        {"discrimination_act": "2026-07-01"},
        {"discrimination_claim": "2026-12-31"},
    ),
    # 5 Apr 2026 + 6 months = 5 Oct 2026 - 1 = Sun 4 Oct 2026, not rolled.
    case(
        "discrimination-sunday-not-rolled",
        {"discrimination_act": "2026-04-05"},
        {"discrimination_claim": "2026-10-04"},
    ),
    # 28 Feb 2026 + 6 months = 28 Aug 2026 - 1 = Thu 27 Aug 2026 (no August rule).
    case(
        "discrimination-no-august-extension",
        {"discrimination_act": "2026-02-28"},
        {"discrimination_claim": "2026-08-27"},
    ),
    # ------------------------------------------------------------------ complaints
    # Stage 1: 15 working days after Mon 2 Nov 2026: 3-6 Nov (4), 9-13 (9), 16-20 (14), Mon 23 (15).
    case(
        "complaint-stage-1-basic",
        {"complaint_sent": "2026-11-02"},
        {"complaint_response": "2026-11-23"},
    ),
    # Mon 14 Dec 2026: 15-18 (4), 21-24 (8), [25, 28 hol] 29-31 (11), [1 Jan hol], 4-7 Jan (15)
    # -> Thu 7 Jan 2027.
    case(
        "complaint-stage-1-across-christmas",
        {"complaint_sent": "2026-12-14"},
        {"complaint_response": "2027-01-07"},
    ),
    # Fri 19 Mar 2027: 22-25 (4), [26 GF, 29 EM], 30 Mar-2 Apr (8), 5-9 (13), 12 (14), 13 (15)
    # -> Tue 13 Apr 2027.
    case(
        "complaint-stage-1-across-easter",
        {"complaint_sent": "2027-03-19"},
        {"complaint_response": "2027-04-13"},
    ),
    # Mon 3 Aug 2026: August days count: 4-7 (4), 10-14 (9), 17-21 (14), Mon 24 Aug (15).
    case(
        "complaint-stage-1-august-counts",
        {"complaint_sent": "2026-08-03"},
        {"complaint_response": "2026-08-24"},
    ),
    # Mon 24 Aug 2026: 25-28 (4), [31 hol], 1-4 Sep (8), 7-11 (13), 14 (14), Tue 15 Sep (15).
    case(
        "complaint-stage-1-across-august-bank-holiday",
        {"complaint_sent": "2026-08-24"},
        {"complaint_response": "2026-09-15"},
    ),
    # Stage 2 replaces stage 1: 25 working days after Mon 2 Nov 2026: Mon 23 Nov is the 15th,
    # then 24-27 (19), 30 Nov (20), 1-4 Dec (24), Mon 7 Dec (25).
    case(
        "complaint-stage-2-from-escalation",
        {"complaint_sent": "2026-10-01", "complaint_escalated": "2026-11-02"},
        {"complaint_stage2_response": "2026-12-07", "complaint_response": "2026-10-22"},
    ),
    # The leaflet: give a date you would like a reply by. The reply is due on that date, not
    # 25 working days after it (the bug in issue 6).
    case(
        "complaint-reply-by-date-is-the-due-date",
        {"complaint_sent": "2026-11-02", "complaint_response_requested": "2026-12-01"},
        {"complaint_response": "2026-12-01"},
    ),
    case(
        "complaint-reply-by-date-on-a-sunday-is-not-moved",
        {"complaint_response_requested": "2027-01-10"},
        {"complaint_response": "2027-01-10"},
    ),
    # Stage 2 from Mon 13 Dec 2027: 14-17 (4), 20-24 (9), [27, 28 hol] 29-31 (12), [3 Jan hol],
    # 4-7 Jan (16), 10-14 (21), 17-20 (25) -> Thu 20 Jan 2028.
    case(
        "complaint-stage-2-across-christmas-2027",
        {"complaint_sent": "2027-11-15", "complaint_escalated": "2027-12-13"},
        {"complaint_stage2_response": "2028-01-20"},
    ),
    # LGSCO: "12 months beginning with" 10 Mar 2026 -> Tue 9 Mar 2027 (section 10a).
    case(
        "ombudsman-basic",
        {"matter_first_known": "2026-03-10"},
        {"ombudsman_complaint": "2027-03-09"},
    ),
    # 29 Feb 2028 + 12 months -> clamped 28 Feb 2029 - 1 = Tue 27 Feb 2029.
    case(
        "ombudsman-from-leap-day",
        {"matter_first_known": "2028-02-29"},
        {"ombudsman_complaint": "2029-02-27"},
    ),
    # 1 Mar 2027 + 12 months = 1 Mar 2028 - 1 = Tue 29 Feb 2028.
    case(
        "ombudsman-ends-on-leap-day",
        {"matter_first_known": "2027-03-01"},
        {"ombudsman_complaint": "2028-02-29"},
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)
