"""Which cases a person may see: the one scope every admin page, action and export uses."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from workflows.models import Case, FamilyReportedDate, KeyDate

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
# The case list, the adviser's dashboard and their filters read a case's urgency from here only,
# from the columns workflows.case_summary stores on Case: no subquery per case.


def passed_family(today: date) -> Q:
    """A filter on Case: a date the family owed has passed with nothing recorded to show it
    done (compared with `today` here, so a date passing since the last refresh counts)."""
    # IS NOT NULL too: in an ORDER BY, "false OR NULL" would sort as neither.
    return Q(family_missed=True) | Q(family_first_due__isnull=False, family_first_due__lt=today)


def cases_by_urgency(queryset: QuerySet, today: date) -> QuerySet:
    """Cases ordered by urgency: a passed family deadline first, then by the next day to act
    by; cases with nothing to do last.

    Annotates passed_family (bool); the next step is the case's own columns: next_kind,
    next_label, next_owner, next_due (effective date), next_act_by (the day to act by, an
    override's own)."""
    return queryset.annotate(
        passed_family=ExpressionWrapper(passed_family(today), output_field=BooleanField())
    ).order_by(*urgency_order())


def urgency_order() -> list:
    """The order of cases_by_urgency, for lists that set their own (the admin's changelist).

    By the stored family_passed (as of the last refresh: every change, and nightly) so that the
    case_by_urgency index gives the first page without sorting every case; a date that passed
    since then is already in the "passed" filter and counts, and moves up at the nightly run."""
    return ["-family_passed", F("next_act_by").asc(nulls_last=True), "reference"]


def next_step_act_by(case) -> date | None:
    """The day to act by of a case's next step."""
    return case.next_act_by


def family_dates_waiting() -> Q:
    """A filter on Case: a date the family told us waits for an adviser (a reported date to
    decide on, or a family key date not yet confirmed). Uncorrelated, so PostgreSQL hashes
    each list of ids once rather than probing per case."""
    waiting = FamilyReportedDate.objects.filter(status=FamilyReportedDate.Status.WAITING)
    unconfirmed = KeyDate.objects.filter(confirmed=False)
    return Q(pk__in=waiting.values("case_id")) | Q(pk__in=unconfirmed.values("case_id"))
