"""The outbox list's views and rows (issue 19, part 4): what is still to come and what went
wrong by default, the rest behind the "Show" filter, and a combined send as one row naming the
dates in it. casework/admin_notifications.py declares the list; this module holds its parts."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.utils.html import format_html, format_html_join

from notifications.models import OUTBOX_OPEN, OUTBOX_SENT, OutboundMessage, outbox_problems_first
from workflows import words
from workflows.admin_paging import SpanDatesQuerySet

Status = OutboundMessage.Status
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

    Each order is an index read in order and stopped at the page, never a sort of the rows the
    filters leave: the default view's WHERE and ORDER BY are message_outbox_open's own condition
    and expression (models.OUTBOX_OPEN, models.outbox_problems_first()); newest first is
    message_by_send_at, or message_status_by_send_at / message_kind_by_send_at under a status or
    kind filter, read backwards. (Sorting the default view by a CASE no index held sorted about a
    million pending rows at 100,000 cases: 1.2 s a page.)
    """
    if outbox_view(request) == DEFAULT:
        return [outbox_problems_first().asc(), "send_at", "id"]
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
            rows = queryset.filter(OUTBOX_OPEN)
            return OpenRows(model=rows.model, query=rows.query, using=rows._db, hints=rows._hints)
        if view == "sent":
            return queryset.filter(OUTBOX_SENT)
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


class OpenRows(SpanDatesQuerySet):
    """The default view's rows, whose date hierarchy spans every open row in the chosen period.

    Its first and last dates are each two seeks into message_outbox_open (the first and last
    problem, the first and last message to come), read once though the hierarchy asks twice.
    They leave out the other filters (kind, channel, adviser, search, and the user's case scope:
    the ends only choose which periods to offer): with those, the first row to match lay behind
    tens of thousands that did not (at night, the emails due before the texts held until 09:00),
    and the hierarchy only lists the periods between its two ends, whether or not each holds a
    row (SpanDatesQuerySet).
    """

    span = Q()  # the period the date hierarchy chose (OutboxChangeList sets it)

    def _edge(self, name: str, last: bool):
        if name != "send_at":
            return super()._edge(name, last)
        edges = self.__dict__.setdefault("_edges", {})
        if last not in edges:
            edges[last] = open_edge(self.span, last=last)
        return edges[last]


def open_edge(span: Q, *, last: bool):
    """The first (or last) send_at of the open rows in `span`."""
    keyed = OutboundMessage.objects.filter(OUTBOX_OPEN, span).alias(
        problem_key=outbox_problems_first()
    )
    ends = [
        keyed.filter(problem_key=key)
        .order_by("-send_at" if last else "send_at")
        .values_list("send_at", flat=True)
        .first()
        for key in (0, 1)
    ]
    ends = [end for end in ends if end is not None]
    if not ends:
        return None
    return max(ends) if last else min(ends)


class OutboxChangeList(ChangeList):
    """Tells the default view's rows the period chosen in the date hierarchy, and reads the
    items of the page's combined sends in one query, after the page is chosen."""

    def get_filters(self, request):
        filters = super().get_filters(request)
        remaining = filters[2]  # the hierarchy's year/month/day, as send_at__gte and __lt
        prefix = f"{self.date_hierarchy}__"
        self.span = Q(*((k, v[-1]) for k, v in remaining.items() if k.startswith(prefix)))
        return filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if isinstance(queryset, OpenRows):
            queryset.span = self.span
        return queryset

    def get_ordering(self, request, queryset):
        """The "when" column sorted in the default view keeps problems first, ascending (the
        default order) or descending (the index read backwards): sorted by send_at alone, the
        page walked message_by_send_at past every sent row."""
        ordering = super().get_ordering(request, queryset)
        if outbox_view(request) != DEFAULT or not ordering:
            return ordering
        if ordering[0] == "send_at":
            return [outbox_problems_first().asc(), "send_at", "id"]
        if ordering[0] == "-send_at":
            return [outbox_problems_first().desc(), "-send_at", "-id"]
        return ordering

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
