"""The hook through which every write of a case's dates re-plans its messages."""

from __future__ import annotations

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
