"""Import a caseload from CSV: all or nothing, every error naming its row and column."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from casework import importing
from casework.import_outlook import import_outlook
from workflows import words


class Command(BaseCommand):
    help = (
        "Import cases from a CSV file with columns reference, parent_name, email, mobile, "
        "channels (sms, email or sms,email), placement_only (yes/no) and any key-date name "
        "(YYYY-MM-DD or DD/MM/YYYY). Nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument(
            "--no-summary",
            action="store_true",
            help="import without the first summary: the families are not messaged on import "
            "(its rows are cancelled, with the reason); later reminders still go",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        started = time.monotonic()
        parsed = importing.parse_file(path, progress=self._progress)
        if parsed.errors:
            self._fail(parsed.errors)
        rows = parsed.rows
        self._progress("row", "checked", len(rows), len(rows) / (time.monotonic() - started))
        existing = importing.existing_references(rows)
        new = len(rows) - len(existing)
        no_summary = options["no_summary"]
        if options["dry_run"]:
            # Written and rolled back, as the admin's preview does: a date that clashes with
            # one stored is found now, and the planner's own run says who would be messaged.
            outlook = import_outlook(rows)
            if outlook.errors:
                self._fail(outlook.errors)
            said = outlook.no_summary_sentence() if no_summary else outlook.sentence()
            self.stdout.write(
                f"{path}: every row is valid ({words.counted(len(rows), 'row')}): "
                f"{words.counted(new, 'new case')}, {words.counted(len(existing), 'update')}. "
                f"{said} Dry run: nothing written, nobody messaged."
            )
            return
        try:
            # Each case's import event is written with it: all or nothing covers the audit trail.
            left_out = importing.write(
                rows,
                progress=self._progress,
                audit={"file": path.name, **({"no_summary": True} if no_summary else {})},
                summary=not no_summary,
            )
        except importing.ImportClash as clash:
            self._fail(clash.errors)
        self.stdout.write(
            f"Imported {words.counted(len(rows), 'case')} from {path}: {new:,} new, "
            f"{len(existing):,} updated in {time.monotonic() - started:.1f} s."
        )
        if no_summary:
            self.stdout.write(
                f"No first summary: {words.counted(left_out, 'summary', 'summaries')} "
                "cancelled, so the families are not messaged on import; later reminders still go."
            )

    def _progress(self, noun: str, done: str, count: int, rate: float) -> None:
        self.stdout.write(f"  {words.counted(count, noun)} {done} ({rate:,.0f} a second)")

    def _fail(self, errors: list[str]) -> None:
        for error in errors:
            self.stderr.write(error)
        self.stderr.write(
            f"Nothing was imported: fix the {words.counted(len(errors), 'problem')} above and run "
            "it again."
        )
        sys.exit(2)
