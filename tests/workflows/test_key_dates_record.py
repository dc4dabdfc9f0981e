"""One write path for key dates (issue 23): key_date_set and the importer both write through
services.key_dates_record."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.factories import AdviserFactory, CaseFactory, KeyDateFactory
from workflows import services
from workflows.models import KeyDate

pytestmark = pytest.mark.django_db


def _rows(case, **events):
    return [(case.pk, event, value) for event, value in events.items()]


def test_new_cases_dates_go_in_as_given():
    case = CaseFactory()
    written = services.key_dates_record(
        _rows(case, decision_sent=date(2027, 1, 4), decision_letter_dated=date(2027, 1, 1)),
        source=KeyDate.Source.IMPORT,
        now=timezone.now(),
        new_cases={case.pk},
    )
    assert written == 2
    assert set(
        case.key_dates.values_list("event", "value", "source", "recorded_by", "confirmed")
    ) == {
        ("decision_sent", date(2027, 1, 4), "import", None, True),
        ("decision_letter_dated", date(2027, 1, 1), "import", None, True),
    }


def test_a_stored_date_at_the_same_value_keeps_who_recorded_it():
    ann = AdviserFactory()
    case = CaseFactory()
    KeyDateFactory(
        case=case, event="decision_sent", value=date(2027, 1, 4), source="adviser", recorded_by=ann
    )
    KeyDateFactory(
        case=case, event="decision_letter_dated", value=date(2027, 1, 1), recorded_by=ann
    )
    logged = LogEntry.objects.count()
    written = services.key_dates_record(
        _rows(
            case,
            decision_sent=date(2027, 1, 4),  # unchanged: stays ann's
            decision_letter_dated=date(2027, 1, 2),  # changed: the import's now
            certificate_issued=date(2027, 3, 1),  # new on a stored case
        ),
        source=KeyDate.Source.IMPORT,
        now=timezone.now(),
    )
    assert written == 2
    stored = {k.event: k for k in case.key_dates.all()}
    assert (stored["decision_sent"].source, stored["decision_sent"].recorded_by) == ("adviser", ann)
    assert stored["decision_letter_dated"].value == date(2027, 1, 2)
    assert stored["decision_letter_dated"].source == "import"
    assert stored["decision_letter_dated"].recorded_by is None
    assert stored["certificate_issued"].source == "import"
    assert LogEntry.objects.count() == logged  # an import's dates leave no history each


def test_key_date_set_takes_a_date_over_at_its_value_and_leaves_history():
    ann = AdviserFactory()
    case = CaseFactory()
    services.key_date_set(
        case=case, event="decision_sent", value=date(2027, 1, 4), source="family", confirmed=False
    )
    key_date = services.key_date_set(
        case=case, event="decision_sent", value=date(2027, 1, 4), by=ann
    )
    assert (key_date.source, key_date.recorded_by, key_date.confirmed) == ("adviser", ann, True)
    entries = list(LogEntry.objects.get_for_object(key_date).order_by("id"))
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[0].changes_dict["value"] == [None, "2027-01-04"]
    assert set(entries[1].changes_dict) == {"source", "recorded_by", "confirmed"}
