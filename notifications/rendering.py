"""Message text from templates/notifications/: plain English, GOV.UK dates, GSM-7 texts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation

from notifications import gsm
from notifications.models import OutboundMessage, ReminderPolicy
from notifications.plan_core import CHECK_OFFSET, PASSED_OFFSET
from workflows import rules
from workflows.dated import DatedObligation
from workflows.rules import long_date
from workflows.words import deadline_label
from workflows.working_days import working_days_until

Kind = OutboundMessage.Kind
TEXT = "text"  # the template engine without HTML escaping (settings.TEMPLATES)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    dates_told: dict[str, str] = field(default_factory=dict)
    # A combined send: the dates each row told, by row id (each row records its own).
    told_by_row: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def segments(self) -> int:
        return gsm.segments(self.body)


@dataclass(frozen=True)
class DeadlineWords:
    label: str
    sentence: str
    todo: str
    due: str  # with the day to aim for, when that is earlier
    late: str  # what can still be done once the date has passed
    due_plain: str  # the date alone


def default_late(call_when: str = "today") -> str:
    """What a family can do once a date of theirs passed, when its kind says nothing more.
    `call_when` is service_hours.when_to_call(now): "today" only while the service is open."""
    return f"Contact your adviser {call_when} about what you can still do."


def deadline_words(
    kind: str,
    due: date,
    *,
    act_by: date | None = None,
    language: str = "en",
    today: date | None = None,
    call_when: str = "today",
) -> DeadlineWords:
    """The lines of templates/notifications/deadlines/<kind>.txt, filled in: label, sentence,
    what to do, and (optional) what can still be done once the date has passed."""
    template = select_template(
        [
            *in_language(f"notifications/deadlines/{kind}.txt", language),
            *in_language("notifications/deadlines/default.txt", language),
        ],
        using=TEXT,
    )
    due_words = rules.date_in_words(due=due, act_by=act_by or due)
    # On the day to act by, what to do says how to do it today, not "send it early".
    last_day = today is not None and today == (act_by or due)
    text = template.render(
        {
            "due": due_words,
            "kind_name": deadline_label(kind),
            "last_day": last_day,
            "call_when": call_when,
        }
    )
    lines = [line.strip() for line in text.strip().splitlines()]
    label, sentence, todo = lines[:3]
    late = lines[3] if len(lines) > 3 else default_late(call_when)
    return DeadlineWords(
        label=label,
        sentence=sentence,
        todo=todo,
        due=due_words,
        late=late,
        due_plain=long_date(due),
    )


def given_words(given, *, language: str = "en", call_when: str = "today") -> DeadlineWords:
    """The lines of templates/notifications/given/<kind>.txt for a date a letter gave: label,
    sentence, and what to prepare; in the contact's language where a reviewed translation
    exists (notifications/<code>/given/<kind>.txt), else in English like every message."""
    template = select_template(
        [
            *in_language(f"notifications/given/{given.kind}.txt", language),
            *in_language("notifications/given/other.txt", language),
        ],
        using=TEXT,
    )
    due_words = given.date_in_words()
    text = template.render({"due": due_words, "label": given.title, "owner": given.owner})
    label, sentence, todo = [line.strip() for line in text.strip().splitlines()][:3]
    return DeadlineWords(
        label=label,
        sentence=sentence,
        todo=todo,
        due=due_words,
        late=default_late(call_when),
        due_plain=long_date(given.value),
    )


def obligation_words(
    obligation: DatedObligation,
    *,
    language: str = "en",
    call_when: str = "today",
    today: date | None = None,
) -> DeadlineWords:
    """The words for a deadline or a date a letter gave, each from its own templates (deadlines/
    or given/): the one place that tells the two apart by their words."""
    if obligation.computed:
        return deadline_words(
            obligation.kind,
            obligation.effective_due,
            act_by=obligation.effective_act_by,
            language=language,
            today=today,
            call_when=call_when,
        )
    return given_words(obligation, language=language, call_when=call_when)


def words_for(deadline, *, language: str = "en", call_when: str = "today") -> DeadlineWords:
    """The words for a stored deadline, with its override and day to act by."""
    return obligation_words(deadline, language=language, call_when=call_when)


def fallback_of(message: OutboundMessage) -> str:
    """The kind of message an email fallback stands in for, from the offset it copied."""
    if not message.deadline_kind:
        return Kind.SUMMARY
    if message.offset == CHECK_OFFSET:
        return Kind.CHECK
    if message.offset == PASSED_OFFSET:
        return Kind.PASSED
    if message.offset.isdigit():  # date changed: keyed on the date the family was told
        return Kind.DATE_CHANGED
    return Kind.REMINDER


# A text that failed because of the number it went to, as Twilio and Notify say it (Twilio's
# codes: notifications/backends/twilio_sms.py; Notify's words: notifications/backends/notify.py).
_NUMBER_REFUSED = re.compile(
    r"error (21211|21408|21612|21614)\b|not a mobile number it can text"
    r"|does not exist or cannot receive",
    re.I,
)


def text_failed_because(error: str) -> str:
    """Why a text failed, as the email sent in its place tells the family: "characters" (the
    text service sends GSM characters only), "number" (the number cannot take texts), or ""."""
    if gsm.NOT_GSM in error:
        return "characters"
    if _NUMBER_REFUSED.search(error):
        return "number"
    return ""


def instead_of_a_text(messages: list[OutboundMessage]) -> str:
    """The sentence near the top of an email that went in place of a text ("We could not send
    this as a text message, ..."), or "" when no row of the send is such an email."""
    fallback = next((m for m in messages if m.kind == Kind.FALLBACK), None)
    if fallback is None:
        return ""
    # The text it stands in for: same person, date and reminder, failed (its error says why).
    error = (
        OutboundMessage.objects.filter(
            case_id=fallback.case_id,
            contact_id=fallback.contact_id,
            channel="sms",
            status=OutboundMessage.Status.FAILED,
            deadline_kind=fallback.deadline_kind,
            offset=fallback.offset,
            due_date=fallback.due_date,
        )
        .order_by("-updated_at", "-id")
        .values_list("last_error", flat=True)
        .first()
    )
    why = text_failed_because(error or "")
    language = translation.get_language() or "en"
    template = in_language("notifications/email/instead_of_a_text.txt", language)
    return " ".join(render_to_string(template, {"why": why}, using=TEXT).split())


def when_text(*, today: date, due: date) -> str:
    days = (due - today).days
    if days < 0:
        return "passed"
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
    if message.channel == "sms" and message.kind != Kind.TEST:
        return render_send([message], now=now)  # every text is composed to fit 2 segments
    if message.kind == Kind.TEST:
        return Rendered(
            subject=message.subject or f"{settings.SENDFLOW_ADVICE_SERVICE_NAME} test message",
            body=message.body,
        )
    language = message.contact.language if message.contact else settings.LANGUAGE_CODE[:2]
    with translation.override(language):
        return _render(message, now=now, language=language)


def in_language(path: str, language: str) -> list[str]:
    """A reviewed translation is a template file of the same name under the language's folder
    (notifications/cy/sms/reminder.txt): adding one needs no code. English is the fallback."""
    return [path.replace("notifications/", f"notifications/{language}/", 1), path]


def render_send(messages: list[OutboundMessage], *, now: datetime | None = None) -> Rendered:
    """The one send these rows make together: every text, and an email of several dates, is
    composed from their items (notifications.composing); an email of one date, a test and a
    summary by email keep their own templates."""
    from notifications import composing

    now = now or timezone.now()
    first = messages[0]
    whole = first.kind == Kind.TEST or (first.channel == "email" and len(messages) == 1)
    summary = next((m for m in messages if m.kind == Kind.SUMMARY), None)
    if summary is not None and first.channel == "email":
        whole, first = True, summary  # its sections hold every date the others are about
    if whole:
        rendered = render(first, now=now)
        told = rendered.dates_told
        by_row = {m.id: {k: v for k, v in told.items() if k == _told_key(m)} for m in messages}
        return Rendered(**{**vars(rendered), "told_by_row": {**by_row, first.id: told}})
    language = first.contact.language if first.contact else settings.LANGUAGE_CODE[:2]
    with translation.override(language):
        composed = composing.compose(messages, now=now)
    if composed is None:
        return Rendered(subject="", body="")
    return Rendered(
        subject=composed.subject,
        body=composed.body,
        dates_told=composed.dates_told,
        told_by_row=composed.told_by_row,
    )


def _told_key(message: OutboundMessage) -> str:
    obligation = message.obligation
    return obligation.told_key if obligation is not None else message.deadline_kind


def base_context(message: OutboundMessage) -> dict:
    """Who a message is from and to, and its links: what every template of a send needs."""
    case, contact = message.case, message.contact
    return {
        "name": contact.name if contact else "",
        "service": settings.SENDFLOW_ADVICE_SERVICE_NAME,
        "service_phone": settings.SENDFLOW_ADVICE_SERVICE_PHONE,
        "service_email": settings.SENDFLOW_ADVICE_SERVICE_EMAIL,
        "adviser_name": adviser_name_for_family(case.adviser),
        "family_url": public_url(reverse("family-page", args=[case.access_token])),
        "opt_out_url": public_url(reverse("opt-out", args=[contact.opt_out_token]))
        if contact
        else "",
    }


def _render(message: OutboundMessage, *, now: datetime, language: str) -> Rendered:
    from notifications.service_hours import when_to_call

    context = _context(
        message, today=timezone.localdate(now), language=language, call_when=when_to_call(now)
    )
    # A subject line says "in 9 days", its body "in 9 days (7 working days)".
    context["when_short"] = context.get("when", "").split(" (")[0]
    if message.channel == "email":
        context["instead"] = instead_of_a_text([message])
    kind = message.kind
    if kind == Kind.FALLBACK and fallback_of(message) != Kind.REMINDER:
        kind = fallback_of(message)  # the same words as the text that failed, by email
    template = in_language(f"notifications/{message.channel}/{kind}.txt", language)
    body = render_to_string(template, context, using=TEXT)
    subject = ""
    if message.channel == "email":
        subject_template = in_language(f"notifications/email/{kind}_subject.txt", language)
        subject = " ".join(render_to_string(subject_template, context, using=TEXT).split())
        body = body.strip() + "\n"
    else:
        body = gsm.normalise(body)
    return Rendered(subject=subject, body=body, dates_told=context["dates_told"])


def adviser_name_for_family(adviser) -> str:
    """The adviser's name as a family reads it: their full name, or nothing. A login name
    ("demo-ann", "jsmith2") is not a person's name to put in front of a parent."""
    return adviser.get_full_name() if adviser else ""


def _context(
    message: OutboundMessage, *, today: date, language: str = "en", call_when: str = "today"
) -> dict:
    case = message.case
    context = {**base_context(message), "dates_told": {}}
    if message.kind == Kind.SUMMARY or not message.deadline_kind:
        context.update(_summary_context(case, today=today, language=language, call_when=call_when))
        return context
    obligation = message.obligation
    if obligation is not None and not obligation.computed:  # its own words and "when"
        context.update(
            _given_context(
                obligation, case=case, today=today, language=language, call_when=call_when
            )
        )
        return context
    if obligation is not None:
        due, act_by = obligation.effective_due, obligation.effective_act_by
    else:  # the deadline has gone since: the date the row was planned for
        due = act_by = message.due_date
    words = deadline_words(
        message.deadline_kind,
        due,
        act_by=act_by,
        language=language,
        today=today,
        call_when=call_when,
    )
    context.update(
        label=words.label,
        sentence=words.sentence,
        todo=words.todo,
        late=words.late,
        due=words.due,
        due_plain=words.due_plain,
        when=(
            "past the day to aim for, so act today"
            if act_by < today <= due
            else when_text(today=today, due=act_by)
        ),
        passed=due < today,
        dates_told={message.deadline_kind: due.isoformat()},
        mediation_first=message.deadline_kind == "appeal" and mediation_comes_first(case, today),
        council_contact=council_contact(case, obligation.owner) if obligation else "",
    )
    return context


def council_contact(case, owner: str) -> str:
    """A date the council owed: its SEN team's phone and email, when we hold them."""
    council = case.council
    if owner != rules.Owner.LOCAL_AUTHORITY or council is None:
        return ""
    ways = [w for w in (council.sen_team_phone, council.sen_team_email) if w]
    return f"{council.name} SEN team: {', '.join(ways)}." if ways else ""


def mediation_comes_first(case, today: date) -> bool:
    """The appeal needs the mediation certificate (unless it is only about the school): while
    the family has still to contact the mediation adviser, that comes first."""
    if case.placement_only:
        return False
    step = case.deadlines.filter(kind="mediation_adviser_contact").first()
    return step is not None and step.state(today) != rules.State.DONE


def _given_context(
    given, *, case, today: date, language: str = "en", call_when: str = "today"
) -> dict:
    words = obligation_words(given, language=language, call_when=call_when)
    return {
        **vars(words),
        "when": when_text(today=today, due=given.effective_act_by),
        "passed": given.effective_due < today,
        "dates_told": {given.told_key: given.effective_due.isoformat()},
        "given": True,
        "working": given.working(),  # "The Tribunal set this date in its letter of ..."
        "council_contact": council_contact(case, given.owner),
    }


def _today_note(due: date, act_by: date, today: date) -> str:
    """A date ahead that is today is said so: a summary sent on the last day must not read as
    if there were time. The date itself is today: "today"; the day to aim for (the last working
    day before a weekend date) is today, or has passed before the date: act today."""
    if due == today:
        return "today"
    if act_by == today:
        return "aim for today"
    if act_by < today < due:  # a weekend or bank holiday between: the reminders' own words
        return "past the day to aim for, so act today"
    return ""


def _summary_context(case, *, today: date, language: str = "en", call_when: str = "today") -> dict:
    """Every date the family hears about, computed or given in a letter: the family's own
    passed dates said as passed, their dates ahead (reminded before), and dates others owe them
    (checked the day after). Done steps are left out: there is nothing more to do for them."""
    policies = {p.deadline_kind: p.style for p in ReminderPolicy.objects.filter(enabled=True)}
    # (date, words, the ISO date told, the key told); each list in date order.
    upcoming, passed, owed = [], [], []
    reminders_to_come = False  # a countdown reminder is still to go for some date
    for deadline in case.deadlines.order_by("due", "kind"):
        style = policies.get(deadline.kind)
        state = deadline.state(today)
        if style is None or state == rules.State.DONE:
            continue
        item = (
            deadline.effective_due,
            {
                **vars(words_for(deadline, language=language, call_when=call_when)),
                "given": False,
                "working": "",
            },
            deadline.kind,
        )
        if style == ReminderPolicy.Style.CHECK:
            item[1]["council_contact"] = council_contact(case, deadline.owner)
            owed.append((*item, state == rules.State.PASSED))
        elif state == rules.State.PASSED:
            passed.append(item)
        else:
            item[1]["today_note"] = _today_note(
                deadline.effective_due, deadline.effective_act_by, today
            )
            reminders_to_come |= deadline.effective_act_by > today
            upcoming.append(item)
    for given in case.given_dates.all():
        style = policies.get(given.message_kind)
        state = given.state(today)
        if style is None or state == rules.State.DONE:
            continue
        item = (
            given.value,
            {**vars(given_words(given, language=language, call_when=call_when)), "given": True},
            given.told_key,
        )
        item[1]["working"] = given.working()
        countdown = style == ReminderPolicy.Style.COUNTDOWN
        if not (countdown and (given.is_meeting or given.is_family_own)):
            item[1]["council_contact"] = council_contact(case, given.owner)
            owed.append((*item, state == rules.State.PASSED))
        elif state == rules.State.PASSED:
            passed.append(item)
        else:
            item[1]["today_note"] = _today_note(given.value, given.act_by, today)
            reminders_to_come |= given.act_by > today
            upcoming.append(item)
    for items in (upcoming, passed, owed):
        # The family page's order: on one day, the mediation adviser before the appeal.
        items.sort(key=lambda item: (item[0], item[2] not in rules.COMES_FIRST))
    upcoming_words = [w for _, w, _ in upcoming]
    passed_words = [w for _, w, _ in passed]
    owed_words = [{**w, "passed": was_passed} for _, w, _, was_passed in owed]
    everything = [*upcoming, *passed, *owed]
    return {
        "deadlines": upcoming_words,
        "reminders_to_come": reminders_to_come,
        "passed_deadlines": passed_words,
        "owed_deadlines": owed_words,
        # Which wording the footers need: our calculation, the letters' dates, or both.
        "computed_dates": any(not item[1]["given"] for item in everything),
        "given_dates": any(item[1]["given"] for item in everything),
        "dates_told": {item[2]: item[0].isoformat() for item in everything},
    }
