"""Worked examples for the deadline calculator: reviews.

Conventions and the England and Wales holiday tables every date below was worked from:
the docstring of tests/workflows/test_worked_examples_appeal.py (from domain/legal-rules.md).
"""

import pytest

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ reviews
    # Meeting Tue 10 Mar 2026: notice Tue 24 Feb; report Tue 24 Mar; decision Tue 7 Apr;
    # annual review 10 Mar 2027; final amended plan (meeting only) + 12 weeks = Tue 2 Jun 2026.
    case(
        "review-basic",
        {"review_meeting": "2026-03-10"},
        {
            "review_notice": "2026-02-24",
            "review_report": "2026-03-24",
            "review_decision": "2026-04-07",
            "annual_review": "2027-03-10",
            "final_amended_plan": "2026-06-02",
        },
    ),
    # Meeting Tue 29 Feb 2028: notice Tue 15 Feb; report Tue 14 Mar; decision Tue 28 Mar;
    # annual 29 Feb 2029 does not exist -> clamped to Wed 28 Feb 2029; +12 weeks = Tue 23 May.
    case(
        "review-leap-day-annual-clamped",
        {"review_meeting": "2028-02-29"},
        {
            "review_notice": "2028-02-15",
            "review_report": "2028-03-14",
            "review_decision": "2028-03-28",
            "annual_review": "2029-02-28",
            "final_amended_plan": "2028-05-23",
        },
    ),
    # Meeting Mon 5 Jan 2026: notice 2 weeks before = Mon 22 Dec 2025 (previous year).
    case(
        "review-notice-in-previous-year",
        {"review_meeting": "2026-01-05"},
        {
            "review_notice": "2025-12-22",
            "review_report": "2026-01-19",
            "review_decision": "2026-02-02",
            "annual_review": "2027-01-05",
        },
    ),
    # Meeting Sun 31 Jan 2027: report Sun 14 Feb; decision Sun 28 Feb 2027 (none rolled);
    # annual review 31 Jan 2028.
    case(
        "review-31-jan-not-rolled",
        {"review_meeting": "2027-01-31"},
        {
            "review_notice": "2027-01-17",
            "review_report": "2027-02-14",
            "review_decision": "2027-02-28",
            "annual_review": "2028-01-31",
        },
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)
