"""The people who hear about a case, and the tasks an adviser must look at."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from workflows.validators import validate_uk_mobile


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
