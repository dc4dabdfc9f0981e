"""The admin lists' own filters: the case list's (whose, urgency, delivery problems, route) with
the change list that counts each case's problems, the deadline list's marking, and the outbox's
and task list's adviser and state. casework/admin_workflows.py and admin_notifications.py
declare the lists."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from notifications.models import OutboundMessage
from workflows import selectors, words, working_days
from workflows.models import AdviserTask, Case, Route


class UrgencyFilter(admin.SimpleListFilter):
    """What needs the adviser: the case list's view of workflows.selectors.cases_by_urgency."""

    title = "what needs doing"
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return [
            ("passed", "A family deadline has passed"),
            ("due_5wd", "Due in the next 5 working days"),
            ("four_weeks", "Due in the next 4 weeks"),
            ("family_dates", "A date the family told us waits"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "passed":
            return queryset.filter(selectors.passed_family(today))
        if self.value() == "due_5wd":
            end, _ = working_days.add_working_days(today, 5)
            return queryset.filter(next_act_by__gte=today, next_act_by__lte=end)
        if self.value() == "four_weeks":
            end = today + timedelta(weeks=4)
            return queryset.filter(next_act_by__gte=today, next_act_by__lte=end)
        if self.value() == "family_dates":
            return queryset.filter(selectors.family_dates_waiting())
        return queryset


class WhoseCasesFilter(admin.SimpleListFilter):
    """An adviser starts on their own open cases; one click shows everything they may see."""

    title = "whose cases"
    parameter_name = "cases"

    def lookups(self, request, model_admin):
        return [("mine", "My open cases"), ("all", "All I can see")]

    def _default(self, request):
        return "all" if selectors.sees_all_cases(request.user) else "mine"

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(adviser=request.user, status=Case.Status.OPEN)
        return queryset

    def __init__(self, request, params, model, model_admin):
        self.default = self._default(request)
        super().__init__(request, params, model, model_admin)


PROBLEM_STATUSES = [OutboundMessage.Status.FAILED, OutboundMessage.Status.UNKNOWN]


class DeliveryProblemFilter(admin.SimpleListFilter):
    title = "delivery problems"
    parameter_name = "problems"

    def lookups(self, request, model_admin):
        return [
            ("messages", "Has failed or unknown messages"),
            ("tasks", "Has open adviser tasks"),
            ("none", "No problems"),
        ]

    def queryset(self, request, queryset):
        # EXISTS on the partial indexes, not the per-row counts the column shows: PostgreSQL
        # turns these into one semi-join (or anti-join) over the few problem rows.
        messages_ = Exists(
            OutboundMessage.objects.filter(case=OuterRef("pk"), status__in=PROBLEM_STATUSES)
        )
        tasks = Exists(AdviserTask.objects.filter(case=OuterRef("pk"), done_at__isnull=True))
        if self.value() == "messages":
            return queryset.filter(messages_)
        if self.value() == "tasks":
            return queryset.filter(tasks)
        if self.value() == "none":
            return queryset.filter(~messages_, ~tasks)
        return queryset


class ProblemCountsChangeList(ChangeList):
    """The case list's page, with each case's failed or unknown messages and open tasks
    counted by two grouped queries over the page's cases (on the partial indexes), however
    many cases the list holds."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        ids = [case.pk for case in self.result_list]
        messages_ = _grouped_by_case(
            OutboundMessage.objects.filter(case__in=ids, status__in=PROBLEM_STATUSES)
        )
        tasks = _grouped_by_case(AdviserTask.objects.filter(case__in=ids, done_at__isnull=True))
        for case in self.result_list:
            case.problem_messages = messages_.get(case.pk, 0)
            case.open_tasks = tasks.get(case.pk, 0)


def _grouped_by_case(queryset) -> dict[int, int]:
    return dict(queryset.order_by().values("case").annotate(n=Count("pk")).values_list("case", "n"))


class RouteFilter(admin.SimpleListFilter):
    """By route, at the URL Django's own route filter used. A list of case ids, not a join:
    a join to routes makes the change list de-duplicate (sort) every matching case."""

    title = "route"
    parameter_name = "routes__kind__exact"

    def lookups(self, request, model_admin):
        return Route.Kind.choices

    def queryset(self, request, queryset):
        if self.value() in Route.Kind.values:
            return queryset.filter(pk__in=Route.objects.filter(kind=self.value()).values("case_id"))
        return queryset


class MarkingFilter(admin.SimpleListFilter):
    """The adviser's marking, in the same words as its column (not the state today)."""

    title = words.MARKING_COLUMN
    parameter_name = "status"  # links built elsewhere (?status__exact=) stay the field's own

    def lookups(self, request, model_admin):
        return words.marking_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


class CaseAdviserFilter(admin.SimpleListFilter):
    """Rows by their case's adviser (the dashboard's links); inside the user's case scope."""

    title = "adviser"
    parameter_name = "adviser"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        if not selectors.sees_all_cases(request.user):
            # An adviser sees their own cases and the unassigned: no list of every login.
            return [(request.user.pk, "Mine"), ("none", "Unassigned")]
        holds_cases = Case.objects.filter(adviser=OuterRef("pk"))
        users = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(groups__name__in=["Adviser", "Supervisor"]) | Exists(holds_cases))
            .distinct()
            .order_by("username")
        )
        return [
            ("none", "Unassigned"),
            *((u.pk, u.get_full_name() or u.get_username()) for u in users),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(case__adviser__isnull=True)
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(case__adviser_id=int(self.value()))
        return queryset


class TaskStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("done", "Done")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "done"):
            return queryset.filter(done_at__isnull=self.value() == "open")
        return queryset
