"""A caseload from CSV: read and check in one streaming pass, then write in batches.

All or nothing: every error is named by row and column and nothing is written while any remain;
the writing runs in one transaction, batch by batch (bulk inserts, then recompute and plan per
batch), so a clash found late still leaves nothing behind. Used by `import_cases`.

What is new (cases, their parents and key dates, the import's audit events) goes in as plain
values by COPY on PostgreSQL (sendflow/bulk.py), one statement per table per batch, with no
model instance per row; what is already stored is read once per batch and updated through the
ORM. Advisers, councils and routes are looked up once per file.

Reading is in casework/import_reading.py and each row's checks in casework/import_checks.py;
this module writes. Callers take the whole import from here (parse_file, FIXED_COLUMNS, Row).
"""

from __future__ import annotations

import copy
import time

from django.db import connection, transaction
from django.utils import timezone

from casework.import_checks import FIXED_COLUMNS as FIXED_COLUMNS
from casework.import_checks import GIVEN_COLUMNS, Row
from casework.import_reading import Progress, _no_progress
from casework.import_reading import parse_file as parse_file
from governance.audit import Action, audit_record_many, changes_log
from notifications.models import OutboundMessage
from sendflow import bulk
from workflows import services
from workflows.models import Case, Contact, GivenDate, KeyDate, Route

BATCH = 1000  # cases written, recomputed and planned per batch
# Why an imported case's first summary did not go: the adviser imported without it. The planner
# keeps a summary row of any status, so the family is not sent one later either; the reminders
# and checks still go, each on its day.
NO_SUMMARY_REASON = "left out on import: the adviser chose no first summary"


