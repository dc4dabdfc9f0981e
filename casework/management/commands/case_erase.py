"""Erase a case's personal data (names, addresses, notes, message texts, task texts)."""

from django.core.management.base import BaseCommand, CommandError

from casework.case_records import case_erase
from workflows.models import Case
from workflows.words import counted


class Command(BaseCommand):
    help = (
        "Remove a case's personal data for good; keep message counts and any STOP. "
        "Needs --yes. Running it again is harmless."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--yes", action="store_true", help="yes, erase it")

    def handle(self, *args, reference, yes, **options):
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"No case with the reference {reference}.")
        if not yes:
            raise CommandError(f"This erases {reference}'s personal data for good: add --yes.")
        erasure = case_erase(case=case, command=True)
        self.stdout.write(
            f"Erased {reference}: {counted(erasure.contacts, 'contact')}, "
            f"{counted(erasure.messages, 'message')} kept as counts, "
            f"{counted(erasure.cancelled, 'pending message')} cancelled."
        )
