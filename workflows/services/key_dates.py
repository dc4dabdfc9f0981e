"""Writing key dates: the one path from a caller's dates to KeyDate rows.

Used for one date (cases.key_date_set: the admin's calculator and actions, the family's "tell us
a date") and for a caseload (casework/importing.py), in bulk either way: the dates of cases just
created go in by COPY on PostgreSQL (sendflow/bulk.py) with nothing to read first, the rest by
one upsert on (case, event). Checking the dates against each other and recomputing the cases'
deadlines stay with the caller, who knows which cases to recompute and how to report a clash.

The admin case page's inline formset does not come here: it edits a row by its id (an adviser
may change a row's event as well as its value), deletes rows, and the admin's change message is
built from what the formset saved (casework/admin_case_saves.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from governance.audit import changes_log
from sendflow import bulk
from workflows.models import KeyDate

# The values of a new row in the order rows_insert takes them.
_COLUMNS = ["case_id", "event", "value", "source", "recorded_by_id", "confirmed"]
# What an upsert rewrites on a (case, event) already stored.
_UPDATE_FIELDS = ["value", "recorded_at", "source", "recorded_by", "confirmed"]


@transaction.atomic
def key_dates_record(
    rows: Iterable[tuple[int, str, date]],
    *,
    source: str,
    by: AbstractBaseUser | None = None,
    confirmed: bool = True,
    now: datetime,
    new_cases: Collection[int] = frozenset(),
    rewrite_unchanged: bool = False,
    history: bool = False,
) -> int:
    """Store each (case_id, event, value) of `rows` as recorded by `source` (and the adviser
    `by`, if any), `confirmed` or not; return how many rows were written.

    A date on one of `new_cases` (cases the caller has just created, with nothing stored) is
    inserted without a look first; for any other case, a (case, event) already stored is
    updated in place. A stored date with the same value is left as it is, so who recorded it
    stays (an import that repeats a date), unless `rewrite_unchanged`: one date an adviser or
    a family records or confirms is theirs even at the value stored (key_date_set).

    With `history`, each row written gets the change-history entry a save would have left
    (django-auditlog's, with its actor): for a date recorded by hand. An import leaves none per
    date; its audit event per case says what came in.

    The dates are not checked against each other and no deadline is recomputed: the caller
    does both. Queries: one COPY (bulk_create off PostgreSQL) for the new cases' dates, one
    read of the other cases' stored dates (none with `rewrite_unchanged` and no `history`)
    and one upsert; with `history`, a read of the rows written and the entries."""
    by_id = by.pk if by is not None else None
    fresh: list[tuple[int, str, date, str, int | None, bool]] = []
    others: list[tuple[int, str, date]] = []
    for case_id, event, value in rows:
        if case_id in new_cases:
            fresh.append((case_id, event, value, source, by_id, confirmed))
        else:
            others.append((case_id, event, value))
    bulk.rows_insert(KeyDate, _COLUMNS, fresh, defaults=True, now=now)
    before: dict[tuple[int, str], KeyDate] = {}
    if others and history:
        before = {(k.case_id, k.event): k for k in KeyDate.objects.filter(_of(others))}
    if others and not rewrite_unchanged:
        if history:
            stored = {key: k.value for key, k in before.items()}
        else:
            stored = {
                (case_id, event): value
                for case_id, event, value in KeyDate.objects.filter(_of(others)).values_list(
                    "case_id", "event", "value"
                )
            }
        others = [row for row in others if stored.get(row[:2]) != row[2]]
    if others:
        KeyDate.objects.bulk_create(
            [
                KeyDate(
                    case_id=case_id,
                    event=event,
                    value=value,
                    source=source,
                    recorded_by_id=by_id,
                    confirmed=confirmed,
                )
                for case_id, event, value in others
            ],
            update_conflicts=True,
            unique_fields=["case", "event"],
            update_fields=_UPDATE_FIELDS,
        )
    written = [row[:3] for row in fresh] + others
    if history and written:
        keys = {(case_id, event) for case_id, event, _ in written}
        changes_log(
            (before.get(key), k)
            for k in KeyDate.objects.filter(_of(written)).order_by("id")
            if (key := (k.case_id, k.event)) in keys
        )
    return len(written)


def _of(rows: Iterable[tuple[int, str, date]]) -> Q:
    """A filter for the key dates of the rows' cases."""
    return bulk.ids_filter("case_id", sorted({case_id for case_id, _, _ in rows}))
