"""Worked examples for the deadline calculator, computed by hand from domain/legal-rules.md.

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

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run_calculator(events: dict[str, str], placement_only=False) -> dict[str, str]:
    args = []
    for name, value in events.items():
        args += ["--event", f"{name}={value}"]
    if placement_only:
        args.append("--placement-only")
    out = StringIO()
    call_command("deadlines", *args, "--format", "json", stdout=out)
    return {d["kind"]: d["due"] for d in json.loads(out.getvalue())["deadlines"]}


def case(case_id, events, expected, *, placement_only=False, absent=()):
    return pytest.param(events, placement_only, expected, tuple(absent), id=case_id)


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
    got = run_calculator(events, placement_only=placement_only)
    for kind, due in expected.items():
        assert kind in got, f"{kind} missing; calculator printed {sorted(got)}"
        assert got[kind] == due, f"{kind}: expected {due}, calculator said {got[kind]}"
    for kind in absent:
        assert kind not in got, f"{kind} should not be printed for these events, got {got[kind]}"


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
