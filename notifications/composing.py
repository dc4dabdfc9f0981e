"""One send from one or more outbox rows: the items it tells, in the family page's order, as a
short text (at most 2 GSM-7 segments, whatever it carries) or an email.

Each row becomes an `Item` (a summary row, one for every open date of the case). The words are
in templates/notifications/{sms,email}/item.txt and send.txt; this module only decides what is
said and how much of it fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications import gsm, rendering
from notifications.models import OutboundMessage, ReminderPolicy
from notifications.service_hours import when_to_call
from workflows import rules, words
from workflows.dated import DatedObligation
from workflows.rules import long_date

Kind = OutboundMessage.Kind
TEXT = rendering.TEXT
SMS_SEGMENTS = 2  # DESIGN.md: a text fits 2 segments of GSM-7, links included


@dataclass(frozen=True)
class Item:
    """One thing a send tells the family about one date."""

    key: str  # the date's key in dates_told: a deadline kind, or given-<id>
    what: str  # upcoming, last_day, act_today, meeting, passed, owed, owed_passed, changed
    label: str
    day: date  # the day to act by (the date itself for a meeting or what others owe)
    date: str  # that day in words, with a meeting's time
    when: str = ""  # "in 4 weeks", "tomorrow"
    todo: str = ""  # what to do, said in full (emails; texts when there is room)
    sentence: str = ""  # the date said whole: "Your Tribunal hearing is on ..."
    who: str = ""  # a date the council owes: its SEN team's phone and email, when we hold them
    owner: str = ""  # who owes a date: "the council"
    # An appeal while the mediation adviser step is open: "listed" when that step is in the same
    # message (before it), else "first"; same_day when both fall on one day.
    mediation_first: str = ""
    same_day: bool = False
    computed: bool = True  # our calculation (not a date a letter gave)
    told: dict[str, str] = field(default_factory=dict)
    comes_first: bool = False
    row_id: int | None = None

    @property
    def order(self) -> tuple:
        return (self.day, not self.comes_first, self.label)


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    dates_told: dict[str, str]
    told_by_row: dict[int, dict[str, str]]


def items_for_rows(
    messages: list[OutboundMessage], *, today: date, language: str = "en", call_when: str = "today"
) -> list[Item]:
    """The items a send carries, one per date, in the family page's order."""
    found: dict[str, Item] = {}
    summaries = []
    for message in messages:
        if message.kind == Kind.SUMMARY or not message.deadline_kind:
            summaries.append(message)
            continue
        item = _row_item(message, today=today, language=language, call_when=call_when)
        if item is None:
            continue
        # Two rows about one date (a reminder and "your date changed"): the change is news.
        if item.key not in found or _RANK.get(item.what, 0) > _RANK.get(found[item.key].what, 0):
            found[item.key] = item
    for message in summaries:  # what a reminder row says of a date is the more particular
        for item in case_items(message.case, today=today, language=language, call_when=call_when):
            found.setdefault(item.key, replace(item, row_id=message.id))
    return _ordered(list(found.values()), case=messages[0].case, today=today)


_RANK = {"changed": 2, "changed_passed": 2, "passed": 1, "owed_passed": 1}


def case_items(case, *, today: date, language: str = "en", call_when: str = "today") -> list[Item]:
    """Every date of the case the family hears about and has still to see through: their own
    dates ahead and passed, and what others owe them. Done steps are left out."""
    policies = {p.deadline_kind: p.style for p in ReminderPolicy.objects.filter(enabled=True)}
    items = []
    for deadline in case.deadlines.all():
        style = policies.get(deadline.kind)
        state = deadline.state(today)
        if style is None or state == rules.State.DONE:
            continue
        owed = style == ReminderPolicy.Style.CHECK or deadline.owner != rules.Owner.PARENT
        items.append(
            _deadline_item(
                deadline,
                today=today,
                state=state,
                owed=owed,
                language=language,
                call_when=call_when,
            )
        )
    for given in case.given_dates.all():
        style = policies.get(given.message_kind)
        state = given.state(today)
        if style is None or state == rules.State.DONE:
            continue
        countdown = style == ReminderPolicy.Style.COUNTDOWN
        owed = not (countdown and (given.is_meeting or given.is_family_own))
        items.append(
            _given_item(
                given, today=today, state=state, owed=owed, language=language, call_when=call_when
            )
        )
    return _ordered(items, case=case, today=today)


def _row_item(
    message: OutboundMessage, *, today: date, language: str, call_when: str
) -> Item | None:
    kind = message.kind
    if kind == Kind.FALLBACK:
        kind = rendering.fallback_of(message)
    obligation = message.obligation
    if obligation is None:  # its deadline has gone since
        return None
    state = obligation.state(today)
    # What others owe is said as owed: a computed deadline by its owner, whatever the row; a
    # date from a letter by its row (its policy's style chose a check for it, or not).
    owed = kind == Kind.CHECK or (obligation.computed and not obligation.family_owes)
    item = _obligation_item(
        obligation, today=today, state=state, owed=owed, language=language, call_when=call_when
    )
    if kind == Kind.DATE_CHANGED:
        when = {"last_day": "today", "act_today": "act today"}.get(item.what, item.when)
        what = "changed_passed" if state == rules.State.PASSED else "changed"
        item = replace(item, what=what, when=when)
    elif kind == Kind.PASSED and item.what != "passed":
        item = replace(item, what="passed")
    return replace(item, row_id=message.id)


