"""Each figure's definition, with the issue's edges: a deadline done on its last day, a case
closed and reopened, a message retried then delivered, a combined message."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from governance.models import AuditEvent
from notifications.models import OutboundMessage
from reports.figures import DEFINITIONS, Scope, report
from reports.periods import Period
from reports.tables import as_text
from tests.factories import AdviserFactory
from tests.reports.conftest import at
from workflows.models import Case, Contact, FamilyReportedDate, GivenDate, LocalAuthority

LONDON = ZoneInfo("Europe/London")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 12, 6)


WHOLE_SERVICE = Scope()


def run(scope=WHOLE_SERVICE, period=NOVEMBER, today=TODAY):
    return report(period=period, scope=scope, today=today)


def test_cases_opened_closed_and_open_at_end(make_case):
    make_case(opened=date(2026, 10, 20))  # open at the end, opened before
    make_case(opened=date(2026, 11, 1), routes=["appeal", "mediation"])  # first day
    make_case(opened=date(2026, 11, 30), closed=date(2026, 11, 30), routes=["appeal"])
    make_case(opened=date(2026, 10, 1), closed=date(2026, 12, 2))  # closed after: open at end
    make_case(opened=date(2026, 12, 1))  # after the period
    cases = run()["cases"]
    assert (cases["opened"], cases["closed"], cases["open_at_end"]) == (2, 1, 3)
    assert cases["by_route"] == {"appeal": 2, "mediation": 1}


def test_period_edges_are_london_days(make_case):
    case = make_case(opened=date(2026, 11, 1))
    # 00:30 on 1 December in London is still 30 November nowhere: it is December.
    Case.objects.filter(pk=case.pk).update(created_at=datetime(2026, 12, 1, 0, 30, tzinfo=LONDON))
    assert run()["cases"]["opened"] == 0
    # 31 October 23:30 UTC is still October in London (GMT): not in November.
    Case.objects.filter(pk=case.pk).update(
        created_at=datetime(2026, 10, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    assert run()["cases"]["opened"] == 0


def test_case_closed_and_reopened_counts_as_open(make_case):
    case = make_case(opened=date(2026, 11, 2), closed=date(2026, 11, 10))
    with time_machine.travel(at(date(2026, 11, 20)), tick=False):
        case.status = Case.Status.OPEN  # reopened: the save clears closed_at, not the closing
        case.save()
    cases = run()["cases"]
    assert (cases["opened"], cases["closed"], cases["open_at_end"]) == (1, 1, 1)


def test_case_closed_reopened_and_closed_again_keeps_each_months_figures(make_case):
    from casework.case_records import case_erase

    case = make_case(opened=date(2027, 2, 10))
    for day, status in [
        (date(2027, 3, 10), Case.Status.CLOSED),
        (date(2027, 4, 10), Case.Status.OPEN),
        (date(2027, 5, 10), Case.Status.CLOSED),
    ]:
        with time_machine.travel(at(day), tick=False):
            case.status = status
            case.save()
    periods = {
        "march": Period(date(2027, 3, 1), date(2027, 3, 31)),
        "april": Period(date(2027, 4, 1), date(2027, 4, 30)),
        "may": Period(date(2027, 5, 1), date(2027, 5, 31)),
        "quarter": Period(date(2027, 3, 1), date(2027, 5, 31)),
    }

    def figures():
        return {
            name: (cases["closed"], cases["open_at_end"])
            for name, period in periods.items()
            for cases in [run(period=period, today=date(2027, 6, 15))["cases"]]
        }

    before = figures()
    # (closed in the period, open at its end)
    assert before == {"march": (1, 0), "april": (0, 1), "may": (1, 0), "quarter": (1, 0)}
    case_erase(case=case, now=at(date(2027, 6, 1)))
    assert figures() == before


def test_closed_link_selects_the_cases_closed_in_the_period(make_case, admin_client):
    make_case(opened=date(2026, 10, 2), closed=date(2026, 11, 10))
    make_case(opened=date(2026, 10, 2), closed=date(2026, 10, 10))
    from reports.views import Links

    link = Links(period=NOVEMBER, scope=WHOLE_SERVICE, user=None).link("cases", "closed", "value")
    response = admin_client.get(link)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_by_council_and_who(make_case):
    council = LocalAuthority.objects.create(name="Northshire")
    young = make_case(opened=date(2026, 11, 2), council=council)
    Contact.objects.create(case=young, name="Y", role="young_person", email="y@example.com")
    Contact.objects.create(case=young, name="P", role="parent", email="p@example.com")
    parent = make_case(opened=date(2026, 11, 3), local_authority="Southshire")
    Contact.objects.create(case=parent, name="C", role="carer", email="c@example.com")
    make_case(opened=date(2026, 11, 4), local_authority="")
    cases = run()["cases"]
    assert cases["by_council"] == {"Northshire": 1, "Southshire": 1, "not recorded": 1}
    assert cases["who"] == {"young_people": 1, "parents_and_carers": 1, "not_recorded": 1}


def test_family_deadlines_by_state(make_case, make_deadline):
    case = make_case(opened=date(2026, 9, 1))
    due = date(2026, 11, 16)
    make_deadline(case, kind="appeal", due=due, done_by="appeal_submitted", done_on=due)  # last day
    other = make_case(opened=date(2026, 9, 1))
    make_deadline(
        other, kind="appeal", due=due, done_by="appeal_submitted", done_on=due + timedelta(1)
    )
    third = make_case(opened=date(2026, 9, 1))
    make_deadline(third, kind="appeal", due=due)  # passed with nothing done
    fourth = make_case(opened=date(2026, 9, 1))
    make_deadline(fourth, kind="appeal", due=due, status="met")  # marked met by the adviser
    fifth = make_case(opened=date(2026, 9, 1))
    # Its override moves it out of November: it counts in December.
    make_deadline(
        fifth,
        kind="appeal",
        due=due,
        override_date=date(2026, 12, 20),
        override_reason="Tribunal agreed",
        overridden_at=datetime(2026, 11, 1, tzinfo=LONDON),
    )
    figures = run()
    assert figures["family_deadlines"] == {
        "appeal": {"due": 4, "done_on_time": 2, "done_late": 1, "passed_undone": 1, "open": 0}
    }
    assert figures["late_appeals"] == 1
    december = run(period=Period(date(2026, 12, 1), date(2026, 12, 31)))
    assert december["family_deadlines"]["appeal"]["open"] == 1


def test_an_event_dated_after_today_does_not_make_it_done(make_case, make_deadline):
    case = make_case(opened=date(2026, 9, 1))
    make_deadline(
        case,
        kind="mediation_adviser_contact",
        due=date(2026, 11, 20),
        done_by="certificate_issued",
        done_on=date(2026, 12, 10),
    )
    row = run()["family_deadlines"]["mediation_adviser_contact"]
    assert (row["passed_undone"], row["done_late"]) == (1, 0)


def test_owed_dates_by_kind_and_council(make_case, make_deadline):
    case = make_case(opened=date(2026, 9, 1), local_authority="Northshire")
    make_deadline(
        case,
        kind="certificate_due",
        owner="mediation_adviser",
        due=date(2026, 11, 5),
        done_by="certificate_issued",
        done_on=date(2026, 11, 5),
    )
    make_deadline(case, kind="ehc_final_plan", owner="local_authority", due=date(2026, 11, 9))
    later = make_case(opened=date(2026, 9, 1), local_authority="Northshire")
    make_deadline(
        later,
        kind="ehc_final_plan",
        owner="local_authority",
        due=date(2026, 11, 9),
        done_by="x",
        done_on=date(2026, 11, 20),
    )
    figures = run(today=date(2026, 11, 25))
    assert figures["owed_dates"]["ehc_final_plan"] == {
        "due": 2,
        "on_time": 0,
        "late": 1,
        "passed_unrecorded": 1,
        "open": 0,
    }
    assert figures["owed_dates"]["certificate_due"]["on_time"] == 1
    assert figures["owed_dates_by_council"]["Northshire"]["due"] == 3
    assert "ehc_final_plan" not in figures["family_deadlines"]


def test_given_dates_owed_by_others_count_with_their_done_date(make_case):
    case = make_case(opened=date(2026, 9, 1), local_authority="Northshire")
    given = [
        # The council's response to the appeal, from the Tribunal's timetable: came on its day.
        ("la_response", "", date(2026, 11, 5), date(2026, 11, 5)),
        ("la_response", "", date(2026, 11, 6), date(2026, 11, 12)),  # came late
        ("la_response", "", date(2026, 11, 9), None),  # passed, nothing recorded
        ("la_response", "", date(2026, 11, 28), None),  # not due yet
        ("decision_expected", "", date(2026, 11, 10), None),  # the Tribunal's: passed
        ("final_evidence", "", date(2026, 11, 10), None),  # the family's own: not owed
        ("hearing", "local_authority", date(2026, 11, 10), None),  # a meeting: not owed
        ("la_response", "", date(2026, 12, 3), None),  # after the period
    ]
    for kind, owner, value, done_on in given:
        GivenDate.objects.create(case=case, kind=kind, owner=owner, value=value, done_on=done_on)
    figures = run(today=date(2026, 11, 25))
    assert figures["owed_dates"] == {
        "given:decision_expected": {
            "due": 1,
            "on_time": 0,
            "late": 0,
            "passed_unrecorded": 1,
            "open": 0,
        },
        "given:la_response": {
            "due": 4,
            "on_time": 1,
            "late": 1,
            "passed_unrecorded": 1,
            "open": 1,
        },
    }
    assert figures["owed_dates_by_council"] == {
        "Northshire": {"due": 5, "on_time": 1, "late": 1, "passed_unrecorded": 2, "open": 1}
    }
    assert figures["family_deadlines"] == {}
    text = as_text(figures, scope_words="the whole service")
    assert "given:" not in text
    assert "Council's response to the appeal (Tribunal's date)" in text


def test_a_letters_date_replaces_the_deadline_it_covers(make_case, make_deadline):
    case = make_case(opened=date(2026, 9, 1), local_authority="Northshire")
    make_deadline(case, kind="la_appeal_response", owner="local_authority", due=date(2026, 11, 4))
    GivenDate.objects.create(case=case, kind="la_response", value=date(2026, 11, 6))
    other = make_case(opened=date(2026, 9, 1), local_authority="Northshire")
    make_deadline(other, kind="la_appeal_response", owner="local_authority", due=date(2026, 11, 4))
    figures = run(today=date(2026, 11, 25))
    assert figures["owed_dates"]["la_appeal_response"]["due"] == 1  # only the uncovered one
    assert figures["owed_dates"]["given:la_response"]["due"] == 1
    assert figures["owed_dates_by_council"]["Northshire"]["due"] == 2


def test_owed_dates_definition_says_letters_dates_count(db):
    assert "from a letter" in DEFINITIONS["owed_dates"]


def test_message_retried_then_delivered_counts_once(make_case, make_message):
    case = make_case(opened=date(2026, 9, 1))
    make_message(case, send=date(2026, 11, 3), status="delivered", attempts=3, segments=2)
    sms = run()["messages"]["sms"]
    assert (sms["sent"], sms["delivered"], sms["failed"], sms["segments"]) == (1, 1, 0, 2)
    assert sms["cost_pounds"] == 0.08


def test_combined_message_counts_once_per_send(make_case, make_message):
    case = make_case(opened=date(2026, 9, 1))
    lead = make_message(case, channel="email", send=date(2026, 11, 3), status="sent")
    for _ in range(2):
        make_message(
            case, channel="email", send=date(2026, 11, 3), status="sent", combined_into=lead
        )
    assert run()["messages"]["email"]["sent"] == 1


def test_failed_unknown_and_unsent_messages(make_case, make_message):
    case = make_case(opened=date(2026, 9, 1))
    make_message(case, send=date(2026, 11, 3), status="failed")  # refused at send
    make_message(case, send=date(2026, 11, 4), status="failed", was_sent=True)  # undelivered
    make_message(case, send=date(2026, 11, 5), status="unknown")
    make_message(case, send=date(2026, 11, 6), status="cancelled")
    make_message(case, send=date(2026, 11, 7), status="sent", kind="test")  # to an adviser
    make_message(case, send=date(2026, 12, 7), status="pending")
    sms = run()["messages"]["sms"]
    assert (sms["sent"], sms["failed"], sms["unknown"]) == (1, 2, 1)


def test_opt_outs_and_replies(make_case, make_task):
    case = make_case(opened=date(2026, 9, 1))
    AuditEvent.objects.create(action="stop", case=case)
    AuditEvent.objects.create(action="opt_out", case=case, detail={"channels": ["email", "sms"]})
    AuditEvent.objects.filter(case=case).update(at=datetime(2026, 11, 3, tzinfo=LONDON))
    make_task(case, kind="inbound_sms", made=datetime(2026, 11, 3, tzinfo=LONDON))
    make_task(case, kind="inbound_sms", made=datetime(2026, 10, 3, tzinfo=LONDON))
    figures = run()
    assert figures["opt_outs"] == {"sms": 2, "email": 1}
    assert figures["replies"] == 1


def test_work_urgent_task_hours(make_case, make_task):
    case = make_case(opened=date(2026, 9, 1))
    start = datetime(2026, 11, 2, 9, tzinfo=LONDON)
    for hours in [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]:
        make_task(case, made=start, done=start + timedelta(hours=hours))
    make_task(case, kind="inbound_sms", made=start)  # raised, still open
    work = run()["work"]
    assert (work["tasks_raised"], work["tasks_closed"], work["urgent_closed"]) == (11, 10, 10)
    assert (work["urgent_hours_median"], work["urgent_hours_p90"]) == (5.5, 9.0)


def test_family_dates_told_and_wait(make_case):
    case = make_case(opened=date(2026, 9, 1))
    told = FamilyReportedDate.objects.create(case=case, event="decision_sent", value=TODAY)
    FamilyReportedDate.objects.filter(pk=told.pk).update(
        reported_at=datetime(2026, 11, 2, 9, tzinfo=LONDON),
        decided_at=datetime(2026, 11, 2, 15, tzinfo=LONDON),
        status="accepted",
    )
    work = run()["work"]
    assert (work["family_dates_told"], work["family_dates_decided"]) == (1, 1)
    assert work["family_dates_hours_median"] == 6.0


def test_adviser_and_council_scope(make_case, make_deadline, make_message):
    ann, bob = AdviserFactory(username="ann"), AdviserFactory(username="bob")
    mine = make_case(opened=date(2026, 11, 2), adviser=ann, local_authority="Northshire")
    theirs = make_case(opened=date(2026, 11, 2), adviser=bob, local_authority="Southshire")
    for case in (mine, theirs):
        make_deadline(case, due=date(2026, 11, 10))
        make_message(case, send=date(2026, 11, 3))
    for scope in (Scope(adviser="ann"), Scope(council="northshire")):
        figures = run(scope=scope)
        assert figures["cases"]["opened"] == 1
        assert figures["family_deadlines"]["appeal"]["due"] == 1
        assert figures["messages"]["sms"]["sent"] == 1
    assert run()["cases"]["opened"] == 2


def test_monthly_for_the_chart(make_case, make_deadline):
    make_case(opened=date(2026, 11, 2))
    old = make_case(opened=date(2025, 12, 31))
    make_deadline(old, due=date(2026, 1, 10))
    make_case(opened=date(2025, 11, 30))  # thirteen months back: not in the chart
    months = run()["monthly"]
    assert [m["month"] for m in months][:2] == ["2025-12", "2026-01"]
    assert months[0]["opened"] == 1
    assert months[1]["deadlines_passed"] == 1
    assert months[-1] == {"month": "2026-11", "opened": 1, "deadlines_passed": 0}


def test_design_keys_present(db):
    """DESIGN.md's keys for `manage.py report --format json` are all there (more may be)."""
    figures = run()
    assert set(figures) >= {"period", "cases", "family_deadlines", "owed_dates", "messages"}
    assert set(figures) >= {"opt_outs", "replies"}
    assert set(figures["cases"]) >= {"opened", "closed", "open_at_end", "by_route"}
    assert set(figures["messages"]["sms"]) >= {"sent", "delivered", "failed", "unknown", "segments"}
    assert set(figures["messages"]["email"]) == {"sent", "delivered", "failed", "unknown"}
    assert set(figures["opt_outs"]) == {"sms", "email"}
    assert figures["period"] == {"from": "2026-11-01", "to": "2026-11-30"}


