"""What a Twilio webhook (signed) or a GOV.UK Notify callback (JSON, Bearer token) must carry
before sendflow acts on it.

A valid signature proves the request came from Twilio's account, not that its fields fit: a
field longer than its column, or a status URL's `?m=²` (a digit to str.isdigit(), not to int()),
used to raise a 500, and Twilio retries a 500 for hours. Anything malformed is refused here with
a 400 and nothing is written.
"""

from __future__ import annotations

import json
import re

import phonenumbers
from django import forms
from django.core.validators import RegexValidator

from notifications.models import WebhookReceipt

_ASCII_DIGITS = RegexValidator(r"\A[0-9]{1,18}\Z", "should be the message's number")
# Twilio's ids are two letters and 32 hex digits; letters and digits, up to the column's 64.
_SID = RegexValidator(r"\A[A-Za-z0-9]{1,64}\Z", "should be Twilio's id (letters and digits)")


def _e164(number: str) -> str:
    """The number in the form contacts are stored in (+447700900123), so a reply from a
    family written 07700 900123 (or 447700900123, as Notify writes it) still finds their case."""
    if re.fullmatch(r"[1-9]\d{7,14}", number):
        number = f"+{number}"  # international, without its +
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError("is not a phone number") from exc
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class TwilioWebhook(forms.Form):
    """The fields of a status report or an inbound text, with the columns' limits."""

    MessageSid = forms.CharField(max_length=64, validators=[_SID])
    idempotency_token = forms.CharField(
        max_length=WebhookReceipt._meta.get_field("idempotency_token").max_length, required=False
    )


class TwilioStatus(TwilioWebhook):
    MessageStatus = forms.CharField(max_length=WebhookReceipt._meta.get_field("event").max_length)
    ErrorCode = forms.CharField(max_length=10, required=False)
    m = forms.CharField(required=False, validators=[_ASCII_DIGITS])  # from the status URL

    def clean_MessageStatus(self) -> str:
        return self.cleaned_data["MessageStatus"].lower()


class TwilioInbound(TwilioWebhook):
    From = forms.CharField(max_length=32)
    Body = forms.CharField(required=False, strip=True)

    def clean_From(self) -> str:
        return _e164(self.cleaned_data["From"])


FORMS = {WebhookReceipt.Kind.STATUS: TwilioStatus, WebhookReceipt.Kind.INBOUND: TwilioInbound}


def receipt(fields: dict) -> dict[str, str]:
    """What a webhook is known by, so that a replay of it changes nothing."""
    return {
        "message_sid": fields["MessageSid"],
        "event": fields.get("MessageStatus", ""),
        "idempotency_token": fields.get("idempotency_token", ""),
    }


# --- GOV.UK Notify -------------------------------------------------------------------------------

_NOTIFY_ID = RegexValidator(
    r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z",
    "should be Notify's id",
)


class NotifyCallback(forms.Form):
    id = forms.CharField(max_length=36, validators=[_NOTIFY_ID])

    def clean_id(self) -> str:
        return self.cleaned_data["id"].lower()


class NotifyStatus(NotifyCallback):
    """A delivery receipt: {"id", "reference", "to", "status", "notification_type", ...}."""

    # Ours are message ids; another system sending through the same Notify service has its own
    # (their receipts come here too, and are answered 204 and left alone).
    reference = forms.CharField(required=False, max_length=1000)
    status = forms.CharField(max_length=WebhookReceipt._meta.get_field("event").max_length)

    def clean_status(self) -> str:
        return self.cleaned_data["status"].lower()

    def clean_reference(self) -> int | None:
        reference = self.cleaned_data["reference"]
        return int(reference) if re.fullmatch(r"[0-9]{1,18}", reference) else None


class NotifyInbound(NotifyCallback):
    """A received text: {"id", "source_number", "destination_number", "message", ...}."""

    source_number = forms.CharField(max_length=32)
    message = forms.CharField(required=False, strip=True)

    def clean_source_number(self) -> str:
        return _e164(self.cleaned_data["source_number"])


NOTIFY_FORMS = {
    WebhookReceipt.Kind.STATUS: NotifyStatus,
    WebhookReceipt.Kind.INBOUND: NotifyInbound,
}


def read_notify(kind: str, request) -> forms.Form:
    """A Notify callback's JSON as the form for `kind`. A body that is not a JSON object, or a
    field that is not a string, makes the form invalid (never a 500)."""
    form_class = NOTIFY_FORMS[kind]
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        data = None
    form = form_class(data if isinstance(data, dict) else {})
    if not isinstance(data, dict):
        form.is_valid()
        form.add_error(None, "the body should be a JSON object")
        return form
    for name in form.fields:
        if data.get(name) is not None and not isinstance(data[name], str | int):
            form.is_valid()
            form.add_error(name, "should be a string")
    return form


def notify_receipt(fields: dict, kind: str) -> dict[str, str]:
    return {
        "message_sid": fields["id"],
        "event": fields.get("status", "") if kind == WebhookReceipt.Kind.STATUS else "",
        "idempotency_token": "",
    }


def read(kind: str, request) -> forms.Form:
    """The request's fields as the form for `kind`: the POST body, the status URL's `m`, and
    Twilio's idempotency header."""
    data = request.POST.dict()
    data["m"] = request.GET.get("m", "")
    data["idempotency_token"] = request.headers.get("I-Twilio-Idempotency-Token", "")
    return FORMS[kind](data)


def problems(form: forms.Form) -> str:
    """One line naming each field that is wrong, for the 400 (no values: they may be personal)."""
    return "; ".join(
        f"{field} {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()
    )
