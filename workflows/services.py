"""Every write to cases, key dates and deadlines. Deadlines are recomputed in the same transaction
as the change that moves them, so no reader ever sees a key date without its deadlines."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from governance.models import AuditEvent
from workflows import batch_sql, rules, words
from workflows.case_summary import case_summaries_refresh
from workflows.models import (
    AdviserTask,
    Case,
    Deadline,
    FamilyReportedDate,
    GivenDate,
    KeyDate,
    RecomputeRun,
)

logger = logging.getLogger(__name__)


# Every write of a case's dates re-plans its messages. The outbox builds on workflows, so it
# names its planner here when it starts (notifications.apps): notifications.planner.messages_plan.
_planner = None


def messages_planner_set(plan) -> None:
    global _planner
    _planner = plan


def messages_plan(*, case_ids: list[int]) -> None:
    if _planner is None:
        raise RuntimeError("no message planner: is notifications in INSTALLED_APPS?")
    _planner(case_ids=case_ids)


_COMPUTED_FIELDS = [
    "due",
    "owner",
    "rule",
    "confidence",
    "steps",
    "warnings",
    "computed_at",
    "aim_for",
    "act_by",
    "done_by",
    "done_on",
]


def facts_for(
    *, events: dict[str, date], placement_only: bool, complaint_to: str = ""
) -> rules.Facts:
    return rules.Facts(
        events=events,
        placement_only=placement_only,
        complaint_to=rules.Owner(complaint_to) if complaint_to else None,
    )


def facts_check(*, events: dict[str, date], placement_only: bool = False) -> None:
    """Raise ValidationError, in the rules' own words, if these dates cannot all be true."""
    try:
        rules.validate(facts_for(events=events, placement_only=placement_only))
    except rules.FactsError as exc:
        raise ValidationError(str(exc)) from exc


def deadline_row(*, case_id: int, computed: rules.Deadline, now: datetime) -> Deadline:
    """An unsaved Deadline row holding what the rules computed."""
    return Deadline(
        case_id=case_id,
        kind=computed.kind,
        due=computed.due,
        owner=computed.owner.value,
        rule=computed.rule,
        confidence=computed.confidence.value,
        steps=list(computed.steps),
        warnings=list(computed.warnings),
        computed_at=now,
        aim_for=computed.aim_for,
        act_by=computed.act_by,
        done_by=computed.done_by or "",
        done_on=computed.done_on,
    )


@transaction.atomic
def deadlines_recompute(*, case: Case) -> list[Deadline]:
    """Recompute and store every deadline of one case; return them in due order."""
    failures = deadlines_recompute_many(case_ids=[case.id])
    if failures:
        raise ValidationError(failures[case.id])
    return list(case.deadlines.order_by("due", "kind"))