def _obligation_item(
    obligation: DatedObligation, *, today: date, state, owed: bool, language: str, call_when: str
) -> Item:
    """Its item: a computed deadline and a date from a letter are told in their own ways (a
    meeting's day and time, the day to aim for)."""
    build = _deadline_item if obligation.computed else _given_item
    return build(
        obligation, today=today, state=state, owed=owed, language=language, call_when=call_when
    )


def _deadline_item(
    deadline, *, today: date, state, owed: bool, language: str, call_when: str
) -> Item:
    due, act_by = deadline.effective_due, deadline.effective_act_by
    words_ = rendering.deadline_words(
        deadline.kind, due, act_by=act_by, today=today, language=language, call_when=call_when
    )
    common = {
        "key": deadline.kind,
        "label": words_.label,
        "told": {deadline.kind: due.isoformat()},
        "comes_first": deadline.kind in rules.COMES_FIRST,
    }
    if owed:
        return Item(
            what="owed_passed" if state == rules.State.PASSED else "owed",
            day=due,
            date=long_date(due),
            when=_when(today=today, day=due),
            sentence=words_.sentence,
            todo=words_.todo,
            who=rendering.council_contact(deadline.case, deadline.owner),
            owner=words.owner_words(deadline.owner).lower(),
            **common,
        )
    if state == rules.State.PASSED:
        return Item(what="passed", day=due, date=long_date(due), todo=words_.late, **common)
    what, said = "upcoming", act_by
    if act_by == today:
        what = "last_day"
    elif act_by < today:
        what, said = "act_today", due  # past the day to aim for, before a weekend date
    return Item(
        what=what,
        day=act_by,
        date=long_date(said),
        when=_when(today=today, day=act_by),
        todo=words_.todo,
        **common,
    )


def _given_item(given, *, today: date, state, owed: bool, language: str, call_when: str) -> Item:
    words_ = rendering.given_words(given, language=language, call_when=call_when)
    common = {
        "key": given.told_key,
        "label": words_.label,
        "told": {given.told_key: given.value.isoformat()},
        "computed": False,
    }
    if owed:
        return Item(
            what="owed_passed" if state == rules.State.PASSED else "owed",
            day=given.value,
            date=given.date_in_words(),
            when=_when(today=today, day=given.value),
            sentence=words_.sentence,
            todo=words_.todo,
            who=rendering.council_contact(given.case, given.owner),
            owner=words.owner_words(given.owner).lower(),
            **common,
        )
    if state == rules.State.PASSED:
        return Item(
            what="passed",
            day=given.value,
            date=long_date(given.value),
            todo=rendering.default_late(call_when),
            **common,
        )
    act_by = given.act_by
    what = "meeting" if given.is_meeting else "upcoming"
    if not given.is_meeting and act_by == today:
        what = "last_day"
    return Item(
        what=what,
        day=act_by,
        date=given.date_in_words() if given.is_meeting else long_date(act_by),
        when=_when(today=today, day=act_by),
        todo=words_.todo,
        sentence=words_.sentence,
        **common,
    )


def _when(*, today: date, day: date) -> str:
    return rendering.when_text(today=today, due=day).split(" (")[0]


def _ordered(items: list[Item], *, case, today: date) -> list[Item]:
    """The family page's order (soonest first; on one day, the mediation adviser before the
    appeal), with the appeal saying the mediation adviser comes first while that is open."""
    items = sorted(items, key=lambda i: i.order)
    if case.placement_only or not _mediation_step_open(case, today=today):
        return items
    out = []
    for item in items:
        if item.key == "appeal" and item.what in ("upcoming", "last_day", "act_today", "changed"):
            step = next((o for o in out if o.key == "mediation_adviser_contact"), None)
            item = replace(
                item,
                mediation_first="listed" if step else "first",
                same_day=step is not None and step.day == item.day,
            )
        out.append(item)
    return out


def _mediation_step_open(case, *, today: date) -> bool:
    step = next((d for d in case.deadlines.all() if d.kind == "mediation_adviser_contact"), None)
    return step is not None and step.state(today) != rules.State.DONE


# --- texts ---------------------------------------------------------------------------------------


def sms_takes_replies() -> bool:
    """A text from a number can be answered (STOP); one from an alphanumeric sender cannot.

    Notify has no STOP of its own: sendflow reads the replies its received-text callback brings,
    so "Reply STOP" only once the callbacks' token is set (the README: after the inbound number).
    """
    if settings.SMS_BACKEND == "notify":
        return bool(settings.NOTIFY_CALLBACK_TOKEN)
    if settings.SMS_BACKEND == "twilio":
        sender = settings.TWILIO_FROM_NUMBER
        return bool(settings.TWILIO_MESSAGING_SERVICE_SID) or sender.startswith("+")
    return True


