import sys

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications import services
from notifications.models import OutboundMessage
from workflows import words


class Command(BaseCommand):
    help = (
        "Do one beat tick of work: claim the messages that are due and send them. "
        "--sync sends in this process with no broker (cron-only deployments)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync", action="store_true", help="Send here and now instead of through Celery."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go out; change nothing."
        )
        parser.add_argument(
            "--now",
            help="Act as if it were this instant (ISO 8601, e.g. 2027-02-01T10:00+00:00).",
        )

    def handle(self, *args, **options):
        fixed_now = None  # --now: act at that instant throughout; else read the clock each time
        if options["now"]:
            fixed_now = parse_datetime(options["now"])
            if fixed_now is None or timezone.is_naive(fixed_now):
                self.stderr.write(
                    "error: --now needs a date, time and offset, e.g. 2027-02-01T10:00+00:00"
                )
                sys.exit(2)
        now = fixed_now or timezone.now()
        if options["dry_run"]:
            self._list_due(now)
            return
        if not options["sync"]:
            dispatch = services.messages_dispatch(now=now)
            self.stdout.write(
                f"{len(dispatch.claimed)} queued for the workers, "
                f"{len(dispatch.superseded)} superseded."
            )
            return
        # No broker: rows a killed earlier run had claimed are ours to send again.
        services.messages_release_stale(now=now)
        dispatch = services.messages_dispatch(now=now, enqueue=False)
        results: dict[str, int] = {}
        for number, message_id in enumerate(dispatch.claimed, start=1):
            # Each send reads the clock itself (quiet hours, "sending since") unless --now.
            status = services.message_send(message_id=message_id, now=fixed_now) or "skipped"
            results[status] = results.get(status, 0) + 1
            if number % 100 == 0:
                self.stdout.write(f"  {number} of {len(dispatch.claimed)} done")
        # Sweep after sending, so what was just sent is not reported as late.
        services.messages_sweep(now=fixed_now or timezone.now())
        summary = ", ".join(f"{n} {status}" for status, n in sorted(results.items())) or "none"
        self.stdout.write(
            f"{len(dispatch.claimed)} due, {len(dispatch.superseded)} superseded; {summary}."
        )

    def _list_due(self, now):
        due = list(
            OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING, send_at__lte=now)
            .select_related("case", "contact")
            .order_by("send_at", "id")
        )
        for message in due:
            who = message.contact.name if message.contact else message.to
            self.stdout.write(
                f"{timezone.localtime(message.send_at):%Y-%m-%d %H:%M} {message.case.reference} "
                f"{message.channel} {message.kind} {message.deadline_kind or '-'} "
                f"{message.offset or ''} to {who}"
            )
        self.stdout.write(
            f"{words.counted(len(due), 'message')} would go out (dry run: nothing sent)."
        )
