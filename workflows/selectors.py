"""Which cases a person may see: the one scope every admin page, action and export uses."""

from __future__ import annotations

from datetime import date

from django.db.models import Case as DbCase
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from workflows import rules
from workflows.models import Case, Deadline, FamilyReportedDate, KeyDate

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


# --- what is urgent first ------------------------------------------------------------------------
# The case list, the adviser's dashboard and their filters read a case's urgency from here only:
# today by subqueries over Deadline, later from columns stored on Case, without their callers
# changing.


def _to_do(today: date) -> Q:
    """Deadline rows still to do on `today`: not marked met or waived, and no recorded event
    completed them (Deadline.state() in SQL)."""
    return Q(status__in=[Deadline.Status.OPEN, Deadline.Status.MISSED]) & (
        Q(done_by="") | Q(done_on__isnull=True) | Q(done_on__gt=today)
    )


def _passed(today: date) -> Q:
    return (
        Q(status=Deadline.Status.MISSED)
        | Q(override_date__lt=today)
        | Q(override_date__isnull=True, due__lt=today)
    )


def passed_family_deadlines(today: date) -> QuerySet:
    """Deadlines the family owed whose date has passed with nothing recorded to show it done."""
    return Deadline.objects.filter(_to_do(today), _passed(today), owner=rules.Owner.PARENT)


def _next_steps(today: date) -> QuerySet:
    """A case's deadlines still to do, the next step first: a passed family deadline, then
    the earliest day to act by (an override counts from its own date)."""
    family_passed = Q(owner=rules.Owner.PARENT) & _passed(today)
    return (
        Deadline.objects.filter(_to_do(today), case=OuterRef("pk"))
        .annotate(
            passed_first=DbCase(When(family_passed, then=Value(0)), default=Value(1)),
            act_on=Coalesce("override_date", "act_by"),
        )
        .order_by("passed_first", "act_on", "kind")
    )


def cases_by_urgency(queryset: QuerySet, today: date) -> QuerySet:
    """Cases annotated with their next step and ordered by urgency: a passed family deadline
    first, then by the next day to act by; cases with nothing to do last.

    Annotations: passed_family (bool), next_kind, next_due (effective date), next_act_by (the
    day to act by, for ordering), next_override, next_owner, next_computed_act_by. Use
    next_step_act_by(case) for the exact day to act by of an overridden date."""
    steps = _next_steps(today)
    return queryset.annotate(
        passed_family=Exists(passed_family_deadlines(today).filter(case=OuterRef("pk"))),
        next_kind=Subquery(steps.values("kind")[:1]),
        next_due=Subquery(steps.annotate(eff=Coalesce("override_date", "due")).values("eff")[:1]),
        next_act_by=Subquery(steps.values("act_on")[:1]),
        next_override=Subquery(steps.values("override_date")[:1]),
        next_owner=Subquery(steps.values("owner")[:1]),
        next_computed_act_by=Subquery(steps.values("act_by")[:1]),
    ).order_by(*urgency_order())


def urgency_order() -> list:
    """The order of cases_by_urgency, for lists that set their own (the admin's changelist)."""
    return [F("passed_family").desc(), F("next_act_by").asc(nulls_last=True), "reference"]


def next_step_act_by(case) -> date | None:
    """The day to act by of a case annotated by cases_by_urgency: an override's own act-by
    (the same arithmetic as Deadline.effective_act_by), else the stored one."""
    if getattr(case, "next_kind", None) is None:
        return None
    if case.next_override:
        return rules.act_by(due=case.next_override, owner=case.next_owner)
    return case.next_computed_act_by


def family_dates_waiting() -> Q:
    """A filter on Case: a date the family told us waits for an adviser (a reported date to
    decide on, or a family key date not yet confirmed)."""
    return Q(
        Exists(
            FamilyReportedDate.objects.filter(
                case=OuterRef("pk"), status=FamilyReportedDate.Status.WAITING
            )
        )
    ) | Q(Exists(KeyDate.objects.filter(case=OuterRef("pk"), confirmed=False)))
