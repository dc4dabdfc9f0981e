from django.contrib import admin, messages
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from casework import admin_outbox, admin_services, history
from casework.admin_display import case_link, london, sent_together_html
from casework.admin_filters import CaseAdviserFilter, TaskStateFilter
from casework.admin_policy_forms import (
    ModelErrorsAsRowErrorsForm,
    ReminderPolicyForm,
    policy_kind_choices,
)
from casework.admin_policy_preview import PolicyPreview
from casework.search import cases_matching
from governance.audit import Action, audit_record
from notifications import gsm, services
from notifications.models import OutboundMessage, ReminderPolicy, Suppression
from sendflow.privacy import mask_address, mask_links, redact
from workflows import words
from workflows.admin_paging import CappedPaginator, PlainActionCheckbox, span_dates
from workflows.admin_scope import CaseScoped, SupervisorOnly
from workflows.models import AdviserTask, Case

Status = OutboundMessage.Status
PROBLEM_STATUSES = (Status.FAILED, Status.UNKNOWN)
RED = "color:#ba2121"


# --- outbox ------------------------------------------------------------------------------------


@admin.register(OutboundMessage)
class OutboundMessageAdmin(PlainActionCheckbox, CaseScoped, admin.ModelAdmin):
    """The outbox, read-only: rows change only through the pipeline (and "Retry now")."""

    # Five short columns that wrap, the last error under its status: they fit 1280 px beside
    # the apps' side bar and the filters.
    list_display = [
        "case_reference",
        "recipient_and_channel",
        "what",
        "send_at_london",
        "status_flag",
    ]
    # The case column links to the case: the message's own page opens from its time (a link
    # inside Django's row link would be two nested links, the outer one empty to a screen reader).
    list_display_links = ["send_at_london"]
    list_filter = [admin_outbox.ShowFilter, "status", "channel", "kind", CaseAdviserFilter]
    date_hierarchy = "send_at"
    # Searched through the family (get_search_results): a region's outbox is too big to scan.
    search_fields = ["case__reference"]
    search_help_text = "A case reference, or the family's name, email or mobile."
    list_select_related = ["case", "contact"]
    # A whole region's outbox is millions of rows: count up to a cap, never the whole table.
    paginator = CappedPaginator
    show_full_result_count = False
    # Sorting a region's outbox by a column no index holds sorts every row: the newest-first
    # order (an index) and the filters find a message.
    sortable_by = ["send_at_london"]
    actions = ["retry_now"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case_reference",
                    "recipient",
                    "kind",
                    "channel",
                    "deadline_name",
                    "offset",
                    "due_date",
                ]
            },
        ),
        (
            "Sending",
            {
                "fields": [
                    "send_at_london",
                    "status_flag",
                    "status_reason",
                    "attempts",
                    "queued_at",
                    "sending_at",
                    "sent_at",
                    "delivered_at",
                    "provider_id",
                    "provider_status",
                    "last_error",
                ]
            },
        ),
        ("As sent", {"fields": ["to_masked", "subject", "body_as_sent", "dates_told"]}),
    ]
    readonly_fields = [
        "case_reference",
        "recipient",
        "deadline_name",
        "send_at_london",
        "status_flag",
        "to_masked",
        "body_as_sent",
    ]

    def get_changelist(self, request, **kwargs):
        return admin_outbox.OutboxChangeList

    def get_ordering(self, request):
        return admin_outbox.outbox_ordering(request)

    def get_queryset(self, request):
        # How many went in each row's send, for its status: in the page's one query.
        return span_dates(history.with_send_size(super().get_queryset(request)))

    def get_search_results(self, request, queryset, search_term):
        """The messages of the cases whose reference, or whose family's name, email or mobile,
        holds the term. Cases and contacts are a few hundred thousand rows; the outbox is millions,
        and a text search over its own columns read every one (2.5 s at 100,000 cases)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(cases_matching(term, "case_id")), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record of what was sent

    @admin.display(description="to")
    def to_masked(self, obj):
        return mask_address(obj.to) or "-"

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboundmessage")

    @admin.display(description="case", ordering="case__reference")
    def case_reference(self, obj):
        return case_link(obj.case)

    @admin.display(description="recipient", ordering="contact__name")
    def recipient(self, obj):
        if obj.contact:
            return obj.contact.name
        masked = mask_address(obj.to)
        return f"{masked} (adviser test)" if obj.kind == OutboundMessage.Kind.TEST else masked

    @admin.display(description="to")
    def recipient_and_channel(self, obj):
        return format_html(
            "{}<br><small>{}</small>", self.recipient(obj), obj.get_channel_display()
        )

    @admin.display(description="what")
    def what(self, obj):
        return admin_outbox.what_html(obj)

    @admin.display(description="deadline", ordering="deadline_kind")
    def deadline_name(self, obj):
        return words.deadline_label(obj.deadline_kind) if obj.deadline_kind else "-"

    @admin.display(description="when (London)", ordering="send_at")
    def send_at_london(self, obj):
        return london(obj.send_at)

    @admin.display(description="status", ordering="status")
    def status_flag(self, obj):
        if obj.status in PROBLEM_STATUSES:
            shown = format_html('<strong style="{}">{}</strong>', RED, obj.get_status_display())
        else:
            shown = obj.get_status_display()
            why = history.waiting_reason(obj, now=timezone.now())
            if why:
                shown = format_html("{}<br><small>{}</small>", shown, why)
        together = sent_together_html(obj)
        if together:
            shown = format_html('{}<br><small class="sent-together">{}</small>', shown, together)
        if obj.last_error and obj.status in PROBLEM_STATUSES:
            shown = format_html(
                '{}<br><small class="last-error">{}</small>', shown, self.error(obj)
            )
        return shown

    @admin.display(description="last error")
    def error(self, obj):
        if not obj.last_error:
            return ""
        return format_html(
            '<span title="{}">{}</span>', obj.last_error, Truncator(obj.last_error).chars(80)
        )

    @admin.display(description="body")
    def body_as_sent(self, obj):
        if not obj.body:
            return "(not rendered yet: the text is written when the message is sent)"
        size = ""
        if obj.channel == "sms":
            alphabet = "GSM-7" if gsm.is_gsm7(obj.body) else "UCS-2 (costs double)"
            size = f"{words.counted(gsm.segments(obj.body), 'segment')}, {alphabet}"
        # The family's page and opt-out links are keys to their page: shown masked.
        return format_html(
            '<div style="white-space:pre-wrap;font-family:monospace">{}</div><small>{}</small>',
            mask_links(obj.body),
            size,
        )

    @admin.action(description="Retry now (failed or unknown)", permissions=["retry"])
    def retry_now(self, request, queryset):
        chosen = list(queryset.values_list("id", "case_id"))
        result = admin_services.messages_retry(
            message_ids=[message_id for message_id, _ in chosen], by=request.user
        )
        for case in Case.objects.filter(id__in={case_id for _, case_id in chosen}):
            ids = [message_id for message_id, case_id in chosen if case_id == case.id]
            audit_record(action=Action.RETRY, case=case, request=request, detail={"messages": ids})
        done = []
        if result.requeued:
            done.append(f"{result.requeued} will go at the next dispatch (within a minute)")
        if result.resent:
            done.append(f"{result.resent} unknown: the provider has no record, so will go again")
        if result.found_sent:
            done.append(f"{result.found_sent} unknown: the provider has them, marked sent")
        if done:
            self.message_user(request, "; ".join(done) + ".", messages.SUCCESS)
        if result.checking:
            self.message_user(
                request,
                f"{result.checking} unknown: the provider could not answer yet. sendflow asks "
                "again every few minutes and resends only if it has no record.",
                messages.WARNING,
            )
        if result.skipped:
            self.message_user(
                request,
                f"{result.skipped} left alone: only failed or unknown messages whose time has "
                "come can be retried. A cancelled message comes back by itself when the case "
                "resumes or its date stands again.",
                messages.WARNING,
            )


# --- adviser tasks -----------------------------------------------------------------------------


@admin.register(AdviserTask)
class AdviserTaskAdmin(PlainActionCheckbox, CaseScoped, admin.ModelAdmin):
    list_display = ["kind", "case_reference", "summary", "created_at", "state"]
    list_filter = [TaskStateFilter, "kind", CaseAdviserFilter]
    search_fields = ["case__reference", "text"]
    list_select_related = ["case"]
    paginator = CappedPaginator
    show_full_result_count = False
    # Open first on every database (PostgreSQL sorts NULL last in ascending order).
    ordering = [F("done_at").asc(nulls_first=True), "-created_at"]
    actions = ["mark_done"]
    fields = ["case_reference", "message_link", "kind", "text", "created_at", "done_at"]
    readonly_fields = ["case_reference", "message_link"]

    def has_add_permission(self, request):
        return False  # tasks come from the pipeline

    def has_change_permission(self, request, obj=None):
        return False  # "Mark done" is the only change

    def has_delete_permission(self, request, obj=None):
        return False

    def has_mark_done_permission(self, request):
        return request.user.has_perm("workflows.change_advisertask")

    @admin.display(description="case", ordering="case__reference")
    def case_reference(self, obj):
        return case_link(obj.case)

    @admin.display(description="message")
    def message_link(self, obj):
        if obj.message_id is None:
            return "-"
        url = reverse("admin:notifications_outboundmessage_change", args=[obj.message_id])
        return format_html('<a href="{}">the message in the outbox</a>', url)

    @admin.display(description="what to do")
    def summary(self, obj):
        return Truncator(redact(obj.text)).chars(120)

    @admin.display(description="state", ordering="done_at")
    def state(self, obj):
        if obj.done_at:
            return f"done {london(obj.done_at)}"
        return format_html('<strong style="{}">open</strong>', RED)

    @admin.action(description="Mark done", permissions=["mark_done"])
    def mark_done(self, request, queryset):
        count = admin_services.tasks_mark_done(task_ids=queryset.values_list("id", flat=True))
        self.message_user(request, f"{words.counted(count, 'task')} marked done.", messages.SUCCESS)


# --- reminder policies and the message preview ------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(PolicyPreview, SupervisorOnly, admin.ModelAdmin):
    form = ReminderPolicyForm
    list_display = ["deadline_name", "style", "offsets", "send_time", "enabled"]
    list_editable = ["style", "offsets", "send_time", "enabled"]
    list_filter = ["style", "enabled"]
    search_fields = ["deadline_kind"]
    change_list_template = "admin/notifications/reminderpolicy/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False  # untick "enabled" instead: the planner then cancels what is pending

    @admin.display(description="deadline", ordering="deadline_kind")
    def deadline_name(self, obj):
        return dict(policy_kind_choices()).get(obj.deadline_kind) or words.deadline_label(
            obj.deadline_kind
        )

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ModelErrorsAsRowErrorsForm, **kwargs)

    def save_model(self, request, obj, form, change):
        admin_services.policy_save(policy=obj)


# --- opt-outs ----------------------------------------------------------------------------------


@admin.register(Suppression)
class SuppressionAdmin(SupervisorOnly, admin.ModelAdmin):
    """Opt-outs. Remove one only when the family asks for messages again."""

    list_display = ["address_masked", "channel", "reason", "created_at"]
    fields = ["address_masked", "channel", "reason", "created_at"]
    readonly_fields = ["address_masked", "created_at"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]
    change_list_template = "admin/notifications/suppression/change_list.html"

    def has_add_permission(self, request):
        return False  # the family opts out (STOP, their page) or the adviser unticks a channel

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="address", ordering="address")
    def address_masked(self, obj):
        return mask_address(obj.address)

    def delete_model(self, request, obj):
        services.unsuppress(channel=obj.channel, address=obj.address)

    def delete_queryset(self, request, queryset):
        for channel, address in queryset.values_list("channel", "address"):
            services.unsuppress(channel=channel, address=address)
