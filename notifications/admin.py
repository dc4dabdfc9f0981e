from django.contrib import admin

from notifications.models import Contact


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    fields = [
        ("role", "name"),
        ("email", "wants_email"),
        ("mobile", "wants_sms"),
        "language",
        ("consent_at", "consent_source"),
    ]
