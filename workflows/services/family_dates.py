"""Dates the family tells us on their page, and the adviser's answer to one that waited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from workflows import rules, words
from workflows.models import AdviserTask, Case, FamilyReportedDate, KeyDate
from workflows.services.cases import key_date_set
from workflows.services.recompute import facts_check


@dataclass(frozen=True)
class DateChange:
    """One deadline the family's date changed: moved, newly worked out, or now done."""

    kind: str
    before: date | None
    after: date | None
    done: bool = False


@dataclass(frozen=True)
class FamilyDateResult:
    used: bool  # the rules count it now (False: it waits for the adviser)
    changes: list[DateChange] = field(default_factory=list)
    replaces: date | None = None  # the adviser's date it would replace, when it waits


def _dates_now(case: Case, today: date) -> dict[str, tuple[date, bool]]:
    return {
        d.kind: (d.effective_due, d.state(today) == rules.State.DONE) for d in case.deadlines.all()
    }


@transaction.atomic
def family_date_report(*, case: Case, event: str, value: date, today: date) -> FamilyDateResult:
    """A date the family told us on their page (DESIGN.md: "tell us a date").

    Checked against the case's other dates first (ValidationError in the rules' words, nothing
    changed). It never silently replaces a date an adviser confirmed: that one waits as a
    FamilyReportedDate, unused by the rules, until an adviser decides. Otherwise it is recorded
    as the family's, unconfirmed, and the deadlines and messages are recomputed at once. Either
    way the adviser gets a task to confirm it."""

    case = Case.objects.select_for_update().get(pk=case.pk)
    events = dict(case.key_dates.values_list("event", "value"))
    events[event] = value
    facts_check(events=events, placement_only=case.placement_only)
    label = words.event_label(event)
    existing = case.key_dates.filter(event=event).first()
    if existing is not None and existing.value == value:
        return FamilyDateResult(used=True)
    if existing is not None and existing.confirmed:
        FamilyReportedDate.objects.create(
            case=case, event=event, value=value, replaces=existing.value
        )
        AdviserTask.objects.create(
            case=case,
            kind=AdviserTask.Kind.FAMILY_DATE,
            text=words.family_date_waiting_task(label=label, value=value, recorded=existing.value),
        )
        return FamilyDateResult(used=False, replaces=existing.value)
    before = _dates_now(case, today)
    key_date_set(case=case, event=event, value=value, source=KeyDate.Source.FAMILY, confirmed=False)
    after = _dates_now(case, today)
    changes = []
    for kind, (due, done) in sorted(after.items(), key=lambda item: item[1][0]):
        old = before.get(kind)
        if old is None:
            changes.append(DateChange(kind=kind, before=None, after=due, done=done))
        elif done and not old[1]:
            changes.append(DateChange(kind=kind, before=old[0], after=due, done=True))
        elif old[0] != due:
            changes.append(DateChange(kind=kind, before=old[0], after=due))
    AdviserTask.objects.create(
        case=case,
        kind=AdviserTask.Kind.FAMILY_DATE,
        text=f"The family told us: {label} on {rules.long_date(value)}. It is used now: check "
        "it against the letter and tick confirmed on the case's key dates.",
    )
    return FamilyDateResult(used=True, changes=changes)


@transaction.atomic
def reported_date_decide(*, reported: FamilyReportedDate, accept: bool, by) -> None:
    """The adviser's answer to a family's date that waited: use it, or keep their own."""
    reported = FamilyReportedDate.objects.select_for_update().get(pk=reported.pk)
    if reported.status != FamilyReportedDate.Status.WAITING:
        return
    if accept:
        key_date_set(
            case=reported.case,
            event=reported.event,
            value=reported.value,
            source=KeyDate.Source.FAMILY,
            by=by,
            confirmed=True,
        )
    reported.status = (
        FamilyReportedDate.Status.ACCEPTED if accept else FamilyReportedDate.Status.SET_ASIDE
    )
    reported.decided_by, reported.decided_at = by, timezone.now()
    reported.save(update_fields=["status", "decided_by", "decided_at"])