@transaction.atomic
def deadlines_recompute_many(*, case_ids: Iterable[int]) -> dict[int, str]:
    """Recompute and store the deadlines of many cases in a few queries.

    Return {case_id: message} for cases whose dates contradict each other; their stored
    deadlines are left as they were so nothing half-written is seen.
    """
    now = timezone.now()  # also this run's stamp: rows it did not write are stale
    today = timezone.localdate(now)
    case_ids = list(case_ids)
    # Lock the cases so two recomputes of one case cannot interleave their upserts and deletes.
    placement = {
        case_id: (placement_only, complaint_to)
        for case_id, placement_only, complaint_to in Case.objects.select_for_update()
        .filter(batch_sql.ids_filter("id", case_ids))
        .order_by("id")  # one lock order for every writer (not Case.Meta's reference order)
        .values_list("id", "placement_only", "complaint_to")
    }
    events: dict[int, dict[str, date]] = defaultdict(dict)
    for case_id, event, value in KeyDate.objects.filter(
        batch_sql.ids_filter("case_id", case_ids)
    ).values_list("case_id", "event", "value"):
        events[case_id][event] = value

    rows: list[_Computed] = []
    failures: dict[int, str] = {}
    odd: dict[int, list[str]] = {}
    # The rules are pure: cases with the same dates (many, in a region's caseload) get the same
    # deadlines and findings, worked out once per batch.
    same: dict[tuple, tuple[list[tuple], list[str]] | rules.FactsError] = {}
    for case_id, (placement_only, complaint_to) in placement.items():
        case_events = events.get(case_id, {})
        key = (placement_only, complaint_to, *sorted(case_events.items()))
        found = same.get(key)
        if found is None:
            facts = facts_for(
                events=case_events, placement_only=placement_only, complaint_to=complaint_to
            )
            try:
                computed = rules.compute_deadlines(facts)
                found = same[key] = (
                    [_computed(d) for d in computed],
                    rules.flags(facts, computed, today=today),
                )
            except rules.FactsError as exc:
                found = same[key] = exc
        if isinstance(found, rules.FactsError):
            failures[case_id] = str(found)
            logger.warning("Deadlines of case %s not recomputed: %s", case_id, found)
            continue
        computed, flags = found
        rows.extend(_Computed(case_id, *values) for values in computed)
        if flags:
            odd[case_id] = flags
    recomputed = [case_id for case_id in placement if case_id not in failures]
    stored = _stored_deadlines(recomputed)
    moved = [
        (before.row, row.due)
        for row in rows
        if (before := stored.get((row.case_id, row.kind))) is not None and before.row.due != row.due
    ]
    # Only what changed is written (a nightly recompute changes almost nothing). Status and
    # overrides belong to the adviser: the update leaves them alone...
    new = [row for row in rows if (row.case_id, row.kind) not in stored]
    _update_changed(rows, stored, now=now)
    _insert_new(new, now=now)
    # ...unless the computed date moved: a deadline marked missed may stand again (a later
    # certificate), so it reopens, and an override made against the old date needs a look.
    _reopen_moved(moved)
    _record_moves(moved)
    _flag_odd_dates(odd)
    # Whatever the rules no longer give does not stand.
    computed_keys = {(row.case_id, row.kind) for row in rows}
    stale = [s.row.id for key, s in stored.items() if key not in computed_keys]
    if stale:
        Deadline.objects.filter(id__in=stale).delete()
    # The messages follow the dates in the same transaction (DESIGN.md invariant 4). A case
    # whose dates were refused keeps its stored deadlines, and is planned from them: the nightly
    # run is what writes its messages further ahead (notifications.planner.PLAN_AHEAD).
    messages_plan(case_ids=list(placement))
    return failures


_COMPARED_FIELDS = [f for f in _COMPUTED_FIELDS if f != "computed_at"]


class _Computed(NamedTuple):
    """One deadline as the rules computed it, as stored (the values of _COMPARED_FIELDS after
    case_id and kind): a tuple, not a model instance, since a batch makes thousands."""

    case_id: int
    kind: str
    due: date
    owner: str
    rule: str
    confidence: str
    steps: list[str]
    warnings: list[str]
    aim_for: date
    act_by: date
    done_by: str
    done_on: date | None


def _computed(computed: rules.Deadline) -> tuple:
    """The values of a _Computed after its case_id (its lists are only ever read)."""
    return (
        computed.kind,
        computed.due,
        computed.owner.value,
        computed.rule,
        computed.confidence.value,
        list(computed.steps),
        list(computed.warnings),
        computed.aim_for,
        computed.act_by,
        computed.done_by or "",
        computed.done_on,
    )


class _StoredRow(NamedTuple):
    """What _reopen_moved and _record_moves read of a stored deadline."""

    id: int
    case_id: int
    kind: str
    due: date
    status: str
    override_date: date | None
    status_reason: str = ""


class _Stored(NamedTuple):
    row: _StoredRow
    computed: tuple  # the values of _COMPARED_FIELDS, as stored


# The JSON columns are read as text and decoded once per distinct text: cases with the same
# dates have the same steps, and decoding each row's was most of the time this read took.
_AS_TEXT = {"steps": Cast("steps", TextField()), "warnings": Cast("warnings", TextField())}


