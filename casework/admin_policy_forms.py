"""The reminder policies' forms: the editable list's rows and the preview's "send a test".
ReminderPolicyAdmin (casework/admin_notifications.py) uses them."""

import phonenumbers
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from notifications.models import Channel, ReminderPolicy
from workflows import words
from workflows.validators import validate_uk_mobile


class ModelErrorsAsRowErrorsForm(forms.ModelForm):
    """Show a model.clean() error about a field this form lacks as the row's own error.

    The policy list edits only some fields; Django would otherwise crash on such an error.
    """

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            errors: dict[str, list] = {}
            for name, messages_ in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                errors.setdefault(key, []).extend(messages_)
            error = ValidationError(errors)
        super().add_error(field, error)


def policy_kind_choices() -> list[tuple[str, str]]:
    """Every computed deadline, then every kind of date a letter gives."""
    return [
        *words.deadline_kind_choices(),
        *(
            (f"{words.GIVEN_PREFIX}{kind}", f"Given in a letter: {label}")
            for kind, label in words.GIVEN_KIND_LABELS.items()
        ),
    ]


class ReminderPolicyForm(ModelErrorsAsRowErrorsForm):
    deadline_kind = forms.ChoiceField(label="deadline", choices=policy_kind_choices)

    class Meta:
        model = ReminderPolicy
        fields = ["deadline_kind", "style", "offsets", "send_time", "enabled"]


class SendTestForm(forms.Form):
    sample = forms.ChoiceField(label="Message")
    channel = forms.ChoiceField(
        choices=Channel.choices, widget=forms.RadioSelect, initial=Channel.EMAIL
    )
    mobile = forms.CharField(
        required=False,
        label="Mobile (for a text)",
        help_text="A UK mobile number, like 07xxx xxxxxx.",
    )

    def __init__(self, *args, user, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sample"].choices = samples

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == Channel.EMAIL:
            if not self.user.email:
                self.add_error(
                    "channel",
                    "Your user account has no email address, so there is nowhere to send a test "
                    "email. Ask an administrator to add one, or send the test as a text.",
                )
            else:
                cleaned["to"] = self.user.email.lower()
        elif cleaned.get("channel") == Channel.SMS:
            mobile = cleaned.get("mobile", "").strip()
            if not mobile:
                self.add_error("mobile", "Type the mobile number to send the test text to.")
                return cleaned
            try:
                validate_uk_mobile(mobile)
            except ValidationError as exc:
                self.add_error("mobile", exc)
                return cleaned
            cleaned["to"] = phonenumbers.format_number(
                phonenumbers.parse(mobile, "GB"), phonenumbers.PhoneNumberFormat.E164
            )
        return cleaned
