"""Provider webhooks (Twilio's signed forms, GOV.UK Notify's JSON with a Bearer token) and the
opt-out link carried by every message."""

from __future__ import annotations

import functools
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from governance.audit import Action, audit_record
from notifications import services, webhook_input
from notifications.backends.notify import NotifyBackend
from notifications.backends.twilio_sms import TwilioBackend
from notifications.models import Suppression, WebhookReceipt
from sendflow.privacy import mask_address, mask_email, phone_ending, private_page
from workflows.models import Contact

logger = logging.getLogger(__name__)


def _signed_by_twilio(request: HttpRequest) -> bool:
    """Check X-Twilio-Signature against the public URL Twilio called (not the proxy's)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.SENDFLOW_PUBLIC_URL.rstrip("/") + request.get_full_path()
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


def _webhook(kind: str, *, provider: str, refused, read, receipt, replayed):
    """POST only, no CSRF token (providers have none), authenticated by `refused` (a response
    for a request that is not the provider's, else None), read by `read` into a form, and acted
    on once: a replay of a text, or of a message's status, changes nothing."""

    def decorate(view):
        @csrf_exempt
        @require_POST
        @functools.wraps(view)
        def checked(request: HttpRequest) -> HttpResponse:
            if (refusal := refused(request)) is not None:
                logger.warning(
                    "%s webhook %s refused (%s) from %s",
                    provider,
                    request.path,
                    refusal.status_code,
                    request.META.get("REMOTE_ADDR"),
                )
                return refusal
            form = read(kind, request)
            if not form.is_valid():
                # Authentic but malformed: 400 (a 500 makes the provider retry for hours),
                # nothing kept.
                logger.warning(
                    "%s webhook %s refused: %s", provider, request.path, form.errors.as_json()
                )
                return HttpResponseBadRequest(
                    webhook_input.problems(form), content_type="text/plain"
                )
            fields = form.cleaned_data
            known_by = receipt(fields)
            with transaction.atomic():
                if services.webhook_receipt_record(kind=kind, **known_by):
                    return view(request, fields)
            logger.info("%s %s webhook for %s already handled", provider, kind, known_by)
            # A success all the same (providers retry anything else), and no second reply.
            return replayed(kind)

        return checked

    return decorate


def _twilio_refused(request: HttpRequest) -> HttpResponse | None:
    return None if _signed_by_twilio(request) else HttpResponseForbidden("Bad signature")


def _twilio_replayed(kind: str) -> HttpResponse:
    if kind == WebhookReceipt.Kind.INBOUND:
        return HttpResponse(str(MessagingResponse()), content_type="text/xml")
    return HttpResponse(status=204)


def twilio_webhook(kind: str):
    return _webhook(
        kind,
        provider="Twilio",
        refused=_twilio_refused,
        read=webhook_input.read,
        receipt=webhook_input.receipt,
        replayed=_twilio_replayed,
    )


@twilio_webhook(WebhookReceipt.Kind.STATUS)
def twilio_status(request: HttpRequest, fields: dict) -> HttpResponse:
    services.message_status_from_provider(
        message_id=int(fields["m"]) if fields["m"] else None,
        provider_id=fields["MessageSid"],
        receipt=TwilioBackend.read_receipt(
            provider_status=fields["MessageStatus"], error_code=fields["ErrorCode"]
        ),
    )
    return HttpResponse(status=204)


@twilio_webhook(WebhookReceipt.Kind.INBOUND)
def twilio_inbound(request: HttpRequest, fields: dict) -> HttpResponse:
    reply = inbound_text_act(request, number=fields["From"], text=fields["Body"])
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="text/xml")


def inbound_text_act(request: HttpRequest, *, number: str, text: str) -> str:
    """Act on a text from a family (services.inbound_text_act) and audit a STOP or START.
    Return the reply to send, or ""."""
    acted = services.inbound_text_act(number=number, text=text)
    if acted.audit:
        _audit_family_text(request, acted.audit, number)
    return acted.reply


# --- GOV.UK Notify -------------------------------------------------------------------------------