class ImportClash(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


# --- writing -------------------------------------------------------------------------------------


def existing_references(rows: list[Row]) -> set[str]:
    refs = [r.reference for r in rows]
    found: set[str] = set()
    for i in range(0, len(refs), 5000):
        found.update(
            Case.objects.filter(reference__in=refs[i : i + 5000]).values_list(
                "reference", flat=True
            )
        )
    return found


@transaction.atomic
def write(
    rows: list[Row],
    *,
    progress: Progress = _no_progress,
    audit: dict | None = None,
    summary: bool = True,
) -> int:
    """Write every row, or (ImportClash) nothing at all. With `audit` (its detail), each case
    gets an import event in the audit trail, in the same transaction. With `summary=False` the
    families' first summaries are cancelled (NO_SUMMARY_REASON) before anything can send them;
    return how many were."""
    now = timezone.now()
    started = time.monotonic()
    left_out = 0
    for i in range(0, len(rows), BATCH):
        left_out += _write_batch(rows[i : i + BATCH], now=now, audit=audit, summary=summary)
        done = min(i + BATCH, len(rows))
        progress("case", "written", done, done / max(time.monotonic() - started, 1e-9))
    return left_out


def _summaries_cancel(case_ids: list[int], *, now) -> int:
    """Cancel the cases' summaries still to go, with the reason; return how many."""
    return OutboundMessage.objects.filter(
        bulk.ids_filter("case_id", case_ids),
        kind=OutboundMessage.Kind.SUMMARY,
        status=OutboundMessage.Status.PENDING,
    ).update(
        status=OutboundMessage.Status.CANCELLED,
        status_reason=NO_SUMMARY_REASON,
        updated_at=now,
    )


def _write_batch(rows: list[Row], *, now, audit: dict | None, summary: bool = True) -> int:
    case_ids, new_ids = _cases_for(rows)
    by_case = {case_ids[r.reference]: r for r in rows}
    old = {case_id: row for case_id, row in by_case.items() if case_id not in new_ids}
    clashes = _contacts_write(by_case, old, now=now)
    if clashes:
        raise ImportClash(clashes)
    Route.objects.bulk_create(
        [
            Route(case_id=case_id, kind=kind)
            for case_id, row in by_case.items()
            for kind in row.routes
        ],
        ignore_conflicts=True,  # a route already on the case stays as it is
    )
    _key_dates_write(by_case, old, now=now)
    _write_given_dates(by_case)
    failures = services.deadlines_recompute_many(case_ids=list(by_case))
    if failures:  # dates already stored on a case can clash with the imported ones
        raise ImportClash(
            [
                f"Row {by_case[case_id].number}, dates (with those already on case "
                f"{by_case[case_id].reference}): {message}"
                for case_id, message in sorted(failures.items())
            ]
        )
    if audit is not None:
        audit_record_many(
            action=Action.IMPORT,
            cases=[(case_id, row.reference) for case_id, row in by_case.items()],
            detail=audit,
            now=now,
        )
    return 0 if summary else _summaries_cancel(list(by_case), now=now)


_CONTACT_FIELDS = [
    "name",
    "email",
    "mobile",
    "wants_sms",
    "wants_email",
    "consent_at",
    "consent_source",
]
_CONTACT_COLUMNS = ["case_id", "role", *_CONTACT_FIELDS]  # a new contact's, in insert order


def _contacts_write(by_case: dict[int, Row], old: dict[int, Row], *, now) -> list[str]:
    """Each case's first parent from the file; return the clashes with stored details."""
    contacts = _first_parent_contacts(list(old))
    new_rows, changed, befores, clashes = [], [], [], []
    for case_id, row in by_case.items():
        contact = contacts.get(case_id)
        if contact is None:  # plain values: the row's mobile is already checked and E.164
            wants = row.wants_sms or row.wants_email
            new_rows.append(
                (
                    case_id,
                    Contact.Role.PARENT,
                    row.parent_name,
                    row.email,
                    row.mobile,
                    row.wants_sms,
                    row.wants_email,
                    now if wants else None,
                    Contact.ConsentSource.IMPORT if wants else "",
                )
            )
            mobile, email = row.mobile, row.email
            wants_sms, wants_email = row.wants_sms, row.wants_email
        else:
            befores.append(copy.copy(contact))
            contact.name = row.parent_name
            if "email" in row.columns:
                contact.email = row.email
            if "mobile" in row.columns:
                contact.mobile = row.mobile
            if "channels" in row.columns:
                contact.wants_sms, contact.wants_email = row.wants_sms, row.wants_email
            if (contact.wants_sms or contact.wants_email) and not contact.consent_at:
                contact.consent_at, contact.consent_source = now, Contact.ConsentSource.IMPORT
            changed.append(contact)
            mobile, email = contact.mobile, contact.email
            wants_sms, wants_email = contact.wants_sms, contact.wants_email
        if wants_sms and not mobile:  # texts chosen before, mobile now cleared
            clashes.append(
                f"Row {row.number}, contact details: Add a mobile number, or untick texts."
            )
        if wants_email and not email:
            clashes.append(
                f"Row {row.number}, contact details: Add an email address, or untick emails."
            )
    if clashes:
        return clashes
    bulk.rows_insert(Contact, _CONTACT_COLUMNS, new_rows, defaults=True, now=now)
    Contact.objects.bulk_update(changed, _CONTACT_FIELDS)
    changes_log(zip(befores, changed, strict=True), fields=_CONTACT_FIELDS)
    return []


def _key_dates_write(by_case: dict[int, Row], old: dict[int, Row], *, now) -> None:
    """An imported date is the import's, confirmed; an unchanged one keeps who recorded it.
    A new case's dates go in by COPY, the others' by one upsert (services.key_dates_record)."""
    services.key_dates_record(
        (
            (case_id, event, value)
            for case_id, row in by_case.items()
            for event, value in row.events.items()
        ),
        source=KeyDate.Source.IMPORT,
        by=None,
        confirmed=True,
        now=now,
        new_cases=by_case.keys() - old.keys(),
    )


def _write_given_dates(by_case: dict[int, Row]) -> None:
    """One date per kind from the file: a re-import moves the case's date of that kind (the
    planner then says it changed); an unchanged one keeps who recorded it."""
    wanted = {
        (case_id, kind): when
        for case_id, row in by_case.items()
        for kind, when in row.given.items()
    }
    if not wanted:
        return
    stored: dict[tuple[int, str], GivenDate] = {}
    for given in GivenDate.objects.filter(
        case_id__in={case_id for case_id, _ in wanted}, kind__in=GIVEN_COLUMNS
    ).order_by("id"):
        stored.setdefault((given.case_id, given.kind), given)
    new, changed = [], []
    for (case_id, kind), (value, at) in wanted.items():
        given = stored.get((case_id, kind))
        if given is not None and (given.value, given.time) == (value, at):
            continue
        given = given or GivenDate(
            case_id=case_id,
            kind=kind,
            owner=GivenDate.DEFAULT_OWNERS[kind],
        )
        given.value, given.time = value, at
        given.recorded_source, given.confirmed = GivenDate.Source.IMPORT, True
        (changed if given.pk else new).append(given)
    GivenDate.objects.bulk_create(new)
    GivenDate.objects.bulk_update(changed, ["value", "time", "recorded_source", "confirmed"])


_CASE_COLUMNS = ["reference", "placement_only", "adviser_id", "council_id", "local_authority"]


def _cases_for(rows: list[Row]) -> tuple[dict[str, int], set[int]]:
    """The batch's case ids by reference, and which are new: new cases inserted, the columns
    the file has set on the others."""
    found = Case.objects.filter(reference__in=[r.reference for r in rows]).only(
        "id", "reference", *_CASE_COLUMNS
    )
    cases = {c.reference: c for c in found}
    changed = []
    for row in rows:
        case = cases.get(row.reference)
        if case is None:
            continue
        before = copy.copy(case)
        if _apply_case_columns(case, row):
            changed.append((before, case))
    Case.objects.bulk_update(
        [case for _, case in changed], ["placement_only", "adviser", "council", "local_authority"]
    )
    # The change history a save would have left.
    changes_log(changed, fields=["placement_only", "adviser_id", "council_id", "local_authority"])
    ids = {reference: case.id for reference, case in cases.items()}
    new = [row for row in rows if row.reference not in cases]
    values = [
        (row.reference, row.placement_only, row.adviser_id, row.council_id, row.council_name)
        for row in new
    ]
    if connection.vendor == "postgresql":
        new_ids = bulk.ids_reserve(Case, len(new))
        bulk.rows_insert(
            Case,
            ["id", *_CASE_COLUMNS],
            [(i, *v) for i, v in zip(new_ids, values, strict=True)],
            defaults=True,
        )
        ids.update(zip((row.reference for row in new), new_ids, strict=True))
    else:
        bulk.rows_insert(Case, _CASE_COLUMNS, values, defaults=True)
        ids.update(
            Case.objects.filter(reference__in=[row.reference for row in new]).values_list(
                "reference", "id"
            )
        )
    return ids, {ids[row.reference] for row in new}


def _apply_case_columns(case: Case, row: Row) -> bool:
    """Set the case's columns the file has; say whether anything changed."""
    before = (case.placement_only, case.adviser_id, case.council_id, case.local_authority)
    if "placement_only" in row.columns:
        case.placement_only = row.placement_only
    if "adviser" in row.columns:
        case.adviser_id = row.adviser_id
    if "local_authority" in row.columns:
        case.council_id = row.council_id
        case.local_authority = row.council_name
    return before != (case.placement_only, case.adviser_id, case.council_id, case.local_authority)


def _first_parent_contacts(case_ids: list[int]) -> dict[int, Contact]:
    first: dict[int, Contact] = {}
    for contact in Contact.objects.filter(case_id__in=case_ids, role=Contact.Role.PARENT).order_by(
        "case_id", "id"
    ):
        first.setdefault(contact.case_id, contact)
    return first
