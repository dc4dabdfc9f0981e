"""The adviser's Today (/admin/today/): everything that needs a person across the cases they may
see, most urgent first, each cause once, said in the adviser's voice (the family in the third
person).

It composes the apps, so it lives in casework, on top, like dashboard.py. What
an item is, its words and its order are here; the page is read in SQL by today_paging, a page at
a time. `today_items` builds the whole list in Python with `ranked` (merging and ordering, pure
and tested without the database): the reference the SQL is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from notifications.models import OutboundMessage
from sendflow.privacy import redact
from workflows import rules, selectors, words, working_days
from workflows.models import (
    AdviserTask,
    Case,
    Contact,
    Deadline,
    FamilyReportedDate,
    GivenDate,
    KeyDate,
)

PAGE_SIZE = 50
SOON_WORKING_DAYS = 5
STILL_ACTIONABLE = timedelta(weeks=8)  # a family can usually still act (a late appeal) within

# The groups, most urgent first (issue 19).
PASSED_FAMILY = 1
DUE_SOON = 2
MESSAGE = 3
FROM_FAMILY = 4
PASSED_OWED = 5
ODD_DATES = 6
UNASSIGNED = 7

Kind = AdviserTask.Kind
TASK_GROUPS = {
    Kind.DEADLINE_PASSED: PASSED_FAMILY,
    Kind.DELIVERY_FAILED: MESSAGE,
    Kind.OVERDUE: MESSAGE,
    Kind.FAMILY_DATE: FROM_FAMILY,
    Kind.INBOUND_SMS: FROM_FAMILY,
    Kind.CHECK_DEADLINE: PASSED_OWED,
    Kind.DATES_TO_CHECK: ODD_DATES,
}


@dataclass
class Item:
    """One thing to do. `cause` identifies it (two rows with one cause are one item); a task
    with `joins` folds into the item whose `cause` or `also` is that key, when there is one."""

    group: int
    order: tuple
    cause: tuple
    case_id: int | None
    reference: str
    what: str  # which sentence (see say())
    day: date | None = None
    label: str = ""
    owner: str = ""
    detail: str = ""
    also: tuple | None = None
    joins: tuple | None = None
    task_ids: list[int] = field(default_factory=list)
    message_id: int | None = None
    retry: bool = False  # only a message whose time has come can be retried
    confirm: tuple | None = None  # ("reported" | "key_date", id): the date "Confirm" accepts
    take_on: bool = False  # nobody looks after the case: "Take on the case"
    family: str = ""
    before: str = ""
    after: str = ""
    when: str = ""

    @property
    def sentence(self) -> str:
        return f"{self.before}{self.who}{self.after}"

    @property
    def who(self) -> str:
        if not self.case_id:
            return ""
        return f"{self.family} ({self.reference})" if self.family else self.reference


def ranked(items: list[Item]) -> list[Item]:
    """Most urgent first, each cause once: identical tasks merge, and a task that repeats what a
    deadline or a message already says folds into that item (its task is closed with it)."""
    items = sorted(items, key=lambda i: (i.group, i.order, i.cause))
    by_key: dict[tuple, Item] = {}
    out: list[Item] = []
    for item in items:
        if item.joins is None:
            # Two rows of one cause (a given date twice): the first, most urgent, stays.
            if item.cause in by_key:
                by_key[item.cause].task_ids.extend(item.task_ids)
                continue
            item = replace(item, task_ids=list(item.task_ids))
            by_key[item.cause] = item
            if item.also is not None:
                by_key.setdefault(item.also, item)
            out.append(item)
    for item in items:
        if item.joins is None:
            continue
        target = by_key.get(item.joins) or by_key.get(item.cause)
        if target is not None:
            target.task_ids.extend(i for i in item.task_ids if i not in target.task_ids)
            continue
        item = replace(item, task_ids=list(item.task_ids))
        by_key[item.cause] = item
        out.append(item)
    return sorted(out, key=lambda i: (i.group, i.order, i.cause))


def _passed(today: date, day: date) -> str:
    """ "passed 3 working days ago", or "passed, with no working day since"."""
    ago = -working_days.working_days_until(today, day)
    if ago == 0:
        return "passed, with no working day since,"
    return f"passed {words.counted(ago, 'working day')} ago"


def _passed_when(today: date, day: date) -> str:
    return words.working_days_words(working_days.working_days_until(today, day), passed=True)


def say(item: Item, today: date) -> Item:
    """Fill the item's words: what happened and what to do, around the linked family."""
    d = item.day
    label = item.label[:1].lower() + item.label[1:] if item.label else ""
    if item.what == "passed_family":
        recent = today - d <= STILL_ACTIONABLE
        item.before = "Phone "
        item.after = (
            f": {label}, due {rules.long_date(d)}, {_passed(today, d)} "
            "and nothing shows it was done. "
            + (
                "Ask what was done and record it on the case."
                if recent
                else "It is more than 8 weeks ago: check what can still be asked for."
            )
        )
        item.when = _passed_when(today, d)
    elif item.what == "passed_task":
        item.before = "Phone "
        item.after = ": a date the family owed has passed (see the task). Record what was done."
    elif item.what == "due_soon":
        left = working_days.working_days_until(today, d)
        item.before = "Check with "
        item.after = (
            f": {label}, to be done by {rules.long_date(d)} "
            f"({words.counted(left, 'working day')} left) and nothing shows it has been done yet."
        )
        item.when = f"Due {rules.long_date(d)}"
    elif item.what == "message_failed":
        item.before = f"A {label} to "
        item.after = (
            f" could not be delivered ({item.detail or 'no reason recorded'}). "
            "Check the number or address on the case" + (", then retry." if item.retry else ".")
        )
        item.when = "Failed"
    elif item.what == "message_unknown":
        item.before = f"Nobody knows yet whether a {label} to "
        item.after = (
            " arrived. Retry asks the provider first and sends again only if it has no record."
        )
        item.when = "Not known if delivered"
    elif item.what == "delivery_task":
        item.before = "A message to "
        item.after = " could not be delivered: check the contact details, then mark this done."
    elif item.what == "overdue_task":
        item.before = "A reminder to "
        item.after = " is late going out: check the outbox, then mark this done."
    elif item.what == "family_date":
        item.before = ""
        item.after = (
            f" told us a date ({rules.long_date(d)}) that waits for confirmation: "
            "confirm or correct it on the case."
            if d
            else " told us a date that waits for confirmation: confirm or correct it on the case."
        )
    elif item.what == "inbound_sms":
        if item.case_id:
            item.before = "Read the text from "
            item.after = ", reply if it needs one, then mark this done."
        else:
            item.before = "A text came from a number on no case: read it, then mark this done."
    elif item.what == "passed_owed":
        owner = words.owner_label(item.owner)
        item.before = "Check with "
        item.after = (
            f": {owner[:1].lower() + owner[1:]} owed the family the {label} by "
            f"{rules.long_date(d)}; it {_passed(today, d)} and nothing shows it came."
        )
        item.when = _passed_when(today, d)
    elif item.what == "check_task":
        item.before = "Check a date someone owed "
        item.after = ": read the task, record what came on the case, then mark this done."
    elif item.what == "odd_dates":
        item.before = "Some dates on "
        item.after = " look odd: check them on the case, then mark this done."
    elif item.what == "unassigned":
        item.before = ""
        item.after = " has no adviser: assign the case or take it on."
        item.when = "No adviser"
    elif item.what == "adviser_left":
        item.before = "The adviser of "
        item.after = " has left: assign the case to another adviser or take it on."
        item.when = "Adviser left"
    if not item.when and d:
        item.when = rules.long_date(d)
    return item


