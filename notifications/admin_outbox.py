"""The outbox list's views and rows (issue 19, part 4): what is still to come and what went
wrong by default, the rest behind the "Show" filter, and a combined send as one row naming the
dates in it. notifications/admin.py declares the list; this module holds its parts."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.html import format_html, format_html_join

from notifications.models import OutboundMessage
from workflows import words

Status = OutboundMessage.Status
PROBLEM_STATUSES = (Status.FAILED, Status.UNKNOWN)
TO_COME = (Status.PENDING, Status.QUEUED, Status.SENDING)
SENT = (Status.SENT, Status.DELIVERED)
NOT_SENT = (Status.CANCELLED, Status.SUPERSEDED, Status.SUPPRESSED)

SHOW = "show"
DEFAULT, ALL = "open", "all"
VIEWS = {
    DEFAULT: "To come and problems",
    "sent": "Sent",
    "not_sent": "Cancelled or not sent",
    ALL: "All",
}


def outbox_view(request) -> str:
    """The list's view: the "Show" choice; with none, the default, unless the adviser chose a
    status (the case list's "2 failed or unknown" link, the status filter): then every row of
    that status, combined or not, as before."""
    chosen = request.GET.get(SHOW)
    if chosen in VIEWS:
        return chosen
    if any(key.startswith("status__") for key in request.GET):
        return ALL
    return DEFAULT


def outbox_ordering(request) -> list:
    """Problems first, then soonest first, in the default view; newest first otherwise.

    The newest-first order is an index (message_by_send_at, or message_status_by_send_at under a
    status filter), read backwards and stopped at the page. The default view's order is not one
    any index holds (problems first is a CASE), and none is needed: its WHERE keeps only the rows
    still to come and the problems, which the planner bounds to its horizon (planner.PLAN_AHEAD)
    and dispatch drains every minute, read through message_status_by_send_at; PostgreSQL then
    keeps the page's rows by a top-N heap sort, without sorting the outbox's sent history (the
    bulk of the table), which the WHERE never reads.
    """
    if outbox_view(request) == DEFAULT:
        problems_first = Case(
            When(status__in=PROBLEM_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [problems_first.asc(), "send_at", "id"]
    return ["-send_at", "-id"]


class ShowFilter(admin.SimpleListFilter):
    """To come and problems (default), sent, cancelled or not sent, or all. The default and
    "Sent" list a combined send once, by its lead (the row that made the send); the rows combined
    into it are named in that row, and listed under "All" and on the lead's page."""

    title = "show"
    parameter_name = SHOW

    def __init__(self, request, params, model, model_admin):
        self.view = outbox_view(request)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(key, label) for key, label in VIEWS.items() if key != DEFAULT]

    def queryset(self, request, queryset):
        view = outbox_view(request)
        if view == DEFAULT:
            return queryset.filter(
                status__in=(*TO_COME, *PROBLEM_STATUSES), combined_into__isnull=True
            )
        if view == "sent":
            return queryset.filter(status__in=SENT, combined_into__isnull=True)
        if view == "not_sent":
            return queryset.filter(status__in=NOT_SENT)
        return queryset

    def choices(self, changelist):
        view = self.view
        yield {
            "selected": view == DEFAULT,
            "query_string": changelist.get_query_string(remove=[SHOW]),
            "display": VIEWS[DEFAULT],
        }
        for key, label in self.lookup_choices:
            yield {
                "selected": view == key,
                "query_string": changelist.get_query_string({SHOW: key}),
                "display": label,
            }


class OutboxChangeList(ChangeList):
    """Reads the items of the page's combined sends in one query, after the page is chosen."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_items(list(self.result_list))


def with_items(rows: list[OutboundMessage]) -> list[OutboundMessage]:
    """Give each lead on the page `items`: the rows combined into it, in date order (one query
    for the page, only when a lead on it has any)."""
    leads = [r.pk for r in rows if not r.combined_into_id and getattr(r, "send_riders", 0)]
    items: dict[int, list[OutboundMessage]] = defaultdict(list)
    if leads:
        riders: QuerySet = (
            OutboundMessage.objects.filter(combined_into_id__in=leads)
            .order_by("due_date", "id")
            .only("id", "combined_into_id", "kind", "deadline_kind", "due_date")
        )
        for rider in riders:
            items[rider.combined_into_id].append(rider)
    for row in rows:
        row.items = items.get(row.pk, [])
    return rows


def item_text(message: OutboundMessage) -> str:
    """One date a message is about: "Appeal to the SEND Tribunal: Mon 23 Mar 2026"; "" for one about
    no single date (a summary, a test)."""
    if not message.deadline_kind:
        return ""
    about = words.deadline_label(message.deadline_kind)
    if message.due_date:
        return f"{about}: {message.due_date:%a %-d %b %Y}"
    return about


def what_html(message: OutboundMessage) -> str:
    """The kind, then each date the message is about: its own and, for a combined send, those
    of the rows combined into it."""
    items = [message, *getattr(message, "items", [])]
    texts = [text for text in map(item_text, items) if text]
    if not texts:
        return message.get_kind_display()
    return format_html(
        '{}<ul class="outbox-items">{}</ul>',
        message.get_kind_display(),
        format_html_join("", "<li>{}</li>", ((text,) for text in texts)),
    )
