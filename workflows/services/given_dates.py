"""Dates a letter gives, recorded by the adviser or told by the family."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from datetime import time as dt_time

from django.db import transaction

from workflows import rules, words
from workflows.models import AdviserTask, Case, GivenDate
from workflows.services.family_dates import DateChange, FamilyDateResult
from workflows.services.planning import messages_plan


@transaction.atomic
def given_date_set(
    *,
    case: Case,
    kind: str,
    value: date,
    time: dt_time | None = None,
    label: str = "",
    owner: str = "",
    source: str = "",
    recorded_source: str = GivenDate.Source.ADVISER,
    confirmed: bool = True,
    given_date: GivenDate | None = None,
) -> GivenDate:
    """Record a date a letter gave (or move `given_date` to a new one), then re-plan the case's
    messages in the same transaction: a moved date the family was told sends "date changed"."""
    # The case first, as every writer of its dates locks it (the planner's refresh of its next
    # step locks it at the end): a nightly batch and this save then queue, never deadlock.
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
    given_date = given_date or GivenDate(case=case)
    given_date.kind, given_date.value, given_date.time = kind, value, time
    given_date.label, given_date.owner, given_date.source = label, owner, source
    given_date.recorded_source, given_date.confirmed = recorded_source, confirmed
    given_date.full_clean()
    given_date.save()
    messages_plan(case_ids=[case.id])
    return given_date


# Fields an adviser types on the case page's dates given in letters: changing any makes it theirs.
GIVEN_DATE_TYPED_FIELDS = frozenset({"kind", "value", "time"})


def given_date_adviser_edit(*, given_date: GivenDate, changed: Collection[str]) -> GivenDate:
    """A date from a letter an adviser types or changes is theirs, and checked. Marks
    `given_date` for its save (the admin's formset saves it; the case is recomputed after)."""
    if given_date.pk is None or GIVEN_DATE_TYPED_FIELDS & set(changed):
        given_date.recorded_source = GivenDate.Source.ADVISER
        given_date.confirmed = True
    return given_date


@transaction.atomic
def given_date_done(*, given_date: GivenDate, done_on: date | None) -> GivenDate:
    """The adviser marks a given date done (the form sent, the meeting held), or undoes it."""
    Case.objects.select_for_update().filter(pk=given_date.case_id).values_list("pk").first()
    given_date.done_on = done_on
    given_date.save(update_fields=["done_on", "recorded_at"])
    messages_plan(case_ids=[given_date.case_id])
    return given_date


@transaction.atomic
def family_given_date_report(*, case: Case, kind: str, value: date) -> FamilyDateResult:
    """A date from a letter the family told us on their page. Used at once, as the family's and
    unconfirmed, unless the adviser already recorded another date of that kind from the letter:
    then theirs stands and the adviser is asked to look. Either way the adviser gets a task."""

    case = Case.objects.select_for_update().get(pk=case.pk)
    label = words.given_kind_label(kind)
    existing = case.given_dates.filter(kind=kind, done_on__isnull=True).order_by("id").first()
    if existing is not None and existing.value == value:
        return FamilyDateResult(used=True)
    if existing is not None and existing.confirmed:
        AdviserTask.objects.create(
            case=case,
            kind=AdviserTask.Kind.FAMILY_DATE,
            text=words.family_given_date_waiting_task(
                label=label, value=value, recorded=existing.value
            ),
        )
        return FamilyDateResult(used=False, replaces=existing.value)
    before = existing.value if existing else None
    given_date_set(
        case=case,
        kind=kind,
        value=value,
        time=existing.time if existing else None,
        owner=existing.owner if existing else "",
        source=existing.source if existing else "",
        recorded_source=GivenDate.Source.FAMILY,
        confirmed=False,
        given_date=existing,
    )
    AdviserTask.objects.create(
        case=case,
        kind=AdviserTask.Kind.FAMILY_DATE,
        text=f"The family told us: {label} on {rules.long_date(value)}. It is used now: check "
        "it against the letter, add the time for a hearing or meeting, and tick confirmed on "
        "the case's dates given in letters.",
    )
    return FamilyDateResult(
        used=True,
        changes=[DateChange(kind=GivenDate.COVERS.get(kind, kind), before=before, after=value)],
    )
