from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    TextField,
)
from django.db.models.functions import Coalesce
from django.forms import Textarea
from django.http import Http404, HttpResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from casework import admin_case, admin_services
from casework import case_records as governance_services
from casework import history as notification_history
from casework import preview as notification_preview
from casework.admin_notifications import ContactInline
from casework.search import cases_matching
from governance.audit import Action, audit_record
from notifications.models import OutboundMessage
from workflows import routes, rules, selectors, services, words, working_days
from workflows.admin_paging import PlainActionCheckbox
from workflows.admin_scope import CaseScoped, SupervisorOnly
from workflows.forms import (
    CalculatorForm,
    DeadlineForm,
    KeyDateFormSet,
    LabelledInlineFormSet,
)
from workflows.models import (
    AdviserTask,
    Case,
    Deadline,
    FamilyReportedDate,
    GivenDate,
    KeyDate,
    LocalAuthority,
    Route,
)


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
HISTORY_LIMIT = 50  # on the case page; the outbox has the rest


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


class LabelledInline:
    """The case page's inlines: each input named by its column for screen readers (a tabular
    row has no label beside its inputs; axe-core: label, select-name), and the column headings
    with none named too (edit_inline/tabular.html)."""

    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            label = str(field.label or db_field.verbose_name)
            field.widget.attrs.setdefault("aria-label", label[:1].upper() + label[1:])
        return field


class LabelledTabularInline(LabelledInline, admin.TabularInline):
    template = "admin/workflows/edit_inline/tabular.html"


class CaseContactInline(LabelledInline, ContactInline):
    pass


class RouteInline(CaseScoped, LabelledTabularInline):
    model = Route
    extra = 0


class KeyDateInline(CaseScoped, LabelledTabularInline):
    model = KeyDate
    formset = KeyDateFormSet
    extra = 1
    # Who recorded it is one column: the source (adviser, family, import) and, for an
    # adviser's date, which adviser, with when (two columns both headed "recorded by" before).
    fields = ["event", "value", "recorded", "confirmed"]
    readonly_fields = ["recorded"]

    @admin.display(description="recorded by")
    def recorded(self, obj):
        if not obj.pk:
            return ""
        if obj.source == KeyDate.Source.ADVISER:
            who = obj.recorded_by.get_username() if obj.recorded_by else "An adviser"
        else:
            who = obj.get_source_display()
        when = timezone.localtime(obj.recorded_at).strftime("%-d %b %Y, %H:%M")
        return format_html("{}<br><small>{}</small>", who, when)


class GivenDateInline(CaseScoped, LabelledTabularInline):
    """Dates a letter gives (the Tribunal's timetable, meetings, hearings): typed in by the
    adviser, reminded by the planner like the computed deadlines."""

    model = GivenDate
    extra = 1
    verbose_name = "date given in a letter"
    verbose_name_plural = "dates given in letters (the Tribunal's timetable, meetings, hearings)"
    fields = [
        "kind",
        "label",
        "value",
        "time",
        "owner",
        "source",
        "state_in_words",
        "done_on",
        "confirmed",
    ]
    readonly_fields = ["state_in_words"]

    @admin.display(description="state")
    def state_in_words(self, obj):
        if not obj.pk:
            return ""
        state = obj.state(timezone.localdate())
        # Who recorded it sits here, not in a column of its own: the row fits 1280 px.
        return format_html(
            "<strong>{}</strong><br><small>{}</small><br><small>Recorded by: {}</small>",
            words.state_label(state),
            obj.working(),
            obj.get_recorded_source_display().lower(),
        )


def deadline_state_html(deadline, today):
    """The deadline's state on `today` in the adviser's words (workflows/words/), from the
    row's own fields: no query. A passed one in red, so it is seen first."""
    text = words.deadline_state_words(
        state=deadline.state(today),
        due=deadline.effective_due,
        today=today,
        status=deadline.status,
        done_by=deadline.done_by,
        done_on=deadline.done_on,
    )
    if deadline.state(today) == rules.State.PASSED:
        return format_html(
            '<strong class="deadline-passed" style="color:#ba2121">{}</strong>', text
        )
    return format_html('<span class="deadline-state">{}</span>', text)