def test_every_figure_has_a_definition():
    for key in ["cases.opened", "family_deadlines.done_late", "messages.segments", "replies"]:
        assert DEFINITIONS[key]


def test_erasing_a_case_leaves_last_months_figures_unchanged(
    make_case, make_deadline, make_message, make_task
):
    from casework.case_records import case_erase

    case = make_case(opened=date(2026, 11, 2), routes=["appeal"])
    Contact.objects.create(case=case, name="Y", role="young_person", email="y@example.com")
    make_deadline(case, due=date(2026, 11, 10))
    make_message(case, send=date(2026, 11, 3), status="delivered", segments=2, body="Hello")
    make_task(case, kind="inbound_sms", made=datetime(2026, 11, 3, tzinfo=LONDON))
    AuditEvent.objects.create(action="stop", case=case)
    AuditEvent.objects.filter(case=case).update(at=datetime(2026, 11, 3, tzinfo=LONDON))
    before = run()
    case_erase(case=case, now=datetime(2026, 12, 5, tzinfo=LONDON))
    assert OutboundMessage.objects.get().body == ""
    assert run() == before


def test_published_hides_medians_of_fewer_than_5(make_case, make_task):
    from reports.figures import published

    case = make_case(opened=date(2026, 9, 1))
    start = datetime(2026, 11, 2, 9, tzinfo=LONDON)
    make_task(case, made=start, done=start + timedelta(hours=3))
    work = published(run())["work"]
    assert work["urgent_closed"] == "fewer than 5"
    assert work["urgent_hours_median"] is None
