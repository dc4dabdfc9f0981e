"""Recomputing and storing deadlines: one case, or many in a few queries."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from governance.models import AuditEvent
from sendflow import bulk
from workflows import rules, words
from workflows.models import AdviserTask, Case, Deadline, KeyDate
from workflows.services.planning import messages_plan

# The name the single services module logged under, kept so log filters and alerts still match.
logger = logging.getLogger("workflows.services")


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
        .filter(bulk.ids_filter("id", case_ids))
        .order_by("id")  # one lock order for every writer (not Case.Meta's reference order)
        .values_list("id", "placement_only", "complaint_to")
    }
    events: dict[int, dict[str, date]] = defaultdict(dict)
    for case_id, event, value in KeyDate.objects.filter(
        bulk.ids_filter("case_id", case_ids)
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
    # run is what writes its messages further ahead (notifications.plan_core.PLAN_AHEAD).
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
        Deadline.objects.filter(bulk.ids_filter("case_id", case_ids))
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
    bulk.rows_update(Deadline, fields=[*_COMPARED_FIELDS, "computed_at"], rows=changed)


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
    bulk.rows_insert(
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
        AdviserTask.objects.filter(bulk.ids_filter("case_id", list(odd)), kind=kind).values_list(
            "case_id", "text"
        )
    )
    # A batch of an imported caseload can flag thousands: rows, not model instances.
    bulk.rows_insert(
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
