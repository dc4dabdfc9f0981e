"""Small helpers the message and case tests share (fixtures live in tests/conftest.py)."""

import json
from datetime import date, datetime, time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory, MessageFactory
from workflows import services as workflow_services


def london(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """That wall-clock time in London on `day`, as an aware instant."""
    return local_instant(day, time(hour, minute))


def set_date(case, event: str, value: date, *, at: datetime):
    """Record a key date as an adviser would at the instant `at` (what is planned depends on
    the day a date is recorded)."""
    with time_machine.travel(at, tick=False):
        return workflow_services.key_date_set(case=case, event=event, value=value)


# --- the deadline calculator's worked examples (tests/workflows/test_worked_examples_*.py) -------


def run_calculator(events: dict[str, str], placement_only=False) -> dict[str, str]:
    args = []
    for name, value in events.items():
        args += ["--event", f"{name}={value}"]
    if placement_only:
        args.append("--placement-only")
    out = StringIO()
    call_command("deadlines", *args, "--format", "json", stdout=out)
    return {d["kind"]: d["due"] for d in json.loads(out.getvalue())["deadlines"]}


def worked_case(case_id, events, expected, *, placement_only=False, absent=()):
    return pytest.param(events, placement_only, expected, tuple(absent), id=case_id)


def check_worked_example(events, placement_only, expected, absent):
    got = run_calculator(events, placement_only=placement_only)
    for kind, due in expected.items():
        assert kind in got, f"{kind} missing; calculator printed {sorted(got)}"
        assert got[kind] == due, f"{kind}: expected {due}, calculator said {got[kind]}"
    for kind in absent:
        assert kind not in got, f"{kind} should not be printed for these events, got {got[kind]}"


# --- the adviser's admin for messages (tests/notifications/test_admin*.py) ----------------------

ADMIN_NOW = local_instant(date(2026, 3, 10), time(11, 0))  # a Tuesday, outside quiet hours


def message(case, **fields):
    """A pending appeal reminder by text to the case's first contact, due at ADMIN_NOW."""
    return MessageFactory(case=case, **{"send_at": ADMIN_NOW, **fields})


def family(reference="SF-1", name="Amira Khan"):
    case = CaseFactory(reference=reference)
    ContactFactory(case=case, name=name, email=f"{name.split()[0].lower()}@example.com")
    return case


def planned_family(reference="SF-1"):
    """A family with an appeal date, so the planner has reminders pending."""
    case = family(reference)
    workflow_services.key_date_set(case=case, event="decision_sent", value=date(2026, 3, 2))
    return case


def label(model):
    """The app a model's admin URL names: AdviserTask moved to workflows (its migration 0021)."""
    return "workflows" if model == "advisertask" else "notifications"


def changelist(client, model, query=""):
    return client.get(reverse(f"admin:{label(model)}_{model}_changelist") + query)


def action(client, url, name, ids):
    return client.post(url, {"action": name, "_selected_action": [str(i) for i in ids]})
