"""A caseload from CSV: read and check in one streaming pass, then write in batches.

All or nothing: every error is named by row and column and nothing is written while any remain;
the writing runs in one transaction, batch by batch (bulk inserts, then recompute and plan per
batch), so a clash found late still leaves nothing behind. Used by `import_cases`.

What is new (cases, their parents and key dates, the import's audit events) goes in as plain
values by COPY on PostgreSQL (sendflow/bulk.py), one statement per table per batch, with no
model instance per row; what is already stored is read once per batch and updated through the
ORM. Advisers, councils and routes are looked up once per file.
"""

from __future__ import annotations

import codecs
import copy
import csv
import itertools
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from datetime import time as dt_time
from pathlib import Path
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from governance.audit import Action, audit_record_many, changes_log
from notifications.models import OutboundMessage
from sendflow.bulk import ids_reserve, rows_insert
from workflows import batch_sql, rules, services
from workflows.models import Case, Contact, GivenDate, KeyDate, Route
from workflows.validators import validate_uk_mobile

FIXED_COLUMNS = [
    "reference",
    "parent_name",
    "email",
    "mobile",
    "channels",
    "placement_only",
    "adviser",  # a staff login's username or email
    "routes",  # comma-separated route names (complaint, mediation, appeal...)
    "local_authority",  # a council recorded under Councils, by name
]
# Dates a letter gives, one column per kind ("other" needs a label, so it is typed in the admin):
# YYYY-MM-DD, or YYYY-MM-DD HH:MM for a hearing or meeting.
GIVEN_COLUMNS = [kind for kind in GivenDate.Kind.values if kind != GivenDate.Kind.OTHER]
_WITH_TIME = re.compile(r"^(?P<day>\S+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})$", re.ASCII)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_FIELD = 1000  # no column needs more; a longer field is a broken file, not a name
# What a spreadsheet runs as a formula when a cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")
BATCH = 1000  # cases written, recomputed and planned per batch
MAX_ERRORS = 200  # a wholly wrong file: enough to see the pattern
# Why an imported case's first summary did not go: the adviser imported without it. The planner
# keeps a summary row of any status, so the family is not sent one later either; the reminders
# and checks still go, each on its day.
NO_SUMMARY_REASON = "left out on import: the adviser chose no first summary"


@dataclass
class Row:
    number: int
    reference: str
    parent_name: str
    email: str
    mobile: str  # E.164
    wants_sms: bool
    wants_email: bool
    placement_only: bool
    events: dict[str, date] = field(default_factory=dict)
    given: dict[str, tuple[date, dt_time | None]] = field(default_factory=dict)
    columns: frozenset[str] = frozenset()  # a re-import changes only the columns it has
    adviser_id: int | None = None
    routes: tuple[str, ...] = ()
    council_id: int | None = None
    council_name: str = ""


@dataclass
class Lookups:
    """Names in the file resolved against the database, loaded once per file."""

    advisers: dict[str, int] = field(default_factory=dict)  # username or email, lower case
    councils: dict[str, tuple[int, str]] = field(default_factory=dict)  # name, lower case
    routes: dict[str, str] = field(default_factory=dict)  # code or label, lower case

    @classmethod
    def load(cls, columns: frozenset[str]) -> Lookups:
        from django.contrib.auth import get_user_model

        from workflows.models import LocalAuthority, RouteKind

        lookups = cls()
        if "adviser" in columns:
            for pk, username, email in (
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .values_list("pk", "username", "email")
            ):
                lookups.advisers[username.lower()] = pk
                if email:
                    lookups.advisers.setdefault(email.lower(), pk)
        if "local_authority" in columns:
            for pk, name in LocalAuthority.objects.values_list("pk", "name"):
                lookups.councils[name.lower()] = (pk, name)
        for kind in RouteKind:
            lookups.routes[kind.value] = kind.value
            lookups.routes[str(kind.label).lower()] = kind.value
        return lookups


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ImportClash(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


Progress = Callable[[str, str, int, float], None]  # (noun, what was done, count, rate a second)


def _no_progress(noun: str, done: str, count: int, rate: float) -> None:
    return None


# --- reading -------------------------------------------------------------------------------------


_CONTROL_NAMES = {
    "\x00": "NUL",
    "\t": "tab",
    "\n": "line break",
    "\r": "line break",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
}


# Unicode's control characters (Cc: U+0000-001F, U+007F-009F) and its line and paragraph
# separators (Zl, Zp): one search per field instead of a category lookup per character.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _unprintable(text: str) -> str | None:
    """The first control or line-separator character in a field, named, if any."""
    found = _UNPRINTABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "NUL"
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "control character")
    return f"{name.lower()} (U+{ord(char):04X})"