def _notify_refused(request: HttpRequest) -> HttpResponse | None:
    """Notify sends the token set on its callbacks page as `Authorization: Bearer <token>`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = HttpResponse("Bearer token required", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    expected = settings.NOTIFY_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return HttpResponseForbidden("Bad token", content_type="text/plain")
    return None


def notify_webhook(kind: str):
    return _webhook(
        kind,
        provider="Notify",
        refused=_notify_refused,
        read=webhook_input.read_notify,
        receipt=lambda fields: webhook_input.notify_receipt(fields, kind),
        replayed=lambda kind: HttpResponse(status=204),
    )


@notify_webhook(WebhookReceipt.Kind.STATUS)
def notify_status(request: HttpRequest, fields: dict) -> HttpResponse:
    services.message_status_from_provider(
        message_id=fields["reference"],
        provider_id=fields["id"],
        receipt=NotifyBackend.read_receipt(provider_status=fields["status"]),
    )
    return HttpResponse(status=204)


@notify_webhook(WebhookReceipt.Kind.INBOUND)
def notify_inbound(request: HttpRequest, fields: dict) -> HttpResponse:
    number = fields["source_number"]
    reply = inbound_text_act(request, number=number, text=fields["message"])
    if reply:
        # Notify has no reply in its callback's answer: the confirmation goes as a text of its
        # own, once this text's handling has committed.
        transaction.on_commit(functools.partial(_notify_reply, number, reply))
    return JsonResponse({"handled": True}, status=200)


def _notify_reply(number: str, body: str) -> None:
    """Best effort: the STOP has taken effect whether or not its confirmation goes."""
    from notifications.backends.base import SendError
    from notifications.backends.notify import NotifySMSBackend

    try:
        NotifySMSBackend().send(to=number, subject="", body=body, reference="")
    except (SendError, ImproperlyConfigured) as exc:
        logger.warning("The reply to a text from %s did not go: %s", mask_address(number), exc)


def _audit_family_text(request: HttpRequest, action: str, number: str) -> None:
    """One event per case with that number (or one with no case), the number masked."""
    cases = {c.case for c in Contact.objects.filter(mobile=number).select_related("case")}
    for case in cases or [None]:
        audit_record(
            action=action, case=case, request=request, detail={"from": mask_address(number)}
        )


@private_page
@csrf_exempt  # for the one-click POST only: _opt_out_page checks every other POST's token
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The web opt-out: a confirm button, because link scanners follow every GET; and the
    one-click unsubscribe of RFC 8058, which mail clients POST with no token or cookie."""
    if request.method == "POST" and _one_click(request):
        return _opt_out_one_click(request, token)
    return _opt_out_page(request, token)


def _one_click(request: HttpRequest) -> bool:
    """The body is exactly List-Unsubscribe=One-Click (form-encoded or multipart, as RFC 8058
    allows); a form with anything else in it is the page's and needs its CSRF token."""
    return list(request.POST.lists()) == [("List-Unsubscribe", ["One-Click"])] and not request.FILES


def _opt_out_one_click(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the contact's emails at once: the email that carried this URL asked for it."""
    contact = get_object_or_404(Contact, opt_out_token=token)
    if contact.email:
        services.suppress(channel="email", address=contact.email, reason=Suppression.Reason.WEB)
        audit_record(
            action=Action.OPT_OUT,
            case=contact.case,
            request=request,
            detail={"channels": ["email"], "contact": contact.pk, "one_click": True},
        )
    return HttpResponse(
        "Done. We will send no more emails to this address.\n",
        content_type="text/plain; charset=utf-8",
    )


@csrf_protect
def _opt_out_page(request: HttpRequest, token: str) -> HttpResponse:
    contact = get_object_or_404(Contact, opt_out_token=token)
    done = []
    if request.method == "POST":
        for channel, address in contact.channels():
            if request.POST.get("channel") in (channel, "all"):
                services.suppress(channel=channel, address=address, reason=Suppression.Reason.WEB)
                done.append(channel)
        if done:
            audit_record(
                action=Action.OPT_OUT,
                case=contact.case,
                request=request,
                detail={"channels": done, "contact": contact.pk},
            )
    stopped = {
        s.channel
        for s in Suppression.objects.filter(
            address__in=[address for _, address in contact.channels()]
        )
    }
    # Phones are shared: show only enough of each address to recognise it.
    channels = [
        (channel, phone_ending(address) if channel == "sms" else mask_email(address))
        for channel, address in contact.channels()
    ]
    return render(
        request,
        "family/opt_out.html",
        {"contact": contact, "channels": channels, "stopped": stopped, "done": done},
    )
