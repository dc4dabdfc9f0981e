"""Message text from templates/notifications/: plain English, GOV.UK dates, GSM-7 texts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone

from notifications import gsm
from notifications.models import OutboundMessage, ReminderPolicy
from workflows.rules import long_date
from workflows.working_days import working_days_until

Kind = OutboundMessage.Kind
TEXT = "text"  # the template engine without HTML escaping (settings.TEMPLATES)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    dates_told: dict[str, str] = field(default_factory=dict)

    @property
    def segments(self) -> int:
        return gsm.segments(self.body)


@dataclass(frozen=True)
class DeadlineWords:
    label: str
    sentence: str
    todo: str
    due: str


def deadline_words(kind: str, due: date) -> DeadlineWords:
    """The three lines of templates/notifications/deadlines/<kind>.txt, filled in."""
    template = select_template(
        [f"notifications/deadlines/{kind}.txt", "notifications/deadlines/default.txt"],
        using=TEXT,
    )
    text = template.render(
        {"due": long_date(due), "kind_name": kind.replace("_", " ").capitalize()}
    )
    label, sentence, todo = (line.strip() for line in text.strip().splitlines()[:3])
    return DeadlineWords(label=label, sentence=sentence, todo=todo, due=long_date(due))


def when_text(*, today: date, due: date) -> str:
    days = (due - today).days
    if days < 0:
        return "past"
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days % 7 == 0:
        weeks = days // 7
        return "in 1 week" if weeks == 1 else f"in {weeks} weeks"
    working = working_days_until(today, due)
    return f"in {days} days ({working} working day{'s' if working != 1 else ''})"


def public_url(path: str) -> str:
    return settings.SENDFLOW_PUBLIC_URL.rstrip("/") + path


def render(message: OutboundMessage, *, now: datetime | None = None) -> Rendered:
    now = now or timezone.now()
    if message.kind == Kind.TEST:
        return Rendered(subject=message.subject or "sendflow test message", body=message.body)
    context = _context(message, today=timezone.localdate(now))
    kind = message.kind
    if kind == Kind.FALLBACK and not message.deadline_kind:
        kind = Kind.SUMMARY  # the summary text failed, so the summary goes by email
    body = render_to_string(f"notifications/{message.channel}/{kind}.txt", context, using=TEXT)
    subject = ""
    if message.channel == "email":
        subject = " ".join(
            render_to_string(f"notifications/email/{kind}_subject.txt", context, using=TEXT).split()
        )
        body = body.strip() + "\n"
    else:
        body = gsm.normalise(body)
    return Rendered(subject=subject, body=body, dates_told=context["dates_told"])


def _context(message: OutboundMessage, *, today: date) -> dict:
    case, contact = message.case, message.contact
    adviser = case.adviser
    context = {
        "name": contact.name if contact else "",
        "service": settings.SENDFLOW_ADVICE_SERVICE_NAME,
        "service_phone": settings.SENDFLOW_ADVICE_SERVICE_PHONE,
        "service_email": settings.SENDFLOW_ADVICE_SERVICE_EMAIL,
        "adviser_name": (adviser.get_full_name() or adviser.get_username()) if adviser else "",
        "family_url": public_url(reverse("family-page", args=[case.access_token])),
        "opt_out_url": public_url(reverse("opt-out", args=[contact.opt_out_token]))
        if contact
        else "",
        "dates_told": {},
    }
    if message.kind == Kind.SUMMARY or not message.deadline_kind:
        policies = set(
            ReminderPolicy.objects.filter(enabled=True).values_list("deadline_kind", flat=True)
        )
        deadlines = [
            d for d in case.deadlines.filter(status="open").order_by("due") if d.kind in policies
        ]
        context["deadlines"] = [
            {**vars(deadline_words(d.kind, d.effective_due))} for d in deadlines
        ]
        context["dates_told"] = {d.kind: d.effective_due.isoformat() for d in deadlines}
        return context
    deadline = message.deadline
    due = deadline.effective_due if deadline else message.due_date
    words = deadline_words(message.deadline_kind, due)
    context.update(
        label=words.label,
        sentence=words.sentence,
        todo=words.todo,
        due=words.due,
        when=when_text(today=today, due=due),
        passed=due < today,
        dates_told={message.deadline_kind: due.isoformat()},
    )
    return context
