"""Erase closed cases past SENDFLOW_RETENTION_DAYS (what the nightly beat task runs)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from casework.case_records import retention_purge
from workflows.words import counted


class Command(BaseCommand):
    help = (
        "Erase every case closed more than SENDFLOW_RETENTION_DAYS ago, in batches "
        "(SENDFLOW_RETENTION_BATCH cases a transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list them, erase nothing")
        parser.add_argument("--batch", type=int, default=None, help="cases a transaction")

    def handle(self, *args, dry_run, batch, **options):
        references = retention_purge(dry_run=dry_run, batch=batch)
        days = settings.SENDFLOW_RETENTION_DAYS
        for reference in references:
            self.stdout.write(reference)
        verb = "would be erased (dry run: nothing changed)" if dry_run else "erased"
        self.stdout.write(
            f"{counted(len(references), 'case')} closed more than {days} days ago {verb}."
        )
