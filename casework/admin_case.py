"""The case page's first screen (issue 19, part 5): who the family is and whether a message can
reach them, the next thing to do and its day, what is wrong, in the adviser's words. Read-only,
from the case's own rows in a handful of queries; the editable forms, the history, the message
list and the workings follow it on the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.urls import reverse

from notifications.models import Channel, OutboundMessage, Suppression
from workflows import case_summary, rules, words, working_days
from workflows.models import Case, Deadline, FamilyReportedDate

PROBLEM_STATUSES = [OutboundMessage.Status.FAILED, OutboundMessage.Status.UNKNOWN]


@dataclass(frozen=True)
class ChannelReach:
    """One way of reaching one person, and whether a message can go that way."""

    channel: str  # "sms" | "email"
    address: str  # as the adviser dials or types it
    state: str  # the words: "Texts on", "Replied STOP: no texts", ...
    problem: bool = False  # chosen but cannot arrive: stopped, or the last one failed


@dataclass(frozen=True)
class PersonReach:
    name: str
    role: str
    ways: list[ChannelReach]

    @property
    def reachable(self) -> bool:
        return any(w.state in (ON_WORDS["sms"], ON_WORDS["email"]) for w in self.ways)


ON_WORDS = {"sms": "Texts on", "email": "Emails on"}
NONE_WORDS = {"sms": "No texts", "email": "No emails"}  # stopped: "No texts: Replied STOP"
OFF_WORDS = {"sms": "Texts not chosen", "email": "Emails not chosen"}
FAILED_WORDS = {
    "sms": "The last text failed: check the number",
    "email": "The last email failed: check the address",
}


def _last_outcomes(case: Case) -> dict[tuple[int, str, str], str]:
    """(contact, channel, address) -> the status of the latest message that has an outcome
    (address "": a row that never held one, as when it failed before rendering)."""
    Status = OutboundMessage.Status
    last: dict[tuple[int, str, str], str] = {}
    for contact_id, channel, to, status in (
        case.messages.filter(status__in=[Status.SENT, Status.DELIVERED, Status.FAILED])
        .order_by("-send_at", "-id")
        .values_list("contact_id", "channel", "to", "status")
    ):
        last.setdefault((contact_id, channel, to), status)
    return last


def family_reach(case: Case) -> list[PersonReach]:
    """Each person on the case with their number and address, and for each whether we can
    message them that way: chosen, stopped (and how), or failing."""
    people = list(case.contacts.all())
    addresses = [c.mobile.as_e164 for c in people if c.mobile] + [
        c.email.lower() for c in people if c.email
    ]
    stopped = {
        (s.channel, s.address): s.get_reason_display()
        for s in Suppression.objects.filter(address__in=addresses)
    }
    last = _last_outcomes(case)
    shown = []
    for person in people:
        ways = []
        for channel, address, shown_as, wanted in (
            (
                Channel.SMS,
                person.mobile.as_e164 if person.mobile else "",
                person.mobile.as_national if person.mobile else "",
                person.wants_sms,
            ),
            (Channel.EMAIL, person.email.lower(), person.email, person.wants_email),
        ):
            if not address:
                continue
            if (channel, address) in stopped:
                state = f"{NONE_WORDS[channel]}: {stopped[(channel, address)]}"
                ways.append(ChannelReach(channel, shown_as, state, problem=wanted))
            elif not wanted:
                ways.append(ChannelReach(channel, shown_as, OFF_WORDS[channel]))
            elif (
                last.get((person.pk, channel, address), last.get((person.pk, channel, "")))
                == OutboundMessage.Status.FAILED
            ):
                ways.append(ChannelReach(channel, shown_as, FAILED_WORDS[channel], problem=True))
            else:
                ways.append(ChannelReach(channel, shown_as, ON_WORDS[channel]))
        shown.append(PersonReach(person.name, person.get_role_display(), ways))
    return shown


@dataclass(frozen=True)
class NextStep:
    label: str
    owner: str
    act_by: date
    due: date
    left: str  # "12 working days left", "Today", "Passed 3 working days ago"
    passed: bool

    @property
    def act_by_words(self) -> str:
        return rules.long_date(self.act_by)

    @property
    def due_words(self) -> str:
        return rules.long_date(self.due) if self.due != self.act_by else ""


def next_step(case: Case, *, today: date) -> NextStep | None:
    """The case's next step as the case list reads it, worked out afresh for `today`."""
    summary = case_summary.case_summaries_compute(case_ids=[case.pk], today=today)[case.pk]
    if not summary.next_kind or summary.next_act_by is None:
        return None
    act_by = summary.next_act_by
    left = working_days.working_days_until(today, act_by)
    return NextStep(
        label=summary.next_label or words.deadline_label(summary.next_kind),
        owner=words.owner_label(summary.next_owner),
        act_by=act_by,
        due=summary.next_due or act_by,
        left=words.working_days_words(left, today=act_by == today, passed=act_by < today),
        passed=act_by < today,
    )


@dataclass
class Problems:
    """What is wrong on the case, each with where it is put right."""

    passed: list[Deadline] = field(default_factory=list)
    failed: int = 0
    unknown: int = 0
    failed_url: str = ""
    unconfirmed: list = field(default_factory=list)  # the family's key dates, counted already
    reported: list = field(default_factory=list)  # would replace an adviser's date: waiting
    reported_url: str = ""
    tasks: list = field(default_factory=list)
    tasks_url: str = ""

    @property
    def task_kinds(self) -> list[str]:
        """Each kind of open task once, with how many: "URGENT: ... has passed (2)"."""
        counts = Counter(task.get_kind_display() for task in self.tasks)
        return [f"{kind} ({n})" if n > 1 else kind for kind, n in counts.items()]

    @property
    def any(self) -> bool:
        return bool(
            self.passed
            or self.failed
            or self.unknown
            or self.unconfirmed
            or self.reported
            or self.tasks
        )


def problems(case: Case, *, deadlines: list[Deadline], key_dates: list, today: date) -> Problems:
    counts = dict(
        case.messages.filter(status__in=PROBLEM_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return Problems(
        passed=[
            d
            for d in deadlines
            if d.owner == rules.Owner.PARENT and d.state(today) == rules.State.PASSED
        ],
        failed=counts.get(OutboundMessage.Status.FAILED, 0),
        unknown=counts.get(OutboundMessage.Status.UNKNOWN, 0),
        failed_url=reverse("admin:notifications_outboundmessage_changelist")
        + f"?case__id__exact={case.pk}&status__in=failed,unknown",
        # Two kinds of date the family told us, each counted beside the list that holds it.
        unconfirmed=[k for k in key_dates if not k.confirmed],
        reported=list(case.reported_dates.filter(status=FamilyReportedDate.Status.WAITING)),
        reported_url=reverse("admin:workflows_familyreporteddate_changelist")
        + f"?case__id__exact={case.pk}&status__exact=waiting",
        tasks=list(case.tasks.filter(done_at__isnull=True)),
        tasks_url=reverse("admin:workflows_advisertask_changelist")
        + f"?case__id__exact={case.pk}&state=open",
    )
