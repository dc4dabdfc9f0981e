"""Import a caseload from CSV: all or nothing, every error naming its row and column."""

import csv
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from notifications.models import Contact
from notifications.validators import validate_uk_mobile
from workflows import rules, services
from workflows.models import Case, KeyDate

FIXED_COLUMNS = ["reference", "parent_name", "email", "mobile", "channels", "placement_only"]
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


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
    columns: frozenset[str] = frozenset()  # a re-import changes only the columns it has


class Command(BaseCommand):
    help = (
        "Import cases from a CSV file with columns reference, parent_name, email, mobile, "
        "channels (sms, email or sms,email), placement_only (yes/no) and any key-date name "
        "(YYYY-MM-DD or DD/MM/YYYY). Nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")  # Excel adds a byte-order mark
        except (OSError, UnicodeDecodeError) as exc:
            self._fail([f"Cannot read {path}: {exc}"])
        rows, errors = parse(text)
        if errors:
            self._fail(errors)
        existing = set(
            Case.objects.filter(reference__in=[r.reference for r in rows]).values_list(
                "reference", flat=True
            )
        )
        new = len(rows) - len(existing)
        if options["dry_run"]:
            self.stdout.write(
                f"{path}: {len(rows)} rows are valid: {new} new cases, {len(existing)} updates. "
                "Dry run: nothing written."
            )
            return
        try:
            write(rows, progress=self._progress)
        except ImportClash as clash:
            self._fail(clash.errors)
        self.stdout.write(
            f"Imported {len(rows)} cases from {path}: {new} new, {len(existing)} updated."
        )

    def _progress(self, done: int, total: int) -> None:
        if done % 500 == 0 or done == total:
            self.stdout.write(f"  {done} of {total} rows written")

    def _fail(self, errors: list[str]) -> None:
        for error in errors:
            self.stderr.write(error)
        self.stderr.write(
            f"Nothing was imported: fix the {len(errors)} problem(s) above and run it again."
        )
        sys.exit(2)


def parse(text: str) -> tuple[list[Row], list[str]]:
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in (reader.fieldnames or [])]
    errors = []
    missing = [c for c in ("reference", "parent_name") if c not in columns]
    if missing:
        return [], [f"Row 1 (header): missing column(s) {', '.join(missing)}"]
    if {"email", "mobile"} & set(columns) and "channels" not in columns:
        return [], [
            "Row 1 (header): add a channels column (sms, email or sms,email): without it "
            "nobody would get messages"
        ]
    unknown = [c for c in columns if c not in FIXED_COLUMNS and c not in rules.EVENTS]
    if unknown:
        errors.append(
            f"Row 1 (header), column {unknown[0]}: not a known column. Columns are "
            f"{', '.join(FIXED_COLUMNS)} and key dates such as decision_sent"
        )
        return [], errors
    rows, seen = [], {}
    for number, raw in enumerate(reader, start=2):
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue  # a blank line
        row, row_errors = _parse_row(number, values, frozenset(columns))
        if row and row.reference in seen:
            row_errors.append(
                f"Row {number}, column reference: '{row.reference}' is also on row "
                f"{seen[row.reference]}"
            )
        if row:
            seen.setdefault(row.reference, number)
        errors.extend(row_errors)
        if row and not row_errors:
            rows.append(row)
    if not rows and not errors:
        errors.append("The file has no cases in it")
    return rows, errors


def _parse_row(
    number: int, values: dict[str, str], columns: frozenset[str]
) -> tuple[Row | None, list[str]]:
    errors: list[str] = []

    def error(column: str, message: str) -> None:
        errors.append(f"Row {number}, column {column}: {message}")

    reference = values.get("reference", "")
    if not reference:
        error("reference", "is empty")
    elif len(reference) > 40:
        error("reference", "is longer than 40 characters")
    name = values.get("parent_name", "")
    if not name:
        error("parent_name", "is empty")
    elif len(name) > 100:
        error("parent_name", "is longer than 100 characters")
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
            validate_uk_mobile(mobile)
            mobile = phonenumbers.format_number(
                phonenumbers.parse(mobile, "GB"), phonenumbers.PhoneNumberFormat.E164
            )
        except ValidationError as exc:
            error("mobile", exc.messages[0])
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
    events = {}
    for event in rules.EVENTS:
        if values.get(event):
            try:
                events[event] = rules.parse_date(values[event])
            except rules.FactsError as exc:
                error(event, str(exc))
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
        columns=columns,
    )
    return row, errors


class ImportClash(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@transaction.atomic
def write(rows: list[Row], *, progress) -> None:
    """Write every row, or (ImportClash) nothing at all."""
    now = timezone.now()
    cases: dict[int, Row] = {}
    for done, row in enumerate(rows, start=1):
        defaults = {"placement_only": row.placement_only} if "placement_only" in row.columns else {}
        case, _ = Case.objects.update_or_create(reference=row.reference, defaults=defaults)
        contact = case.contacts.filter(role=Contact.Role.PARENT).order_by("id").first()
        contact = contact or Contact(case=case, role=Contact.Role.PARENT)
        contact.name = row.parent_name
        if "email" in row.columns:
            contact.email = row.email
        if "mobile" in row.columns:
            contact.mobile = row.mobile
        if "channels" in row.columns:
            contact.wants_sms, contact.wants_email = row.wants_sms, row.wants_email
        elif contact.pk is None:
            contact.wants_sms = contact.wants_email = False
        if (contact.wants_sms or contact.wants_email) and not contact.consent_at:
            contact.consent_at, contact.consent_source = now, Contact.ConsentSource.IMPORT
        try:
            contact.full_clean()
        except ValidationError as exc:  # e.g. texts chosen earlier, mobile now cleared
            raise ImportClash(
                [f"Row {row.number}, contact details: {m}" for m in exc.messages]
            ) from exc
        contact.save()
        stored = {k.event: k for k in case.key_dates.all()} if case.pk else {}
        for event, value in row.events.items():
            if event in stored and stored[event].value == value:
                continue  # unchanged: it keeps who recorded it
            KeyDate.objects.update_or_create(
                case=case,
                event=event,
                defaults={
                    "value": value,
                    "source": KeyDate.Source.IMPORT,
                    "recorded_by": None,
                    "confirmed": True,
                },
            )
        cases[case.id] = row
        progress(done, len(rows))
    failures = services.deadlines_recompute_many(case_ids=list(cases))
    if failures:  # dates already stored on a case can clash with the imported ones
        raise ImportClash(
            [
                f"Row {cases[case_id].number}, dates (with those already on case "
                f"{cases[case_id].reference}): {message}"
                for case_id, message in failures.items()
            ]
        )
