"""A text from a family, whichever provider brought it: STOP (and the other ways of saying it)
stops texts, START lifts the family's own STOP, HELP is answered, anything else goes to the
adviser. The webhook views keep the HTTP and the audit (which reads the request)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from governance.audit import Action
from notifications import gsm, replies
from notifications.callbacks import inbound_stop_record, inbound_text_record
from notifications.models import Suppression
from notifications.opt_outs import suppress, unsuppress

# START lifts the family's own STOP (or Twilio's), not an opt-out made on the web or by an adviser.
LIFTED_BY_START = [Suppression.Reason.STOP_REPLY, Suppression.Reason.PROVIDER]

REPLY_TEMPLATES = {
    replies.Reply.STOP: "notifications/sms/stop_confirmation.txt",
    replies.Reply.START: "notifications/sms/start_confirmation.txt",
    replies.Reply.HELP: "notifications/sms/help.txt",
}


@dataclass(frozen=True)
class InboundText:
    reply: str  # the text to send back, or "" for none
    audit: str | None = None  # the Action to record for each case with the number, if any


def inbound_text_act(*, number: str, text: str) -> InboundText:
    """Act on a text from `number`; return the reply to send and what to audit."""
    stopped = Suppression.objects.filter(
        channel="sms", address=number, reason__in=LIFTED_BY_START
    ).exists()
    asked = replies.classify(text, stopped=stopped)
    audit = None
    if asked == replies.Reply.STOP:
        suppress(channel="sms", address=number, reason=Suppression.Reason.STOP_REPLY)
        inbound_stop_record(number=number, text=text)
        audit = Action.STOP
    elif asked == replies.Reply.START:
        unsuppress(channel="sms", address=number, reasons=LIFTED_BY_START)
        audit = Action.START
    elif asked != replies.Reply.HELP:  # free text: for the adviser to answer
        inbound_text_record(number=number, text=text)
    template = REPLY_TEMPLATES.get(asked)
    return InboundText(reply=_reply_render(template) if template else "", audit=audit)


def _reply_render(template: str) -> str:
    context = {
        "service": settings.SENDFLOW_ADVICE_SERVICE_NAME,
        "service_phone": settings.SENDFLOW_ADVICE_SERVICE_PHONE,
        "service_email": settings.SENDFLOW_ADVICE_SERVICE_EMAIL,
    }
    # A text is not HTML: the "text" engine does not escape "Parents'" to "Parents&#x27;".
    return gsm.normalise(render_to_string(template, context, using="text"))
