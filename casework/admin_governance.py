"""The audit trail for supervisors, and the tables only a superuser may open.

Runs after every other app's admin (governance is last in INSTALLED_APPS), so it can re-register
the beat tables, users and groups, login lockouts, authenticator apps and django-auditlog's log
as it needs. The admin's log-in form also asks for the second factor's code (governance.two_factor).
"""

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.html import format_html, format_html_join

from casework.history_words import changes_in_words, detail_in_words, field_names_in_words
from governance.models import AuditEvent
from governance.two_factor import AdminLoginForm
from workflows.admin_scope import SuperuserOnly, SupervisorOnly


@admin.register(AuditEvent)
class AuditEventAdmin(SupervisorOnly, admin.ModelAdmin):
    """Append-only: nobody adds or edits an event here, and only a superuser deletes one."""

    list_display = ["at", "action", "case_reference", "actor_name", "ip", "what"]
    list_filter = ["action", "actor", "case", ("at", admin.DateFieldListFilter)]
    search_fields = ["case_reference", "actor_name", "ip"]
    date_hierarchy = "at"
    list_select_related = ["case"]
    fields = ["at", "action", "case_reference", "actor_name", "ip", "what"]
    readonly_fields = fields

    @admin.display(description="detail")
    def what(self, obj) -> str:
        return detail_in_words(obj.detail)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class CaseFilter(admin.SimpleListFilter):
    """Changes to a case and to every row of it (contacts, key dates...), by its id."""

    title = "case"
    parameter_name = "case_id"

    def lookups(self, request, model_admin):
        return []  # reached from the case page's link

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(additional_data__case_id=int(self.value()))
        return queryset


class ActorFilter(admin.SimpleListFilter):
    title = "person"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(u.pk, u.get_username()) for u in users]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor_id=self.value())
        return queryset


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(SupervisorOnly, AuditlogLogEntryAdmin):
    """django-auditlog's change history: every change with its before and after values."""

    list_filter = [
        "action",
        CaseFilter,
        ActorFilter,
        ("timestamp", admin.DateFieldListFilter),
        *AuditlogLogEntryAdmin.list_filter[1:],
    ]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="Changes")
    def msg_short(self, obj) -> str:
        """auditlog's "3 changes: wants_sms, ..." with the fields' labels."""
        if obj.action in [LogEntry.Action.DELETE, LogEntry.Action.ACCESS]:
            return ""
        changes = obj.changes_dict
        model = obj.content_type.model_class() if obj.content_type_id else None
        names = field_names_in_words(model, changes) if model else list(changes)
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        return f"{len(names)} change{'s' if len(names) != 1 else ''}: {shown}"

    @admin.display(description="Changes")
    def msg(self, obj):
        """Each field's before and after as people read them (labels, not stored codes)."""
        rows = changes_in_words(obj)
        if not rows:
            return ""
        return format_html(
            "<table><tr><th>Field</th><th>From</th><th>To</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _superuser_only(model) -> None:
    """Re-register `model` with its own admin class, for superusers only."""
    if not admin.site.is_registered(model):
        return
    current = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (SuperuserOnly, current), {}))


def _beat_and_lockout_models():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return [
        PeriodicTask,
        IntervalSchedule,
        CrontabSchedule,
        SolarSchedule,
        ClockedSchedule,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
        # Authenticator apps: a superuser deletes a lost one, and its owner sets up a new one.
        TOTPDevice,
    ]


for _model in [get_user_model(), Group, *_beat_and_lockout_models()]:
    _superuser_only(_model)


# The log-in page asks for an authenticator app's code, for logins that turned one on.
admin.site.login_form = AdminLoginForm