class DeadlineInline(CaseScoped, LabelledTabularInline):
    """Computed deadlines: read-only with their working; the adviser sets status and override."""

    model = Deadline
    form = DeadlineForm
    extra = 0
    max_num = 0  # rows come from the rules, never typed in
    can_delete = False
    fields = [
        "kind",
        "state_in_words",
        "due_in_words",
        "owner",
        "status",
        "status_reason",
        "override_date",
        "override_reason",
        "override_record",
        "working",
    ]
    readonly_fields = [
        "kind",
        "state_in_words",
        "due_in_words",
        "owner",
        "override_record",
        "working",
    ]

    @admin.display(description=words.STATE_COLUMN)
    def state_in_words(self, obj):
        if not obj.pk:
            return ""
        return deadline_state_html(obj, timezone.localdate())

    @admin.display(description="computed date")
    def due_in_words(self, obj):
        if not obj.due:
            return ""
        return rules.date_in_words(due=obj.due, act_by=obj.act_by)

    @admin.display(description="overridden")
    def override_record(self, obj):
        if not obj.overridden_at:
            return ""
        who = obj.overridden_by or "a deleted user"
        return f"by {who} on {timezone.localtime(obj.overridden_at):%d/%m/%Y %H:%M}"

    @admin.display(description="working and source")
    def working(self, obj):
        return working_html(obj)


def working_html(deadline) -> str:
    """A deadline's working and source, folded: it is read when a date is questioned, not every
    time the page opens. The rules write it to the family: an adviser reads it in the adviser's
    voice (words.adviser_words)."""
    steps = format_html_join("", "<li>{}</li>", ((words.adviser_words(s),) for s in deadline.steps))
    warnings = format_html_join(
        "", "<li><strong>{}</strong></li>", ((words.adviser_words(w),) for w in deadline.warnings)
    )
    return format_html(
        '<details class="deadline-working"><summary>How it is worked out</summary>'
        "<ol>{}</ol><ul>{}</ul><small>{} [{}]</small></details>",
        steps,
        warnings,
        words.adviser_words(deadline.rule),
        deadline.confidence,
    )


def _routes_on(case, deadlines, key_dates, today):
    """Each route on the case with its dates and the leaflet's checklist (workflows/routes.py)."""
    shown = []
    for route in case.routes.all():
        guide = routes.ROUTE_GUIDES.get(route.kind)
        if guide is None:
            continue
        shown.append(
            {
                "label": route.get_kind_display(),
                "kind": route.kind,
                "deadlines": [
                    {
                        "label": d.get_kind_display(),
                        "owner": words.owner_label(d.owner),
                        "date": d.date_in_words(),
                        "state": words.deadline_state_words(
                            state=d.state(today),
                            due=d.effective_due,
                            today=today,
                            status=d.status,
                            done_by=d.done_by,
                            done_on=d.done_on,
                        ),
                        "passed": d.state(today) == rules.State.PASSED,
                        # The adviser's marking after the state, when there is one.
                        "marking": words.marking_words(
                            status=d.status,
                            status_reason=d.status_reason,
                            override_date=d.override_date,
                            override_reason=d.override_reason,
                        )
                        if d.status != Deadline.Status.OPEN or d.override_date
                        else "",
                    }
                    for d in deadlines
                    if d.kind in guide.deadlines
                ],
                "key_dates": [
                    (words.event_label(k.event), rules.long_date(k.value))
                    for k in key_dates
                    if k.event in guide.events
                ],
                "checklist": guide.checklist,
                "source": guide.source,
            }
        )
    return shown