class _Unreadable(NamedTuple):
    """Why the reader stopped on a row, and in which column (by position) if it can tell."""

    reason: str
    column: int | None


def _records(
    lines: Iterable[str], delimiter: str = ","
) -> Iterator[tuple[int, list[str] | None, _Unreadable | None, str]]:
    """(row number, fields, why it cannot be read, how the row's last line ended) per record;
    quoted newlines stay inside their field."""
    taken: list[str] = []  # the current record's lines, to name the column a problem is in

    def tracked() -> Iterator[str]:
        for line in lines:
            taken.append(line)
            yield line

    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 1_000_000))  # read an overlong field, then name it
    try:
        reader = csv.reader(tracked(), strict=True, delimiter=delimiter)
        number = 0
        while True:
            number += 1
            taken.clear()
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                text = "".join(taken)
                yield number, None, _Unreadable(str(exc), _quoting_fault(text, delimiter)), ""
                return  # the reader cannot find the next row reliably after this
            last = taken[-1] if taken else ""
            yield number, record, None, last[len(last.rstrip("\r\n")) :]
    finally:
        csv.field_size_limit(limit)


def _quoting_fault(text: str, delimiter: str) -> int | None:
    """The position of the field whose quotes break the row: one opened and never closed, or
    closed with something other than the delimiter after it."""
    column, i, end = 0, 0, len(text)
    while i < end:
        if text[i] == '"':
            i += 1
            while True:
                close = text.find('"', i)
                if close == -1:
                    return column  # never closed
                if text.startswith('""', close):
                    i = close + 2  # a quote written twice is one quote
                    continue
                i = close + 1
                break
            if i < end and text[i] not in (delimiter, "\r", "\n"):
                return column
        while i < end and text[i] not in (delimiter, "\r", "\n"):
            i += 1
        if i < end and text[i] == delimiter:
            column, i = column + 1, i + 1
            continue
        return None
    return None


def _unreadable_text(number: int, problem: _Unreadable, columns: list[str]) -> str:
    where = "Row 1 (header)" if number == 1 else f"Row {number}"
    if problem.column is not None:
        name = columns[problem.column] if problem.column < len(columns) else ""
        where += f", column {name or problem.column + 1}"
    return (
        f"{where}: the file cannot be read here ({problem.reason}). Check the quotes in that "
        'field: a field with a quote in it is written "like ""this""", in quotes, with each '
        "quote doubled"
    )


# Excel writes "sep=;" as a first line to say which separator follows; many locales save with ";".
_SEP_LINE = re.compile(r"^sep=(.)\r?\n?$")


def _delimiter(first: str) -> tuple[str, bool]:
    """The separator the file uses, and whether its first line only said so (sep=;)."""
    if match := _SEP_LINE.match(first):
        return match[1], True
    if "," not in first:
        for other in (";", "\t"):
            if other in first:
                return other, False
    return ",", False


def parse_file(path: Path, *, progress: Progress = _no_progress, name: str = "") -> Parsed:
    """Read and check a CSV file in one pass. Say what to fix if it cannot be read at all.
    `name` is the file as the person knows it (an upload's own name, not where it was put)."""
    shown = name or str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # Excel adds a BOM
            first = handle.readline()
            delimiter, said = _delimiter(first)
            lines = handle if said else itertools.chain([first], handle)
            return parse_lines(lines, progress=progress, delimiter=delimiter)
    except OSError as exc:
        return Parsed(errors=[f"Cannot read {shown}: {exc.strerror or exc}"])
    except UnicodeDecodeError:
        return Parsed(errors=[f"Cannot read {shown}: {_where_not_utf8(path)}"])


