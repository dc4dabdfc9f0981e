"""Worked examples for the deadline calculator: the appeal date's weekend and holiday
rolls, the later of the two dates, placement-only appeals, and certificate_due.

Conventions and the England and Wales holiday tables every date below was worked from:
the docstring of tests/workflows/test_worked_examples_appeal.py (from domain/legal-rules.md).
"""

import pytest

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ weekend and holiday rolls
    # Raw Fri 3 Apr 2026 (Good Friday) -> Sat, Sun, Mon 6 Apr (Easter Monday) -> Tue 7 Apr 2026.
    case(
        "roll-good-friday-2026",
        {"decision_sent": "2026-02-03"},
        {"appeal": "2026-04-07", "mediation_adviser_contact": "2026-04-03"},
    ),
    # Raw Fri 26 Mar 2027 (Good Friday) -> Tue 30 Mar 2027.
    case(
        "roll-good-friday-2027",
        {"decision_sent": "2027-01-26"},
        {"appeal": "2027-03-30"},
    ),
    # Raw Mon 29 Mar 2027 (Easter Monday) -> Tue 30 Mar 2027.
    case(
        "roll-easter-monday-2027",
        {"decision_sent": "2027-01-29"},
        {"appeal": "2027-03-30", "mediation_adviser_contact": "2027-03-29"},
    ),
    # Raw Fri 18 Apr 2025 (Good Friday) -> Mon 21 Apr (Easter Monday) -> Tue 22 Apr 2025.
    case(
        "roll-good-friday-2025",
        {"decision_sent": "2025-02-18"},
        {"appeal": "2025-04-22"},
    ),
    # Raw Fri 14 Apr 2028 (Good Friday) -> Mon 17 Apr (Easter Monday) -> Tue 18 Apr 2028.
    case(
        "roll-good-friday-2028",
        {"decision_sent": "2028-02-14"},
        {"appeal": "2028-04-18"},
    ),
    # Raw Sat 15 Apr 2028 (Easter Saturday) -> Tue 18 Apr 2028.
    case(
        "roll-easter-saturday-2028",
        {"decision_sent": "2028-02-15"},
        {"appeal": "2028-04-18"},
    ),
    # Raw Mon 25 May 2026 (Spring bank holiday) -> Tue 26 May 2026.
    case(
        "roll-spring-bank-holiday-2026",
        {"decision_sent": "2026-03-25"},
        {"appeal": "2026-05-26", "mediation_adviser_contact": "2026-05-25"},
    ),
    # Raw Sat 23 May 2026 -> Sun 24 -> Mon 25 (holiday) -> Tue 26 May 2026.
    case(
        "roll-saturday-before-spring-bank-holiday",
        {"decision_sent": "2026-03-23"},
        {"appeal": "2026-05-26"},
    ),
    # Raw Mon 4 May 2026 (Early May bank holiday) -> Tue 5 May 2026.
    case(
        "roll-early-may-2026",
        {"decision_sent": "2026-03-04"},
        {"appeal": "2026-05-05"},
    ),
    # Raw Mon 3 May 2027 (Early May bank holiday) -> Tue 4 May 2027.
    case(
        "roll-early-may-2027",
        {"decision_sent": "2027-03-03"},
        {"appeal": "2027-05-04"},
    ),
    # Raw Mon 31 May 2027 (Spring bank holiday) -> Tue 1 Jun 2027.
    case(
        "roll-spring-bank-holiday-2027",
        {"decision_sent": "2027-03-31"},
        {"appeal": "2027-06-01"},
    ),
    # Raw Mon 29 May 2028 (Spring bank holiday) -> Tue 30 May 2028.
    case(
        "roll-spring-bank-holiday-2028",
        {"decision_sent": "2028-03-29"},
        {"appeal": "2028-05-30"},
    ),
    # Raw Sat 7 Nov 2026 -> Mon 9 Nov 2026.
    case(
        "roll-ordinary-saturday",
        {"decision_sent": "2026-09-07"},
        {"appeal": "2026-11-09", "mediation_adviser_contact": "2026-11-07"},
    ),
    # Raw Tue 10 Nov 2026, a working day -> no change.
    case(
        "no-roll-ordinary-tuesday",
        {"decision_sent": "2026-09-10"},
        {"appeal": "2026-11-10", "mediation_adviser_contact": "2026-11-10"},
    ),
    # A = Fri 20 Mar 2026; B = 4 Mar + 1 = Sat 4 Apr 2026 -> Sun, Mon 6 Apr (Easter Monday) ->
    # Tue 7 Apr 2026.
    case(
        "roll-certificate-date-easter-saturday-2026",
        {"decision_sent": "2026-01-20", "certificate_issued": "2026-03-04"},
        {"appeal": "2026-04-07", "mediation_adviser_contact": "2026-03-20"},
    ),
    # ------------------------------------------------------------------ later of (both orders)
    # A = Fri 10 Apr 2026; B = 20 Mar + 1 = Mon 20 Apr 2026 -> B is later.
    case(
        "later-of-certificate-wins",
        {"decision_sent": "2026-02-10", "certificate_issued": "2026-03-20"},
        {"appeal": "2026-04-20", "mediation_adviser_contact": "2026-04-10"},
    ),
    # A = 15 May 2026 (Fri); B = 15 Apr + 1 = 15 May 2026 -> equal.
    case(
        "later-of-equal-dates",
        {"decision_sent": "2026-03-15", "certificate_issued": "2026-04-15"},
        {"appeal": "2026-05-15"},
    ),
    # Certificate on the day of the decision: A = Wed 10 Jun 2026, B = Sun 10 May 2026 -> A.
    case(
        "later-of-certificate-same-day-as-decision",
        {"decision_sent": "2026-04-10", "certificate_issued": "2026-04-10"},
        {"appeal": "2026-06-10"},
    ),
    # A = Sun 1 Nov 2026 (a non-working day, but irrelevant); B = 19 Oct + 1 = Thu 19 Nov 2026.
    case(
        "later-of-certificate-wins-over-weekend-a",
        {"decision_sent": "2026-09-01", "certificate_issued": "2026-10-19"},
        {"appeal": "2026-11-19", "mediation_adviser_contact": "2026-11-01"},
    ),
    # ------------------------------------------------------------------ placement-only
    # Certificate ignored: only A = Fri 10 Apr 2026 counts (with it, it would be 20 Apr).
    case(
        "placement-only-ignores-later-certificate",
        {"decision_sent": "2026-02-10", "certificate_issued": "2026-03-20"},
        {"appeal": "2026-04-10"},
        placement_only=True,
        absent=["mediation_adviser_contact"],
    ),
    # Certificate ignored: A = Tue 1 Dec 2026 (with it, ex 9 gives 4 Jan 2027).
    case(
        "placement-only-ignores-christmas-certificate",
        {"decision_sent": "2026-10-01", "certificate_issued": "2026-11-30"},
        {"appeal": "2026-12-01"},
        placement_only=True,
        absent=["mediation_adviser_contact"],
    ),
    # Certificate ignored: A = Mon 20 Jul 2026 (with it, B in August gives 1 Sep 2026).
    case(
        "placement-only-ignores-august-certificate",
        {"decision_sent": "2026-05-20", "certificate_issued": "2026-07-10"},
        {"appeal": "2026-07-20"},
        placement_only=True,
        absent=["mediation_adviser_contact"],
    ),
    # Same as ex 1 but placement-only: appeal still rolled to Mon 16 Mar; no contact deadline.
    case(
        "placement-only-basic",
        {"decision_sent": "2026-01-15"},
        {"appeal": "2026-03-16"},
        placement_only=True,
        absent=["mediation_adviser_contact"],
    ),
    # The August rule still applies to placement-only appeals: raw Sat 15 Aug 2026 -> 1 Sep.
    case(
        "placement-only-august",
        {"decision_sent": "2026-06-15"},
        {"appeal": "2026-09-01"},
        placement_only=True,
        absent=["mediation_adviser_contact"],
    ),
    # ------------------------------------------------------------------ certificate_due (3 WD)
    # Wed 23 Dec 2026 -> Thu 24 (1), Fri 25 hol, Mon 28 hol (Boxing sub), Tue 29 (2), Wed 30 (3).
    case(
        "certificate-due-across-christmas-2026",
        {"mediation_declined": "2026-12-23"},
        {"certificate_due": "2026-12-30"},
        absent=["appeal"],
    ),
    # Declined on Christmas Day Fri 25 Dec 2026 -> Mon 28 hol, Tue 29 (1), Wed 30 (2), Thu 31 (3).
    case(
        "certificate-due-event-on-christmas-day",
        {"mediation_declined": "2026-12-25"},
        {"certificate_due": "2026-12-31"},
    ),
    # Concluded Fri 24 Dec 2027 -> Mon 27, Tue 28 holidays -> Wed 29 (1), Thu 30 (2), Fri 31 (3).
    case(
        "certificate-due-across-christmas-2027",
        {"mediation_concluded": "2027-12-24"},
        {"certificate_due": "2027-12-31"},
    ),
    # Concluded Fri 31 Dec 2027 -> Mon 3 Jan 2028 hol -> Tue 4 (1), Wed 5 (2), Thu 6 (3).
    case(
        "certificate-due-across-new-year-2028",
        {"mediation_concluded": "2027-12-31"},
        {"certificate_due": "2028-01-06"},
    ),
    # Not arranged Thu 2 Apr 2026 -> Fri 3 GF, Mon 6 EM -> Tue 7 (1), Wed 8 (2), Thu 9 (3).
    case(
        "certificate-due-across-easter-2026",
        {"mediation_not_arranged": "2026-04-02"},
        {"certificate_due": "2026-04-09"},
    ),
    # Concluded Wed 24 Mar 2027 -> Thu 25 (1), Fri 26 GF, Mon 29 EM, Tue 30 (2), Wed 31 (3).
    case(
        "certificate-due-across-easter-2027",
        {"mediation_concluded": "2027-03-24"},
        {"certificate_due": "2027-03-31"},
    ),
    # Declined Thu 17 Apr 2025 -> Fri 18 GF, Mon 21 EM -> Tue 22 (1), Wed 23 (2), Thu 24 (3).
    case(
        "certificate-due-across-easter-2025",
        {"mediation_declined": "2025-04-17"},
        {"certificate_due": "2025-04-24"},
    ),
    # No August exclusion for working days: Mon 10 Aug 2026 -> Tue 11, Wed 12, Thu 13 Aug.
    case(
        "certificate-due-in-august-counts",
        {"mediation_declined": "2026-08-10"},
        {"certificate_due": "2026-08-13"},
    ),
    # Fri 28 Aug 2026 -> Mon 31 Aug hol -> Tue 1 Sep (1), Wed 2 (2), Thu 3 (3).
    case(
        "certificate-due-across-august-bank-holiday",
        {"mediation_declined": "2026-08-28"},
        {"certificate_due": "2026-09-03"},
    ),
    # Event on Sat 17 Oct 2026 -> Mon 19 (1), Tue 20 (2), Wed 21 (3).
    case(
        "certificate-due-event-on-saturday",
        {"mediation_declined": "2026-10-17"},
        {"certificate_due": "2026-10-21"},
    ),
    # Latest of declined (Thu 15 Oct) and concluded (Mon 2 Nov 2026) -> Tue 3, Wed 4, Thu 5 Nov.
    case(
        "certificate-due-latest-event-concluded",
        {"mediation_declined": "2026-10-15", "mediation_concluded": "2026-11-02"},
        {"certificate_due": "2026-11-05"},
    ),
    # The deemed certificate (not arranged, Mon 2 Nov 2026) stays due whatever is recorded
    # later (section 2.3): Tue 3, Wed 4, Thu 5 Nov.
    case(
        "certificate-due-deemed-certificate-wins",
        {"mediation_not_arranged": "2026-11-02", "mediation_declined": "2026-11-10"},
        {"certificate_due": "2026-11-05"},
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)