def _stored_deadlines(case_ids: list[int]) -> dict[tuple[int, str], _Stored]:
    stored = {}
    decoded: dict[str, list] = {}
    json_at = [i for i, name in enumerate(_COMPARED_FIELDS) if name in _AS_TEXT]
    for values in (
        Deadline.objects.filter(batch_sql.ids_filter("case_id", case_ids))
        .annotate(**{f"{name}_text": cast for name, cast in _AS_TEXT.items()})
        .values_list(
            "id",
            "case_id",
            "kind",
            "status",
            "override_date",
            "status_reason",
            *(f"{f}_text" if f in _AS_TEXT else f for f in _COMPARED_FIELDS),
        )
    ):
        deadline_id, case_id, kind, status, override_date, status_reason, *computed = values
        for i in json_at:
            text = computed[i]
            if (value := decoded.get(text)) is None:
                value = decoded[text] = json.loads(text)
            computed[i] = value
        row = _StoredRow(
            deadline_id, case_id, kind, computed[0], status, override_date, status_reason
        )
        stored[(case_id, kind)] = _Stored(row, tuple(computed))
    return stored


def _update_changed(
    rows: list[_Computed], stored: dict[tuple[int, str], _Stored], *, now: datetime
) -> None:
    """Write the computed fields of the stored deadlines whose values changed, in one UPDATE
    per batch; rows that came out the same are not touched (computed_at included)."""
    changed = []
    for row in rows:
        before = stored.get((row.case_id, row.kind))
        if before is not None and row[2:] != before.computed:
            changed.append((before.row.id, *row[2:], now))
    batch_sql.rows_update(Deadline, fields=[*_COMPARED_FIELDS, "computed_at"], rows=changed)


# A new deadline starts open, with no override: the adviser's columns at their defaults.
_NEW_DEADLINE_DEFAULTS = {
    "status": Deadline.Status.OPEN.value,
    "status_reason": "",
    "override_date": None,
    "override_reason": "",
    "overridden_by_id": None,
    "overridden_at": None,
}


