"""The case page's inlines: contacts, key dates, deadlines, dates given in letters, routes.
casework/admin_workflows.py puts them on the case page."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from casework.admin_display import deadline_state_html, working_html
from workflows import rules, words
from workflows.admin_scope import CaseScoped
from workflows.forms import DeadlineForm, KeyDateFormSet, LabelledInlineFormSet
from workflows.models import Contact, Deadline, GivenDate, KeyDate, Route


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
