"""The family's page as data: where they stand, who to contact, what we will send (the calendar
feed is casework.calendar_feed).

Composition of both apps (STYLE.md section 11): the deadlines and their states come from
`workflows`, the words for each deadline from templates/notifications/deadlines/ (via
`notifications.rendering`), the planned messages from the outbox. Views render what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import plan_core, planner, service_hours
from notifications.models import OutboundMessage, Suppression
from notifications.rendering import (
    DeadlineWords,
    adviser_name_for_family,
    given_words,
    obligation_words,
    words_for,
)
from workflows import rules, services, words
from workflows.dated import DatedObligation
from workflows.models import Case, Contact, Deadline, GivenDate
from workflows.working_days import working_days_until


def when_words(*, today: date, day: date) -> str:
    """ "today", "tomorrow", "in 12 working days" (the working days the family has)."""
    if day == today:
        return _("today")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    left = working_days_until(today, day)
    if left <= 0:
        return ngettext("in %(days)d day", "in %(days)d days", (day - today).days) % {
            "days": (day - today).days
        }
    return ngettext("in %(days)d working day", "in %(days)d working days", left) % {"days": left}


# The family's own act that does each step, where one does: only that act, dated after the
# step's date, makes the step late. Others that also settle it say nothing of when the family
# acted (a certificate that came later, an appeal sent on its own moved-off-the-weekend date,
# the Tribunal registering it, the council's final plan closing a comments window).
OWN_ACTS = {
    "appeal": ("appeal_submitted",),
    "mediation_adviser_contact": (
        "mediation_adviser_contacted",
        "mediation_declined",
        "mediation_requested",
    ),
    "discrimination_claim": ("discrimination_claim_sent",),
    "ombudsman_complaint": ("ombudsman_complaint_sent",),
}
# How long a late step, or a date owed to the family that passed with nothing to show it came,
# stays their next thing: after that it is the adviser's to follow up (the steps only an
# adviser can mark met would otherwise stay at the top for good).
NEXT_THING_WINDOW = plan_core.PASSED_NOTICE_WINDOW


@dataclass
class Row:
    """One date on the family's timeline, in words: a computed deadline, or a date a letter
    gave."""

    deadline: Deadline | None
    state: str  # open | done | passed
    label: str
    sentence: str
    todo: str
    late: str
    who: str
    yours: bool
    date_words: str  # "Sunday 10 January 2027 - aim for Friday 8 January 2027, ..."
    due_plain: str
    act_by_plain: str
    when: str
    # Done: what was done ("You contacted the mediation adviser") and the day ("Thursday 3
    # December 2026"; empty when the adviser marked it done without one).
    done_what: str
    done_day: str
    source: str
    act_by_day: date
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    given: GivenDate | None = None
    meeting: bool = False  # a hearing or meeting: "on" the day, not "by" it
    # A given date that covers a computed one: what the rules give, shown beside it.
    computed_words: str = ""
    uid: str = ""  # the calendar's stable id
    stamp: datetime | None = None  # when it last changed, for the calendar
    due_day: date | None = None  # the date itself (an override, or the letter's date)
    done_late: bool = False  # done, but after the date: the family should hear it was late
    done_in_time: bool = False  # done on or before the date: "That was in time: it was due by"


def _given_row(
    given: GivenDate, today: date, *, covers: Deadline | None = None, call_when: str = "today"
) -> Row:
    said = given_words(given, call_when=call_when)
    state = given.state(today).value
    act_by = given.act_by
    computed_words = ""
    if covers is not None:
        computed_words = _(
            "The rules give %(day)s for this. The date in the letter is the one that counts."
        ) % {"day": covers.date_in_words()}
    return Row(
        deadline=None,
        state=state,
        **_said_fields(said, given, state=state, act_by=act_by, today=today),
        done_what=_("Your adviser marked this as done.") if state == "done" else "",
        done_day=rules.long_date(given.done_on) if state == "done" else "",
        source=given.working(),
        act_by_day=act_by,
        given=given,
        meeting=given.is_meeting,
        computed_words=computed_words,
        uid=f"given-{given.pk}",
        stamp=given.recorded_at,
        due_day=given.value,
        # A meeting done is a meeting held: its day says all there is.
        done_in_time=state == "done" and not given.is_meeting and given.done_on <= given.value,
    )


def _said_fields(
    said: DeadlineWords, obligation: DatedObligation, *, state: str, act_by: date, today: date
) -> dict[str, object]:
    """The fields a deadline's row and a given date's share: its words, who acts and when."""
    return {
        "label": said.label,
        "sentence": said.sentence,
        "todo": said.todo,
        "late": said.late,
        "who": words.owner_words(obligation.owner),
        "yours": obligation.owner == rules.Owner.PARENT,
        "date_words": said.due,
        "due_plain": said.due_plain,
        "act_by_plain": rules.long_date(act_by),
        "when": when_words(today=today, day=act_by) if state == "open" else "",
    }


def _row(deadline: Deadline, today: date, *, call_when: str = "today") -> Row:
    said = words_for(deadline, call_when=call_when)
    state = deadline.state(today).value
    act_by = deadline.effective_act_by
    return Row(
        deadline=deadline,
        state=state,
        **_said_fields(said, deadline, state=state, act_by=act_by, today=today),
        done_what=_done_what(deadline) if state == "done" else "",
        done_day=rules.long_date(deadline.done_on)
        if state == "done" and deadline.done_by and deadline.done_on
        else "",
        source=words.source_sentence(deadline.rule),
        act_by_day=act_by,
        steps=list(deadline.steps),
        warnings=list(deadline.warnings),
        uid=f"deadline-{deadline.pk}",
        stamp=deadline.computed_at,
        due_day=deadline.effective_due,
        done_late=state == "done"
        and deadline.done_by in OWN_ACTS.get(deadline.kind, ())
        and deadline.done_on > deadline.effective_due,
        # Only an act on or before the date is said to be in time. Others after it say nothing
        # of the date: the council's final plan closing the comments window weeks later, or a
        # certificate that shows the family was in touch long before it came.
        done_in_time=state == "done"
        and bool(deadline.done_by and deadline.done_on)
        and deadline.done_on <= deadline.effective_due,
    )


def _done_what(deadline: Deadline) -> str:
    """What settled a done step, as a sentence in the family's words."""
    if deadline.done_by:
        return f"{words.family_event_label(deadline.done_by)}."
    if deadline.status == Deadline.Status.WAIVED:
        return _("Your adviser marked this as no longer needed.")
    return _("Your adviser marked this as done.")


