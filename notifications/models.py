import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When

from workflows.dated import DatedObligation
from workflows.models import Contact


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email"


def default_send_time() -> datetime.time:
    return datetime.time(10, 0)  # a callable: a fixed time trips Django's W161 near 10:00


class ReminderPolicy(models.Model):
    """When to message the family about one kind of deadline, or one kind of date a letter gives
    (`deadline_kind` "given:hearing"). Advisers edit these in the admin."""

    class Style(models.TextChoices):
        COUNTDOWN = "countdown", "Countdown: the family must act by the date"
        CHECK = "check", "Check: someone else owes the family something by the date"

    deadline_kind = models.CharField(max_length=40, unique=True)
    style = models.CharField(max_length=10, choices=Style.choices)
    offsets = models.CharField(
        max_length=100,
        help_text="Before the date, comma-separated: 4w = 4 weeks, 3d = 3 days, 2wd = 2 working "
        "days, 0d = the morning of the day. Check messages always go the working day after. "
        "A hearing's or meeting's 0d reminder goes at 08:00 (a text at the end of quiet hours), "
        "whatever the time below, so it arrives before it starts.",
        blank=True,
    )
    send_time = models.TimeField(default=default_send_time, help_text="Europe/London.")
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "reminder policies"
        ordering = ["deadline_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(style__in=["countdown", "check"]), name="policy_style_valid"
            ),
        ]

    def __str__(self) -> str:
        from workflows.words import deadline_label

        return f"{deadline_label(self.deadline_kind)} ({self.get_style_display().split(':')[0]})"

    def clean(self) -> None:
        from notifications import schedule

        try:
            schedule.parse_offsets(self.offsets)
        except ValueError as exc:
            raise ValidationError({"offsets": str(exc)}) from exc
        from workflows import rules, words

        given = self.deadline_kind.removeprefix(words.GIVEN_PREFIX)
        if self.deadline_kind not in rules.RULES and given not in words.GIVEN_KIND_LABELS:
            raise ValidationError({"deadline_kind": f"Unknown deadline '{self.deadline_kind}'"})


# The outbox's default view (casework/admin_outbox.py): what is still to come and what went
# wrong, problems first, then soonest. message_outbox_open holds exactly these rows in exactly
# that order, so its page is the first rows of an index, not a sort of every pending row.
OUTBOX_PROBLEMS = ("failed", "unknown")
OUTBOX_TO_COME = ("pending", "queued", "sending")
OUTBOX_OPEN = Q(status__in=OUTBOX_PROBLEMS + OUTBOX_TO_COME, combined_into__isnull=True)
# Its "Sent" view: each send once (by its lead), newest first, from message_outbox_sent.
OUTBOX_SENT = Q(status__in=("sent", "delivered"), combined_into__isnull=True)


