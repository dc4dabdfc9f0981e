"""The report's figures for a period and a scope: counts only, each with its one-line definition.

Every figure reads only what erasure and the retention purge keep (casework.case_records.case_erase
blanks names, addresses, texts and notes but keeps each case row with its dates, adviser and
council, its routes, deadlines, contacts' roles, the outbox rows' channel, status, times and
segments, the tasks' kinds and times, and the audit events): so erasing a family does not
rewrite a past period's figures.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case as Case_
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from governance.models import AuditEvent
from notifications import notify_usage
from notifications.models import OutboundMessage
from reports.periods import Period, last_months, next_month, publishable
from workflows import words
from workflows.models import (
    AdviserTask,
    Case,
    CaseClosing,
    Contact,
    Deadline,
    FamilyReportedDate,
    GivenDate,
    Route,
)

LONDON = ZoneInfo("Europe/London")
PARENT = "parent"
Status = OutboundMessage.Status

# One line each, under the figure on the page and beside it in the text output.
DEFINITIONS = {
    "scope": "One adviser's or one council's figures follow each case's adviser and council "
    "as they are now, not as they were at the time.",
    "cases.opened": "Cases created in the period (the day the case was added, London time).",
    "cases.closed": "Cases closed in the period (once each, even if closed, reopened and closed "
    "again); a case reopened since still counts.",
    "cases.open_at_end": "Cases created by the period's last day and not closed at its end (a "
    "case closed and reopened by then counts as open).",
    "cases.by_route": "Cases opened in the period, by each route they take (a case may take "
    "several, so these can add up to more than the cases opened).",
    "cases.by_council": "Cases opened in the period, by council (the council record, else the "
    "council as written; blank: not recorded).",
    "cases.who": "Cases opened in the period: with a young person (16 to 25) as a contact, with "
    "only parents or carers, or with no contact recorded.",
    "family_deadlines": "The families' own deadlines whose date (an adviser's override, else the "
    "computed date) falls in the period, by kind.",
    "family_deadlines.done_on_time": "Done on or before the date (by the event that completes "
    "it, or marked met or waived by the adviser).",
    "family_deadlines.done_late": "Done, by the event that completes it, after the date.",
    "family_deadlines.passed_undone": "Nothing recorded to show it done, and the date has "
    "passed (or the adviser marked it missed).",
    "family_deadlines.open": "Nothing recorded yet, and the date has not passed.",
    "late_appeals": "Appeals due in the period and sent to the Tribunal after their date.",
    "owed_dates": "Dates others owe the family (the council, the mediation adviser, the school, "
    "the Tribunal) falling in the period, by kind: computed deadlines, and dates from a letter "
    "(not meetings) whose done date says whether it came; a letter's date replaces the "
    "deadline it covers.",
    "owed_dates.on_time": "What was owed is recorded as coming on or before the date (for a "
    "date from a letter: its done date).",
    "owed_dates.late": "What was owed is recorded as coming after the date.",
    "owed_dates.passed_unrecorded": "The date has passed and nothing is recorded as coming.",
    "owed_dates.open": "Not come yet, and the date has not passed.",
    "owed_dates_by_council": "The same dates owed, by the council of the case.",
    "messages.sent": "Sends the provider took, due to go in the period: a combined message once, "
    "a message retried then sent once.",
    "messages.delivered": "Of those, the provider reported delivered.",
    "messages.failed": "Sends that failed for good (refused, or reported undelivered).",
    "messages.unknown": "Sends whose outcome the provider has not told us yet.",
    "messages.segments": "SMS segments of the texts sent (what the provider charges for).",
    "messages.cost_pounds": "Estimated cost of the texts: segments x SENDFLOW_SMS_SEGMENT_PENCE.",
    "messages.notify_allowance": "Text fragments sent through GOV.UK Notify from 1 April (when "
    "its free allowance resets) to the period's last day, against NOTIFY_FREE_TEXT_FRAGMENTS; "
    "a warning from 80% used. Whole service only, when texts go through Notify.",
    "opt_outs": "Stops recorded in the period, per case: a STOP reply (texts), or an opt-out on "
    "the family's page or by the email's unsubscribe (by the channel stopped).",
    "replies": "Texts from families in the period that became a task for the adviser (a STOP "
    "included), one per case with that number.",
    "work.tasks_raised": "Tasks for the advisers created in the period.",
    "work.tasks_closed": "Tasks marked done in the period.",
    "work.urgent_closed": "Urgent tasks (a family deadline passed) marked done in the period.",
    "work.urgent_hours_median": "How long those urgent tasks stayed open, in hours: median.",
    "work.urgent_hours_p90": "How long those urgent tasks stayed open, in hours: 90th percentile.",
    "work.family_dates_told": "Dates the family told us on their page that would replace an "
    "adviser's date, in the period.",
    "work.family_dates_decided": "Of those, accepted or set aside by an adviser.",
    "work.family_dates_hours_median": "Hours those waited for the adviser's decision: median.",
    "monthly.opened": "Cases opened in each calendar month.",
    "monthly.deadlines_passed": "The families' own deadlines in each month passed with nothing "
    "done.",
}


@dataclass(frozen=True)
class Scope:
    """Whose cases: the whole service, one adviser (by login), one council (by name)."""

    adviser: str = ""
    council: str = ""

    def cases(self) -> QuerySet:
        cases = Case.objects.all()
        if self.adviser:
            cases = cases.filter(adviser__username=self.adviser)
        if self.council:
            cases = cases.filter(
                Q(council__name__iexact=self.council)
                | Q(council__isnull=True, local_authority__iexact=self.council)
            )
        return cases

    @property
    def whole_service(self) -> bool:
        return not (self.adviser or self.council)

    def rows(self, queryset: QuerySet, field: str = "case") -> QuerySet:
        """Rows hanging off a case, narrowed to the scope's cases (none without a case then)."""
        if self.whole_service:
            return queryset
        return queryset.filter(**{f"{field}__in": self.cases().values("pk")})