def _can_come(row: Row) -> bool:
    """Whether what was owed can be told to us as come (a reply, a decision): a date from a
    letter, or a step some event completes. Steps only the adviser can mark met (the school's
    invitations to a review) would say "nothing shows it came" long after the meeting."""
    if row.given is not None:
        return True
    completion = rules.COMPLETED_BY.get(row.deadline.kind)
    return completion is not None and bool(completion.by)


@dataclass
class Standing:
    """Where the family stands: the one next thing, then the timeline in four parts."""

    next_row: Row | None
    passed: list[Row]
    yours: list[Row]  # open, the family acts
    owed: list[Row]  # open, someone else owes the family
    done: list[Row]
    today: date

    @property
    def rows(self) -> list[Row]:
        return [*self.passed, *self.yours, *self.owed, *self.done]

    @property
    def labels(self) -> dict[str, str]:
        """Each computed deadline's name on this page, by kind."""
        return {row.deadline.kind: row.label for row in self.rows if row.deadline}

    @property
    def overdue_to_you(self) -> Row | None:
        """The latest date someone owed the family that passed with nothing to show it came:
        with nothing of their own to do, chasing it is their next thing."""
        owed = [r for r in self.passed if not r.yours and self._recent(r.due_day) and _can_come(r)]
        return owed[-1] if owed else None

    def _recent(self, day: date) -> bool:
        return day >= self.today - NEXT_THING_WINDOW

    @property
    def done_late(self) -> Row | None:
        """The family's latest step done after its date (an appeal sent late): with nothing
        else to do, what that means is their next thing to ask about."""
        late = [r for r in self.done if r.done_late and self._recent(r.deadline.done_on)]
        # The latest date; of two on one day, the first in the timeline (the appeal before the
        # mediation adviser's step it also settles).
        return max(late, key=lambda r: r.act_by_day) if late else None

    @property
    def only_given(self) -> bool:
        """Every date came from a letter (none is our calculation)."""
        return all(row.given for row in self.rows)

    @property
    def some_given(self) -> bool:
        return any(row.given for row in self.rows)