def _where_not_utf8(path: Path) -> str:
    """Which row and column hold the first character that is not UTF-8, and how to save it."""
    how = "In Excel choose Save As, then 'CSV UTF-8 (Comma delimited)'"
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"it is saved as UTF-16 ('Unicode Text'), not UTF-8 CSV. {how}"
    text = raw.decode("utf-8-sig", errors="surrogateescape")  # bad bytes kept as U+DC80-DCFF
    lines = text.splitlines(keepends=True)
    delimiter, said = _delimiter(lines[0] if lines else "")
    columns: list[str] = []
    for number, record, _, _ in _records(lines[1:] if said else lines, delimiter):
        if record is None:
            break
        if number == 1:
            columns = [c.strip() for c in record]
        for position, value in enumerate(record):
            if _BAD_BYTE.search(value):
                where = "Row 1 (header)" if number == 1 else f"Row {number}"
                name = columns[position] if position < len(columns) else position + 1
                return (
                    f"{where}, column {name}: has a character that is not UTF-8 (the file looks "
                    f"saved as Latin-1 or Windows-1252, as older Excel does). {how}"
                )
    return f"it is not UTF-8 text. {how}"


_BAD_BYTE = re.compile("[\udc80-\udcff]")


def parse_lines(
    lines: Iterable[str], *, progress: Progress = _no_progress, delimiter: str = ","
) -> Parsed:
    parsed = Parsed()
    records = _records(lines, delimiter)
    first = next(records, None)
    if first is None or first[1] is None or not any(first[1]):
        if first and first[2]:
            parsed.errors.append(_unreadable_text(1, first[2], []))
        else:
            parsed.errors.append("The file has no header row")
        return parsed
    columns = [c.strip() for c in first[1]]
    header_ending = first[3]
    header_error = _check_header(columns)
    if header_error:
        parsed.errors.append(header_error)
        return parsed
    column_set = frozenset(columns)
    lookups = Lookups.load(column_set)
    seen: dict[str, int] = {}
    started = time.monotonic()
    for number, record, problem, ending in records:
        if problem:
            parsed.errors.append(_unreadable_text(number, problem, columns))
            break
        assert record is not None
        if ending == "\r" and header_ending != "\r" and record:
            # The reader ends a row at a carriage return standing alone, as old Macs ended
            # lines; where the header ends its line otherwise, it is a break inside a field.
            parsed.errors.append(
                f"Row {number}, column {columns[min(len(record), len(columns)) - 1]}: holds a "
                "carriage return (U+000D) that splits the row in two; remove it"
            )
            break  # the rest of the split row would read as a row of its own
        if not any(v.strip() for v in record):
            continue  # a blank line
        row, row_errors = _parse_record(number, columns, record, column_set, lookups)
        if row and row.reference in seen:
            row_errors.append(
                f"Row {number}, column reference: '{row.reference}' is also on row "
                f"{seen[row.reference]}"
            )
        if row:
            seen.setdefault(row.reference, number)
        parsed.errors.extend(row_errors)
        if row and not row_errors:
            parsed.rows.append(row)
        if len(parsed.errors) >= MAX_ERRORS:
            parsed.errors.append(f"Stopped after {MAX_ERRORS} problems: fix these first")
            break
        if number % 5000 == 0:
            progress("row", "checked", number - 1, (number - 1) / (time.monotonic() - started))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has no cases in it")
    return parsed


def _check_header(columns: list[str]) -> str | None:
    for column in columns:
        if _unprintable(column):
            return f"Row 1 (header): a column name holds a {_unprintable(column)}"
    missing = [c for c in ("reference", "parent_name") if c not in columns]
    if missing:
        columns_word = "column" if len(missing) == 1 else "columns"
        return f"Row 1 (header): missing {columns_word} {', '.join(missing)}"
    if {"email", "mobile"} & set(columns) and "channels" not in columns:
        return (
            "Row 1 (header): add a channels column (sms, email or sms,email): without it "
            "nobody would get messages"
        )
    unknown = [
        c
        for c in columns
        if c not in FIXED_COLUMNS and c not in rules.EVENTS and c not in GIVEN_COLUMNS
    ]
    if unknown:
        return (
            f"Row 1 (header), column {unknown[0] or '(blank)'}: not a known column. Columns "
            f"are {', '.join(FIXED_COLUMNS)}, key dates such as decision_sent, and dates a "
            f"letter gives ({', '.join(GIVEN_COLUMNS)})"
        )
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        return f"Row 1 (header), column {twice[0]}: appears twice"
    return None


