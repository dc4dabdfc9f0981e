"""A second factor for admin logins: an authenticator app's code (TOTP, django-otp).

Any login can turn it on from "Two-factor sign-in" (the set-up page: a QR code, or the key to
type in, then a first code to confirm it). From then on the admin log-in form asks for the
code. `SENDFLOW_REQUIRE_2FA` makes it required: a login with no confirmed app is sent to the
set-up page before any other admin page.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.audit import Action, audit_record

DEVICE_NAME = "Authenticator app"

_TOKEN_HELP = "The 6-digit code your authenticator app shows now."


def _clean_code(value: str) -> str:
    """People type codes as "123 456" or paste them with spaces."""
    return re.sub(r"[\s-]", "", value or "")


# --- reads and writes ---------------------------------------------------------------------------


def totp_device_confirmed(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def totp_device_pending(*, user) -> TOTPDevice:
    """The app being set up: the same key on every reload of the set-up page until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the app with its first code; other unconfirmed ones are dropped."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_is_allowed()[0] or not device.verify_token(_clean_code(token)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


# --- the log-in form ----------------------------------------------------------------------------


class AdminLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin log-in: username and password, then the app's code for a login that has one.

    The password is checked first (by django-axes' backend, so a locked-out pair stays
    refused). A missing or wrong code is a failed login for django-axes too: with the
    password known, codes cannot be guessed faster than passwords.
    """

    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        help_text="Only if you have turned on two-factor sign-in.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 10}
        ),
    )
    # django-otp's mixin reads these two; the device is chosen here, never by the browser.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required="Two-factor sign-in is on for this login: enter the code from your "
        "authenticator app.",
        invalid_token="That code is not right. Enter the code your authenticator app shows now.",
    )

    def clean(self):
        cleaned_data = super().clean()  # the password (raises for a wrong one)
        user = self.get_user()
        device = totp_device_confirmed(user)
        if device is None:
            return cleaned_data
        self.cleaned_data["otp_device"] = device.persistent_id
        self.cleaned_data["otp_challenge"] = ""
        self.cleaned_data["otp_token"] = _clean_code(cleaned_data.get("otp_token", ""))
        try:
            self.clean_otp(user)  # sets user.otp_device: django-otp marks the session
        except forms.ValidationError:
            user_login_failed.send(
                sender=type(self),
                credentials={"username": cleaned_data.get("username")},
                request=self.request,
            )
            raise
        return self.cleaned_data

    def _update_form(self, user):
        """django-otp fills a device list here; there is one app, chosen above."""


# --- the set-up page ----------------------------------------------------------------------------


class ConfirmCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        help_text=_TOKEN_HELP,
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _qr_svg(data: str) -> str:
    """The otpauth:// link as an inline SVG QR code (dark on white, whatever the theme)."""
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2, box_size=10
    )
    svg = image.to_string(encoding="unicode")
    # Sized in mm by qrcode: fill the box the page gives it instead.
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="100%" height="100%"', svg)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor sign-in for the logged-in user (wrapped by admin_view in urls.py)."""
    context = {
        **admin.site.each_context(request),
        "title": "Two-factor sign-in",
        "required": settings.SENDFLOW_REQUIRE_2FA,
        "next": _safe_next(request),
    }
    confirmed = totp_device_confirmed(request.user)
    if confirmed is not None:
        context["device"] = confirmed
        return render(request, "admin/two_factor_setup.html", context)

    device = totp_device_pending(user=request.user)
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["otp_token"]):
            device.refresh_from_db()
            otp_login(request, device)  # this session has just shown a code
            audit_record(action=Action.TWO_FACTOR_ON, request=request)
            messages.success(
                request,
                "Two-factor sign-in is on: from now on the log-in page asks for a code from "
                "your authenticator app.",
            )
            return HttpResponseRedirect(context["next"])
        form.add_error("otp_token", "That code is not right. Enter the code the app shows now.")
    secret = base64.b32encode(device.bin_key).decode()
    context.update(
        form=form,
        uri=device.config_url,
        qr_svg=_qr_svg(device.config_url),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return render(request, "admin/two_factor_setup.html", context)


# --- the middleware -----------------------------------------------------------------------------


class TwoFactorMiddleware:
    """Admin pages for sessions that have not shown a code, when one is due.

    - a login with a confirmed app whose session never showed its code (it logged in before
      the app was set up, elsewhere): logged out, to log in again with the code;
    - with SENDFLOW_REQUIRE_2FA, a login with no app yet: to the set-up page first.

    The log-in, log-out and set-up pages themselves are always let through.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not request.path.startswith(reverse("admin:index"))
            or not user.is_authenticated
            or not user.is_staff
            or user.is_verified()
            or request.path in _always_open()
        ):
            return self.get_response(request)
        if totp_device_confirmed(user) is not None:
            logout(request)
            return _redirect(reverse("admin:login"), request.get_full_path())
        if settings.SENDFLOW_REQUIRE_2FA:
            return _redirect(reverse("two-factor-setup"), request.get_full_path())
        return self.get_response(request)


def _always_open() -> set[str]:
    return {reverse("admin:login"), reverse("admin:logout"), reverse("two-factor-setup")}


def _redirect(url: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}")
