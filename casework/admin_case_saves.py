"""Saving the case page maps its forms to the services: a date an adviser types is theirs and
checked (services.key_date_adviser_edit, services.given_date_adviser_edit), deadlines change only
through services.deadline_update, and the deadlines are recomputed. CaseAdmin
(casework/admin_workflows.py) saves through it."""

from workflows import services
from workflows.models import Deadline, GivenDate, KeyDate


def _edited_forms(formset):
    """The formset's forms that changed and passed their checks."""
    return [f for f in formset.forms if f.has_changed() and hasattr(f, "cleaned_data")]


class CaseSaves:
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.deadlines_recompute(case=form.instance)

    def save_formset(self, request, form, formset, change):
        if formset.model is KeyDate:
            for key_date_form in _edited_forms(formset):
                services.key_date_adviser_edit(
                    key_date=key_date_form.instance,
                    changed=key_date_form.changed_data,
                    by=request.user,
                )
        if formset.model is GivenDate:
            for given_form in _edited_forms(formset):
                services.given_date_adviser_edit(
                    given_date=given_form.instance, changed=given_form.changed_data
                )
        if formset.model is not Deadline:
            formset.save()
            return
        # The admin's bookkeeping for its change message: the service saves, not the formset.
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
