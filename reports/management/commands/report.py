import json
import sys
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import tables
from reports.figures import Scope, published, report
from reports.periods import Period
from workflows.models import Case, LocalAuthority


class BadInput(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Figures for a period: cases, the families' deadlines, dates owed, messages, opt-outs, "
        "replies; counts only. Example: manage.py report --from 2026-11-01 --to 2026-11-30"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Bad input is one line (argparse's own error line), not the usage block first.
        parser.print_usage = lambda file=None: None
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--adviser", default="", metavar="LOGIN", help="One adviser's cases.")
        parser.add_argument("--council", default="", metavar="NAME", help="One council's cases.")
        parser.add_argument(
            "--publishable",
            action="store_true",
            help='Print any count from 1 to 4 as "fewer than 5".',
        )
        parser.add_argument("--format", choices=["text", "json", "csv"], default="text")

    def handle(self, *args, **options):
        try:
            period = Period(_day("--from", options["start"]), _day("--to", options["end"]))
            scope = _scope(options["adviser"].strip(), options["council"].strip())
        except (BadInput, ValueError) as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        figures = report(period=period, scope=scope, today=timezone.localdate())
        if options["publishable"]:
            figures = published(figures)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2))
        elif options["format"] == "csv":
            self.stdout.write(tables.as_csv(figures), ending="")
        else:
            self.stdout.write(
                tables.as_text(
                    figures, scope_words=scope_words(scope), scoped=not scope.whole_service
                ),
                ending="",
            )


def _day(flag: str, text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{flag} '{text}' is not a date: write it as YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2100:
        raise BadInput(f"{flag} '{text}' is outside 2000 to 2100: check the year")
    return day


def _scope(adviser: str, council: str) -> Scope:
    if adviser and not get_user_model().objects.filter(username=adviser).exists():
        raise BadInput(f"--adviser: no login '{adviser}'")
    if council and not (
        LocalAuthority.objects.filter(name__iexact=council).exists()
        or Case.objects.filter(local_authority__iexact=council).exists()
    ):
        raise BadInput(f"--council: no council '{council}' on any case")
    return Scope(adviser=adviser, council=council)


def scope_words(scope: Scope) -> str:
    parts = []
    if scope.adviser:
        parts.append(f"adviser {scope.adviser}")
    if scope.council:
        parts.append(f"council {scope.council}")
    return ", ".join(parts) or "the whole service"