def standing(case: Case, *, today: date, call_when: str = "today") -> Standing:
    """`call_when` (service_hours.when_to_call) goes into what can still be done once a date
    passed: "contact your adviser today" only while the service can still answer today."""
    deadlines = list(case.deadlines.order_by("due", "kind"))
    given_dates = list(case.given_dates.all())
    # A given date that settles the same thing as a computed one wins; the computed one is
    # said beside it ("The rules give ...").
    by_kind = {d.kind: d for d in deadlines}
    covered = {
        GivenDate.COVERS[g.kind]: g for g in given_dates if GivenDate.COVERS.get(g.kind) in by_kind
    }
    rows = [_row(d, today, call_when=call_when) for d in deadlines if d.kind not in covered]
    rows += [
        _given_row(
            g, today, covers=by_kind.get(GivenDate.COVERS.get(g.kind, "")), call_when=call_when
        )
        for g in given_dates
    ]
    if given_dates:  # into date order with the computed ones (stored in due order)
        rows.sort(key=lambda r: r.given.value if r.given else r.deadline.due)
    passed = [r for r in rows if r.state == "passed"]
    # Soonest first; on one day, a step that must come first (rules.COMES_FIRST) leads.
    yours = sorted(
        (r for r in rows if r.state == "open" and r.yours),
        key=lambda r: (r.act_by_day, not (r.deadline and r.deadline.kind in rules.COMES_FIRST)),
    )
    owed = sorted(
        (r for r in rows if r.state == "open" and not r.yours), key=lambda r: r.act_by_day
    )
    done = [r for r in rows if r.state == "done"]
    # The one next thing: a date of the family's that has passed comes first (act today), else
    # their earliest open date.
    passed_yours = [r for r in passed if r.yours]
    next_row = (passed_yours[-1] if passed_yours else None) or (yours[0] if yours else None)
    return Standing(
        next_row=next_row, passed=passed, yours=yours, owed=owed, done=done, today=today
    )


@dataclass
class Contacts:
    service_name: str
    service_phone: str
    service_email: str
    service_hours: str  # "Monday to Friday, 9am to 5pm"
    call_when: str  # "today", "tomorrow", "on Monday 8 March 2027": when the service can answer
    adviser: str
    reference: str
    council: object | None  # LocalAuthority
    council_text: str


def contacts(case: Case, *, now: datetime) -> Contacts:
    return Contacts(
        service_name=settings.SENDFLOW_ADVICE_SERVICE_NAME,
        service_phone=settings.SENDFLOW_ADVICE_SERVICE_PHONE,
        service_email=settings.SENDFLOW_ADVICE_SERVICE_EMAIL,
        service_hours=service_hours.hours_in_words(),
        call_when=service_hours.when_to_call(now),
        adviser=adviser_name_for_family(case.adviser),
        reference=case.reference,
        council=case.council,
        council_text=case.local_authority,
    )


CHANNEL_WORDS = {"sms": "Text", "email": "Email"}


@dataclass
class Planned:
    day: date
    channel: str
    about: str
    to: str


def planned_messages(case: Case, *, limit: int = 30, now: datetime | None = None) -> list[Planned]:
    """What the family can expect and when, soonest first: the pending messages, then those
    further ahead that the outbox will take in nearer the time (plan_core.PLAN_AHEAD)."""
    # Not cut to `limit` here: messages to a stopped channel are left out below, and must not
    # take the places of those that will go.
    pending = list(
        case.messages.filter(status=OutboundMessage.Status.PENDING)
        .select_related("contact", "deadline", "given_date")
        .order_by("send_at", "id")
    )
    ahead = planner.messages_ahead(case=case, now=now)
    if ahead:
        contacts = {c.id: c for c in case.contacts.all()}
        deadlines = {d.id: d for d in case.deadlines.all()}
        given = {g.id: g for g in case.given_dates.all()}
        pending += [
            OutboundMessage(
                case=case,
                contact=contacts.get(new.contact_id),
                deadline=deadlines.get(new.deadline_id),
                given_date=given.get(new.given_date_id),
                deadline_kind=new.deadline_kind,
                kind=new.kind,
                channel=new.channel,
                send_at=new.send_at,
            )
            for new in ahead
        ]
        pending.sort(key=lambda m: m.send_at)
    kinds = dict(Deadline.KIND_CHOICES)
    stopped = _stopped(case.contacts.all())
    out = []
    for message in pending:
        if len(out) == limit:
            break
        # A channel the person has since turned off, or an address that replied STOP (or
        # unsubscribed), is not sent to (the send checks again): never promised either.
        if message.contact:
            address = dict(message.contact.channels()).get(message.channel)
            if address is None or (message.channel, address) in stopped:
                continue
        if message.kind == OutboundMessage.Kind.SUMMARY:
            about = _("A summary of all your dates")
        else:
            if (obligation := message.obligation) is not None:
                label = obligation_words(obligation).label
            else:
                label = kinds.get(message.deadline_kind) or words.deadline_label(
                    message.deadline_kind
                )
            about = {
                OutboundMessage.Kind.REMINDER: _("Reminder: %(label)s"),
                OutboundMessage.Kind.CHECK: _("Has it arrived? %(label)s"),
                OutboundMessage.Kind.DATE_CHANGED: _("A date changed: %(label)s"),
                OutboundMessage.Kind.PASSED: _("A date has passed: %(label)s"),
            }.get(message.kind, "%(label)s") % {"label": label}
        out.append(
            Planned(
                day=timezone.localdate(message.send_at),
                channel=_("Text") if message.channel == "sms" else _("Email"),
                about=about,
                to=message.contact.name if message.contact else "",
            )
        )
    return out


