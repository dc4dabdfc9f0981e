"""Dates a letter gives: the Tribunal's timetable, meetings, hearings."""

from django.db import models
from django.db.models import Q

from workflows import rules, words
from workflows.models.cases import Case, CaseChildMixin


class GivenDate(CaseChildMixin, models.Model):
    """A date a letter gives (the Tribunal's timetable, a meeting, a hearing): not computed by
    the rules, but reminded and shown beside the computed deadlines with the same states."""

    class Kind(models.TextChoices):
        LA_RESPONSE = "la_response", words.given_kind_label("la_response")
        FINAL_EVIDENCE = "final_evidence", words.given_kind_label("final_evidence")
        ATTENDANCE_FORM = "attendance_form", words.given_kind_label("attendance_form")
        HEARING = "hearing", words.given_kind_label("hearing")
        DECISION_EXPECTED = "decision_expected", words.given_kind_label("decision_expected")
        MEDIATION_MEETING = "mediation_meeting", words.given_kind_label("mediation_meeting")
        ANNUAL_REVIEW_MEETING = (
            "annual_review_meeting",
            words.given_kind_label("annual_review_meeting"),
        )
        COMPLAINT_MEETING = "complaint_meeting", words.given_kind_label("complaint_meeting")
        OTHER = "other", words.given_kind_label("other")

    class Source(models.TextChoices):
        ADVISER = "adviser"
        FAMILY = "family", "The family, on their page"
        IMPORT = "import", "Caseload import"

    # Who acts when the adviser does not say: the family sends evidence and the form; the
    # council responds; the Tribunal hears and decides; everyone goes to a meeting (the family).
    DEFAULT_OWNERS = {
        "la_response": rules.Owner.LOCAL_AUTHORITY,
        "final_evidence": rules.Owner.PARENT,
        "attendance_form": rules.Owner.PARENT,
        "hearing": rules.Owner.PARENT,
        "decision_expected": rules.Owner.TRIBUNAL,
        "mediation_meeting": rules.Owner.PARENT,
        "annual_review_meeting": rules.Owner.PARENT,
        "complaint_meeting": rules.Owner.PARENT,
        "other": rules.Owner.PARENT,
    }
    MEETINGS = ("hearing", "mediation_meeting", "annual_review_meeting", "complaint_meeting")
    # A given date that settles the same thing as a computed deadline wins over it.
    COVERS = {"la_response": "la_appeal_response"}

    case = models.ForeignKey(Case, models.CASCADE, related_name="given_dates")
    kind = models.CharField("what it is", max_length=30, choices=Kind.choices)
    label = models.CharField(
        max_length=80, blank=True, help_text='Short words for "other": "Case management call".'
    )
    value = models.DateField("date")
    time = models.TimeField(null=True, blank=True, help_text="For a hearing or a meeting.")
    owner = models.CharField(
        "who acts",
        max_length=20,
        choices=words.owner_choices,
        blank=True,
        help_text="Left empty: the usual one for the kind of date.",
    )
    source = models.CharField(
        "where it came from",
        max_length=200,
        blank=True,
        help_text='The letter, as "Tribunal letter of 12 March 2027".',
    )
    recorded_source = models.CharField(
        "recorded by", max_length=10, choices=Source.choices, default=Source.ADVISER
    )
    confirmed = models.BooleanField(
        default=True, help_text="An adviser has checked this date against the letter."
    )
    done_on = models.DateField(
        null=True, blank=True, help_text="The day it was done (the meeting held, the form sent)."
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["value", "time", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "la_response",
                        "final_evidence",
                        "attendance_form",
                        "hearing",
                        "decision_expected",
                        "mediation_meeting",
                        "annual_review_meeting",
                        "complaint_meeting",
                        "other",
                    ]
                ),
                name="given_date_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""), name="given_date_other_has_label"
            ),
            models.CheckConstraint(
                condition=Q(recorded_source__in=["adviser", "family", "import"]),
                name="given_date_source_valid",
            ),
        ]
        indexes = [  # the planner and the family page read a case's given dates
            models.Index(fields=["case", "value"], name="given_date_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.value:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if not self.owner:  # an import or a service that left it to the kind
            self.owner = self.DEFAULT_OWNERS.get(self.kind, rules.Owner.PARENT)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.OTHER and not self.label.strip():
            raise ValidationError({"label": 'Say in a few words what the "other" date is.'})
        if not self.owner and self.kind:
            self.owner = self.DEFAULT_OWNERS.get(self.kind, rules.Owner.PARENT)

    @property
    def title(self) -> str:
        return (
            self.label if self.kind == self.Kind.OTHER and self.label else self.get_kind_display()
        )

    @property
    def message_kind(self) -> str:
        """What the outbox stores in `deadline_kind` for this date's messages."""
        return f"{words.GIVEN_PREFIX}{self.kind}"

    @property
    def told_key(self) -> str:
        """The key of this date in a message's `dates_told`."""
        return f"given-{self.pk}"

    # workflows.dated.DatedObligation: what a date a letter gave shares with a deadline.
    computed = False  # given in a letter

    @property
    def effective_due(self):
        return self.value

    @property
    def effective_act_by(self):
        return self.act_by

    @property
    def family_owes(self) -> bool:
        return self.owner == rules.Owner.PARENT

    def done_in_words(self) -> str:
        return f"marked done on {rules.long_date(self.done_on)}" if self.done_on else ""

    def check_task_text(self) -> str:
        return words.given_check_task(self.kind, self.date_in_words(), label=self.title)

    @property
    def is_meeting(self) -> bool:
        return self.kind in self.MEETINGS

    @property
    def is_family_own(self) -> bool:
        """A date the family must act by (not a meeting they attend, not what others owe)."""
        return not self.is_meeting and self.owner == rules.Owner.PARENT

    @property
    def act_by(self):
        if self.is_meeting:
            return self.value
        return rules.act_by(due=self.value, owner=self.owner or rules.Owner.PARENT)

    def state(self, today) -> rules.State:
        if self.done_on is not None and self.done_on <= today:
            return rules.State.DONE
        return rules.State.PASSED if self.value < today else rules.State.OPEN

    def date_in_words(self) -> str:
        text = rules.date_in_words(due=self.value, act_by=self.act_by)
        if self.time is not None:
            return f"{rules.long_date(self.value)} at {words.time_words(self.time)}"
        return text

    def working(self) -> str:
        return words.given_working(self.source)
