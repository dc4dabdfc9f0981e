"""Worked examples for the deadline calculator (legal-rules.md section 11, month ends, the
Christmas and August windows), computed by hand from domain/legal-rules.md.

Every expected date below was worked out independently of workflows/rules/, from the law as
summarised in legal-rules.md and the England and Wales holiday tables in its section 8.2:

    2025: Wed 1 Jan, Fri 18 Apr (Good Friday), Mon 21 Apr, Mon 5 May, Mon 26 May, Mon 25 Aug,
          Thu 25 Dec, Fri 26 Dec
    2026: Thu 1 Jan, Fri 3 Apr (Good Friday), Mon 6 Apr, Mon 4 May, Mon 25 May, Mon 31 Aug,
          Fri 25 Dec, Mon 28 Dec (Boxing Day substitute)
    2027: Fri 1 Jan, Fri 26 Mar (Good Friday), Mon 29 Mar, Mon 3 May, Mon 31 May, Mon 30 Aug,
          Mon 27 Dec, Tue 28 Dec (substitutes)
    2028: Mon 3 Jan (New Year substitute), Fri 14 Apr (Good Friday), Mon 17 Apr, Mon 1 May,
          Mon 29 May, Mon 28 Aug, Mon 25 Dec, Tue 26 Dec
    2029: Mon 1 Jan (used only for the first working day after 1 Jan 2029, which is Tue 2 Jan)

Conventions (the contract the calculator follows):
- addMonths: corresponding date, clamped to the last day of a short month (Dodds v Walker).
- appeal (HESC r.20(1)(c), r.12): raw = max(decision_sent + 2 months, certificate_issued + 1 month);
  the certificate is ignored for placement-only appeals. Then, on the RAW date: 25 Dec-1 Jan ->
  first working day after 1 Jan; any day in August -> first working day after 31 Aug; otherwise a
  non-working day -> next working day.
- working day: Mon-Fri except E&W bank holidays, Christmas Day and Good Friday. "n working days
  after D" = the n-th working day strictly after D. No Christmas/August exclusion.
- Everything set by the SEND Regulations, the Equality Act or the LGA 1974 is NOT rolled.
"""

import pytest

from tests.helpers import check_worked_example
from tests.helpers import worked_case as case

