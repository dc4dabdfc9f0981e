"""Computed deadlines, what their dates mean, and the planner's light view of them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from workflows import rules, words
from workflows.models.cases import Case, CaseChildMixin


class DeadlineDates:
    """What a deadline's dates mean, from its stored fields (due, aim_for, act_by, owner,
    override_date, status, done_by, done_on): shared by the Deadline model and the planner's
    light DeadlineView, which a batch of thousands reads without building model instances."""

    __slots__ = ()

    @property
    def effective_due(self):
        return self.override_date or self.due

    @property
    def effective_aim_for(self):
        return rules.aim_for(self.override_date) if self.override_date else self.aim_for

    @property
    def effective_act_by(self):
        """The day to act by: an adviser's override replaces the computed one whole."""
        if self.override_date:
            return rules.act_by(due=self.override_date, owner=self.owner)
        return self.act_by

    def state(self, today) -> rules.State:
        """Done (an event completed it, or the adviser marked it met or waived), passed (still
        open and its date is before `today`, or marked missed), or open."""
        done = self.done_by and self.done_on is not None and self.done_on <= today
        if done or self.status in (Deadline.Status.MET, Deadline.Status.WAIVED):
            return rules.State.DONE
        if self.status == Deadline.Status.MISSED or self.effective_due < today:
            return rules.State.PASSED
        return rules.State.OPEN

    def date_in_words(self) -> str:
        return rules.date_in_words(due=self.effective_due, act_by=self.effective_act_by)

    # workflows.dated.DatedObligation: what a deadline shares with a date a letter gave.
    computed = True  # by the rules

    @property
    def told_key(self) -> str:
        """The key of this deadline in a message's `dates_told`."""
        return self.kind

    @property
    def message_kind(self) -> str:
        return self.kind

    @property
    def family_owes(self) -> bool:
        return self.owner == rules.Owner.PARENT

    is_meeting = False  # the rules compute no meeting's day, only the notice before one

    @property
    def title(self) -> str:
        return words.deadline_label(self.kind)

    def check_task_text(self) -> str:
        return words.check_task(self.kind, self.effective_due)

    def done_in_words(self) -> str:
        if self.done_by:
            return f"{words.event_label(self.done_by)} on {rules.long_date(self.done_on)}"
        if self.status in (Deadline.Status.MET, Deadline.Status.WAIVED):
            return f"Marked {Deadline.Status(self.status).label.lower()} by the adviser"
        return ""


class Deadline(DeadlineDates, CaseChildMixin, models.Model):
    """A computed deadline: `due` comes only from the rules; an adviser override sits beside it."""

    class Status(models.TextChoices):
        OPEN = "open"
        MET = "met"
        MISSED = "missed"
        WAIVED = "waived"

    # Labels from workflows/words/ (labels.py), the one place codes become words.
    KIND_CHOICES = words.deadline_kind_choices()
    OWNER_CHOICES = words.owner_choices()
    CONFIDENCE_CHOICES = words.confidence_choices()

    case = models.ForeignKey(Case, models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=40, choices=words.deadline_kind_choices)
    due = models.DateField("computed date")
    owner = models.CharField(max_length=20, choices=words.owner_choices)
    rule = models.CharField("legal source", max_length=200)
    confidence = models.CharField(max_length=12, choices=words.confidence_choices)
    steps = models.JSONField(default=list)
    warnings = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()
    # From the rules too: the day to aim for (the last working day on or before `due`), the
    # day the family should act by (earlier still when the letter's date says so), and the
    # event that completed the step, if one is recorded.
    aim_for = models.DateField("aim for")
    act_by = models.DateField("act by")
    done_by = models.CharField(max_length=40, blank=True)
    done_on = models.DateField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Why the adviser marked it met, missed or waived: asked for when missed or waived
    # (DeadlineForm, deadline_update), as those stop or change the family's reminders.
    status_reason = models.CharField(
        "reason for the marking",
        max_length=200,
        blank=True,
        help_text="Why the adviser marked it so: needed for missed or waived.",
    )
    override_date = models.DateField(null=True, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="deadline_once_per_case"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "met", "missed", "waived"]),
                name="deadline_status_valid",
            ),
            # An override always says why and when; clearing it clears all three.
            models.CheckConstraint(
                condition=(
                    Q(override_date__isnull=True, override_reason="", overridden_at__isnull=True)
                    | (
                        Q(override_date__isnull=False, overridden_at__isnull=False)
                        & ~Q(override_reason="")
                    )
                ),
                name="deadline_override_explained",
            ),
            # A reason belongs to a marking: a deadline open again has none.
            models.CheckConstraint(
                condition=~Q(status="open") | Q(status_reason=""),
                name="deadline_open_has_no_status_reason",
            ),
        ]
        indexes = [  # the case list's "next open deadline" and the due/overdue filters
            models.Index(fields=["case", "status", "due"], name="deadline_open_by_case"),
            # Today's groups (casework.today_paging): every column they read, for
            # index-only scans of the deadlines still to do instead of the whole table (its
            # steps are wide); by case first, so that one adviser's cases probe them and
            # everyone's read them whole. The family's own (passed, due soon) and the ones
            # owed to the family (passed) apart, so that neither reads the other's.
            models.Index(
                fields=[
                    "case",
                    "status",
                    "due",
                    "act_by",
                    "override_date",
                    "done_on",
                    "done_by",
                    "id",
                ],
                condition=Q(status__in=["open", "missed"], owner="parent"),
                name="deadline_family_undone",
            ),
            # Today's passed family dates, most recent first (casework.today_paging): a
            # page is read backwards along it, not sorted out of every passed date.
            models.Index(
                Coalesce("override_date", "due").desc(),
                F("id").asc(),
                condition=Q(status__in=["open", "missed"], owner="parent"),
                name="deadline_family_undone_by_due",
            ),
            models.Index(
                fields=[
                    "case",
                    "status",
                    "due",
                    "override_date",
                    "done_on",
                    "done_by",
                    "kind",
                    "id",
                ],
                condition=Q(status__in=["open", "missed"]) & ~Q(owner="parent"),
                name="deadline_owed_undone",
            ),
            # The reports (reports.figures.deadline_counts): deadlines by their effective date,
            # read from the index alone; it also gives the planner the expression's statistics.
            models.Index(
                Coalesce("override_date", "due"),
                include=["owner", "kind", "status", "done_on", "case", "override_date", "due"],
                name="deadline_for_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_due:%d/%m/%Y}"


class DeadlineView(DeadlineDates):
    """A stored deadline as the planner reads it: the fields DeadlineDates needs, no more."""

    __slots__ = VIEW_FIELDS = (
        "id",
        "case_id",
        "kind",
        "due",
        "aim_for",
        "act_by",
        "owner",
        "override_date",
        "status",
        "done_by",
        "done_on",
    )

    def __init__(self, *values) -> None:
        for name, value in zip(self.VIEW_FIELDS, values, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"DeadlineView({self.case_id}, {self.kind}, {self.effective_due})"