def _insert_new(rows: list[_Computed], *, now: datetime) -> None:
    """Insert deadlines no case had yet. The cases are locked, so none can appear meanwhile:
    on PostgreSQL through COPY (an import of thousands of cases spends most of its time here
    otherwise), elsewhere through bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_create(
            [Deadline(**row._asdict(), computed_at=now) for row in rows], batch_size=2000
        )
        return
    batch_sql.rows_copy(
        Deadline,
        _Computed._fields,
        rows,
        constant=(now, *_NEW_DEADLINE_DEFAULTS.values()),
        constant_names=("computed_at", *_NEW_DEADLINE_DEFAULTS),
    )


def _reopen_moved(moved: list[tuple[_StoredRow, date]]) -> None:

    reopen = [d.id for d, _ in moved if d.status != Deadline.Status.OPEN]
    # The marking's reason goes with it; the task says what both were.
    Deadline.objects.filter(id__in=reopen).update(status=Deadline.Status.OPEN, status_reason="")
    tasks = [
        AdviserTask(
            case_id=d.case_id,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=f"{words.deadline_label(d.kind)}: the computed date moved from "
            f"{rules.long_date(d.due)} to {rules.long_date(new)}. "
            + (
                f"It was marked {Deadline.Status(d.status).label.lower()}"
                + (f" ({d.status_reason})" if d.status_reason else "")
                + " and is open again. "
                if d.status != Deadline.Status.OPEN
                else ""
            )
            + (
                f"The override ({rules.long_date(d.override_date)}) still applies: check it."
                if d.override_date
                else ""
            ),
        )
        for d, new in moved
        if d.status != Deadline.Status.OPEN or d.override_date
    ]
    AdviserTask.objects.bulk_create(tasks)


def _record_moves(moved: list[tuple[_StoredRow, date]]) -> None:
    """Each move of a computed date goes in the case's chronology (the audit trail): the appeal
    form and any argument for a late appeal may need to show when a date changed and why."""
    if not moved:
        return
    references = dict(
        Case.objects.filter(id__in={d.case_id for d, _ in moved}).values_list("id", "reference")
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditEvent.Action.DEADLINE_MOVED,
            case_id=deadline.case_id,
            case_reference=references.get(deadline.case_id, ""),
            actor_name="sendflow",
            detail={
                "deadline": deadline.kind,
                "from": deadline.due.isoformat(),
                "to": new.isoformat(),
            },
        )
        for deadline, new in moved
    )


def _flag_odd_dates(odd: dict[int, list[str]]) -> None:
    """Dates that can all be true but look odd: a task for the adviser, once per finding."""

    if not odd:
        return
    # The rules name the dates in the family's words; the adviser reads them in their own.
    odd = {case_id: [words.adviser_words(t) for t in texts] for case_id, texts in odd.items()}
    kind = AdviserTask.Kind.DATES_TO_CHECK
    have = set(
        AdviserTask.objects.filter(
            batch_sql.ids_filter("case_id", list(odd)), kind=kind
        ).values_list("case_id", "text")
    )
    # A batch of an imported caseload can flag thousands: rows, not model instances.
    batch_sql.rows_insert(
        AdviserTask,
        ["case_id", "text"],
        [
            (case_id, text)
            for case_id, texts in odd.items()
            for text in texts
            if (case_id, text) not in have
        ],
        constant=(kind, None, timezone.now(), None),
        constant_names=("kind", "message_id", "created_at", "done_at"),
    )


RECOMPUTE_RUNS_KEPT = timedelta(days=90)


def deadlines_recompute_open_cases(*, batch: int = 1000) -> int:
    """Recompute every open case in batches, each its own transaction; return the count.

    A batch locks its cases until it commits (about a second for a thousand), so an adviser's
    save waits at most for one batch; in id order, so a batch's rows sit close together. Each
    run is recorded (RecomputeRun), its end only when it got through every batch."""
    run = RecomputeRun.objects.create(started_at=timezone.now())
    # A run a night, kept for a season: enough to see when the runs stopped or slowed.
    RecomputeRun.objects.filter(started_at__lt=run.started_at - RECOMPUTE_RUNS_KEPT).delete()
    ids = list(
        Case.objects.filter(status=Case.Status.OPEN).order_by("id").values_list("id", flat=True)
    )
    failed: list[list[int]] = []
    reached = 0
    try:
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            # A batch that fails (a deadlock with an adviser's save, a lost connection) is tried
            # once more, then left for the end: the rest of the night's cases still get theirs.
            for attempt in (1, 2):
                try:
                    deadlines_recompute_many(case_ids=chunk)
                    break
                except DatabaseError:
                    logger.exception(
                        "Nightly recompute: cases %s to %s failed (attempt %s)",
                        chunk[0],
                        chunk[-1],
                        attempt,
                    )
            else:
                failed.append(chunk)
            reached = i + len(chunk)
    finally:
        # Also when cut short (the task's time limit, a worker stopping): the cases it did not
        # reach count as left out, so /healthz says so at once.
        run.finished_at = timezone.now()
        run.cases, run.failed = len(ids), sum(map(len, failed)) + len(ids) - reached
        try:
            run.save(update_fields=["finished_at", "cases", "failed"])
        except DatabaseError:  # the connection that stopped the run: it stays unfinished
            logger.exception("Nightly recompute: its run could not be recorded")
    if failed:
        raise NightlyRecomputeIncomplete(
            f"{sum(map(len, failed))} of {len(ids)} open cases were not recomputed "
            f"(case ids {', '.join(f'{c[0]}-{c[-1]}' for c in failed)}); the rest were"
        )
    return len(ids)


class NightlyRecomputeIncomplete(Exception):
    """Some batches of the nightly recompute failed twice; the task fails so monitors see it."""


@transaction.atomic
def case_take_on(*, case: Case, by, from_left: bool = False) -> bool:
    """Make `by` the case's adviser if nobody looks after it: no adviser, or (`from_left`, a
    supervisor's choice) one who has left. One conditional UPDATE, so two people taking the
    same case at once cannot both have it; False when it already had someone."""
    nobody = Q(adviser__isnull=True)
    if from_left:
        nobody |= Q(adviser__is_active=False)
    return bool(Case.objects.filter(nobody, pk=case.pk).update(adviser=by))


@transaction.atomic
def case_replan(*, case: Case) -> None:
    """Re-plan messages after contacts, the pause or the status changed."""
    messages_plan(case_ids=[case.id])


@transaction.atomic
def key_date_set(
    *,
    case: Case,
    event: str,
    value: date,
    source: str = KeyDate.Source.ADVISER,
    by=None,
    confirmed: bool = True,
) -> KeyDate:
    """Record a key date and recompute the case's deadlines and messages in one transaction.

    `source` says who told us (adviser, family, import); a family's date is unconfirmed until an
    adviser checks it."""
    events = dict(case.key_dates.values_list("event", "value"))
    events[event] = value
    facts_check(events=events, placement_only=case.placement_only)
    key_date, _ = KeyDate.objects.update_or_create(
        case=case,
        event=event,
        defaults={"value": value, "source": source, "recorded_by": by, "confirmed": confirmed},
    )
    deadlines_recompute(case=case)
    return key_date


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


@transaction.atomic
def key_date_remove(*, case: Case, event: str) -> None:
    case.key_dates.filter(event=event).delete()
    deadlines_recompute(case=case)


OVERRIDE_RANGE = timedelta(days=365)


def override_out_of_range(*, due: date, override: date) -> str | None:
    """An override more than a year from the computed date is a typing slip, not a date."""
    earliest, latest = due - OVERRIDE_RANGE, due + OVERRIDE_RANGE
    if earliest <= override <= latest:
        return None
    return (
        f"{override:%d/%m/%Y} is more than a year from the computed date "
        f"({rules.long_date(due)}): an override must be between {earliest:%d/%m/%Y} and "
        f"{latest:%d/%m/%Y}. Check the year."
    )


@transaction.atomic
def deadline_update(
    *,
    deadline: Deadline,
    status: str,
    override_date: date | None,
    override_reason: str,
    by,
    status_reason: str = "",
    now: datetime | None = None,
) -> Deadline:
    """Set the adviser's status (with its reason) and override; an override always records
    who, when and why."""
    override_reason = override_reason.strip()
    status_reason = status_reason.strip() if status != Deadline.Status.OPEN else ""
    if problem := status_reason_missing(status=status, status_reason=status_reason):
        raise ValidationError(problem)
    if override_date and (
        problem := override_out_of_range(due=deadline.due, override=override_date)
    ):
        raise ValidationError(problem)
    if override_date and not override_reason:
        raise ValidationError("Say why you are overriding the computed date.")
    if override_reason and not override_date:
        raise ValidationError("Give the override date, or clear the reason.")
    # The case first, as deadlines_recompute_many locks it, then the row. Compare with the
    # stored row, not `deadline`: a bound admin form has already copied its data onto the
    # instance.
    Case.objects.select_for_update().filter(pk=deadline.case_id).values_list("pk").first()
    stored = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.status = status
    deadline.status_reason = status_reason
    deadline.override_date = override_date
    deadline.override_reason = override_reason
    if (override_date, override_reason) != (stored.override_date, stored.override_reason):
        deadline.overridden_by = by if override_date else None
        deadline.overridden_at = (now or timezone.now()) if override_date else None
    else:
        deadline.overridden_by, deadline.overridden_at = stored.overridden_by, stored.overridden_at
    deadline.full_clean()
    deadline.save()
    # The case list's next step follows the status and override (an override's own act-by).
    case_summaries_refresh(case_ids=[deadline.case_id], today=timezone.localdate(now))
    return deadline


# Marking a deadline missed or waived changes what the family is told (a waived one is no longer
# reminded; a missed one is what a late appeal must explain): whoever reads the case later must
# see why. "Met" is usually shown by a recorded event, so its reason may stay blank.
NEEDS_A_REASON = (Deadline.Status.MISSED, Deadline.Status.WAIVED)


def status_reason_missing(*, status: str, status_reason: str) -> str:
    """The adviser's mistake in words, or "" when a marking has the reason it needs."""
    if status in NEEDS_A_REASON and not status_reason.strip():
        return f"Say why it is marked {Deadline.Status(status).label.lower()}."
    return ""