def instant(day: date) -> datetime:
    """London midnight at the start of `day`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def report(*, period: Period, scope: Scope, today: date) -> dict:
    """Every figure for the period and scope as plain data (the JSON of `manage.py report`)."""
    start, end = instant(period.start), instant(period.end + timedelta(days=1))
    months = last_months(period.end, 12)
    cases, opened_by_month = case_counts(scope, start=start, end=end, months=months)
    family, owed, owed_by_council, passed_by_month = deadline_counts(
        period=period, scope=scope, today=today, months=months
    )
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "cases": cases,
        "family_deadlines": family,
        "late_appeals": family.get("appeal", {}).get("done_late", 0),
        "owed_dates": owed,
        "owed_dates_by_council": owed_by_council,
        "messages": {
            **message_counts(scope, start=start, end=end),
            **notify_allowance(period=period, scope=scope),
        },
        "opt_outs": opt_out_counts(scope, start=start, end=end),
        "replies": scope.rows(
            AdviserTask.objects.filter(
                kind=AdviserTask.Kind.INBOUND_SMS, created_at__gte=start, created_at__lt=end
            )
        ).count(),
        "work": work_counts(scope, start=start, end=end),
        "monthly": [
            {"month": first.strftime("%Y-%m"), "opened": opened, "deadlines_passed": passed}
            for first, opened, passed in zip(months, opened_by_month, passed_by_month, strict=True)
        ],
    }


# --- cases ---------------------------------------------------------------------------------------


def case_counts(
    scope: Scope, *, start: datetime, end: datetime, months: list[date]
) -> tuple[dict, list[int]]:
    """The period's case figures, and the cases opened in each of `months` (one scan of the
    cases, one of their closings)."""
    cases = scope.cases()
    opened_q = Q(created_at__gte=start, created_at__lt=end)
    by_month = {
        f"m{i}": Count(
            "pk",
            filter=Q(created_at__gte=instant(first), created_at__lt=instant(next_month(first))),
        )
        for i, first in enumerate(months)
    }
    totals = cases.aggregate(
        opened=Count("pk", filter=opened_q),
        created_by_end=Count("pk", filter=Q(created_at__lt=end)),
        **by_month,
    )
    opened_by_month = [totals.pop(f"m{i}") for i in range(len(months))]
    # Closings, not Case.closed_at (cleared on reopening): a case closed twice in the period
    # counts once; a case's closed spans never overlap, so one holds the period's end at most.
    closings = scope.rows(CaseClosing.objects.all()).aggregate(
        closed=Count("case", distinct=True, filter=Q(closed_at__gte=start, closed_at__lt=end)),
        closed_at_end=Count(
            "case",
            distinct=True,
            filter=Q(closed_at__lt=end) & (Q(reopened_at__isnull=True) | Q(reopened_at__gte=end)),
        ),
    )
    totals = {
        "opened": totals["opened"],
        "closed": closings["closed"],
        "open_at_end": totals.pop("created_by_end") - closings["closed_at_end"],
    }
    opened = cases.filter(opened_q)
    by_route = dict(
        Route.objects.filter(case__in=opened.values("pk"))
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    )
    by_council: dict[str, int] = {}
    for name, written, n in (
        opened.values_list("council__name", "local_authority").annotate(n=Count("pk")).order_by()
    ):
        key = (name or written or "").strip() or "not recorded"
        by_council[key] = by_council.get(key, 0) + n
    roles = Contact.objects.filter(case__in=opened.values("pk")).aggregate(
        young=Count("case_id", distinct=True, filter=Q(role=Contact.Role.YOUNG_PERSON)),
        any_contact=Count("case_id", distinct=True),
    )
    young, any_contact = roles["young"], roles["any_contact"]
    figures = {
        **totals,
        "by_route": by_route,
        "by_council": dict(sorted(by_council.items())),
        "who": {
            "young_people": young,
            "parents_and_carers": any_contact - young,
            "not_recorded": totals["opened"] - any_contact,
        },
    }
    return figures, opened_by_month


# --- deadlines -----------------------------------------------------------------------------------


def _deadline_states(today: date) -> dict[str, Q]:
    """Filters on a Deadline annotated with `effective` (override, else computed date).

    Done: the completing event is dated on or before today (a future-dated one completes
    nothing yet), or the adviser marked it met or waived; late: that event came after the date;
    a deadline done on its last day is on time."""
    done_event = Q(done_on__isnull=False, done_on__lte=today)
    done = done_event | Q(status__in=[Deadline.Status.MET, Deadline.Status.WAIVED])
    late = done_event & Q(done_on__gt=F("effective"))
    undone = ~done
    passed = undone & (Q(effective__lt=today) | Q(status=Deadline.Status.MISSED))
    return {
        "on_time": done & ~late,
        "late": late,
        "passed": passed,
        "open": undone & Q(effective__gte=today) & ~Q(status=Deadline.Status.MISSED),
    }


def _deadlines(period: Period, scope: Scope) -> QuerySet:
    return scope.rows(
        Deadline.objects.annotate(effective=Coalesce("override_date", "due")).filter(
            effective__gte=period.start, effective__lte=period.end
        )
    )


FAMILY_COLUMNS = {
    "due": "due",
    "on_time": "done_on_time",
    "late": "done_late",
    "passed": "passed_undone",
    "open": "open",
}
OWED_COLUMNS = {
    "due": "due",
    "on_time": "on_time",
    "late": "late",
    "passed": "passed_unrecorded",
    "open": "open",
}


def deadline_counts(
    *, period: Period, scope: Scope, today: date, months: list[date]
) -> tuple[dict, dict, dict, list[int]]:
    """The families' own deadlines by kind, dates owed by kind and by council, and the family
    deadlines passed undone in each of `months`.

    One scan of the deadlines over the period and the chart's months, grouped by kind and
    month (each row's state tested once, not once a month), and one over the period's dates
    owed for their councils (the only part that needs the case)."""
    states = _deadline_states(today)
    span = Period(min(period.start, months[0]), max(period.end, next_month(months[-1])))
    inside = Q(effective__gte=period.start, effective__lte=period.end)
    # Count("kind") (never null), not the id: the index deadline_for_reports covers it.
    rows = (
        _deadlines(span, scope)
        .annotate(
            family=Case_(When(owner=PARENT, then=Value(True)), default=Value(False)),
            month=TruncMonth("effective"),
        )
        .values("family", "kind", "month")
        .annotate(
            due=Count("kind", filter=inside),
            on_time=Count("kind", filter=inside & states["on_time"]),
            late=Count("kind", filter=inside & states["late"]),
            passed=Count("kind", filter=inside & states["passed"]),
            open=Count("kind", filter=inside & states["open"]),
            passed_any_day=Count("kind", filter=states["passed"]),
        )
        .order_by()
    )
    family: dict[str, dict] = {}
    owed: dict[str, dict] = {}
    passed_in: dict[date, int] = {}

    def add(table: dict, key: str, names: dict, row: dict) -> None:
        counts = table.setdefault(key, dict.fromkeys(names.values(), 0))
        for state, name in names.items():
            counts[name] += row[state]

    for row in rows:
        if row["family"]:
            month = _as_date(row["month"])
            passed_in[month] = passed_in.get(month, 0) + row["passed_any_day"]
        if not row["due"]:
            continue  # in the chart's months only
        if row["family"]:
            add(family, row["kind"], FAMILY_COLUMNS, row)
        else:
            add(owed, row["kind"], OWED_COLUMNS, row)
    by_council: dict[str, dict] = {}
    for row in (
        _deadlines(period, scope)
        .exclude(owner=PARENT)
        .annotate(council=Coalesce("case__council__name", "case__local_authority"))
        .values("council")
        .annotate(
            due=Count("kind"),
            on_time=Count("kind", filter=states["on_time"]),
            late=Count("kind", filter=states["late"]),
            passed=Count("kind", filter=states["passed"]),
            open=Count("kind", filter=states["open"]),
        )
        .order_by()
    ):
        # "Exampleshire" as a record and as written are one council.
        add(by_council, (row["council"] or "").strip() or "not recorded", OWED_COLUMNS, row)
    _add_given_dates_owed(period=period, scope=scope, today=today, owed=owed, by_council=by_council)
    return (
        dict(sorted(family.items())),
        dict(sorted(owed.items())),
        dict(sorted(by_council.items())),
        [passed_in.get(first, 0) for first in months],
    )


def _given_states(today: date) -> dict[str, Q]:
    """A date from a letter: done when its done_on is recorded (and not after today), late when
    that is after the date; no adviser markings."""
    done = Q(done_on__isnull=False, done_on__lte=today)
    late = done & Q(done_on__gt=F("value"))
    return {
        "on_time": done & ~late,
        "late": late,
        "passed": ~done & Q(value__lt=today),
        "open": ~done & Q(value__gte=today),
    }


def _add_given_dates_owed(
    *, period: Period, scope: Scope, today: date, owed: dict, by_council: dict
) -> None:
    """Add the dates from letters that others owe (not the family's, not meetings) to the dates
    owed, by kind ("given:la_response") and by council; a computed deadline that such a date
    covers (GivenDate.COVERS) is taken out, as everywhere else the letter's date wins over it."""
    states = _given_states(today)
    council = Coalesce("case__council__name", "case__local_authority")

    def counts(rows: QuerySet, key: str, state_of: dict[str, Q]) -> list[dict]:
        return list(
            rows.annotate(council=council)
            .values(key)
            .annotate(
                due=Count("kind"), **{name: Count("kind", filter=q) for name, q in state_of.items()}
            )
            .order_by()
        )

    def add(table: dict, key: str, row: dict, sign: int = 1) -> None:
        counts_ = table.setdefault(key, dict.fromkeys(OWED_COLUMNS.values(), 0))
        for state, name in OWED_COLUMNS.items():
            counts_[name] += sign * row[state]
        if not counts_["due"]:
            del table[key]

    given = scope.rows(
        GivenDate.objects.filter(value__gte=period.start, value__lte=period.end)
        .exclude(owner__in=[PARENT, ""])
        .exclude(kind__in=GivenDate.MEETINGS)
    )
    for row in counts(given, "kind", states):
        add(owed, f"{words.GIVEN_PREFIX}{row['kind']}", row)
    for row in counts(given, "council", states):
        add(by_council, (row["council"] or "").strip() or "not recorded", row)
    for given_kind, deadline_kind in GivenDate.COVERS.items():
        covered = (
            _deadlines(period, scope)
            .exclude(owner=PARENT)
            .filter(
                kind=deadline_kind,
                case__in=GivenDate.objects.filter(kind=given_kind).values("case"),
            )
        )
        for row in counts(covered, "kind", _deadline_states(today)):
            add(owed, row["kind"], row, sign=-1)
        for row in counts(covered, "council", _deadline_states(today)):
            add(by_council, (row["council"] or "").strip() or "not recorded", row, sign=-1)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # SQLite may hand back text
        return date.fromisoformat(value[:10])
    return value


# --- messages ------------------------------------------------------------------------------------


def message_counts(scope: Scope, *, start: datetime, end: datetime) -> dict:
    """By channel; each send once: a combined message is its lead row (the rows combined into it
    share its send), a retried message is one row whatever its attempts. A send belongs to the
    period its last planned time (`send_at`, moved on by retries) falls in."""
    rows = scope.rows(
        OutboundMessage.objects.filter(
            combined_into__isnull=True, send_at__gte=start, send_at__lt=end
        ).exclude(kind=OutboundMessage.Kind.TEST)
    )
    # Count("channel") (never null), not the id: the index message_for_reports covers it.
    counts = {
        row.pop("channel"): row
        for row in rows.values("channel")
        .annotate(
            sent=Count("channel", filter=Q(sent_at__isnull=False)),
            delivered=Count("channel", filter=Q(status=Status.DELIVERED)),
            failed=Count("channel", filter=Q(status=Status.FAILED)),
            unknown=Count("channel", filter=Q(status=Status.UNKNOWN)),
            segments=Coalesce(Sum("segments", filter=Q(sent_at__isnull=False)), 0),
        )
        .order_by()
    }
    empty = {"sent": 0, "delivered": 0, "failed": 0, "unknown": 0}
    sms = {**empty, "segments": 0, **counts.get("sms", {})}
    sms["cost_pounds"] = round(sms["segments"] * settings.SENDFLOW_SMS_SEGMENT_PENCE / 100, 2)
    email = {**empty, **counts.get("email", {})}
    email.pop("segments", None)
    return {"sms": sms, "email": email}


def notify_allowance(*, period: Period, scope: Scope) -> dict:
    """GOV.UK Notify's free text allowance for the whole service's report when texts go
    through Notify: {"notify_allowance": {...}}, else nothing (the allowance is the service's,
    not an adviser's or a council's)."""
    if not scope.whole_service or "sms" not in notify_usage.channels():
        return {}
    allowance = notify_usage.allowance_to(period.end)
    return {
        "notify_allowance": {
            "from": allowance.since.isoformat(),
            "to": period.end.isoformat(),
            "fragments_used": allowance.used,
            "free_fragments": allowance.free,
            "percent_used": round(100 * allowance.share, 1),
            "warning": allowance.warning,
        }
    }


def opt_out_counts(scope: Scope, *, start: datetime, end: datetime) -> dict:
    events = scope.rows(
        AuditEvent.objects.filter(
            action__in=[AuditEvent.Action.STOP, AuditEvent.Action.OPT_OUT],
            at__gte=start,
            at__lt=end,
        )
    )
    counts = {"sms": 0, "email": 0}
    for action, detail in events.values_list("action", "detail"):
        if action == AuditEvent.Action.STOP:
            counts["sms"] += 1
            continue
        for channel in (detail or {}).get("channels", []):
            if channel in counts:
                counts[channel] += 1
    return counts


# --- the advisers' work --------------------------------------------------------------------------


def _hours(spans: list[timedelta]) -> tuple[float | None, float | None]:
    if not spans:
        return None, None
    hours = sorted(s.total_seconds() / 3600 for s in spans)
    median = statistics.median(hours)
    # Nearest rank: the smallest value with at least 90% of the values at or below it.
    p90 = hours[max(0, -(-9 * len(hours) // 10) - 1)]
    return round(median, 1), round(p90, 1)


def work_counts(scope: Scope, *, start: datetime, end: datetime) -> dict:
    tasks = scope.rows(AdviserTask.objects.all())
    raised = tasks.filter(created_at__gte=start, created_at__lt=end).count()
    closed = tasks.filter(done_at__gte=start, done_at__lt=end)
    urgent = list(
        closed.filter(kind=AdviserTask.Kind.DEADLINE_PASSED).values_list("created_at", "done_at")
    )
    median, p90 = _hours([done - made for made, done in urgent])
    told = scope.rows(
        FamilyReportedDate.objects.filter(reported_at__gte=start, reported_at__lt=end)
    )
    decided = list(told.filter(decided_at__isnull=False).values_list("reported_at", "decided_at"))
    told_median, _ = _hours([done - made for made, done in decided])
    return {
        "tasks_raised": raised,
        "tasks_closed": closed.count(),
        "urgent_closed": len(urgent),
        "urgent_hours_median": median,
        "urgent_hours_p90": p90,
        "family_dates_told": told.count(),
        "family_dates_decided": len(decided),
        "family_dates_hours_median": told_median,
    }


def published(figures: dict) -> dict:
    """The figures fit to publish: every count from 1 to 4 reads "fewer than 5"; the text cost
    goes with its segments (a cost of 4p would give the count away), a median with its count."""
    out = publishable(figures)
    if isinstance(out["messages"]["sms"]["segments"], str):
        out["messages"]["sms"]["cost_pounds"] = None
    # A median of fewer than 5 tasks or dates is about one or two of them: not published.
    work = out["work"]
    if isinstance(work["urgent_closed"], str):
        work["urgent_hours_median"] = work["urgent_hours_p90"] = None
    if isinstance(work["family_dates_decided"], str):
        work["family_dates_hours_median"] = None
    return out
