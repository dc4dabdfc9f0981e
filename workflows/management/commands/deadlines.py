import json
import sys
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

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
        parser.add_argument(
            "--complaint-to",
            choices=["council", "school"],
            help="Who the complaint went to (default: counted as the council). The council's "
            "Complaint Handling Code does not cover schools.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="The day to judge each deadline open, done or passed (default: today in London).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        try:
            events = dict(rules.parse_event(text) for text in options["event"])
            if len(events) < len(options["event"]):
                raise rules.FactsError("An event is given twice: give each event once")
            if not events:
                raise rules.FactsError("Give at least one --event, e.g. decision_sent=2026-03-01")
            today = _today(options["today"])
            facts = rules.Facts(
                events=events,
                placement_only=options["placement_only"],
                complaint_to=_COMPLAINT_TO.get(options["complaint_to"]),
            )
            deadlines = rules.compute_deadlines(facts)
        except rules.FactsError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        # The same findings the case page raises for the adviser (a late appeal among them).
        flags = rules.flags_by_kind(facts, deadlines, today=today)
        if options["format"] == "json":
            payload = {
                "deadlines": [as_json(d, today=today, flags=flags) for d in deadlines],
                "warnings": [text for _, text in flags],
            }
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            self.stdout.write(as_text(deadlines, today=today, flags=flags))


_COMPLAINT_TO = {"council": rules.Owner.LOCAL_AUTHORITY, "school": rules.Owner.SCHOOL}


def _today(text: str | None) -> date:
    if not text:
        return timezone.localdate()
    try:
        today = rules.parse_date(text)
    except rules.FactsError as exc:
        raise rules.FactsError(f"--today: {exc}") from exc
    if not 2000 <= today.year <= 2100:
        # The bank holidays and the rules hold for this century; a typo's year would compute.
        raise rules.FactsError(f"--today: '{text}' is outside 2000 to 2100: check the year")
    return today


Flags = list[tuple[str | None, str]]


def _warnings(deadline: rules.Deadline, flags: Flags) -> list[str]:
    """The deadline's own warnings, then the findings about it (a late appeal)."""
    return [*deadline.warnings, *(text for kind, text in flags if kind == deadline.kind)]


def as_json(deadline: rules.Deadline, *, today: date, flags: Flags = ()) -> dict:
    return {
        "kind": deadline.kind,
        "due": deadline.due.isoformat(),
        "owner": deadline.owner.value,
        "rule": deadline.rule,
        "confidence": deadline.confidence.value,
        "steps": list(deadline.steps),
        "warnings": _warnings(deadline, flags),
        "state": deadline.state(today).value,
        "done_by": deadline.done_by,
        "aim_for": deadline.aim_for.isoformat(),
    }


def state_text(deadline: rules.Deadline, today: date) -> str:
    state = deadline.state(today)
    if state is rules.State.DONE:
        return (
            f"done: {rules.EVENTS[deadline.done_by]} on {rules.long_date(deadline.done_on)} "
            f"({deadline.done_by})"
        )
    if state is rules.State.PASSED:
        return f"passed: this date is before {rules.long_date(today)}"
    return "open"


def as_text(deadlines: list[rules.Deadline], *, today: date, flags: Flags = ()) -> str:
    general = [f"! {text}" for kind, text in flags if kind is None]
    if not deadlines:
        return "\n".join([*general, "These dates determine no deadlines yet."])
    blocks = (
        ["Check these dates:\n" + "\n".join(f"  {line}" for line in general)] if general else []
    )
    for d in deadlines:
        act_by = d.act_by
        lines = [
            f"{d.kind}: {rules.long_date(d.due)} ({d.due.isoformat()})",
            f"  state: {state_text(d, today)}",
            *(
                [
                    f"  aim for: {rules.long_date(act_by)} ({act_by.isoformat()}), "
                    f"{rules.act_by_reason(due=d.due, act_by=act_by)}"
                ]
                if act_by < d.due
                else []
            ),
            f"  who acts: {d.owner.value.replace('_', ' ')}",
            f"  rule: {d.rule} [{d.confidence.value}]",
            *(f"  - {step}" for step in d.steps),
            *(f"  ! {warning}" for warning in _warnings(d, flags)),
        ]
        blocks.append("\n".join(lines))
    footer = (
        "These dates are sendflow's calculation: check them against your letters, "
        "and ask your adviser if in doubt."
    )
    return "\n\n".join([*blocks, footer])
