"""import_cases takes dates a letter gives as columns: YYYY-MM-DD, or YYYY-MM-DD HH:MM for a
hearing or meeting; a re-import moves the date, and the planner follows."""

from datetime import date, time

import pytest
import time_machine

from notifications.models import OutboundMessage
from tests.notifications.test_import_cases import run_import
from workflows.models import GivenDate

pytestmark = pytest.mark.django_db

HEADER = "reference,parent_name,email,channels,appeal_registered,hearing,final_evidence\n"


@pytest.fixture(autouse=True)
def _today():
    # Within ten weeks of the hearing, so its reminders are in the outbox (plan_core.PLAN_AHEAD).
    with time_machine.travel("2027-04-01 12:00 +00:00", tick=False):
        yield


def test_given_date_columns_are_imported_with_a_hearing_time_and_planned(tmp_path):
    code, out, err = run_import(
        tmp_path,
        HEADER + "A1,Amira Khan,amira@example.com,email,2027-03-01,2027-06-08 10:00,2027-05-21\n",
    )
    assert (code, err) == (0, "")
    hearing = GivenDate.objects.get(case__reference="A1", kind="hearing")
    assert (hearing.value, hearing.time, hearing.owner) == (date(2027, 6, 8), time(10), "parent")
    assert (hearing.recorded_source, hearing.confirmed) == ("import", True)
    evidence = GivenDate.objects.get(case__reference="A1", kind="final_evidence")
    assert (evidence.value, evidence.time) == (date(2027, 5, 21), None)
    assert OutboundMessage.objects.filter(given_date=hearing, offset="0d").exists()

    # A later file moves the hearing: the same row, its old reminders cancelled.
    code, _, err = run_import(
        tmp_path,
        HEADER + "A1,Amira Khan,amira@example.com,email,2027-03-01,2027-06-15 14:00,2027-05-21\n",
    )
    assert (code, err) == (0, "")
    hearing.refresh_from_db()
    assert (hearing.value, hearing.time) == (date(2027, 6, 15), time(14))
    assert GivenDate.objects.filter(case__reference="A1").count() == 2
    old = OutboundMessage.objects.filter(given_date=hearing, due_date=date(2027, 6, 8))
    assert {m.status for m in old} == {OutboundMessage.Status.CANCELLED}


@pytest.mark.parametrize(
    ("hearing", "evidence", "problem"),
    [
        ("2027-06-08 25:00", "", "column hearing: '2027-06-08 25:00' is not a real time"),
        ("2027-02-30", "", "column hearing: '2027-02-30' is not a real date"),
        ("", "2027-05-21 10:00", "column final_evidence: '2027-05-21 10:00': only a hearing"),
    ],
)
def test_a_bad_given_date_names_its_row_and_column_and_writes_nothing(
    tmp_path, hearing, evidence, problem
):
    code, _, err = run_import(
        tmp_path,
        HEADER + f"A1,Amira Khan,amira@example.com,email,2027-03-01,{hearing},{evidence}\n",
    )
    assert code != 0
    assert f"Row 2, {problem}" in err
    assert not GivenDate.objects.exists()
