import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from workflows import rules, words
from workflows.validators import validate_uk_mobile

# Case's columns that only workflows.case_summary writes, in the order of its Summary.
SUMMARY_FIELDS = (
    "next_kind",
    "next_label",
    "next_owner",
    "next_due",
    "next_act_by",
    "family_first_due",
    "family_missed",
    "family_passed",
)


def new_access_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits, 22 characters: short enough for a text


class LocalAuthority(models.Model):
    """A council, with its SEN team's contact details: shown to families on their page."""

    name = models.CharField(max_length=100, unique=True)
    sen_team_phone = models.CharField("SEN team phone", max_length=30, blank=True)
    sen_team_email = models.EmailField("SEN team email", blank=True)
    local_offer_url = models.URLField("Local Offer link", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed"

    reference = models.CharField(
        max_length=40,
        unique=True,
        # Not "Case with this reference already exists": an adviser who may not see that case
        # learns no more than that the reference is taken.
        error_messages={"unique": "That reference cannot be used: choose another."},
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        help_text="The adviser who runs this case.",
        db_index=False,  # case_by_adviser (adviser, status) serves it: one index less to update
    )
    # The council as a record (its SEN team's contacts); the free text stays for imports and
    # for councils not yet recorded.
    council = models.ForeignKey(
        LocalAuthority,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        help_text="The council whose decision this is: its SEN team is shown to the family.",
    )
    local_authority = models.CharField(
        "local authority (as written)",
        max_length=100,
        blank=True,
        help_text="Free text, kept from imports; pick the council above to show its contacts.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    placement_only = models.BooleanField(
        default=False,
        help_text="The appeal is only about the school named in Section I: no mediation "
        "certificate is needed.",
    )
    # Who the complaint went to decides whose timescales apply: the council's Complaint Handling
    # Code covers councils, not schools (legal-rules.md §10b). Blank: counted as the council.
    complaint_to = models.CharField(
        "complaint sent to",
        max_length=20,
        blank=True,
        choices=[
            (owner.value, words.OWNER_LABELS[owner])
            for owner in (rules.Owner.LOCAL_AUTHORITY, rules.Owner.SCHOOL)
        ],
        help_text="Who the family's complaint went to. The council's Complaint Handling Code "
        "does not cover schools: a school's reply is due only on the date the family asked for.",
    )
    notes = models.TextField(blank=True)
    reminders_paused = models.BooleanField(
        default=False, help_text="Hold every message to this family until unticked."
    )
    # The family's private page, /f/<token>/: unguessable, never shown in lists.
    access_token = models.CharField(
        max_length=22, unique=True, default=new_access_token, editable=False
    )
    # The family link stops working when the case closes or is erased; a new link replaces the
    # token, so the old one is simply gone.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The next step and what makes the case urgent, kept by workflows.case_summary in the same
    # transaction as every change that moves them (and nightly): the case list, its filters and
    # the dashboard read these columns, never a subquery per case.
    next_kind = models.CharField("next step", max_length=50, blank=True, editable=False)
    next_label = models.CharField(max_length=80, blank=True, editable=False)
    next_owner = models.CharField(max_length=20, blank=True, editable=False)
    next_due = models.DateField(null=True, blank=True, editable=False)
    next_act_by = models.DateField("act by", null=True, blank=True, editable=False)
    family_first_due = models.DateField(null=True, blank=True, editable=False)
    family_missed = models.BooleanField(default=False, editable=False)
    # A family date had passed when last refreshed (every change, and nightly): the urgency
    # order reads it from an index; filters and counts compare family_first_due with today.
    family_passed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["reference"]
        permissions = [
            ("view_all_cases", "Can see every adviser's cases"),
            ("assign_case", "Can assign a case to an adviser"),
            ("export_case", "Can export everything held about a case"),
            ("erase_case", "Can erase a case's personal data"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "on_hold", "closed"]), name="case_status_valid"
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="case_reference_not_blank"),
            models.CheckConstraint(
                condition=Q(complaint_to__in=["", "local_authority", "school"]),
                name="case_complaint_to_valid",
            ),
        ]
        indexes = [
            # The case list's and the dashboard's "due in the next 5 working days / 4 weeks".
            models.Index(fields=["next_act_by"], name="case_next_act_by"),
            # "A family deadline has passed": family_first_due < today, or marked missed.
            models.Index(fields=["family_first_due"], name="case_family_first_due"),
            # The case list's default order (workflows.selectors.urgency_order), read in order.
            models.Index(
                fields=["-family_passed", "next_act_by", "reference"], name="case_by_urgency"
            ),
            # An adviser's own open cases (the case list's default view and their dashboard).
            models.Index(fields=["adviser", "status"], name="case_by_adviser"),
            # Today for everyone's cases (casework.today_paging) leaves out the cases not
            # open: read from this small index, not by hashing every open case in each group.
            models.Index(fields=["id"], condition=~Q(status="open"), name="case_not_open"),
            # Today's open cases with no adviser (a supervisor's), by reference.
            models.Index(
                fields=["reference", "id"],
                condition=Q(status="open", adviser__isnull=True),
                name="case_unassigned",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        # When it closed starts the retention clock; reopening stops it. Each closing is also
        # kept in CaseClosing, which reopening does not clear (the report's past figures).
        closing = self.status == self.Status.CLOSED and self.closed_at is None
        reopening = self.status != self.Status.CLOSED and self.closed_at is not None
        if self.status == self.Status.CLOSED:
            self.closed_at = self.closed_at or timezone.now()
        else:
            self.closed_at = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "closed_at"}
        elif not self._state.adding and not kwargs.get("force_insert"):
            # The summary columns belong to workflows.case_summary: a form or a service holding
            # this case from before a recompute must not write back a stale next step.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key
                and f.name not in SUMMARY_FIELDS
                and f.attname not in self.get_deferred_fields()
            ]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if closing:
                CaseClosing.objects.create(case=self, closed_at=self.closed_at)
            elif reopening:
                CaseClosing.objects.filter(case=self, reopened_at__isnull=True).update(
                    reopened_at=timezone.now()
                )

    @property
    def link_works(self) -> bool:
        return self.status != self.Status.CLOSED and not self.erased_at

    def get_additional_data(self) -> dict:
        """Filed with each change-history entry, so the audit trail filters by case."""
        return {"case_id": self.pk, "case": self.reference}


