"""Who may reach which admin page. Every registered ModelAdmin declares a `scope`, and
tests/governance/test_scoping.py fails for one that does not:

- "case": rows of cases the user may see (workflows.selectors), 404 for any other;
- "supervisor": supervisors (and superusers) only;
- "superuser": superusers only (the beat tables, users and groups, login lockouts).
"""

from __future__ import annotations

from django.http import Http404

from workflows.selectors import cases_visible_to, related_visible_to, sees_all_cases


class CaseScoped:
    """Mix into a ModelAdmin or an inline whose rows belong to a case."""

    scope = "case"
    case_field = "case"  # the path from this model to its Case; "" for Case itself

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.case_field:
            return cases_visible_to(request.user, queryset)
        return related_visible_to(request.user, queryset, field=self.case_field)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Not "perhaps it was deleted": a case outside one's scope does not exist for them.
        raise Http404(f"No {opts.verbose_name} with ID {object_id!r}")


class SupervisorOnly:
    scope = "supervisor"

    def has_module_permission(self, request):
        return sees_all_cases(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return sees_all_cases(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return sees_all_cases(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return sees_all_cases(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return sees_all_cases(request.user) and super().has_delete_permission(request, obj)


class SuperuserOnly:
    scope = "superuser"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