def _parse_record(
    number: int,
    columns: list[str],
    record: list[str],
    column_set: frozenset[str],
    lookups: Lookups | None = None,
) -> tuple[Row | None, list[str]]:
    if len(record) > len(columns):
        extra = record[len(columns) :]
        if any(v.strip() for v in extra):
            return None, [
                f"Row {number}, after column {columns[-1]}: has {len(record)} fields but the "
                f"header has {len(columns)}. A value with a comma in it needs quotes around it"
            ]
        record = record[: len(columns)]  # trailing empty cells a spreadsheet added
    if len(record) < len(columns):  # cut short: its missing columns would blank stored details
        return None, [
            f"Row {number}, column {columns[len(record)]}: missing; the row has {len(record)} "
            f"{'field' if len(record) == 1 else 'fields'} but the header has {len(columns)}"
        ]
    errors: list[str] = []
    values: dict[str, str] = {}
    for column, value in zip(columns, record, strict=False):
        if len(value) > MAX_FIELD:
            errors.append(
                f"Row {number}, column {column}: is {len(value):,} characters long; no column "
                f"takes more than {MAX_FIELD:,}"
            )
        elif bad := _unprintable(value):
            errors.append(f"Row {number}, column {column}: holds a {bad}; remove it")
        else:
            values[column] = value.strip()
    if errors:
        return None, errors
    return _parse_row(number, values, column_set, lookups or Lookups.load(column_set))


def _parse_row(
    number: int, values: dict[str, str], columns: frozenset[str], lookups: Lookups
) -> tuple[Row | None, list[str]]:
    errors: list[str] = []

    def error(column: str, message: str) -> None:
        errors.append(f"Row {number}, column {column}: {message}")

    reference = values.get("reference", "")
    if not reference:
        error("reference", "is empty")
    elif len(reference) > 40:
        error("reference", "is longer than 40 characters")
    elif reference.startswith(FORMULA_STARTS):
        error("reference", f"starts with '{reference[0]}', which a spreadsheet runs as a formula")
    name = values.get("parent_name", "")
    if not name:
        error("parent_name", "is empty")
    elif len(name) > 100:
        error("parent_name", "is longer than 100 characters")
    elif name.startswith(FORMULA_STARTS):
        error(
            "parent_name",
            f"starts with '{name[0]}', which a spreadsheet runs as a formula; remove it",
        )
    email = values.get("email", "")
    if len(email) > 254:
        error("email", "is longer than 254 characters")
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", f"'{email}' is not an email address")
    mobile = values.get("mobile", "")
    if mobile:
        try:
            phone = _uk_mobile_as_written(mobile) or phonenumbers.parse(mobile, "GB")
        except phonenumbers.NumberParseException:
            error("mobile", f"'{mobile}' is not a phone number.")
        else:
            try:
                validate_uk_mobile(phone)
                mobile = phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.E164)
            except ValidationError as exc:
                national = phonenumbers.format_number(
                    phone, phonenumbers.PhoneNumberFormat.NATIONAL
                )
                error("mobile", exc.messages[0].replace(f"'{national}'", f"'{mobile}'"))
    channels = {c.strip().lower() for c in values.get("channels", "").split(",") if c.strip()}
    if channels - {"sms", "email"}:
        error("channels", f"'{values['channels']}' should be sms, email or sms,email")
    if "sms" in channels and not mobile:
        error("channels", "asks for sms but the mobile column is empty")
    if "email" in channels and not email:
        error("channels", "asks for email but the email column is empty")
    placement = values.get("placement_only", "").lower()
    if placement not in YES | NO:
        error("placement_only", f"'{values['placement_only']}' should be yes or no")
    adviser_id = None
    if adviser := values.get("adviser", ""):
        adviser_id = lookups.advisers.get(adviser.lower())
        if adviser_id is None:
            error("adviser", f"'{adviser}' is not the username or email of an adviser's login")
    routes: list[str] = []
    for route_name in (r.strip() for r in values.get("routes", "").split(",")):
        if not route_name:
            continue
        kind = lookups.routes.get(route_name.lower())
        if kind is None:
            known = ", ".join(sorted(set(lookups.routes.values())))
            error("routes", f"'{route_name}' is not a route; routes are {known}")
        elif kind not in routes:
            routes.append(kind)
    council_id, council_name = None, ""
    if council := values.get("local_authority", ""):
        found = lookups.councils.get(council.lower())
        if found is None:
            error(
                "local_authority",
                f"'{council}' is not a council recorded under Councils; add it there first, "
                "or check the spelling",
            )
        else:
            council_id, council_name = found
    events = {}
    for event in rules.EVENTS:
        if values.get(event):
            try:
                events[event] = rules.parse_date(values[event])
            except rules.FactsError as exc:
                error(event, str(exc))
    given = {}
    for kind in GIVEN_COLUMNS:
        if values.get(kind):
            try:
                given[kind] = _given_value(kind, values[kind])
            except rules.FactsError as exc:
                error(kind, str(exc))
    if not errors:
        try:
            rules.validate(rules.Facts(events=events, placement_only=placement in YES))
        except rules.FactsError as exc:
            error(exc.event or "dates", str(exc))
    row = Row(
        number=number,
        reference=reference,
        parent_name=name,
        email=email,
        mobile=mobile,
        wants_sms="sms" in channels,
        wants_email="email" in channels,
        placement_only=placement in YES,
        events=events,
        given=given,
        columns=columns,
        adviser_id=adviser_id,
        routes=tuple(routes),
        council_id=council_id,
        council_name=council_name,
    )
    return row, errors


