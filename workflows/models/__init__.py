"""workflows' models, one module per job; every name is importable from here as before.

Imported in the order the models were declared in the single models.py (the modules sort
so), so Django registers them, and orders their relations, as it did."""

from workflows.models.cases import (
    SUMMARY_FIELDS,
    Case,
    CaseChildMixin,
    CaseClosing,
    LocalAuthority,
    Route,
    RouteKind,
    new_access_token,
)
from workflows.models.dates import FamilyReportedDate, KeyDate
from workflows.models.deadlines import Deadline, DeadlineDates, DeadlineView
from workflows.models.given_dates import GivenDate
from workflows.models.nightly import RecomputeRun
from workflows.models.people import AdviserTask, Contact, new_contact_token

__all__ = [
    "SUMMARY_FIELDS",
    "AdviserTask",
    "Case",
    "CaseChildMixin",
    "CaseClosing",
    "Contact",
    "Deadline",
    "DeadlineDates",
    "DeadlineView",
    "FamilyReportedDate",
    "GivenDate",
    "KeyDate",
    "LocalAuthority",
    "RecomputeRun",
    "Route",
    "RouteKind",
    "new_access_token",
    "new_contact_token",
]