# --- reading -----------------------------------------------------------------------------------


def cases_for(user, *, adviser: str = "") -> tuple:
    """The open cases Today covers, and whether unassigned cases count: an adviser's own; a
    supervisor's everyone's ("" or "all"), one adviser's (an id) or the ones nobody looks after
    ("none": no adviser, or one who has left)."""
    cases = selectors.cases_visible_to(user).filter(status=Case.Status.OPEN)
    if not selectors.sees_all_cases(user):
        return cases.filter(adviser=user), False
    if adviser == "none":
        left = get_user_model().objects.filter(is_active=False).values("pk")
        return cases.filter(Q(adviser__isnull=True) | Q(adviser__in=left)), True
    if adviser.isdigit():
        return cases.filter(adviser_id=int(adviser)), False
    return cases, True


DEADLINE_FIELDS = (
    "id",
    "kind",
    "due",
    "owner",
    "act_by",
    "done_by",
    "done_on",
    "status",
    "override_date",
    "case__id",
    "case__reference",
)


def deadline_item(d: Deadline, today: date, soon: date) -> Item | None:
    """A deadline as an item: passed (the family's, or owed to them) or due soon; else None."""
    state = d.state(today)
    if state == rules.State.DONE:
        return None
    base = {
        "case_id": d.case_id,
        "reference": d.case.reference,
        "label": words.deadline_label(d.kind),
        "owner": d.owner,
    }
    due = d.effective_due
    if d.owner == rules.Owner.PARENT and state == rules.State.PASSED:
        older = today - due > STILL_ACTIONABLE
        return Item(
            group=PASSED_FAMILY,
            order=(int(older), -due.toordinal()),
            cause=("deadline", d.id),
            also=("passed", d.case_id),
            what="passed_family",
            day=due,
            **base,
        )
    if d.owner == rules.Owner.PARENT and d.effective_act_by <= soon:
        act_by = d.effective_act_by
        return Item(
            group=DUE_SOON,
            order=(act_by.toordinal(),),
            cause=("deadline", d.id),
            what="due_soon",
            day=act_by,
            **base,
        )
    if d.owner != rules.Owner.PARENT and state == rules.State.PASSED:
        return Item(
            group=PASSED_OWED,
            order=(due.toordinal(),),
            cause=("deadline", d.id),
            also=("owed", d.case_id),
            what="passed_owed",
            day=due,
            **base,
        )
    return None


