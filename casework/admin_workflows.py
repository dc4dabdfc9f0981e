from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, TextField
from django.forms import Textarea
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from casework import case_records as governance_services
from casework.admin_case_actions import CaseActions
from casework.admin_case_saves import CaseSaves
from casework.admin_case_views import CasePages
from casework.admin_display import deadline_state_html, working_html
from casework.admin_filters import (
    PROBLEM_STATUSES,
    DeliveryProblemFilter,
    MarkingFilter,
    ProblemCountsChangeList,
    RouteFilter,
    UrgencyFilter,
    WhoseCasesFilter,
)
from casework.admin_inlines import (
    CaseContactInline,
    DeadlineInline,
    GivenDateInline,
    KeyDateInline,
    RouteInline,
)
from casework.search import cases_matching
from governance.audit import Action, audit_record
from notifications.models import OutboundMessage
from workflows import rules, selectors, services, words, working_days
from workflows.admin_paging import PlainActionCheckbox
from workflows.admin_scope import CaseScoped, SupervisorOnly
from workflows.models import AdviserTask, Case, Deadline, FamilyReportedDate, LocalAuthority


@admin.register(Case)
class CaseAdmin(
    CaseActions, CasePages, CaseSaves, PlainActionCheckbox, CaseScoped, admin.ModelAdmin
):
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