# How nearly every mobile in a caseload is written: 07xxx xxxxxx or +44 7xxx xxxxxx.
_PLAIN_UK_MOBILE = re.compile(r"(?:0|\+44 ?)(7\d{3}) ?(\d{6})")


def _uk_mobile_as_written(text: str) -> phonenumbers.PhoneNumber | None:
    """The number phonenumbers.parse(text, "GB") gives, for the plain ways of writing a UK
    mobile, without its general parser (most of a row's cost); None for anything else."""
    match = _PLAIN_UK_MOBILE.fullmatch(text)
    if match is None:
        return None
    return phonenumbers.PhoneNumber(country_code=44, national_number=int(match[1] + match[2]))


def _given_value(kind: str, text: str) -> tuple[date, dt_time | None]:
    """ "2027-06-08" or, for a hearing or meeting, "2027-06-08 10:00"."""
    match = _WITH_TIME.match(text)
    if match is None:
        return rules.parse_date(text), None
    if kind not in GivenDate.MEETINGS:
        raise rules.FactsError(
            f"'{text}': only a hearing or meeting has a time; write the date alone"
        )
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise rules.FactsError(f"'{text}' is not a real time: write it as HH:MM, like 10:00")
    return rules.parse_date(match["day"]), dt_time(hour, minute)


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
        batch_sql.ids_filter("case_id", case_ids),
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
    rows_insert(Contact, _CONTACT_COLUMNS, new_rows, now=now)
    Contact.objects.bulk_update(changed, _CONTACT_FIELDS)
    changes_log(zip(befores, changed, strict=True), fields=_CONTACT_FIELDS)
    return []


_KEY_DATE_COLUMNS = ["case_id", "event", "value", "source", "recorded_by_id", "confirmed"]


def _key_dates_write(by_case: dict[int, Row], old: dict[int, Row], *, now) -> None:
    """An imported date is the adviser's, confirmed; an unchanged one keeps who recorded it."""
    rows_insert(
        KeyDate,
        _KEY_DATE_COLUMNS,
        (
            (case_id, event, value, KeyDate.Source.IMPORT, None, True)
            for case_id, row in by_case.items()
            if case_id not in old  # a new case: nothing stored to clash with
            for event, value in row.events.items()
        ),
        now=now,
    )
    if not old:
        return
    stored = {
        (case_id, event): value
        for case_id, event, value in KeyDate.objects.filter(case_id__in=old).values_list(
            "case_id", "event", "value"
        )
    }
    KeyDate.objects.bulk_create(
        [
            KeyDate(
                case_id=case_id,
                event=event,
                value=value,
                source=KeyDate.Source.IMPORT,
                recorded_by=None,
                confirmed=True,
            )
            for case_id, row in old.items()
            for event, value in row.events.items()
            if stored.get((case_id, event)) != value
        ],
        update_conflicts=True,
        unique_fields=["case", "event"],
        update_fields=["value", "recorded_at", "source", "recorded_by", "confirmed"],
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
        new_ids = ids_reserve(Case, len(new))
        rows_insert(
            Case, ["id", *_CASE_COLUMNS], [(i, *v) for i, v in zip(new_ids, values, strict=True)]
        )
        ids.update(zip((row.reference for row in new), new_ids, strict=True))
    else:
        rows_insert(Case, _CASE_COLUMNS, values)
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