def compose_sms(items: list[Item], context: dict) -> str:
    """The fullest text that fits SMS_SEGMENTS: every item with what to do, then with less,
    then the most urgent items with "and N more on your page"."""
    context = {**context, "replies": sms_takes_replies()}
    # Fewer dates in full before more in brief: a date's own words ("today is the last day")
    # matter more than the count. Brief words only when even one date does not fit in full
    # (a long service name, link and label together); last of all, the count alone.
    attempts = [(shown, detail) for shown in range(len(items), 0, -1) for detail in (3, 2, 1, 0)]
    attempts += [(shown, -1) for shown in range(len(items), 0, -1)]
    body = ""
    # An item's line in each of its three forms is rendered once, not once an attempt: five
    # dates make 26 attempts.
    lines: dict[tuple[int, bool, bool], str] = {}
    for shown, detail in [*attempts, (0, 0)]:
        body = _sms(items[:shown], context, detail=detail, more=len(items) - shown, lines=lines)
        if gsm.segments(body) <= SMS_SEGMENTS:
            return body
    return body


def _sms(
    items: list[Item],
    context: dict,
    *,
    detail: int,
    more: int,
    lines: dict[tuple[int, bool, bool], str],
) -> str:
    """detail 3: what to do for every item; 2: for the first; 1: none; 0: nor the note that the
    dates are our calculation; -1: each date in the fewest words ("Final EHC plan: Monday 1
    March 2027, passed"), for long names and links. `lines` keeps each item's line by (its
    place, with what to do, brief) across the attempts of one text."""
    shown = []
    for n, item in enumerate(items):
        key = (n, detail >= 3 or (detail == 2 and n == 0), detail < 0)
        if key not in lines:
            lines[key] = _line(item, todo=key[1], call_when=context["call_when"], brief=key[2])
        shown.append(lines[key])
    text = render_to_string(
        _template("sms/send.txt"),
        {
            **context,
            "lines": shown,
            "more": more,
            "computed": detail >= 1 and any(i.computed for i in items),
        },
        using=TEXT,
    )
    return gsm.normalise("\n".join(line.strip() for line in text.strip().splitlines() if line))


# --- emails --------------------------------------------------------------------------------------


def _line(item: Item, *, todo: bool, call_when: str = "today", brief: bool = False) -> str:
    context = {"i": item, "todo": todo, "call_when": call_when, "brief": brief}
    text = render_to_string(_template("sms/item.txt"), context, using=TEXT)
    return " ".join(text.split())


def _template(name: str) -> list[str]:
    """A reviewed translation is a template of the same name under notifications/<code>/."""
    return rendering.in_language(f"notifications/{name}", translation.get_language() or "en")


def compose_email(items: list[Item], context: dict) -> tuple[str, str]:
    lines = [_line(item, todo=True, call_when=context["call_when"]) for item in items]
    body = render_to_string(
        _template("email/send.txt"),
        {
            **context,
            "items": list(zip(items, lines, strict=True)),
            "computed_dates": any(i.computed for i in items),
            "given_dates": any(not i.computed for i in items),
        },
        using=TEXT,
    )
    first = items[0]
    if len(items) == 1:
        subject = _line(first, todo=False).rstrip(".")
    elif all(i.day == first.day for i in items) and first.what == "last_day":
        subject = f"{len(items)} things to do today, {first.date}"
    elif all(i.day == first.day for i in items):
        subject = f"{len(items)} things to do by {first.date}"
    else:
        subject = f"{first.label}: {first.date}, and {len(items) - 1} more"
    return " ".join(subject.split()), "\n".join(
        line.rstrip() for line in body.strip().splitlines()
    ).replace("\n\n\n", "\n\n") + "\n"


def compose(messages: list[OutboundMessage], *, now: datetime) -> Composed | None:
    """The send for these rows, or None when they leave nothing to say."""
    today = timezone.localdate(now)
    contact = messages[0].contact
    language = contact.language if contact else settings.LANGUAGE_CODE[:2]
    # "Contact your adviser today" only when the service is open today (its hours are settings).
    call_when = when_to_call(now)
    items = items_for_rows(messages, today=today, language=language, call_when=call_when)
    if not items:
        return None
    context = {**rendering.base_context(messages[0]), "call_when": call_when}
    if messages[0].channel == "email":
        context["instead"] = rendering.instead_of_a_text(messages)
    channel = messages[0].channel
    if channel == "sms":
        subject, body = "", compose_sms(items, context)
    else:
        subject, body = compose_email(items, context)
    told_by_row: dict[int, dict[str, str]] = {}
    for item in items:
        if item.row_id is not None:
            told_by_row.setdefault(item.row_id, {}).update(item.told)
    everything = {k: v for item in items for k, v in item.told.items()}
    return Composed(subject, body, everything, told_by_row)