def outbox_problems_first() -> Case:
    """0 for a failed or unknown message, 1 for one still to come: the default view's first
    sort key, written the same in the index and in the list's ORDER BY (PostgreSQL uses an
    expression index only for the very same expression)."""
    return Case(
        When(status__in=OUTBOX_PROBLEMS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


class OutboundMessage(models.Model):
    """The outbox: one row per message, the source of truth for what was and will be sent."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", "Summary of dates"
        REMINDER = "reminder"
        CHECK = "check", "Check it arrived"
        DATE_CHANGED = "date_changed", "Date changed"
        PASSED = "passed", "Date passed"
        FALLBACK = "fallback", "Sent by email after a text failed"
        TEST = "test", "Test to an adviser"

    class Status(models.TextChoices):
        PENDING = "pending"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        FAILED = "failed"
        UNKNOWN = "unknown", "Unknown: checking with the provider"
        CANCELLED = "cancelled"
        SUPERSEDED = "superseded"
        SUPPRESSED = "suppressed", "Suppressed: opted out"

    case = models.ForeignKey("workflows.Case", models.CASCADE, related_name="messages")
    contact = models.ForeignKey(
        Contact, models.CASCADE, null=True, blank=True, related_name="messages"
    )
    # A deadline's messages outlive it (history); pending ones are cancelled when it goes. No
    # index of its own: message_once_per_deadline_offset starts with it (one less index entry
    # for each of the tens of thousands of rows a batch plans).
    deadline = models.ForeignKey(
        "workflows.Deadline",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    # Or a date a letter gave (workflows.GivenDate); `deadline_kind` is then "given:<kind>".
    # Indexed by message_once_per_given_date_offset, which starts with it.
    given_date = models.ForeignKey(
        "workflows.GivenDate",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    deadline_kind = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    offset = models.CharField(max_length=8, blank=True)  # "4w", "2wd", "0d", "+1wd"
    due_date = models.DateField(null=True, blank=True)  # the deadline's date when planned
    send_at = models.DateTimeField()

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)  # indexed once set (Meta)
    provider_status = models.CharField(max_length=20, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    # One message per person, per channel, per London day: the reminders due together go as
    # one send, made by the row they are combined into (the lead). Each keeps its own row (its
    # deadline, offset and cancellation) and takes the lead's status, provider and time.
    combined_into = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="combined",
        db_index=False,  # message_combined_into, partial: most rows go alone
    )
    to = models.CharField(max_length=254, blank=True)  # the address used, kept for history
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    dates_told = models.JSONField(default=dict, blank=True)  # {deadline kind: ISO date} as sent
    # A text's segments as rendered for its send (the lead's, which carries the combined text):
    # kept when erasure blanks the body, so the reports' text counts and cost do not change.
    segments = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "contact", "channel", "kind", "offset", "due_date"],
                condition=Q(deadline__isnull=False),
                name="message_once_per_deadline_offset",
            ),
            models.UniqueConstraint(
                fields=["given_date", "contact", "channel", "kind", "offset", "due_date"],
                condition=Q(given_date__isnull=False),
                name="message_once_per_given_date_offset",
            ),
            models.UniqueConstraint(
                fields=["contact", "channel"],
                condition=Q(kind="summary"),
                name="summary_once_per_contact_channel",
            ),
            models.CheckConstraint(condition=Q(channel__in=["sms", "email"]), name="msg_channel"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "queued",
                        "sending",
                        "sent",
                        "delivered",
                        "failed",
                        "unknown",
                        "cancelled",
                        "superseded",
                        "suppressed",
                    ]
                ),
                name="msg_status_valid",
            ),
        ]
        indexes = [
            # sweepers: stale queued/sending rows and unknown ones to reconcile.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["queued", "sending", "unknown"]),
                name="message_in_flight",
            ),
            # The outbox list: newest first, whole or by status or kind (its default order).
            models.Index(fields=["send_at", "id"], name="message_by_send_at"),
            # Also messages_dispatch(): pending rows due by now, in (send_at, id) order.
            models.Index(fields=["status", "send_at", "id"], name="message_status_by_send_at"),
            models.Index(fields=["kind", "send_at", "id"], name="message_kind_by_send_at"),
            # The outbox list's default view (admin_outbox.outbox_ordering): problems first,
            # then soonest, read in index order and stopped at the page.
            models.Index(
                outbox_problems_first(),
                F("send_at"),
                F("id"),
                condition=OUTBOX_OPEN,
                name="message_outbox_open",
            ),
            # The same under the kind filter, and its date hierarchy's first and last dates:
            # a summary's last open row lay behind hundreds of thousands of reminders above.
            models.Index(
                F("kind"),
                outbox_problems_first(),
                F("send_at"),
                F("id"),
                condition=OUTBOX_OPEN,
                name="message_outbox_open_by_kind",
            ),
            # The outbox's "Sent" view, newest first: by message_by_send_at it walked back past
            # every message still to come (the planner's ten weeks) before the first sent one.
            models.Index(
                fields=["send_at", "id"], condition=OUTBOX_SENT, name="message_outbox_sent"
            ),
            # A provider's status callback finds its message. Only sent rows have an id: the
            # planned ones (most of the table) stay out of this index.
            models.Index(
                fields=["provider_id"],
                condition=~Q(provider_id=""),
                name="message_by_provider_id",
            ),
            # A lead's send finds the rows combined into it.
            models.Index(
                fields=["combined_into"],
                condition=Q(combined_into__isnull=False),
                name="message_combined_into",
            ),
            # The reports' message counts (reports.figures.message_counts): each send, its
            # channel, status, time and segments read from the index alone, never the rows
            # with their texts; only lead rows (a combined send counts once).
            models.Index(
                fields=["send_at"],
                include=["channel", "status", "sent_at", "segments", "kind", "case"],
                condition=Q(combined_into__isnull=True),
                name="message_for_reports",
            ),
            # The supervisor's dashboard: failures in the last 24 hours.
            models.Index(
                fields=["updated_at"], condition=Q(status="failed"), name="message_failed"
            ),
            # The case list's problems column, its filter and its sort: a case's failed or
            # unknown messages.
            models.Index(
                fields=["case"],
                condition=Q(status__in=["failed", "unknown"]),
                name="message_problem_by_case",
            ),
        ]

    def __str__(self) -> str:
        from workflows.words import deadline_label

        about = deadline_label(self.deadline_kind) if self.deadline_kind else ""
        about = about or self.get_kind_display().lower()
        return f"{self.get_channel_display()} {self.get_kind_display().lower()}: {about}"

    @property
    def obligation(self) -> "DatedObligation | None":
        """The dated thing this message is about, whichever it is: the date a letter gave, or
        the computed deadline; None for a summary, a test, or a deadline since gone."""
        if self.given_date_id:
            return self.given_date
        return self.deadline


class Suppression(models.Model):
    """An address that must not be messaged on a channel (STOP reply, web opt-out, provider)."""

    class Reason(models.TextChoices):
        STOP_REPLY = "stop_reply", "Replied STOP"
        WEB = "web", "Opted out on the family page"
        PROVIDER = "provider", "Provider says unsubscribed"
        ADVISER = "adviser", "Set by an adviser"

    channel = models.CharField(max_length=5, choices=Channel.choices)
    address = models.CharField(max_length=254)  # E.164 for SMS, lower-case email
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="suppress_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address} ({self.get_reason_display()})"


class WebhookReceipt(models.Model):
    """A Twilio webhook already acted on, so a replay of it (Twilio's retry, or a captured
    request sent again) changes nothing: one row per text from a family, and one per delivery
    status of each message we sent."""

    class Kind(models.TextChoices):
        STATUS = "status", "Delivery report"
        INBOUND = "inbound", "Text from a family"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    message_sid = models.CharField(max_length=64, blank=True)  # Twilio's MessageSid
    event = models.CharField(max_length=20, blank=True)  # a report's MessageStatus
    idempotency_token = models.CharField(max_length=128, blank=True)  # I-Twilio-Idempotency-Token
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "message_sid", "event"],
                condition=~Q(message_sid=""),
                name="webhook_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["idempotency_token"],
                condition=~Q(idempotency_token=""),
                name="webhook_once_per_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message_sid} {self.event}".strip()
