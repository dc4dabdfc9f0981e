"""Everything held about a case, as JSON a person can read (a subject access request)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.case_records import case_export_data
from governance.audit import Action, audit_record
from workflows.models import Case


class Command(BaseCommand):
    help = "Write everything held about a case (by its reference) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--output", help="write to this file instead of the screen")

    def handle(self, *args, reference, output, **options):
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"No case with the reference {reference}.")
        audit_record(action=Action.EXPORT, case=case, command=True, detail={"via": "command"})
        text = json.dumps(case_export_data(case=case), indent=2, ensure_ascii=False)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote everything held about {reference} to {output}.")
        else:
            self.stdout.write(text)
