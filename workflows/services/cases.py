"""A case's state and its key dates."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows.models import Case, KeyDate
from workflows.services.key_dates import key_dates_record
from workflows.services.planning import messages_plan
from workflows.services.recompute import deadlines_recompute, facts_check


@transaction.atomic
def case_take_on(*, case: Case, by, from_left: bool = False) -> bool:
    """Make `by` the case's adviser if nobody looks after it: no adviser, or (`from_left`, a
    supervisor's choice) one who has left. One conditional UPDATE, so two people taking the
    same case at once cannot both have it; False when it already had someone."""
    nobody = Q(adviser__isnull=True)
    if from_left:
        nobody |= Q(adviser__is_active=False)
    return bool(Case.objects.filter(nobody, pk=case.pk).update(adviser=by))


@transaction.atomic
def case_replan(*, case: Case) -> None:
    """Re-plan messages after contacts, the pause or the status changed."""
    messages_plan(case_ids=[case.id])


@transaction.atomic
def key_date_set(
    *,
    case: Case,
    event: str,
    value: date,
    source: str = KeyDate.Source.ADVISER,
    by=None,
    confirmed: bool = True,
) -> KeyDate:
    """Record a key date and recompute the case's deadlines and messages in one transaction.

    `source` says who told us (adviser, family, import); a family's date is unconfirmed until an
    adviser checks it. Written by key_dates_record, as an import's dates are; recorded again
    even at the value stored, so it becomes `source`'s (and `by`'s)."""
    events = dict(case.key_dates.values_list("event", "value"))
    events[event] = value
    facts_check(events=events, placement_only=case.placement_only)
    key_dates_record(
        [(case.pk, event, value)],
        source=source,
        by=by,
        confirmed=confirmed,
        now=timezone.now(),
        rewrite_unchanged=True,
        history=True,
    )
    deadlines_recompute(case=case)
    key_date = case.key_dates.get(event=event)
    key_date.case = case
    return key_date


# Fields an adviser types on the case page's key dates: changing either makes the date theirs.
KEY_DATE_TYPED_FIELDS = frozenset({"event", "value"})


def key_date_adviser_edit(*, key_date: KeyDate, changed: Collection[str], by) -> KeyDate:
    """A key date an adviser types or changes is theirs, and checked; ticking "confirmed" on a
    family's date keeps it the family's. Marks `key_date` for its save (the admin's formset
    saves it and the case is recomputed after)."""
    if key_date.pk is None or KEY_DATE_TYPED_FIELDS & set(changed):
        key_date.source = KeyDate.Source.ADVISER
        key_date.recorded_by = by
        key_date.confirmed = True
    return key_date


@transaction.atomic
def key_date_remove(*, case: Case, event: str) -> None:
    case.key_dates.filter(event=event).delete()
    deadlines_recompute(case=case)
