import json
import sys

from django.core.management.base import BaseCommand

from workflows import rules


class Command(BaseCommand):
    help = (
        "Compute every deadline that the given key dates determine, with the working shown. "
        "Example: manage.py deadlines --event decision_sent=2026-12-31"
    )
    requires_system_checks = []  # a pure calculation: no database needed

    def add_arguments(self, parser):
        parser.add_argument(
            "--event",
            action="append",
            default=[],
            metavar="NAME=YYYY-MM-DD",
            help=f"A key date; repeat for each. Names: {', '.join(rules.EVENTS)}",
        )
        parser.add_argument(
            "--placement-only",
            action="store_true",
            help="The appeal is only about the school named in Section I (no certificate needed).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        try:
            events = dict(rules.parse_event(text) for text in options["event"])
            if len(events) < len(options["event"]):
                raise rules.FactsError("An event is given twice: give each event once")
            if not events:
                raise rules.FactsError("Give at least one --event, e.g. decision_sent=2026-03-01")
            deadlines = rules.compute_deadlines(
                rules.Facts(events=events, placement_only=options["placement_only"])
            )
        except rules.FactsError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"deadlines": [as_json(d) for d in deadlines]}, indent=2))
        else:
            self.stdout.write(as_text(deadlines))


def as_json(deadline: rules.Deadline) -> dict:
    return {
        "kind": deadline.kind,
        "due": deadline.due.isoformat(),
        "owner": deadline.owner.value,
        "rule": deadline.rule,
        "confidence": deadline.confidence.value,
        "steps": list(deadline.steps),
        "warnings": list(deadline.warnings),
    }


def as_text(deadlines: list[rules.Deadline]) -> str:
    if not deadlines:
        return "These dates determine no deadlines yet."
    blocks = []
    for d in deadlines:
        lines = [
            f"{d.kind}: {rules.long_date(d.due)} ({d.due.isoformat()})",
            f"  who acts: {d.owner.value.replace('_', ' ')}",
            f"  rule: {d.rule} [{d.confidence.value}]",
            *(f"  - {step}" for step in d.steps),
            *(f"  ! {warning}" for warning in d.warnings),
        ]
        blocks.append("\n".join(lines))
    footer = (
        "These dates are sendflow's calculation: check them against your letters, "
        "and ask your adviser if in doubt."
    )
    return "\n\n".join([*blocks, footer])