@transaction.atomic
def given_date_set(
    *,
    case: Case,
    kind: str,
    value: date,
    time: dt_time | None = None,
    label: str = "",
    owner: str = "",
    source: str = "",
    recorded_source: str = GivenDate.Source.ADVISER,
    confirmed: bool = True,
    given_date: GivenDate | None = None,
) -> GivenDate:
    """Record a date a letter gave (or move `given_date` to a new one), then re-plan the case's
    messages in the same transaction: a moved date the family was told sends "date changed"."""
    # The case first, as every writer of its dates locks it (the planner's refresh of its next
    # step locks it at the end): a nightly batch and this save then queue, never deadlock.
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
    given_date = given_date or GivenDate(case=case)
    given_date.kind, given_date.value, given_date.time = kind, value, time
    given_date.label, given_date.owner, given_date.source = label, owner, source
    given_date.recorded_source, given_date.confirmed = recorded_source, confirmed
    given_date.full_clean()
    given_date.save()
    messages_plan(case_ids=[case.id])
    return given_date


@transaction.atomic
def given_date_done(*, given_date: GivenDate, done_on: date | None) -> GivenDate:
    """The adviser marks a given date done (the form sent, the meeting held), or undoes it."""
    Case.objects.select_for_update().filter(pk=given_date.case_id).values_list("pk").first()
    given_date.done_on = done_on
    given_date.save(update_fields=["done_on", "recorded_at"])
    messages_plan(case_ids=[given_date.case_id])
    return given_date


