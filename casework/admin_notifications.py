import phonenumbers
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from casework import admin_outbox, admin_services, history
from casework.search import cases_matching
from governance.audit import Action, audit_record
from notifications import gsm, schedule, services
from notifications.models import Channel, OutboundMessage, ReminderPolicy, Suppression
from sendflow.privacy import mask_address, mask_links, redact
from workflows import selectors, words
from workflows.admin_paging import CappedPaginator, PlainActionCheckbox, span_dates
from workflows.admin_scope import CaseScoped, SupervisorOnly
from workflows.models import AdviserTask, Case, Contact
from workflows.validators import validate_uk_mobile

Status = OutboundMessage.Status
PROBLEM_STATUSES = (Status.FAILED, Status.UNKNOWN)
RED = "color:#ba2121"


def london(value) -> str:
    """An instant as advisers read it: London wall-clock time."""
    if not value:
        return "-"
    return f"{timezone.localtime(value, schedule.LONDON):%a %d %b %Y %H:%M}"


def sent_together_html(message) -> str:
    """A combined send in words, the row combined into another linking to that one (the lead:
    it holds the provider's id and the text as sent)."""
    text = history.sent_together(message)
    if not text or not message.combined_into_id:
        return text
    url = reverse("admin:notifications_outboundmessage_change", args=[message.combined_into_id])
    return format_html('{} (<a href="{}">#{}</a>)', text, url, message.combined_into_id)


def case_link(case) -> str:
    if case is None:
        return "-"
    url = reverse("admin:workflows_case_change", args=[case.pk])
    return format_html('<a href="{}">{}</a>', url, case.reference)


class ContactInline(CaseScoped, admin.StackedInline):
    model = Contact
    extra = 0
    fields = [
        ("role", "name"),
        ("email", "wants_email"),
        ("mobile", "wants_sms"),
        "language",
        ("consent_at", "consent_source"),
    ]


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


class TaskStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("done", "Done")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "done"):
            return queryset.filter(done_at__isnull=self.value() == "open")
        return queryset


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


class ModelErrorsAsRowErrorsForm(forms.ModelForm):
    """Show a model.clean() error about a field this form lacks as the row's own error.

    The policy list edits only some fields; Django would otherwise crash on such an error.
    """

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            errors: dict[str, list] = {}
            for name, messages_ in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                errors.setdefault(key, []).extend(messages_)
            error = ValidationError(errors)
        super().add_error(field, error)


def policy_kind_choices() -> list[tuple[str, str]]:
    """Every computed deadline, then every kind of date a letter gives."""
    return [
        *words.deadline_kind_choices(),
        *(
            (f"{words.GIVEN_PREFIX}{kind}", f"Given in a letter: {label}")
            for kind, label in words.GIVEN_KIND_LABELS.items()
        ),
    ]


class ReminderPolicyForm(ModelErrorsAsRowErrorsForm):
    deadline_kind = forms.ChoiceField(label="deadline", choices=policy_kind_choices)

    class Meta:
        model = ReminderPolicy
        fields = ["deadline_kind", "style", "offsets", "send_time", "enabled"]


class SendTestForm(forms.Form):
    sample = forms.ChoiceField(label="Message")
    channel = forms.ChoiceField(
        choices=Channel.choices, widget=forms.RadioSelect, initial=Channel.EMAIL
    )
    mobile = forms.CharField(
        required=False,
        label="Mobile (for a text)",
        help_text="A UK mobile number, like 07xxx xxxxxx.",
    )

    def __init__(self, *args, user, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sample"].choices = samples

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == Channel.EMAIL:
            if not self.user.email:
                self.add_error(
                    "channel",
                    "Your user account has no email address, so there is nowhere to send a test "
                    "email. Ask an administrator to add one, or send the test as a text.",
                )
            else:
                cleaned["to"] = self.user.email.lower()
        elif cleaned.get("channel") == Channel.SMS:
            mobile = cleaned.get("mobile", "").strip()
            if not mobile:
                self.add_error("mobile", "Type the mobile number to send the test text to.")
                return cleaned
            try:
                validate_uk_mobile(mobile)
            except ValidationError as exc:
                self.add_error("mobile", exc)
                return cleaned
            cleaned["to"] = phonenumbers.format_number(
                phonenumbers.parse(mobile, "GB"), phonenumbers.PhoneNumberFormat.E164
            )
        return cleaned


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(SupervisorOnly, admin.ModelAdmin):
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

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="notifications_reminderpolicy_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        # Advisers preview and test messages too; the policies themselves are a supervisor's.
        if not request.user.has_perm("notifications.view_outboundmessage"):
            raise PermissionDenied
        groups = admin_services.previews_render(adviser=request.user)
        samples = list(
            dict.fromkeys(
                (p.key, f"{g.title}: {p.kind_label.lower()}") for g in groups for p in g.previews
            )
        )
        form = SendTestForm(request.POST or None, user=request.user, samples=samples)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            preview = admin_services.preview_find(
                groups, key=data["sample"], channel=data["channel"]
            )
            if preview is None or preview.error:
                form.add_error("sample", "This message cannot be rendered, so it cannot be sent.")
            else:
                subject = f"[Test] {preview.subject}" if preview.subject else ""
                message = admin_services.adviser_message_send(
                    channel=data["channel"], to=data["to"], subject=subject, body=preview.body
                )
                self._report_test(request, message)
                audit_record(
                    action=Action.SEND_TEST,
                    case=message.case,
                    request=request,
                    detail={"message": message.id, "to": mask_address(message.to)},
                )
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "Message preview",
            "opts": self.model._meta,
            "groups": groups,
            "form": form,
            "segment_limit": admin_services.SMS_SEGMENT_LIMIT,
        }
        return TemplateResponse(request, "admin/notifications/reminderpolicy/preview.html", context)

    def _report_test(self, request, message):
        what = f"The test {'text' if message.channel == Channel.SMS else 'email'} to {message.to}"
        if message.status == Status.SENT:
            self.message_user(request, f"{what} was sent.", messages.SUCCESS)
        elif message.status == Status.FAILED:
            self.message_user(request, f"{what} failed: {message.last_error}", messages.ERROR)
        elif message.status == Status.SUPPRESSED:
            self.message_user(
                request,
                f"{what} was not sent: that address has opted out (see Suppressions).",
                messages.ERROR,
            )
        elif message.status == Status.UNKNOWN:
            self.message_user(
                request,
                f"{what} may not have gone: the provider did not answer ({message.last_error}). "
                "sendflow is checking with the provider.",
                messages.WARNING,
            )
        elif message.status == Status.PENDING:
            why = message.status_reason or message.last_error
            self.message_user(
                request,
                f"{what} was not sent yet ({why}). It will go at {london(message.send_at)}.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"{what} was not sent: {message.get_status_display().lower()} "
                f"{message.status_reason}".strip(),
                messages.WARNING,
            )


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
