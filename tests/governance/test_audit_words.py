"""The audit pages speak words: a supervisor reading the trail sees labels, never stored codes."""

import re
from datetime import date

import pytest

from governance.models import AuditEvent
from tests.factories import CaseFactory, SuperuserFactory
from workflows import services

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def page_text(client, path: str) -> str:
    html = client.get(path).content.decode()
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def supervisor_client(client):
    client.force_login(SuperuserFactory(username="sue"))
    return client


def test_change_history_shows_labels_for_fields_and_values(supervisor_client):
    case = CaseFactory(reference="SF-20")
    services.key_date_set(case=case, event="mediation_requested", value=date(2026, 11, 25))
    listing = page_text(supervisor_client, "/admin/auditlog/logentry/")
    assert "recorded by" in listing
    assert not SNAKE.findall(listing)

    from auditlog.models import LogEntry

    entry = LogEntry.objects.filter(content_type__model="keydate").get()
    detail = page_text(supervisor_client, f"/admin/auditlog/logentry/{entry.pk}/change/")
    assert "The family told the council they want mediation" in detail
    assert "mediation_requested" not in detail
    assert not SNAKE.findall(detail)


def test_audit_events_describe_a_moved_date_in_words(supervisor_client):
    case = CaseFactory(reference="SF-21")
    AuditEvent.objects.create(
        action=AuditEvent.Action.DEADLINE_MOVED,
        case=case,
        case_reference=case.reference,
        actor_name="sendflow",
        detail={"deadline": "complaint_response", "from": "2026-11-27", "to": "2026-11-29"},
    )
    listing = page_text(supervisor_client, "/admin/governance/auditevent/")
    assert "From: Friday 27 November 2026" in listing
    assert "To: Sunday 29 November 2026" in listing
    assert not SNAKE.findall(listing)