class CaseClosing(models.Model):
    """One closing of a case, and its reopening if it was: Case.closed_at is cleared on
    reopening, this is not, so a past period's report still counts the closing. No personal
    data: kept by erasure and the retention purge."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="closings")
    closed_at = models.DateTimeField()
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "id"]
        indexes = [
            # The report's cases closed in a period and closed at its end (reports.figures).
            models.Index(fields=["closed_at", "case", "reopened_at"], name="case_closing_by_time"),
        ]

    def __str__(self) -> str:
        return f"closed {self.closed_at:%d/%m/%Y}"


class CaseChildMixin:
    def get_additional_data(self) -> dict:
        return {"case_id": self.case_id, "case": self.case.reference if self.case_id else ""}


class RouteKind(models.TextChoices):
    COMPLAINT = "complaint"
    DISAGREEMENT_RESOLUTION = "disagreement_resolution"
    MEDIATION = "mediation"
    APPEAL = "appeal"
    EHC_ASSESSMENT = "ehc_assessment", "EHC needs assessment"
    ANNUAL_REVIEW = "annual_review"
    DISCRIMINATION_CLAIM = "discrimination_claim"


class Route(CaseChildMixin, models.Model):
    """A way the family is disagreeing; a case often takes several at once."""

    Kind = RouteKind

    case = models.ForeignKey(Case, models.CASCADE, related_name="routes")
    kind = models.CharField("route", max_length=30, choices=RouteKind.choices)
    started_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="route_once_per_case"),
            models.CheckConstraint(condition=Q(kind__in=RouteKind.values), name="route_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


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


class RecomputeRun(models.Model):
    """One run of the recompute of every open case: nightly, and after a reminder policy changes.

    It is what writes a message to the outbox once its day comes within ten weeks
    (notifications.planner.PLAN_AHEAD), so /healthz reads when one last finished whole: beat's
    own record says only that the task was sent."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)  # unset: running, or it died
    cases = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)  # cases in batches that failed twice

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Recompute of {self.started_at:%Y-%m-%d %H:%M}"


def new_contact_token() -> str:
    return secrets.token_urlsafe(12)  # 96 bits, 16 characters


