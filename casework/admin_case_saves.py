"""What saving the case page does: a date an adviser types is theirs and checked, deadlines change
only through the service, and the deadlines are recomputed. CaseAdmin
(casework/admin_workflows.py) saves through it."""

from workflows import services
from workflows.models import Deadline, GivenDate, KeyDate


class CaseSaves:
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