def _deadline_items(cases, today: date, soon: date) -> list[Item]:
    undone = ~Q(status__in=[Deadline.Status.MET, Deadline.Status.WAIVED])
    near = (
        Q(status=Deadline.Status.MISSED)
        | Q(due__lte=soon)
        | Q(override_date__lte=soon)
        | Q(act_by__lte=soon)
    )
    rows = (
        Deadline.objects.filter(undone, near, case__in=cases.values("pk"))
        .select_related("case")
        .only(*DEADLINE_FIELDS)
        .order_by()
    )
    # A date from a letter settles what it covers (GivenDate.COVERS): the deadline it covers
    # is not owed twice.
    covered = {
        (case_id, GivenDate.COVERS[kind])
        for case_id, kind in GivenDate.objects.filter(
            case__in=cases.values("pk"), kind__in=list(GivenDate.COVERS)
        ).values_list("case_id", "kind")
    }
    items = []
    for d in rows:
        item = deadline_item(d, today, soon)
        if item is None or (item.group == PASSED_OWED and (d.case_id, d.kind) in covered):
            continue
        items.append(item)
    return items


def given_item(g: GivenDate) -> Item:
    """A date someone owed the family, from a letter, that passed with nothing to show it came."""
    return Item(
        group=PASSED_OWED,
        order=(g.value.toordinal(),),
        cause=("given", g.id),
        also=("owed", g.case_id),
        case_id=g.case_id,
        reference=g.case.reference,
        what="passed_owed",
        day=g.value,
        label=g.title,
        owner=g.owner,
    )


def _given_items(cases, today: date) -> list[Item]:
    rows = (
        GivenDate.objects.filter(case__in=cases.values("pk"), value__lt=today)
        .exclude(owner__in=[rules.Owner.PARENT, ""])
        .exclude(kind__in=GivenDate.MEETINGS)
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=today))
        .select_related("case")
        .order_by()
    )
    return [given_item(g) for g in rows]


def message_item(m: OutboundMessage, now) -> Item:
    failed = m.status == OutboundMessage.Status.FAILED
    return Item(
        group=MESSAGE,
        order=(0 if failed else 1, m.send_at.timestamp()),
        cause=("message", m.id),
        case_id=m.case_id,
        reference=m.case.reference,
        what="message_failed" if failed else "message_unknown",
        day=timezone.localdate(m.send_at),
        label="text" if m.channel == "sms" else "email",
        detail=redact(m.last_error)[:90] if m.last_error else "",
        message_id=m.id,
        retry=m.send_at <= now,
    )


MESSAGE_FIELDS = (
    "id",
    "status",
    "channel",
    "kind",
    "send_at",
    "last_error",
    "case__id",
    "case__reference",
)


def _message_items(cases, now) -> list[Item]:
    rows = (
        OutboundMessage.objects.filter(
            status__in=[OutboundMessage.Status.FAILED, OutboundMessage.Status.UNKNOWN],
            combined_into__isnull=True,
            case__in=cases.values("pk"),
        )
        .select_related("case")
        .only(*MESSAGE_FIELDS)
        .order_by()
    )
    return [message_item(m, now) for m in rows]


TASK_WHAT = {
    Kind.DEADLINE_PASSED: "passed_task",
    Kind.DELIVERY_FAILED: "delivery_task",
    Kind.OVERDUE: "overdue_task",
    Kind.FAMILY_DATE: "family_date",
    Kind.INBOUND_SMS: "inbound_sms",
    Kind.CHECK_DEADLINE: "check_task",
    Kind.DATES_TO_CHECK: "odd_dates",
}


