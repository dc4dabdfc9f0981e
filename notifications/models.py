from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from notifications.validators import validate_uk_mobile


class Contact(models.Model):
    """A person who hears about the case: a parent, a carer, or the young person themself."""

    class Role(models.TextChoices):
        PARENT = "parent"
        CARER = "carer"
        YOUNG_PERSON = "young_person", "Young person (16 to 25)"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        WELSH = "cy", "Welsh"

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

    class Meta:
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