CASES = [
    # ------------------------------------------------------------------ legal-rules.md section 11
    # Ex 1: Thu 15 Jan 2026 + 2 months = Sun 15 Mar 2026 -> r.12(2) -> Mon 16 Mar 2026.
    # The reg 33 contact date is not rolled: Sun 15 Mar 2026.
    case(
        "s11-ex1-raw-sunday",
        {"decision_sent": "2026-01-15"},
        {"appeal": "2026-03-16", "mediation_adviser_contact": "2026-03-15"},
    ),
    # Ex 2: A = Fri 10 Apr 2026; B = 20 Feb + 1 month = Fri 20 Mar 2026; later is A.
    case(
        "s11-ex2-certificate-early-two-months-wins",
        {"decision_sent": "2026-02-10", "certificate_issued": "2026-02-20"},
        {"appeal": "2026-04-10", "mediation_adviser_contact": "2026-04-10"},
    ),
    # Ex 4: 31 Dec 2026 + 2 months -> no 31 Feb -> Sun 28 Feb 2027 -> appeal Mon 1 Mar 2027.
    case(
        "s11-ex4-31-dec-non-leap-february",
        {"decision_sent": "2026-12-31"},
        {"appeal": "2027-03-01", "mediation_adviser_contact": "2027-02-28"},
    ),
    # Ex 9: A = Tue 1 Dec 2026; B = 30 Nov + 1 month = Wed 30 Dec 2026 (Christmas window) ->
    # first working day after Fri 1 Jan 2027 (a holiday) = Mon 4 Jan 2027.
    case(
        "s11-ex9-christmas-window-via-certificate",
        {"decision_sent": "2026-10-01", "certificate_issued": "2026-11-30"},
        {"appeal": "2027-01-04", "mediation_adviser_contact": "2026-12-01"},
    ),
    # Ex 17: declined Thu 15 Oct 2026 -> Fri 16 (1), Mon 19 (2), Tue 20 (3).
    case(
        "s11-ex17-certificate-due-across-weekend",
        {"mediation_declined": "2026-10-15"},
        {"certificate_due": "2026-10-20"},
    ),
    # Ex 22: Mon 5 Jan 2026 + 6 / 16 / 20 weeks; Mon 25 May 2026 is a bank holiday, not rolled.
    case(
        "s11-ex22-ehc-timeline",
        {"ehc_request_received": "2026-01-05"},
        {
            "ehc_assessment_decision": "2026-02-16",
            "ehc_no_plan_decision": "2026-04-27",
            "ehc_final_plan": "2026-05-25",
        },
        absent=["appeal"],
    ),
    # ------------------------------------------------------------------ month ends and clamping
    # Fri 31 Dec 2027 + 2 months -> leap 2028 has 29 Feb (Tue), a working day.
    case(
        "month-end-31-dec-into-leap-29-feb",
        {"decision_sent": "2027-12-31"},
        {"appeal": "2028-02-29", "mediation_adviser_contact": "2028-02-29"},
    ),
    # 30 Dec 2027 + 2 months -> clamped to Tue 29 Feb 2028.
    case(
        "month-end-30-dec-into-leap-29-feb",
        {"decision_sent": "2027-12-30"},
        {"appeal": "2028-02-29", "mediation_adviser_contact": "2028-02-29"},
    ),
    # 29 Dec 2026 + 2 months -> clamped to Sun 28 Feb 2027 -> Mon 1 Mar 2027.
    case(
        "month-end-29-dec-non-leap",
        {"decision_sent": "2026-12-29"},
        {"appeal": "2027-03-01", "mediation_adviser_contact": "2027-02-28"},
    ),
    # 31 Dec 2025 + 2 months -> Sat 28 Feb 2026 -> Mon 2 Mar 2026; contact date stays Sat.
    case(
        "month-end-31-dec-2025-raw-saturday",
        {"decision_sent": "2025-12-31"},
        {"appeal": "2026-03-02", "mediation_adviser_contact": "2026-02-28"},
    ),
    # A = 10 Dec 2027 + 2 = Thu 10 Feb 2028; B = 30 Jan 2028 + 1 month -> clamped Tue 29 Feb 2028.
    case(
        "month-end-certificate-30-jan-into-leap-feb",
        {"decision_sent": "2027-12-10", "certificate_issued": "2028-01-30"},
        {"appeal": "2028-02-29", "mediation_adviser_contact": "2028-02-10"},
    ),
    # A = 1 Dec 2026 + 2 = Mon 1 Feb 2027; B = 31 Jan 2027 + 1 -> Sun 28 Feb 2027 -> Mon 1 Mar.
    case(
        "month-end-certificate-31-jan-into-short-feb",
        {"decision_sent": "2026-12-01", "certificate_issued": "2027-01-31"},
        {"appeal": "2027-03-01", "mediation_adviser_contact": "2027-02-01"},
    ),
    # 31 Aug 2026 + 2 months = Sat 31 Oct 2026 -> Mon 2 Nov 2026.
    case(
        "month-end-31-aug-to-saturday-31-oct",
        {"decision_sent": "2026-08-31"},
        {"appeal": "2026-11-02", "mediation_adviser_contact": "2026-10-31"},
    ),
    # 31 Jul 2026 + 2 months -> no 31 Sep -> Wed 30 Sep 2026, a working day.
    case(
        "month-end-31-jul-clamped-to-30-sep",
        {"decision_sent": "2026-07-31"},
        {"appeal": "2026-09-30", "mediation_adviser_contact": "2026-09-30"},
    ),
    # 29 Feb 2028 + 2 months = Sat 29 Apr 2028; Sun 30 Apr; Mon 1 May is the Early May bank
    # holiday -> Tue 2 May 2028.
    case(
        "leap-day-29-feb-2028-rolls-past-early-may",
        {"decision_sent": "2028-02-29"},
        {"appeal": "2028-05-02", "mediation_adviser_contact": "2028-04-29"},
    ),
    # ------------------------------------------------------------------ Christmas window
    # 31 Oct 2027 + 2 = Fri 31 Dec 2027 (window) -> after Sat 1 Jan: Sun 2, Mon 3 Jan 2028 is the
    # New Year substitute holiday -> Tue 4 Jan 2028 (legal-rules.md 1.4).
    case(
        "christmas-31-dec-2027-to-4-jan-2028",
        {"decision_sent": "2027-10-31"},
        {"appeal": "2028-01-04", "mediation_adviser_contact": "2027-12-31"},
    ),
    # Raw Fri 25 Dec 2026 (first day of window) -> Mon 4 Jan 2027. Contact date not moved.
    case(
        "christmas-raw-25-dec-2026",
        {"decision_sent": "2026-10-25"},
        {"appeal": "2027-01-04", "mediation_adviser_contact": "2026-12-25"},
    ),
    # Raw Thu 31 Dec 2026 -> Mon 4 Jan 2027.
    case(
        "christmas-raw-31-dec-2026",
        {"decision_sent": "2026-10-31"},
        {"appeal": "2027-01-04", "mediation_adviser_contact": "2026-12-31"},
    ),
    # Raw Fri 1 Jan 2027 (last day of window, itself a holiday) -> Mon 4 Jan 2027.
    case(
        "christmas-raw-1-jan-2027",
        {"decision_sent": "2026-11-01"},
        {"appeal": "2027-01-04", "mediation_adviser_contact": "2027-01-01"},
    ),
    # Raw Thu 1 Jan 2026 (window) -> first working day after 1 Jan = Fri 2 Jan 2026.
    case(
        "christmas-raw-1-jan-2026",
        {"decision_sent": "2025-11-01"},
        {"appeal": "2026-01-02"},
    ),
    # Raw Sun 28 Dec 2025 (window) -> Fri 2 Jan 2026.
    case(
        "christmas-raw-28-dec-2025",
        {"decision_sent": "2025-10-28"},
        {"appeal": "2026-01-02", "mediation_adviser_contact": "2025-12-28"},
    ),
    # Raw Thu 24 Dec 2026: just before the window, a working day -> stays 24 Dec.
    case(
        "christmas-eve-2026-before-window-working-day",
        {"decision_sent": "2026-10-24"},
        {"appeal": "2026-12-24"},
    ),
    # Raw Fri 24 Dec 2027: just before the window, a working day -> stays 24 Dec.
    case(
        "christmas-eve-2027-before-window-working-day",
        {"decision_sent": "2027-10-24"},
        {"appeal": "2027-12-24"},
    ),
    # Raw Sun 24 Dec 2028: NOT in the window (the raw date is checked), not August, not a
    # working day -> r.12(2) next working day: Mon 25 and Tue 26 Dec are holidays -> Wed 27 Dec.
    case(
        "christmas-eve-2028-sunday-rolls-by-r12-2",
        {"decision_sent": "2028-10-24"},
        {"appeal": "2028-12-27", "mediation_adviser_contact": "2028-12-24"},
    ),
    # Raw Wed 27 Dec 2028 (window) -> first working day after Mon 1 Jan 2029 = Tue 2 Jan 2029.
    case(
        "christmas-raw-27-dec-2028",
        {"decision_sent": "2028-10-27"},
        {"appeal": "2029-01-02"},
    ),
    # Raw Sat 2 Jan 2027: just after the window -> ordinary roll to Mon 4 Jan 2027.
    case(
        "christmas-raw-2-jan-2027-saturday-after-window",
        {"decision_sent": "2026-11-02"},
        {"appeal": "2027-01-04"},
    ),
    # Raw Fri 2 Jan 2026: after the window, a working day -> stays.
    case(
        "christmas-raw-2-jan-2026-working-day",
        {"decision_sent": "2025-11-02"},
        {"appeal": "2026-01-02"},
    ),
    # A = 15 Dec 2027 (Wed); B = 30 Nov + 1 = Thu 30 Dec 2027 (window) -> Tue 4 Jan 2028.
    case(
        "christmas-certificate-30-dec-2027",
        {"decision_sent": "2027-10-15", "certificate_issued": "2027-11-30"},
        {"appeal": "2028-01-04", "mediation_adviser_contact": "2027-12-15"},
    ),
    # A = Sun 20 Dec 2026; B = 1 Dec + 1 = Fri 1 Jan 2027 (window) -> later is B -> Mon 4 Jan 2027.
    case(
        "christmas-certificate-1-jan-beats-sunday-20-dec",
        {"decision_sent": "2026-10-20", "certificate_issued": "2026-12-01"},
        {"appeal": "2027-01-04", "mediation_adviser_contact": "2026-12-20"},
    ),
    # ------------------------------------------------------------------ August window
    # Raw Sat 1 Aug 2026 -> first working day after 31 Aug (Mon, bank holiday) = Tue 1 Sep 2026.
    case(
        "august-raw-1-aug-2026",
        {"decision_sent": "2026-06-01"},
        {"appeal": "2026-09-01", "mediation_adviser_contact": "2026-08-01"},
    ),
    # Raw Sat 15 Aug 2026 -> Tue 1 Sep 2026.
    case(
        "august-raw-15-aug-2026",
        {"decision_sent": "2026-06-15"},
        {"appeal": "2026-09-01", "mediation_adviser_contact": "2026-08-15"},
    ),
    # Raw Sun 30 Aug 2026 -> Tue 1 Sep 2026.
    case(
        "august-raw-30-aug-2026",
        {"decision_sent": "2026-06-30"},
        {"appeal": "2026-09-01"},
    ),
    # A = Mon 10 Aug 2026; B = 31 Jul + 1 month = Mon 31 Aug 2026 -> Tue 1 Sep 2026.
    case(
        "august-certificate-raw-31-aug-2026",
        {"decision_sent": "2026-06-10", "certificate_issued": "2026-07-31"},
        {"appeal": "2026-09-01", "mediation_adviser_contact": "2026-08-10"},
    ),
    # Raw Tue 3 Aug 2027 is a working day, but in August -> first working day after Tue 31 Aug
    # 2027 = Wed 1 Sep 2027.
    case(
        "august-raw-working-day-3-aug-2027",
        {"decision_sent": "2027-06-03"},
        {"appeal": "2027-09-01", "mediation_adviser_contact": "2027-08-03"},
    ),
    # Raw Sun 20 Aug 2028 -> first working day after Thu 31 Aug 2028 = Fri 1 Sep 2028.
    case(
        "august-raw-20-aug-2028",
        {"decision_sent": "2028-06-20"},
        {"appeal": "2028-09-01"},
    ),
    # Raw Mon 25 Aug 2025 (bank holiday, in August) -> after Sun 31 Aug 2025 -> Mon 1 Sep 2025.
    case(
        "august-raw-bank-holiday-25-aug-2025",
        {"decision_sent": "2025-06-25"},
        {"appeal": "2025-09-01"},
    ),
    # A = Mon 20 Jul 2026; B = 10 Jul + 1 = Mon 10 Aug 2026 (August) -> Tue 1 Sep 2026.
    case(
        "august-via-later-certificate",
        {"decision_sent": "2026-05-20", "certificate_issued": "2026-07-10"},
        {"appeal": "2026-09-01", "mediation_adviser_contact": "2026-07-20"},
    ),
    # Raw Sat 31 Jul 2027: not in August, so r.12(2) applies: next working day Mon 2 Aug 2027,
    # even though that is in August (the August rule looks at the raw date only).
    case(
        "august-31-jul-2027-saturday-rolls-into-august",
        {"decision_sent": "2027-05-31"},
        {"appeal": "2027-08-02", "mediation_adviser_contact": "2027-07-31"},
    ),
    # Raw Sat 29 Jul 2028 -> Sun 30 -> Mon 31 Jul 2028 (working day).
    case(
        "august-29-jul-2028-saturday-rolls-to-31-jul",
        {"decision_sent": "2028-05-29"},
        {"appeal": "2028-07-31"},
    ),
    # Raw Fri 31 Jul 2026, a working day, not August -> stays.
    case(
        "august-31-jul-2026-friday-stays",
        {"decision_sent": "2026-05-31"},
        {"appeal": "2026-07-31"},
    ),
    # Raw Tue 1 Sep 2026: after the window, a working day -> stays.
    case(
        "august-raw-1-sep-2026-after-window",
        {"decision_sent": "2026-07-01"},
        {"appeal": "2026-09-01"},
    ),
]


@pytest.mark.parametrize(("events", "placement_only", "expected", "absent"), CASES)
def test_worked_example(events, placement_only, expected, absent):
    check_worked_example(events, placement_only, expected, absent)
