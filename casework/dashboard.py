"""The adviser's day on the admin's index page, and the sending pipeline's health.

It composes the apps, so it lives in casework, on top (STYLE.md 1).
Counts come from a fixed handful of grouped queries, however many advisers and cases there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from notifications.models import Channel, OutboundMessage
from sendflow.privacy import redact
from workflows import selectors, working_days
from workflows.models import AdviserTask, Case

Status = OutboundMessage.Status
PROBLEMS = [Status.FAILED, Status.UNKNOWN]
DISPATCH_TASK = "notifications.tasks.messages_dispatch_task"

ITEMS = [
    ("passed", "Cases with a passed family deadline"),
    ("due_soon", "Cases due in the next 5 working days"),
    ("problem_messages", "Failed or unknown messages"),
    ("open_tasks", "Open tasks"),
    ("family_dates", "Cases with a date the family told us, waiting"),
]


# Column heads of the supervisor's table, where the full labels would not fit.
SHORT_LABELS = ["Passed", "Due in 5 days", "Failed messages", "Open tasks", "Family dates"]


@dataclass
class Count_:
    key: str
    label: str
    count: int
    url: str


@dataclass
class AdviserRow:
    name: str
    counts: list[Count_] = field(default_factory=list)


def _grouped(queryset, key: str) -> dict[int | None, int]:
    return {row[key]: row["n"] for row in queryset.order_by().values(key).annotate(n=Count("pk"))}


def counts_by_adviser(today: date) -> dict[str, dict[int | None, int]]:
    """Each count of ITEMS per adviser id (None: unassigned), over open cases."""
    soon, _ = working_days.add_working_days(today, 5)
    # The case counts in one pass over the open cases (a region's hundred thousand), not three.
    on_cases = {
        "passed": selectors.passed_family(today),
        "due_soon": Q(next_act_by__gte=today, next_act_by__lte=soon),
        "family_dates": selectors.family_dates_waiting(),
    }
    per_adviser = list(
        Case.objects.filter(status=Case.Status.OPEN)
        .order_by()
        .values("adviser")
        .annotate(**{key: Count("pk", filter=where) for key, where in on_cases.items()})
    )
    counts = {key: {r["adviser"]: r[key] for r in per_adviser if r[key]} for key in on_cases}
    counts["problem_messages"] = _grouped(
        OutboundMessage.objects.filter(status__in=PROBLEMS), "case__adviser"
    )
    counts["open_tasks"] = _grouped(
        AdviserTask.objects.filter(done_at__isnull=True), "case__adviser"
    )
    return counts


def _url(key: str, adviser_id: int | None, *, own: bool) -> str:
    who = {"cases": "mine"} if own else {"cases": "all"}
    if not own:
        who["adviser__isnull" if adviser_id is None else "adviser__id__exact"] = (
            "True" if adviser_id is None else adviser_id
        )
    case_list = reverse("admin:workflows_case_changelist")
    if key in ("passed", "due_soon", "family_dates"):
        urgency = {"passed": "passed", "due_soon": "due_5wd", "family_dates": "family_dates"}[key]
        return f"{case_list}?{urlencode({**who, 'urgency': urgency})}"
    adviser = "none" if adviser_id is None else adviser_id
    if key == "problem_messages":
        outbox = reverse("admin:notifications_outboundmessage_changelist")
        return f"{outbox}?{urlencode({'status__in': 'failed,unknown', 'adviser': adviser})}"
    tasks = reverse("admin:workflows_advisertask_changelist")
    return f"{tasks}?{urlencode({'state': 'open', 'adviser': adviser})}"


def _row(counts, adviser_id: int | None, *, own: bool) -> list[Count_]:
    return [
        Count_(key, label, counts[key].get(adviser_id, 0), _url(key, adviser_id, own=own))
        for key, label in ITEMS
    ]


@dataclass
class Pipeline:
    oldest_due: datetime | None
    queued: int
    sending: int
    failures: list[tuple[str, int]]
    beat_last_run: datetime | None


def pipeline_health(now: datetime) -> Pipeline:
    from django_celery_beat.models import PeriodicTask

    oldest = (
        OutboundMessage.objects.filter(status__in=[Status.PENDING, Status.QUEUED], send_at__lte=now)
        .order_by("send_at")
        .values_list("send_at", flat=True)
        .first()
    )
    in_flight = _grouped(
        OutboundMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING]), "status"
    )
    failures: dict[str, int] = {}
    recent = (
        OutboundMessage.objects.filter(status=Status.FAILED, updated_at__gte=now - timedelta(1))
        .order_by()
        .values("channel", "last_error")
        .annotate(n=Count("pk"))
    )
    for row in recent:
        # The provider's words, masked: an error can quote the address it refused.
        cause = redact(row["last_error"] or "no reason recorded")[:90]
        key = f"{Channel(row['channel']).label}: {cause}"
        failures[key] = failures.get(key, 0) + row["n"]
    beat = (
        PeriodicTask.objects.filter(task=DISPATCH_TASK)
        .exclude(last_run_at__isnull=True)
        .order_by("-last_run_at")
        .values_list("last_run_at", flat=True)
        .first()
    )
    return Pipeline(
        oldest_due=oldest,
        queued=in_flight.get(Status.QUEUED, 0),
        sending=in_flight.get(Status.SENDING, 0),
        failures=sorted(failures.items(), key=lambda item: -item[1]),
        beat_last_run=beat,
    )


def dashboard(user, *, today: date, now: datetime) -> dict:
    """The index page's context: the user's own counts; a supervisor's adds each adviser's
    and the pipeline."""
    counts = counts_by_adviser(today)
    context: dict = {"dashboard_mine": _row(counts, user.pk, own=True)}
    if selectors.sees_all_cases(user):
        ids = set().union(*(c.keys() for c in counts.values()))
        names = dict(
            get_user_model()
            .objects.filter(Q(pk__in=[i for i in ids if i]) | Q(is_staff=True, is_active=True))
            .values_list("pk", "username")
        )
        rows = [
            AdviserRow(names[pk], _row(counts, pk, own=False))
            for pk in sorted(names, key=lambda pk: names[pk].lower())
        ]
        if None in ids:
            rows.append(AdviserRow("Unassigned", _row(counts, None, own=False)))
        context["dashboard_advisers"] = rows
        context["dashboard_labels"] = SHORT_LABELS
        context["pipeline"] = pipeline_health(now)
        context.update(_notify(today=today, now=now))
    return context


def _notify(*, today: date, now: datetime) -> dict:
    """GOV.UK Notify's key alarm and free text allowance, where Notify sends."""
    from notifications import notify_usage

    used = notify_usage.channels()
    if not used:
        return {}
    context = {"notify_key_refused": notify_usage.key_refused(now=now)}
    if "sms" in used:
        context["notify_allowance"] = notify_usage.allowance(today=today)
    return context
