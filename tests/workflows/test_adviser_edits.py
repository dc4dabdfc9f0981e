"""A date an adviser types or changes on the case page is theirs and confirmed; ticking
"confirmed" on a family's date keeps it the family's (the case page's save calls these)."""

from datetime import date

import pytest

from tests.factories import CaseFactory, GivenDateFactory, KeyDateFactory
from workflows import services
from workflows.models import GivenDate, KeyDate

pytestmark = pytest.mark.django_db


def test_a_key_date_an_adviser_adds_is_theirs_and_confirmed(adviser):
    key_date = KeyDate(case=CaseFactory(), event="decision_sent", value=date(2026, 12, 31))
    key_date.source, key_date.confirmed = KeyDate.Source.FAMILY, False
    services.key_date_adviser_edit(key_date=key_date, changed=[], by=adviser)
    assert (key_date.source, key_date.recorded_by, key_date.confirmed) == (
        KeyDate.Source.ADVISER,
        adviser,
        True,
    )


@pytest.mark.parametrize("field", ["event", "value"])
def test_a_family_key_date_an_adviser_changes_becomes_theirs(adviser, field):
    key_date = KeyDateFactory(source=KeyDate.Source.FAMILY, confirmed=False)
    services.key_date_adviser_edit(key_date=key_date, changed=[field], by=adviser)
    assert (key_date.source, key_date.recorded_by, key_date.confirmed) == (
        KeyDate.Source.ADVISER,
        adviser,
        True,
    )


def test_ticking_confirmed_keeps_a_family_key_date_the_familys(adviser):
    key_date = KeyDateFactory(source=KeyDate.Source.FAMILY, confirmed=True)
    services.key_date_adviser_edit(key_date=key_date, changed=["confirmed"], by=adviser)
    assert key_date.source == KeyDate.Source.FAMILY
    assert key_date.recorded_by is None


@pytest.mark.parametrize("field", ["kind", "value", "time"])
def test_a_family_given_date_an_adviser_changes_becomes_theirs(field):
    given = GivenDateFactory(recorded_source=GivenDate.Source.FAMILY, confirmed=False)
    services.given_date_adviser_edit(given_date=given, changed=[field])
    assert (given.recorded_source, given.confirmed) == (GivenDate.Source.ADVISER, True)


def test_ticking_confirmed_keeps_a_family_given_date_the_familys():
    given = GivenDateFactory(recorded_source=GivenDate.Source.FAMILY, confirmed=True)
    services.given_date_adviser_edit(given_date=given, changed=["confirmed"])
    assert given.recorded_source == GivenDate.Source.FAMILY