@admin.register(Case)
class CaseAdmin(PlainActionCheckbox, CaseScoped, admin.ModelAdmin):
    case_field = ""
    # Fits 1280 px beside the filters: what an adviser reads to choose the next case.
    list_display = [
        "reference",
        "family",
        "next_step",
        "act_by",
        "working_days_left",
        "problems",
    ]
    list_filter = [
        WhoseCasesFilter,
        UrgencyFilter,
        DeliveryProblemFilter,
        RouteFilter,
        "adviser",
        "status",
        "reminders_paused",
    ]
    # Searched by get_search_results: reference, or the family's name, email or mobile.
    search_fields = ["reference"]
    search_help_text = "A case reference, or a parent's name, email or mobile."
    list_select_related = ["adviser", "council"]
    autocomplete_fields = ["council"]
    # Two or three to a line: the case's own fields follow the first screen, compactly.
    fieldsets = [
        (
            "The case",
            {
                "fields": [
                    ("reference", "status", "adviser"),
                    ("council", "local_authority"),
                    ("placement_only", "complaint_to", "reminders_paused"),
                    "notes",
                    ("family_link", "erase_on"),
                ]
            },
        )
    ]
    readonly_fields = ["family_link", "erase_on"]
    formfield_overrides = {TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 80})}}
    # What an adviser edits most first: the people, the dates, the deadlines' markings.
    inlines = [CaseContactInline, KeyDateInline, DeadlineInline, GivenDateInline, RouteInline]
    actions = [
        "pause_reminders",
        "resume_reminders",
        "take_on",
        "send_new_link",
        "export_cases",
        "erase_cases",
    ]
    change_list_template = "admin/workflows/case/change_list.html"
    change_form_template = "admin/workflows/case/change_form.html"

    def get_queryset(self, request):
        queryset = selectors.cases_by_urgency(super().get_queryset(request), timezone.localdate())
        if self._sorted_by_problems(request):
            # Cases with problems first, each half in urgency order: two hashed lists of case
            # ids from the partial indexes, not two counts per case (seconds at 100,000
            # cases). Only this sort reads it; the counts shown come from
            # ProblemCountsChangeList, for the page's cases only.
            # Without NULL case ids: "id IN (..., NULL)" is NULL, not false, and would sort first.
            messages_ = OutboundMessage.objects.filter(
                status__in=PROBLEM_STATUSES, case__isnull=False
            )
            tasks = AdviserTask.objects.filter(done_at__isnull=True, case__isnull=False)
            queryset = queryset.alias(
                has_problems=ExpressionWrapper(
                    Q(pk__in=messages_.values("case_id")) | Q(pk__in=tasks.values("case_id")),
                    output_field=BooleanField(),
                )
            )
            # Sorted on every case's problems: the page's advisers and councils are read after
            # the sort (prefetched), not joined to all 100,000 cases before it.
            return queryset.prefetch_related("contacts", "adviser", "council")
        return queryset.prefetch_related("contacts")

    def get_list_select_related(self, request):
        return [] if self._sorted_by_problems(request) else self.list_select_related

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(cases_matching(term, "id")), False

    def lookup_allowed(self, lookup, value, request=None):
        # RouteFilter keeps the URL of Django's own route filter; the report links its cases
        # closed in a period by their closings (reports.views.Links).
        return lookup in (
            RouteFilter.parameter_name,
            "closings__closed_at__gte",
            "closings__closed_at__lt",
        ) or super().lookup_allowed(lookup, value, request)

    def _sorted_by_problems(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        if not (match and match.url_name == "workflows_case_changelist"):
            return False
        columns = ["action_checkbox", *self.get_list_display(request)]
        wanted = str(columns.index("problems"))
        return wanted in (part.lstrip("-") for part in request.GET.get(ORDER_VAR, "").split("."))

    def get_changelist(self, request, **kwargs):
        return ProblemCountsChangeList

    def get_ordering(self, request):
        # The case list's own order (unless a column header is clicked); other pages that
        # list cases (filters of related tables) have no urgency annotations.
        match = getattr(request, "resolver_match", None)
        if match and match.url_name == "workflows_case_changelist":
            return selectors.urgency_order()
        return super().get_ordering(request)

    def get_list_display(self, request):
        if selectors.sees_all_cases(request.user):
            return [*self.list_display[:2], "adviser", *self.list_display[2:]]
        return self.list_display

    def get_list_filter(self, request):
        if selectors.sees_all_cases(request.user):
            return self.list_filter
        return [f for f in self.list_filter if f != "adviser"]

    @admin.display(description="family")
    def family(self, obj):
        return ", ".join(c.name for c in obj.contacts.all())

    @admin.display(description="next step", ordering="next_act_by")
    def next_step(self, obj):
        if not obj.next_kind:
            return "Nothing to do yet"
        label = obj.next_label or words.deadline_label(obj.next_kind)
        if obj.next_owner != rules.Owner.PARENT:
            return f"{label} ({words.owner_label(obj.next_owner).lower()})"
        return label

    @admin.display(description="act by", ordering="next_act_by")
    def act_by(self, obj):
        day = selectors.next_step_act_by(obj)
        return day.strftime("%a %-d %b %Y") if day else "-"

    @admin.display(description="working days left")
    def working_days_left(self, obj):
        day = selectors.next_step_act_by(obj)
        if not day:
            return "-"
        today = timezone.localdate()
        left = working_days.working_days_until(today, day)
        text = words.working_days_words(left, today=day == today, passed=day < today)
        if day < today:
            return format_html('<strong class="passed" style="color:#ba2121">{}</strong>', text)
        return text

    @admin.display(description="problems", ordering="has_problems")
    def problems(self, obj):
        if not (getattr(obj, "problem_messages", 0) or getattr(obj, "open_tasks", 0)):
            return "-"
        parts = []
        if obj.problem_messages:
            url = reverse("admin:notifications_outboundmessage_changelist")
            query = f"?case__id__exact={obj.pk}&status__in=failed,unknown"
            parts.append(
                format_html(
                    '<a href="{}{}">{} failed or unknown</a>', url, query, obj.problem_messages
                )
            )
        if obj.open_tasks:
            url = reverse("admin:workflows_advisertask_changelist")
            query = f"?case__id__exact={obj.pk}&state=open"
            parts.append(
                format_html(
                    '<a href="{}{}">{} open task{}</a>',
                    url,
                    query,
                    obj.open_tasks,
                    pluralize(obj.open_tasks),
                )
            )
        return format_html(
            '<strong class="case-problems" style="color:#ba2121">{}</strong>',
            format_html_join(", ", "{}", ((p,) for p in parts)),
        )

    @admin.action(description="Pause reminders", permissions=["change"])
    def pause_reminders(self, request, queryset):
        self._pause(request, queryset, paused=True)

    @admin.action(description="Resume reminders", permissions=["change"])
    def resume_reminders(self, request, queryset):
        self._pause(request, queryset, paused=False)

    def _pause(self, request, queryset, *, paused):
        cases = list(queryset.filter(reminders_paused=not paused))
        for case in cases:
            admin_services.case_pause_set(case=case, paused=paused)
            audit_record(
                action=Action.PAUSE if paused else Action.RESUME, case=case, request=request
            )
        if paused:
            text = (
                f"Reminders paused for {words.counted(len(cases), 'case')}: "
                "their pending messages are held."
            )
        else:
            text = (
                f"Reminders resumed for {words.counted(len(cases), 'case')}: "
                "their messages are planned again."
            )
        self.message_user(request, text, messages.SUCCESS)

    # --- who may do what ----------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("workflows.assign_case"):
            fields.append("adviser")  # only a supervisor assigns; advisers take on unassigned
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "adviser":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_assign_permission(self, request):
        return request.user.has_perm("workflows.assign_case")

    def has_export_permission(self, request):
        return request.user.has_perm("workflows.export_case")

    def has_erase_permission(self, request):
        return request.user.has_perm("workflows.erase_case")

    def save_model(self, request, obj, form, change):
        if not change and not request.user.has_perm("workflows.assign_case"):
            obj.adviser = request.user  # an adviser's new case is theirs
        super().save_model(request, obj, form, change)
        if change and "adviser" in form.changed_data:
            audit_record(
                action=Action.ASSIGN,
                case=obj,
                request=request,
                detail={"to": obj.adviser.get_username() if obj.adviser else None},
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            case = Case.objects.filter(pk=object_id).first()
            audit_record(action=Action.VIEW, case=case, request=request)
        return response

    @admin.display(description="family link")
    def family_link(self, obj):
        if not obj.pk:
            return "-"
        # Never the whole token: a screen may be shared, and the link opens the family's page.
        state = "works" if obj.link_works else "ended (the case is closed or erased)"
        return f"/f/{obj.access_token[:4]}…/ {state}"

    @admin.display(description="erase on")
    def erase_on(self, obj):
        if obj.erased_at:
            return f"erased {timezone.localtime(obj.erased_at):%d/%m/%Y}"
        day = governance_services.erase_on(obj)
        return rules.long_date(day) if day else "-"

    @admin.action(description="Take on (assign to me)", permissions=["change"])
    def take_on(self, request, queryset):
        taken = 0
        for case in queryset.filter(adviser__isnull=True):
            if not services.case_take_on(case=case, by=request.user):
                continue  # someone took it a moment ago
            audit_record(
                action=Action.ASSIGN,
                case=case,
                request=request,
                detail={"to": request.user.get_username()},
            )
            taken += 1
        skipped = queryset.count() - taken
        self.message_user(
            request, f"You took on {words.counted(taken, 'unassigned case')}.", messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                f"{skipped} already had an adviser: only a supervisor reassigns a case.",
                messages.WARNING,
            )

    @admin.action(
        description="Send a new family link (the old one stops at once)", permissions=["change"]
    )
    def send_new_link(self, request, queryset):
        for case in queryset:
            if not case.link_works:
                self.message_user(
                    request,
                    f"{case}: closed or erased, so it has no family link.",
                    messages.WARNING,
                )
                continue
            sent = governance_services.case_link_replace(case=case, request=request)
            self.message_user(
                request,
                f"{case}: the old link no longer opens the family's page. "
                + (
                    "The new one goes with their summary of dates "
                    f"({words.counted(sent, 'message')})."
                    if sent
                    else "No summary to send yet: the new link goes in their next message."
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description="Export everything held (subject access, JSON)", permissions=["export"]
    )
    def export_cases(self, request, queryset):
        import json

        cases = list(queryset)
        data = [governance_services.case_export_data(case=case) for case in cases]
        for case in cases:
            audit_record(action=Action.EXPORT, case=case, request=request, detail={"via": "admin"})
        name = cases[0].reference if len(cases) == 1 else f"{len(cases)}-cases"
        response = HttpResponse(
            json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="sendflow-{name}.json"'
        return response

    @admin.action(description="Erase the personal data…", permissions=["erase"])
    def erase_cases(self, request, queryset):
        if not self.has_erase_permission(request):
            raise PermissionDenied
        cases = list(queryset)
        if request.POST.get("confirm") == "yes":
            for case in cases:
                governance_services.case_erase(case=case, request=request)
            self.message_user(
                request,
                f"Erased {words.counted(len(cases), 'case')}: names, addresses, notes, message "
                "texts and task texts are gone; their counts and any STOP stay.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase these cases' personal data?",
            "cases": cases,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/workflows/case/erase_confirm.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The case page is where the deadlines' working is read: give it the whole width.
        context["is_nav_sidebar_enabled"] = False
        if obj is not None and obj.pk:
            history = notification_history.with_send_size(
                obj.messages.select_related("contact")
            ).annotate(when=Coalesce("sent_at", "send_at"))
            today = timezone.localdate()
            now = timezone.now()
            messages_shown = list(history.order_by("-when", "-id")[:HISTORY_LIMIT])
            ahead, more_ahead = notification_history.messages_ahead(obj, now=now)
            for message in messages_shown:
                message.why = notification_history.waiting_reason(message, now=now)
                message.about = notification_history.message_about(message)
                message.together = notification_history.sent_together(message)
            deadlines = list(obj.deadlines.order_by("due"))
            key_dates = list(obj.key_dates.all())
            problems = admin_case.problems(
                obj, deadlines=deadlines, key_dates=key_dates, today=today
            )
            context.update(
                # The first screen: who and how to reach them, the next step, what is wrong.
                case_family=admin_case.family_reach(obj),
                case_next_step=admin_case.next_step(obj, today=today),
                case_today=today,
                case_deadline_count=len(deadlines),
                case_problems=problems,
                case_routes=_routes_on(obj, deadlines, key_dates, today),
                case_chronology_url=reverse("admin:workflows_case_chronology", args=[obj.pk]),
                case_messages=messages_shown,
                case_messages_ahead=ahead,
                case_next_sends=notification_preview.next_sends(obj, now=now),
                case_messages_more_ahead=more_ahead,
                case_plan_ahead_weeks=notification_history.AHEAD_WEEKS,
                case_messages_total=obj.messages.count(),
                case_open_tasks=problems.tasks,
                case_outbox_url=reverse("admin:notifications_outboundmessage_changelist")
                + f"?case__id__exact={obj.pk}",
                case_tasks_url=reverse("admin:workflows_advisertask_changelist")
                + f"?case__id__exact={obj.pk}&state=open",
            )
            if request.user.has_perm("governance.view_auditevent"):
                context["case_audit_url"] = (
                    reverse("admin:governance_auditevent_changelist") + f"?case__id__exact={obj.pk}"
                )
                context["case_history_url"] = (
                    reverse("admin:auditlog_logentry_changelist") + f"?case_id={obj.pk}"
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.deadlines_recompute(case=form.instance)

    def save_formset(self, request, form, formset, change):
        if formset.model is KeyDate:
            # A date an adviser types or changes is theirs, and checked; ticking "confirmed"
            # on a family's date keeps it the family's.
            for key_date_form in formset.forms:
                if not key_date_form.has_changed() or not hasattr(key_date_form, "cleaned_data"):
                    continue
                key_date = key_date_form.instance
                if key_date.pk is None or {"event", "value"} & set(key_date_form.changed_data):
                    key_date.source = KeyDate.Source.ADVISER
                    key_date.recorded_by = request.user
                    key_date.confirmed = True
        if formset.model is GivenDate:
            # A date an adviser types or changes is theirs, and checked.
            for given_form in formset.forms:
                if not given_form.has_changed() or not hasattr(given_form, "cleaned_data"):
                    continue
                if given_form.instance.pk is None or {"kind", "value", "time"} & set(
                    given_form.changed_data
                ):
                    given_form.instance.recorded_source = GivenDate.Source.ADVISER
                    given_form.instance.confirmed = True
        if formset.model is not Deadline:
            formset.save()
            return
        # Deadlines change only through the service, which records who overrode what and when.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deadline_form in formset.forms:
            if deadline_form.instance.pk and deadline_form.has_changed():
                data = deadline_form.cleaned_data
                services.deadline_update(
                    deadline=deadline_form.instance,
                    status=data["status"],
                    status_reason=data.get("status_reason", ""),
                    override_date=data.get("override_date"),
                    override_reason=data.get("override_reason", ""),
                    by=request.user,
                )
                formset.changed_objects.append((deadline_form.instance, deadline_form.changed_data))

    def get_urls(self):
        calculator = path(
            "calculator/",
            self.admin_site.admin_view(self.calculator_view),
            name="workflows_calculator",
        )
        chronology = path(
            "<path:object_id>/chronology/",
            self.admin_site.admin_view(self.chronology_view),
            name="workflows_case_chronology",
        )
        from casework import admin_import

        imports = [
            path(
                "import/",
                self.admin_site.admin_view(lambda r: admin_import.import_view(self, r)),
                name="workflows_case_import",
            ),
            path(
                "import/sample.csv",
                self.admin_site.admin_view(lambda r: admin_import.sample_view(self, r)),
                name="workflows_case_import_sample",
            ),
        ]
        return [calculator, chronology, *imports, *super().get_urls()]

    def chronology_view(self, request, object_id):
        case = self.get_object(request, object_id)  # scoped: another adviser's case is not found
        if case is None or not self.has_view_permission(request, case):
            raise Http404("No case with that ID")
        entries = notification_history.case_chronology(case)
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                notification_history.chronology_csv(entries), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="chronology-{case.reference}.csv"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"Chronology of case {case.reference}",
            "case": case,
            "entries": entries,
            "opts": self.model._meta,
            "generated": timezone.now(),
        }
        return TemplateResponse(request, "admin/workflows/case/chronology.html", context)

    def calculator_view(self, request):
        form = CalculatorForm(request.GET or None)
        rows = None
        if form.is_valid():
            today = form.cleaned_data.get("today") or timezone.localdate()
            rows = [
                {
                    "deadline": d,
                    "state": d.state(today).value,
                    "state_words": words.deadline_state_words(
                        state=d.state(today),
                        due=d.due,
                        today=today,
                        done_by=d.done_by or "",
                        done_on=d.done_on,
                    ),
                    "date": rules.date_in_words(due=d.due, act_by=d.act_by),
                    "label": words.deadline_label(d.kind),
                    "owner": words.owner_label(d.owner),
                    "confidence": words.confidence_label(d.confidence),
                    "steps": [words.adviser_words(s) for s in d.steps],
                    "warnings": [words.adviser_words(w) for w in d.warnings],
                    "rule": words.adviser_words(d.rule),
                }
                for d in form.cleaned_data["deadlines"]
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Deadline calculator",
            "form": form,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workflows/calculator.html", context)


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


@admin.register(Deadline)
class DeadlineAdmin(CaseScoped, admin.ModelAdmin):
    # The state today first, in words; the adviser's own marking second, labelled apart.
    list_display = ["case", "kind", "state_today", "marking", "owner", "confidence"]
    list_filter = [MarkingFilter, "kind", "owner", "confidence"]
    search_fields = ["case__reference"]
    date_hierarchy = "due"
    list_select_related = ["case"]
    # Read only (changes are made on the case page): the working in words, not its stored lists.
    fields = [
        "case",
        "kind",
        "due",
        "aim_for",
        "act_by",
        "owner",
        "working",
        "done",
        "status",
        "override_date",
        "override_reason",
        "overridden_by",
        "overridden_at",
        "computed_at",
    ]
    readonly_fields = ["working", "done"]

    @admin.display(description="working and source")
    def working(self, obj):
        return working_html(obj)

    @admin.display(description="done by")
    def done(self, obj):
        return obj.done_in_words() or "-"

    @admin.display(description=words.STATE_COLUMN, ordering="due")
    def state_today(self, obj):
        return deadline_state_html(obj, timezone.localdate())

    @admin.display(description=words.MARKING_COLUMN, ordering="status")
    def marking(self, obj):
        return words.marking_words(
            status=obj.status,
            status_reason=obj.status_reason,
            override_date=obj.override_date,
            override_reason=obj.override_reason,
        )

    def has_add_permission(self, request):
        return False  # deadlines come from key dates

    def has_change_permission(self, request, obj=None):
        return False  # change status and overrides on the case page, where they are recorded


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(SupervisorOnly, admin.ModelAdmin):
    list_display = ["name", "sen_team_phone", "sen_team_email", "local_offer_url"]
    search_fields = ["name"]


@admin.register(FamilyReportedDate)
class FamilyReportedDateAdmin(CaseScoped, admin.ModelAdmin):
    """Dates a family told us that would replace one an adviser confirmed: they wait here."""

    list_display = ["case", "event_name", "value", "replaces", "reported_at", "status"]
    list_filter = ["status", "event"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    readonly_fields = [
        "case",
        "event",
        "value",
        "replaces",
        "reported_at",
        "status",
        "decided_by",
        "decided_at",
    ]
    actions = ["accept", "set_aside"]

    def has_add_permission(self, request):
        return False  # families report these on their page

    @admin.display(description="key date", ordering="event")
    def event_name(self, obj):
        return words.event_label(obj.event)

    @admin.action(description="Use the family's date (recomputes the deadlines)")
    def accept(self, request, queryset):
        done = 0
        for reported in queryset.filter(status=FamilyReportedDate.Status.WAITING):
            try:
                services.reported_date_decide(reported=reported, accept=True, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{reported.case}: {exc.messages[0]}", messages.ERROR)
                continue
            done += 1
        self.message_user(request, f"{words.counted(done, 'date')} now used.", messages.SUCCESS)

    @admin.action(description="Keep the adviser's date")
    def set_aside(self, request, queryset):
        done = 0
        for reported in queryset.filter(status=FamilyReportedDate.Status.WAITING):
            services.reported_date_decide(reported=reported, accept=False, by=request.user)
            done += 1
        self.message_user(request, f"{words.counted(done, 'date')} set aside.", messages.SUCCESS)