@dataclass
class ContactChoice:
    """What one person has chosen, without their number or address (phones are shared)."""

    contact: Contact
    can_sms: bool
    can_email: bool
    sms_stopped: bool
    email_stopped: bool
    sms_failed: bool = False  # the last text that went out to them did not arrive

    @property
    def unreachable(self) -> bool:
        """Nothing we send can reach them: every channel unticked, stopped or without an
        address. They should know that no reminder will come."""
        texts = self.contact.wants_sms and self.can_sms and not self.sms_stopped
        emails = self.contact.wants_email and self.can_email and not self.email_stopped
        return not (texts or emails)


def _stopped(people) -> set[tuple[str, str]]:
    """(channel, address) of these people's numbers and emails that asked us to stop."""
    addresses = [c.mobile.as_e164 for c in people if c.mobile] + [
        c.email.lower() for c in people if c.email
    ]
    return set(Suppression.objects.filter(address__in=addresses).values_list("channel", "address"))


def contact_choices(case: Case) -> list[ContactChoice]:
    people = list(case.contacts.all())
    stopped = _stopped(people)
    # Each person's latest text that has an outcome, newest first: a failed one means the
    # number may be wrong, which only they and the adviser can put right.
    Status = OutboundMessage.Status
    last_text: dict[tuple[int, str], str] = {}  # (contact, number) -> status
    for contact_id, to, status in (
        case.messages.filter(
            channel="sms", status__in=[Status.SENT, Status.DELIVERED, Status.FAILED]
        )
        .order_by("-send_at", "-id")
        .values_list("contact_id", "to", "status")
    ):
        last_text.setdefault((contact_id, to), status)
    return [
        ContactChoice(
            contact=c,
            can_sms=bool(c.mobile),
            can_email=bool(c.email),
            sms_stopped=bool(c.mobile) and ("sms", c.mobile.as_e164) in stopped,
            email_stopped=bool(c.email) and ("email", c.email.lower()) in stopped,
            # Only the number on file now: once the adviser corrects it, the advice goes.
            sms_failed=bool(c.mobile) and last_text.get((c.id, c.mobile.as_e164)) == Status.FAILED,
        )
        for c in people
    ]


@transaction.atomic
def contact_channels_set(
    *, contact: Contact, wants_sms: bool, wants_email: bool, now: datetime | None = None
) -> Contact:
    """The family's own choice of texts, emails or both; the messages are planned again.
    A channel with no address on file cannot be chosen (the adviser changes addresses)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    # A stopped channel's box is shown greyed out, and a browser sends no value for it: keep
    # the choice as it was, so texts come back when the adviser starts them again.
    stopped = _stopped([contact])
    if contact.mobile and ("sms", contact.mobile.as_e164) in stopped:
        wants_sms = contact.wants_sms
    if contact.email and ("email", contact.email.lower()) in stopped:
        wants_email = contact.wants_email
    contact.wants_sms = wants_sms and bool(contact.mobile)
    contact.wants_email = wants_email and bool(contact.email)
    if (contact.wants_sms or contact.wants_email) and not contact.consent_at:
        contact.consent_at = now or timezone.now()
        contact.consent_source = Contact.ConsentSource.WEB
    contact.full_clean()
    contact.save()
    services.case_replan(case=contact.case)
    return contact


# --- the calendar ---------------------------------------------------------------------------------
