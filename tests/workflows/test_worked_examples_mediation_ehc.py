"""Worked examples for the deadline calculator: mediation, EHC needs assessments
and plans, draft plans and amendments.

Conventions and the England and Wales holiday tables every date below was worked from:
the docstring of tests/workflows/test_worked_examples_appeal.py (from domain/legal-rules.md).
"""

import pytest

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ mediation (calendar days)
    # 31 Jan 2026 + 30 days: 28 Feb is +28 -> Mon 2 Mar 2026.
    case(
        "mediation-by-across-february",
        {"mediation_requested": "2026-01-31"},
        {"mediation_by": "2026-03-02"},
    ),
    # 1 Feb 2028 + 30 days: 29 Feb is +28, 1 Mar +29 -> Thu 2 Mar 2028 (leap year).
    case(
        "mediation-by-leap-february",
        {"mediation_requested": "2028-02-01"},
        {"mediation_by": "2028-03-02"},
    ),
    # 1 Feb 2027 + 30 days: 28 Feb is +27 -> Wed 3 Mar 2027.
    case(
        "mediation-by-non-leap-february",
        {"mediation_requested": "2027-02-01"},
        {"mediation_by": "2027-03-03"},
    ),
    # 25 Nov 2026 + 30 days = Fri 25 Dec 2026, not rolled.
    case(
        "mediation-by-christmas-day-not-rolled",
        {"mediation_requested": "2026-11-25"},
        {"mediation_by": "2026-12-25"},
    ),
    # 18 Dec 2026 + 14 days = Fri 1 Jan 2027 (holiday), not rolled.
    case(
        "mediation-agreement-action-new-year-not-rolled",
        {"mediation_agreement": "2026-12-18"},
        {"mediation_agreement_action": "2027-01-01"},
    ),
    # 20 Feb 2028 + 14 days: 29 Feb is +9 -> Sun 5 Mar 2028, not rolled.
    case(
        "mediation-agreement-action-leap",
        {"mediation_agreement": "2028-02-20"},
        {"mediation_agreement_action": "2028-03-05"},
    ),
    # ------------------------------------------------------------------ EHC (weeks, never rolled)
    # Mon 20 Dec 2027: +6w Mon 31 Jan 2028; +16w Mon 10 Apr 2028; +20w Mon 8 May 2028 (across
    # leap February).
    case(
        "ehc-across-new-year-and-leap-feb",
        {"ehc_request_received": "2027-12-20"},
        {
            "ehc_assessment_decision": "2028-01-31",
            "ehc_no_plan_decision": "2028-04-10",
            "ehc_final_plan": "2028-05-08",
        },
    ),
    # Tue 29 Feb 2028: +42 d = Tue 11 Apr; +112 d = Tue 20 Jun; +140 d = Tue 18 Jul 2028.
    case(
        "ehc-from-leap-day",
        {"ehc_request_received": "2028-02-29"},
        {
            "ehc_assessment_decision": "2028-04-11",
            "ehc_no_plan_decision": "2028-06-20",
            "ehc_final_plan": "2028-07-18",
        },
    ),
    # Fri 13 Nov 2026: +6w = Fri 25 Dec 2026 (not rolled); +16w Fri 5 Mar 2027; +20w Fri 2 Apr.
    case(
        "ehc-six-weeks-on-christmas-day-not-rolled",
        {"ehc_request_received": "2026-11-13"},
        {
            "ehc_assessment_decision": "2026-12-25",
            "ehc_no_plan_decision": "2027-03-05",
            "ehc_final_plan": "2027-04-02",
        },
    ),
    # Fri 20 Feb 2026: +6w = Fri 3 Apr 2026 (Good Friday, not rolled); +16w Fri 12 Jun; +20w Fri
    # 10 Jul 2026.
    case(
        "ehc-six-weeks-on-good-friday-not-rolled",
        {"ehc_request_received": "2026-02-20"},
        {
            "ehc_assessment_decision": "2026-04-03",
            "ehc_no_plan_decision": "2026-06-12",
            "ehc_final_plan": "2026-07-10",
        },
    ),
    # ------------------------------------------------------------------ draft plan / amendments
    # "15 days beginning with" 18 Dec 2026 -> + 14 = Fri 1 Jan 2027 (holiday, not rolled).
    case(
        "draft-plan-comments-new-year",
        {"draft_plan_served": "2026-12-18"},
        {"draft_plan_comments": "2027-01-01"},
    ),
    # 20 Feb 2028 + 14 = Sun 5 Mar 2028 (leap February, not rolled).
    case(
        "draft-plan-comments-leap-february",
        {"draft_plan_served": "2028-02-20"},
        {"draft_plan_comments": "2028-03-05"},
    ),
    # 20 Feb 2027 + 14 = Sat 6 Mar 2027 (non-leap, not rolled).
    case(
        "draft-plan-comments-non-leap-february",
        {"draft_plan_served": "2027-02-20"},
        {"draft_plan_comments": "2027-03-06"},
    ),
    # 20 Aug 2026 + 14 = Thu 3 Sep 2026 (no August rule outside the Tribunal rules).
    case(
        "draft-plan-comments-august",
        {"draft_plan_served": "2026-08-20"},
        {"draft_plan_comments": "2026-09-03"},
    ),
    # Amendment notice Wed 16 Feb 2028 + 14 = Wed 1 Mar 2028; +8 weeks = Wed 12 Apr 2028.
    case(
        "amendment-comments-leap-february",
        {"amendment_notice_sent": "2028-02-16"},
        {"amendment_comments": "2028-03-01", "final_amended_plan": "2028-04-12"},
    ),
    # Amendment notice Fri 1 May 2026: comments Fri 15 May; +8 weeks (56 d) = Fri 26 Jun 2026.
    case(
        "final-amended-plan-notice-only",
        {"amendment_notice_sent": "2026-05-01"},
        {"amendment_comments": "2026-05-15", "final_amended_plan": "2026-06-26"},
    ),
    # Meeting Tue 10 Mar 2026 (+12w = Tue 2 Jun); notice Tue 21 Apr (+8w = Tue 16 Jun) -> earlier
    # is the meeting bound, 2 Jun 2026.
    case(
        "final-amended-plan-earlier-is-meeting-plus-12-weeks",
        {"review_meeting": "2026-03-10", "amendment_notice_sent": "2026-04-21"},
        {"final_amended_plan": "2026-06-02", "amendment_comments": "2026-05-05"},
    ),
    # Meeting Tue 10 Mar 2026 (+12w = 2 Jun); notice Tue 17 Mar (+8w = Tue 12 May) -> 12 May.
    case(
        "final-amended-plan-earlier-is-notice-plus-8-weeks",
        {"review_meeting": "2026-03-10", "amendment_notice_sent": "2026-03-17"},
        {"final_amended_plan": "2026-05-12", "amendment_comments": "2026-03-31"},
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)
