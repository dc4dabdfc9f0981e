"""Councils, cases, their closings and routes."""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from workflows import rules, words

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
