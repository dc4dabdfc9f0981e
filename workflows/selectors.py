"""Which cases a person may see: the one scope every admin page, action and export uses."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from workflows.models import Case

SEE_ALL = "workflows.view_all_cases"


def sees_all_cases(user) -> bool:
    """Supervisors (and superusers) see every adviser's cases."""
    return bool(user and user.is_active and user.is_staff and user.has_perm(SEE_ALL))


def case_scope(user) -> Q:
    """A filter on Case: an adviser's own cases and the unassigned ones, everything for a
    supervisor, nothing for anyone else."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return Q(pk__in=[])
    if sees_all_cases(user):
        return Q()
    return Q(adviser=user) | Q(adviser__isnull=True)


def cases_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cases `user` may see (narrowing `queryset` when given)."""
    queryset = Case.objects.all() if queryset is None else queryset
    return queryset.filter(case_scope(user))


def related_visible_to(user, queryset: QuerySet, *, field: str = "case") -> QuerySet:
    """Rows of a model that hangs off a case (contacts, messages, tasks...), by their case."""
    if sees_all_cases(user):
        return queryset
    return queryset.filter(**{f"{field}__in": cases_visible_to(user).values("pk")})
