from datetime import date

import pytest
import time_machine

from tests.factories import AdviserFactory, SupervisorFactory

URL = "/admin/reports/"


@pytest.fixture
def caseload(make_case, make_deadline, make_message):
    ann = AdviserFactory(username="ann")
    bob = AdviserFactory(username="bob")
    for day in (2, 3, 4, 5, 6, 9):
        case = make_case(opened=date(2026, 11, day), routes=["appeal"], adviser=ann)
        make_deadline(case, due=date(2026, 11, 20))
        make_message(case, send=date(2026, 11, day), status="delivered", segments=1)
    theirs = make_case(opened=date(2026, 11, 5), routes=["mediation"], adviser=bob)
    make_deadline(theirs, kind="mediation_adviser_contact", due=date(2026, 11, 20))
    return ann, bob


def cells(response):
    return response.content.decode()


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_supervisor_sees_last_full_month_by_default(client, caseload):
    client.force_login(SupervisorFactory())
    response = client.get(URL)
    assert response.status_code == 200
    page = cells(response)
    assert "Sunday 1 November 2026 to Monday 30 November 2026" in page
    assert "Cases created in the period" in page  # a definition under its figure
    assert "Mediation adviser" in page or "mediation adviser" in page.lower()
    opened = response.context["tables"][0]["rows"][0]["cells"][0]
    assert opened[0] == 7
    assert "/admin/workflows/case/?" in opened[1]
    assert page.count('class="chart-bar chart-opened"') == 12
    assert "the table below gives the same figures" in page


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_links_lead_to_the_same_cases(client, caseload):
    client.force_login(SupervisorFactory())
    response = client.get(URL, {"adviser": "ann"})
    link = response.context["tables"][0]["rows"][0]["cells"][0][1]
    listed = client.get(link)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 6


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_adviser_sees_only_their_own_cases(client, caseload):
    ann, _ = caseload
    client.force_login(ann)
    response = client.get(URL, {"adviser": "bob"})  # ignored: not a field for an adviser
    assert response.status_code == 200
    assert response.context["tables"][0]["rows"][0]["cells"][0][0] == 6
    assert "Mediation adviser" not in cells(response)
    assert 'name="adviser"' not in cells(response)
    link = response.context["tables"][0]["rows"][0]["cells"][0][1]
    listed = client.get(link)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 6


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_publishable_tick_box_and_csv_download(client, caseload):
    client.force_login(SupervisorFactory())
    response = client.get(URL, {"adviser": "bob", "publishable": "on"})
    assert response.context["tables"][0]["rows"][0]["cells"][0][0] == "fewer than 5"
    download = client.get(URL, {"adviser": "bob", "publishable": "on", "download": "cases"})
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.decode().splitlines()[1] == "Cases opened,fewer than 5"


@time_machine.travel("2026-12-06 12:00", tick=False)
@pytest.mark.parametrize(
    ("params", "start"),
    [
        ({"period": "this_month"}, "Tuesday 1 December 2026"),
        ({"period": "last_quarter"}, "Wednesday 1 July 2026"),
        ({"period": "fy_to_date"}, "Wednesday 1 April 2026"),
        ({"period": "last_fy"}, "Tuesday 1 April 2025"),
        ({"period": "custom", "start": "2026-11-02", "end": "2026-11-03"}, "Monday 2 November"),
    ],
)
def test_presets(client, db, params, start):
    client.force_login(SupervisorFactory())
    assert start in cells(client.get(URL, params))


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_bad_custom_dates_say_so(client, db):
    client.force_login(SupervisorFactory())
    page = cells(client.get(URL, {"period": "custom", "start": "2026-11-05", "end": "2026-11-01"}))
    assert "The period ends before it starts" in page


def test_not_for_the_public(client, db):
    assert client.get(URL).status_code == 302


@time_machine.travel("2026-12-06 12:00", tick=False)
def test_scope_line_says_figures_follow_the_cases_adviser_now(client, caseload):
    ann, _ = caseload
    scope_line = "follow each case&#x27;s adviser and council as they are now"
    client.force_login(SupervisorFactory())
    assert scope_line not in cells(client.get(URL))
    assert scope_line in cells(client.get(URL, {"adviser": "ann"}))
    client.force_login(ann)
    assert scope_line in cells(client.get(URL))