@transaction.atomic
def family_given_date_report(*, case: Case, kind: str, value: date) -> FamilyDateResult:
    """A date from a letter the family told us on their page. Used at once, as the family's and
    unconfirmed, unless the adviser already recorded another date of that kind from the letter:
    then theirs stands and the adviser is asked to look. Either way the adviser gets a task."""

    case = Case.objects.select_for_update().get(pk=case.pk)
    label = words.given_kind_label(kind)
    existing = case.given_dates.filter(kind=kind, done_on__isnull=True).order_by("id").first()
    if existing is not None and existing.value == value:
        return FamilyDateResult(used=True)
    if existing is not None and existing.confirmed:
        AdviserTask.objects.create(
            case=case,
            kind=AdviserTask.Kind.FAMILY_DATE,
            text=words.family_given_date_waiting_task(
                label=label, value=value, recorded=existing.value
            ),
        )
        return FamilyDateResult(used=False, replaces=existing.value)
    before = existing.value if existing else None
    given_date_set(
        case=case,
        kind=kind,
        value=value,
        time=existing.time if existing else None,
        owner=existing.owner if existing else "",
        source=existing.source if existing else "",
        recorded_source=GivenDate.Source.FAMILY,
        confirmed=False,
        given_date=existing,
    )
    AdviserTask.objects.create(
        case=case,
        kind=AdviserTask.Kind.FAMILY_DATE,
        text=f"The family told us: {label} on {rules.long_date(value)}. It is used now: check "
        "it against the letter, add the time for a hearing or meeting, and tick confirmed on "
        "the case's dates given in letters.",
    )
    return FamilyDateResult(
        used=True,
        changes=[DateChange(kind=GivenDate.COVERS.get(kind, kind), before=before, after=value)],
    )
