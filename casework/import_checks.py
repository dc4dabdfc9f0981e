"""A caseload file's rows checked, one by one: the columns a file may have, each row's values
against the rules and the database's advisers, councils and routes, read as a Row to write.

Every error is named by row and column. casework/import_reading.py reads the file into records;
casework/importing.py writes the rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from datetime import time as dt_time

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from workflows import rules
from workflows.models import Case, Contact, GivenDate
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
# The longest each column may be: the models' own limits, so a longer value is named here, by
# row and column, and never cut or refused by the database half-way through an import.
LONGEST = {
    "reference": Case._meta.get_field("reference").max_length,
    "parent_name": Contact._meta.get_field("name").max_length,
    "email": Contact._meta.get_field("email").max_length,
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_FIELD = 1000  # no column needs more; a longer field is a broken file, not a name
# What a spreadsheet runs as a formula when a cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


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
    elif len(reference) > LONGEST["reference"]:
        error("reference", f"is longer than {LONGEST['reference']} characters")
    elif reference.startswith(FORMULA_STARTS):
        error("reference", f"starts with '{reference[0]}', which a spreadsheet runs as a formula")
    name = values.get("parent_name", "")
    if not name:
        error("parent_name", "is empty")
    elif len(name) > LONGEST["parent_name"]:
        error("parent_name", f"is longer than {LONGEST['parent_name']} characters")
    elif name.startswith(FORMULA_STARTS):
        error(
            "parent_name",
            f"starts with '{name[0]}', which a spreadsheet runs as a formula; remove it",
        )
    email = values.get("email", "")
    if len(email) > LONGEST["email"]:
        error("email", f"is longer than {LONGEST['email']} characters")
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