def task_item(*, task_id, kind, case_id, reference, text, created, message_id, lead_id) -> Item:
    """An open task as an item: what it joins (the deadline or message it repeats) and its own
    cause (kind, case, text), so identical tasks are one."""
    joins = None
    if kind == Kind.DEADLINE_PASSED:
        joins = ("passed", case_id)
    elif kind == Kind.CHECK_DEADLINE:
        joins = ("owed", case_id)
    elif kind == Kind.DELIVERY_FAILED and message_id:
        joins = ("message", lead_id or message_id)
    elif kind == Kind.FAMILY_DATE:
        joins = ("family_date", case_id)
    return Item(
        group=TASK_GROUPS.get(kind, ODD_DATES),
        order=(created.timestamp(),),
        cause=("task", kind, case_id, text.strip()) if case_id else ("task", task_id),
        joins=joins,
        case_id=case_id,
        reference=reference,
        what=TASK_WHAT.get(kind, "odd_dates"),
        task_ids=[task_id],
    )


def _task_items(cases, *, no_case: bool) -> list[Item]:
    where = Q(case__in=cases.values("pk"))
    if no_case:
        where |= Q(case__isnull=True)
    rows = (
        AdviserTask.objects.filter(where, done_at__isnull=True)
        .order_by()
        .values_list(
            "id",
            "kind",
            "case_id",
            "case__reference",
            "text",
            "created_at",
            "message_id",
            "message__combined_into_id",
        )  # fmt: skip
    )
    return [
        task_item(
            task_id=i,
            kind=k,
            case_id=c,
            reference=r or "",
            text=t,
            created=at,
            message_id=m,
            lead_id=lead,
        )
        for i, k, c, r, t, at, m, lead in rows
    ]


def _family_date_items(cases) -> list[Item]:
    rows = (
        FamilyReportedDate.objects.filter(
            status=FamilyReportedDate.Status.WAITING, case__in=cases.values("pk")
        )
        .order_by()
        .values_list("case_id", "case__reference", "value", "reported_at")
    )
    return _waiting_dates(rows)


def _unconfirmed_items(cases) -> list[Item]:
    """Key dates the family gave that an adviser has not confirmed (the index's "family dates
    waiting" counts these too)."""
    rows = (
        KeyDate.objects.filter(confirmed=False, case__in=cases.values("pk"))
        .order_by()
        .values_list("case_id", "case__reference", "value", "recorded_at")
    )
    return _waiting_dates(rows)


def _waiting_dates(rows) -> list[Item]:
    """A date from the family waiting for an adviser, one item a case (the same cause)."""
    return [
        Item(
            group=FROM_FAMILY,
            order=(at.timestamp(),),
            cause=("family_date", case_id),
            case_id=case_id,
            reference=reference,
            what="family_date",
            day=value,
        )
        for case_id, reference, value, at in rows
    ]


def unassigned_item(case_id: int, reference: str, *, left: bool) -> Item:
    """A case nobody looks after: no adviser, or one who has left (is_active off)."""
    return Item(
        group=UNASSIGNED,
        order=(reference,),
        cause=("left" if left else "unassigned", case_id),
        case_id=case_id,
        reference=reference,
        what="adviser_left" if left else "unassigned",
        take_on=True,
    )


def _unassigned_items(cases) -> list[Item]:
    rows = (
        cases.filter(Q(adviser__isnull=True) | Q(adviser__is_active=False))
        .order_by()
        .values_list("id", "reference", "adviser_id")
    )
    return [unassigned_item(i, r, left=a is not None) for i, r, a in rows]


def today_items(user, *, today: date, now=None, adviser: str = "") -> list[Item]:
    """Every item for `user` (see cases_for), ranked, without words. The reference for
    today_paging, which reads a page in SQL: the tests hold the two to the same list."""
    cases, with_unassigned = cases_for(user, adviser=adviser)
    soon, _ = working_days.add_working_days(today, SOON_WORKING_DAYS)
    items = [
        *_deadline_items(cases, today, soon),
        *_given_items(cases, today),
        *_message_items(cases, now or timezone.now()),
        *_task_items(cases, no_case=with_unassigned and adviser != "none"),
        *_family_date_items(cases),
        *_unconfirmed_items(cases),
    ]
    if with_unassigned:
        items += _unassigned_items(cases)
    return ranked(items)


def family_names(case_ids) -> dict[int, str]:
    """The first parent's (else any contact's) name of each case: one query for a page."""
    names: dict[int, str] = {}
    rows = (
        Contact.objects.filter(case_id__in=list(case_ids))
        .order_by("case_id", "id")
        .values_list("case_id", "name", "role")
    )
    parents: set[int] = set()
    for case_id, name, role in rows:
        if case_id in parents:
            continue
        if role == Contact.Role.PARENT:
            names[case_id] = name
            parents.add(case_id)
        else:
            names.setdefault(case_id, name)
    return names


def worded(page_items: list[Item], today: date) -> list[Item]:
    """The page's items with the family's names and their words."""
    names = family_names({i.case_id for i in page_items if i.case_id})
    return [say(replace(i, family=names.get(i.case_id, "")), today) for i in page_items]
