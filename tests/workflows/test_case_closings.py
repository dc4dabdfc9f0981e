"""A case's closings are kept through reopening, erasure and the export (the report counts them)."""

from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps

from casework.case_records import case_erase, case_export_data
from tests.factories import CaseFactory
from workflows.models import Case, CaseClosing

LONDON = ZoneInfo("Europe/London")
MARCH = datetime(2027, 3, 10, 10, tzinfo=LONDON)
APRIL = datetime(2027, 4, 10, 10, tzinfo=LONDON)
MAY = datetime(2027, 5, 10, 10, tzinfo=LONDON)


def _set_status(case, status, when):
    with time_machine.travel(when, tick=False):
        case.status = status
        case.save()


def test_closing_reopening_and_closing_again_keeps_both_closings(db):
    case = CaseFactory()
    _set_status(case, Case.Status.CLOSED, MARCH)
    _set_status(case, Case.Status.OPEN, APRIL)
    _set_status(case, Case.Status.CLOSED, MAY)
    spans = list(case.closings.values_list("closed_at", "reopened_at"))
    assert spans == [(MARCH, APRIL), (MAY, None)]
    case.refresh_from_db()
    assert case.closed_at == MAY


def test_saving_a_closed_case_again_adds_no_closing(db):
    case = CaseFactory()
    _set_status(case, Case.Status.CLOSED, MARCH)
    case.notes = "moved house"
    case.save()
    case.save(update_fields=["notes"])
    assert case.closings.count() == 1


def test_on_hold_is_not_a_closing(db):
    case = CaseFactory()
    _set_status(case, Case.Status.ON_HOLD, MARCH)
    assert not case.closings.exists()


def test_erasure_keeps_the_closings_and_records_the_closing_it_makes(db):
    closed = CaseFactory()
    _set_status(closed, Case.Status.CLOSED, MARCH)
    case_erase(case=closed, now=MAY)
    assert list(closed.closings.values_list("closed_at", "reopened_at")) == [(MARCH, None)]
    still_open = CaseFactory()
    case_erase(case=still_open, now=MAY)  # erasing closes it
    assert list(still_open.closings.values_list("closed_at", flat=True)) == [MAY]


def test_export_lists_the_closings(db):
    case = CaseFactory()
    _set_status(case, Case.Status.CLOSED, MARCH)
    _set_status(case, Case.Status.OPEN, APRIL)
    closings = case_export_data(case=case)["case"]["closings"]
    assert len(closings) == 1
    assert closings[0]["reopened_at"] is not None


def test_backfill_records_one_closing_for_each_case_closed_now(db):
    closed, still_open = CaseFactory(), CaseFactory()
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_at=MARCH)
    migration = import_module("workflows.migrations.0022_backfill_case_closings")
    migration.backfill(apps, None)
    assert list(CaseClosing.objects.values_list("case", "closed_at", "reopened_at")) == [
        (closed.pk, MARCH, None)
    ]
    assert not still_open.closings.exists()