class Contact(models.Model):
    """A person who hears about the case: a parent, a carer, or the young person themself."""

    class Role(models.TextChoices):
        PARENT = "parent"
        CARER = "carer"
        YOUNG_PERSON = "young_person", "Young person (16 to 25)"

    # Only languages whose messages and family page exist (English today). Add one here with
    # its reviewed translation (locale/<code>/LC_MESSAGES) and message templates.
    class Language(models.TextChoices):
        ENGLISH = "en", "English"

    class ConsentSource(models.TextChoices):
        PHONE = "phone", "By phone with an adviser"
        IN_PERSON = "in_person", "In person with an adviser"
        WRITTEN = "written", "In writing (letter or email)"
        WEB = "web", "On the family's own page"
        IMPORT = "import", "Imported with the caseload"

    case = models.ForeignKey("workflows.Case", models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARENT)
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    mobile = PhoneNumberField(blank=True, validators=[validate_uk_mobile])
    wants_sms = models.BooleanField("texts", default=False)
    wants_email = models.BooleanField("emails", default=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    consent_at = models.DateTimeField("consent given at", null=True, blank=True)
    consent_source = models.CharField(max_length=20, choices=ConsentSource.choices, blank=True)
    # For the opt-out link in every message: unguessable, one per person.
    opt_out_token = models.CharField(
        max_length=16, unique=True, default=new_contact_token, editable=False
    )

    class Meta:
        db_table = "notifications_contact"  # moved from notifications, table kept
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wants_sms=False) | ~Q(mobile=""), name="contact_sms_needs_mobile"
            ),
            models.CheckConstraint(
                condition=Q(wants_email=False) | ~Q(email=""), name="contact_email_needs_address"
            ),
            models.CheckConstraint(
                condition=Q(consent_at__isnull=True, consent_source="")
                | Q(consent_at__isnull=False) & ~Q(consent_source=""),
                name="contact_consent_recorded_with_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display().lower()})"

    def get_additional_data(self) -> dict:
        """Filed with each change-history entry, so the audit trail filters by case."""
        return {"case_id": self.case_id, "case": self.case.reference if self.case_id else ""}

    def channels(self) -> list[tuple[str, str]]:
        """[(channel, address)] this person has chosen and given an address for."""
        chosen = []
        if self.wants_sms and self.mobile:
            chosen.append(("sms", self.mobile.as_e164))
        if self.wants_email and self.email:
            chosen.append(("email", self.email.lower()))
        return chosen

    def clean(self) -> None:
        errors = {}
        if self.wants_sms and not self.mobile:
            errors["mobile"] = "Add a mobile number, or untick texts."
        if self.wants_email and not self.email:
            errors["email"] = "Add an email address, or untick emails."
        if bool(self.consent_at) != bool(self.consent_source):
            errors["consent_source"] = "Record both when consent was given and how."
        if errors:
            raise ValidationError(errors)


class AdviserTask(models.Model):
    """Something an adviser must look at: a failed message, a missing letter, a text reply."""

    class Kind(models.TextChoices):
        DELIVERY_FAILED = "delivery_failed", "A message could not be delivered"
        CHECK_DEADLINE = "check_deadline", "Check a date someone else owed"
        INBOUND_SMS = "inbound_sms", "The family replied by text"
        OVERDUE = "overdue", "A reminder is late going out"
        DEADLINE_PASSED = "deadline_passed", "URGENT: a family deadline has passed"
        DATES_TO_CHECK = "dates_to_check", "Dates that look odd: check them"
        FAMILY_DATE = "family_date", "The family told us a date: confirm it"

    case = models.ForeignKey(
        "workflows.Case", models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    message = models.ForeignKey(
        "notifications.OutboundMessage",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_advisertask"  # moved from notifications, table kept
        ordering = [models.F("done_at").asc(nulls_first=True), "-created_at"]  # open first
        indexes = [
            # A case's open tasks: the case list's problem counts, its "No problems" filter
            # (an anti-join that may probe half of 100,000 cases) and its problems sort.
            models.Index(
                fields=["case"], condition=Q(done_at__isnull=True), name="open_task_by_case"
            ),
            # Today (casework.today_paging): which open tasks stand and which fold into
            # an item, read from the index alone.
            models.Index(
                fields=["kind", "case", "message", "id"],
                condition=Q(done_at__isnull=True),
                name="open_task_by_kind",
            ),
            # The tasks list's own order (open first, newest first) is indexed on PostgreSQL
            # only, by notifications/migrations/0010: SQLite has no NULLS FIRST in an index.
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
