"""A case's key dates, and the dates a family reported that wait for an adviser."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from workflows import rules, words
from workflows.models.cases import Case, CaseChildMixin


class KeyDate(CaseChildMixin, models.Model):
    """A dated event in the case ("the certificate was issued on ...")."""

    EVENT_CHOICES = words.event_choices()  # labels from workflows/words/labels.py

    class Source(models.TextChoices):
        ADVISER = "adviser"
        FAMILY = "family", "The family, on their page"
        IMPORT = "import", "Caseload import"

    case = models.ForeignKey(Case, models.CASCADE, related_name="key_dates")
    event = models.CharField(max_length=40, choices=words.event_choices)
    value = models.DateField("date")
    recorded_at = models.DateTimeField(auto_now=True)
    source = models.CharField(
        "recorded by", max_length=10, choices=Source.choices, default=Source.ADVISER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The adviser who recorded it, when an adviser did.",
    )
    # A date the family told us counts at once, but stays unconfirmed until an adviser checks
    # it against the letter; an adviser's or an import's date is confirmed as it is recorded.
    confirmed = models.BooleanField(
        default=True, help_text="An adviser has checked this date against the letter."
    )

    class Meta:
        ordering = ["value", "event"]
        indexes = [  # the case list's and the dashboard's "a date the family told us waits"
            models.Index(
                fields=["case"], condition=Q(confirmed=False), name="key_date_unconfirmed"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "event"], name="key_date_once_per_case"),
            models.CheckConstraint(
                condition=Q(event__in=list(rules.EVENTS)), name="key_date_event_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["adviser", "family", "import"]),
                name="key_date_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{words.event_label(self.event)}: {self.value:%d/%m/%Y}"


class FamilyReportedDate(CaseChildMixin, models.Model):
    """A date the family told us on their page that would replace one an adviser confirmed.

    It waits here, unused by the rules, until an adviser accepts it (it becomes the key date)
    or sets it aside."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the adviser"
        ACCEPTED = "accepted", "Accepted: now the key date"
        SET_ASIDE = "set_aside", "Set aside: the adviser's date stands"

    case = models.ForeignKey(Case, models.CASCADE, related_name="reported_dates")
    event = models.CharField(max_length=40, choices=words.event_choices)
    value = models.DateField("date the family gave")
    replaces = models.DateField("the adviser's date", null=True, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        indexes = [  # the case list's and the dashboard's "a date the family told us waits"
            models.Index(
                fields=["case"], condition=Q(status="waiting"), name="reported_date_waiting"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "accepted", "set_aside"]),
                name="reported_date_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{words.event_label(self.event)}: {self.value:%d/%m/%Y} ({self.get_status_display()})"
        )
