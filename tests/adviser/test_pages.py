"""Import page, demo caseload, chronology, why a message waits, and no code reaches a page."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework import history
from governance.models import AuditEvent
from notifications.models import OutboundMessage, Suppression
from tests.factories import AdviserFactory, CaseFactory, SupervisorFactory
from workflows import rules, services
from workflows.models import AdviserTask, Case, Deadline, KeyDate

pytestmark = pytest.mark.django_db

HEADER = "reference,parent_name,email,channels,adviser,routes,local_authority,decision_sent\n"


def _upload(client, text, name="cases.csv"):
    return client.post(
        reverse("admin:workflows_case_import"),
        {"step": "preview", "file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def test_import_page_previews_a_bad_file_without_writing_then_imports_the_fixed_one(client):
    from workflows.models import LocalAuthority

    LocalAuthority.objects.create(name="Exampleshire")
    AdviserFactory(username="ann")
    client.force_login(SupervisorFactory())
    CaseFactory(reference="OLD-1")
    bad = (
        HEADER
        + "NEW-1,Amira Khan,amira@example.com,email,ann,"
        + '"mediation,appeal",Exampleshire,2026-10-01\n'
        + "OLD-1,Ben Jones,,,nobody,appeal,Nowhere,2026-13-01\n"
    )
    page = _upload(client, bad).content.decode()
    assert "Row 3, column adviser" in page
    assert "Row 3, column local_authority" in page
    assert "Row 3, column decision_sent" in page
    assert "Import these cases" not in page
    assert not Case.objects.filter(reference="NEW-1").exists()

    good = bad.replace("nobody,appeal,Nowhere,2026-13-01", "ann,appeal,Exampleshire,2026-11-01")
    response = _upload(client, good)
    assert response.context["errors"] == []
    assert [r.reference for r in response.context["created"]] == ["NEW-1"]
    assert [r.reference for r in response.context["updated"]] == ["OLD-1"]
    assert not Case.objects.filter(reference="NEW-1").exists()  # a preview writes nothing
    token = response.context["token"]
    done = client.post(reverse("admin:workflows_case_import"), {"step": "confirm", "token": token})
    assert done.status_code == 302
    new = Case.objects.get(reference="NEW-1")
    assert new.adviser.username == "ann"
    assert new.council.name == "Exampleshire"
    assert sorted(new.routes.values_list("kind", flat=True)) == ["appeal", "mediation"]
    assert new.deadlines.filter(kind="appeal").exists()
    assert AuditEvent.objects.filter(action="import", case=new).exists()
    # The file is gone once used: the same confirm again does nothing.
    again = client.post(reverse("admin:workflows_case_import"), {"step": "confirm", "token": token})
    assert again.status_code == 302
    assert Case.objects.count() == 2


def test_an_adviser_cannot_import_over_another_advisers_case(client):
    ann = AdviserFactory(username="ann")
    CaseFactory(reference="BOB-1", adviser=AdviserFactory(username="bob"))
    client.force_login(ann)
    page = _upload(client, "reference,parent_name\nBOB-1,Someone\nANN-9,Amira\n").content.decode()
    assert "Row 2, column reference: &#x27;BOB-1&#x27; cannot be used: choose another" in page
    assert "another adviser" not in page.replace("&#x27;", "'")
    ok = _upload(client, "reference,parent_name\nANN-9,Amira\n")
    client.post(
        reverse("admin:workflows_case_import"),
        {"step": "confirm", "token": ok.context["token"]},
    )
    assert Case.objects.get(reference="ANN-9").adviser == ann


def test_an_adviser_cannot_unassign_their_own_case_by_import(client):
    ann = AdviserFactory(username="ann")
    CaseFactory(reference="ANN-1", adviser=ann)
    client.force_login(ann)

    response = _upload(client, "reference,parent_name,adviser\nANN-1,Amira Khan,\n")

    assert response.context["errors"] == [
        "Row 2, column adviser: blank would leave the case with no adviser, which only a "
        "supervisor does; put your login there or remove the column"
    ]
    assert Case.objects.get(reference="ANN-1").adviser == ann


def test_a_supervisors_import_that_moves_a_case_leaves_it_in_the_change_history(client):
    from auditlog.models import LogEntry

    ann, bob = AdviserFactory(username="ann"), AdviserFactory(username="bob")
    supervisor = SupervisorFactory()
    case = CaseFactory(reference="ANN-2", adviser=ann)
    client.force_login(supervisor)
    token = _upload(client, "reference,parent_name,adviser\nANN-2,Amira Khan,bob\n").context[
        "token"
    ]
    LogEntry.objects.all().delete()

    client.post(reverse("admin:workflows_case_import"), {"step": "confirm", "token": token})

    case.refresh_from_db()
    assert case.adviser == bob
    entry = LogEntry.objects.get_for_object(case).get()
    assert entry.changes_dict["adviser"] == [ann.pk, bob.pk]
    assert entry.actor == supervisor


def test_a_confirm_needs_the_token_of_this_session(client):
    client.force_login(SupervisorFactory())
    _upload(client, "reference,parent_name\nA-1,Amira\n")
    response = client.post(
        reverse("admin:workflows_case_import"), {"step": "confirm", "token": "guessed"}
    )
    assert response.status_code == 302
    assert not Case.objects.exists()


def test_the_sample_csv_downloads_and_imports_cleanly(client):
    client.force_login(SupervisorFactory())
    response = client.get(reverse("admin:workflows_case_import_sample"))
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("reference,parent_name")
    preview = _upload(client, text)
    assert preview.context["errors"] == []
    assert len(preview.context["created"]) == 4
    page = client.get(reverse("admin:workflows_case_changelist")).content.decode()
    assert reverse("admin:workflows_case_import") in page


def test_demo_data_covers_every_state_and_is_idempotent():
    call_command("demo_data", stdout=io.StringIO())
    counts = [
        Case.objects.count(),
        KeyDate.objects.count(),
        Deadline.objects.count(),
        OutboundMessage.objects.count(),
        AdviserTask.objects.count(),
        Suppression.objects.count(),
    ]
    call_command("demo_data", stdout=io.StringIO())
    assert counts == [
        Case.objects.count(),
        KeyDate.objects.count(),
        Deadline.objects.count(),
        OutboundMessage.objects.count(),
        AdviserTask.objects.count(),
        Suppression.objects.count(),
    ]
    today = timezone.localdate()
    states = {d.state(today) for d in Deadline.objects.filter(case__reference__startswith="DEMO")}
    assert states == {rules.State.OPEN, rules.State.DONE, rules.State.PASSED}
    assert not Case.objects.get(reference="DEMO-01").key_dates.exists()
    assert Case.objects.get(reference="DEMO-06").reminders_paused
    assert OutboundMessage.objects.filter(status="failed", channel="sms").exists()
    assert Suppression.objects.filter(reason="stop_reply").exists()
    assert AdviserTask.objects.filter(case__reference="DEMO-09", done_at__isnull=True).exists()
    certificate = Deadline.objects.get(case__reference="DEMO-05", kind="certificate_due")
    assert certificate.state(today) == rules.State.OPEN
    assert KeyDate.objects.filter(case__reference="DEMO-02", confirmed=False).exists()


def test_the_chronology_lists_everything_in_order_as_a_page_and_as_csv(client):
    case = CaseFactory(reference="CHR-1")
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
    OutboundMessage.objects.create(
        case=case,
        kind="reminder",
        channel="sms",
        deadline_kind="appeal",
        status="failed",
        send_at=datetime(2026, 11, 1, 10, tzinfo=UTC),
        last_error="bad number",
    )
    AdviserTask.objects.create(case=case, kind="check_deadline", text='=HYPERLINK("x")')
    client.force_login(SupervisorFactory())
    url = reverse("admin:workflows_case_chronology", args=[case.pk])
    page = client.get(url).content.decode()
    assert "The council&#x27;s decision was sent" in page
    assert "Deadline worked out: Appeal to the SEND Tribunal" in page
    assert "SMS reminder: Appeal to the SEND Tribunal" in page
    assert "@media print" in page
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    assert rows[0] == ["when", "what", "detail", "who"]
    assert rows[1][1] == "The council's decision was sent"  # the oldest first
    assert any(r[2] == '\'=HYPERLINK("x")' for r in rows)  # a formula stays text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_chronology_csv_keeps_a_cell_a_spreadsheet_would_run_as_text(start):
    entry = history.Entry(
        datetime(2026, 12, 1, 9, tzinfo=UTC), "Task", f"{start}SUM(A1)", f"{start}who"
    )
    rows = list(csv.reader(io.StringIO(history.chronology_csv([entry]))))
    assert rows[1][2:] == [f"'{start}SUM(A1)", f"'{start}who"]


def test_the_chronology_shows_when_a_computed_date_moved(client):
    case = CaseFactory(reference="CHR-2")
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
    services.key_date_set(case=case, event="certificate_issued", value=date(2026, 11, 30))
    client.force_login(SupervisorFactory())
    url = reverse("admin:workflows_case_chronology", args=[case.pk])
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    moved = [r for r in rows if r[1] == "A computed date moved"]
    assert [r[2] for r in moved] == [
        "Appeal to the SEND Tribunal: from Tuesday 1 December 2026 to Monday 4 January 2027"
    ]


def test_the_chronology_is_scoped_like_the_case(client):
    theirs = CaseFactory(reference="BOB-1", adviser=AdviserFactory(username="bob"))
    client.force_login(AdviserFactory(username="ann"))
    url = reverse("admin:workflows_case_chronology", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.get(url + "?format=csv").status_code == 404


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {
                "status": "pending",
                "status_reason": "held for quiet hours",
                "send_at": datetime(2027, 3, 11, 9, tzinfo=UTC),
            },
            "Held until 09:00 on Thu 11 Mar: quiet hours",
        ),
        (
            {
                "status": "pending",
                "attempts": 2,
                "last_error": "timeout",
                "send_at": datetime(2027, 3, 10, 14, 5, tzinfo=UTC),
            },
            "Retry 3 of 6 at 14:05",
        ),
        ({"status": "sent", "send_at": datetime(2027, 3, 10, 9, tzinfo=UTC)}, ""),
    ],
)
def test_the_message_history_says_why_a_message_waits(fields, expected, settings):
    settings.SENDFLOW_MAX_ATTEMPTS = 6
    message = OutboundMessage(case=CaseFactory(), kind="reminder", channel="sms", **fields)
    assert history.waiting_reason(message, now=datetime(2027, 3, 10, 12, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("reason", "case_fields", "send_on", "expected"),
    [
        (
            "reminders paused",
            {"reminders_paused": True},
            10,
            "Paused: goes again when reminders resume",
        ),
        (
            "reminders paused",
            {"reminders_paused": True},
            9,
            "Not sent: its day passed while reminders were paused",
        ),
        ("reminders paused", {}, 9, "Not sent: its day passed while reminders were paused"),
        ("reminders paused", {}, 11, "Not sent: no longer due when reminders resumed"),
        ("case closed", {"status": "closed"}, 12, "Case closed: goes again if it reopens"),
        ("case closed", {}, 1, "Not sent: its day passed while the case was not open"),
        ("case closed", {"status": "on_hold"}, 12, "Case on hold: goes again if it reopens"),
        (
            "reminders paused",
            {"status": "closed", "reminders_paused": True},
            12,
            "Case closed, reminders paused: goes again once both are lifted",
        ),
        ("case closed", {}, 12, "Not sent: no longer due when the case reopened"),
    ],
)
def test_a_message_the_pause_held_says_whether_it_will_still_go(
    reason, case_fields, send_on, expected
):
    """Seen by hand: after "resume", held messages whose day had passed still said "goes again
    when reminders resume", which would never happen."""
    message = OutboundMessage(
        case=CaseFactory(**case_fields),
        kind="reminder",
        channel="email",
        status="cancelled",
        status_reason=reason,
        send_at=datetime(2027, 3, send_on, 9, tzinfo=UTC),
    )
    assert history.waiting_reason(message, now=datetime(2027, 3, 10, 12, tzinfo=UTC)) == expected


# --- no code reaches a person -----------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


CODES = sorted(
    {c for c in (*rules.EVENTS, *rules.DEADLINE_KINDS) if "_" in c}
    | {s for s in OutboundMessage.Status.values if "_" in s}
    | {s for s in Case.Status.values if "_" in s}
    | {o.value for o in rules.Owner if "_" in o.value}
)


@pytest.mark.slow
def test_no_snake_case_code_reaches_an_admin_page(client):
    call_command("demo_data", stdout=io.StringIO())
    case = Case.objects.get(reference="DEMO-02")
    # Every kind of message on one case, with a deadline kind each.
    for i, kind in enumerate(rules.DEADLINE_KINDS[:12]):
        OutboundMessage.objects.create(
            case=case,
            kind="reminder",
            channel="email",
            deadline_kind=kind,
            send_at=timezone.now() + timedelta(days=i),
        )
    client.force_login(SupervisorFactory())
    pages = [reverse("admin:index"), reverse("admin:workflows_calculator")]
    calculator = dict.fromkeys(
        ("decision_sent", "ehc_request_received", "review_meeting", "complaint_sent"), "2026-10-01"
    )
    pages.append(
        reverse("admin:workflows_calculator")
        + "?"
        + "&".join(f"{k}={v}" for k, v in calculator.items())
    )
    for model in admin.site._registry:
        if model._meta.app_label not in ("workflows", "notifications"):
            continue
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pages.append(changelist)
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            pages.append(
                reverse(
                    f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
                )
            )
    for ref in ("DEMO-02", "DEMO-04", "DEMO-07"):
        pk = Case.objects.get(reference=ref).pk
        pages += [
            reverse("admin:workflows_case_change", args=[pk]),
            reverse("admin:workflows_case_chronology", args=[pk]),
        ]
    pages.append(
        reverse("admin:notifications_outboundmessage_changelist")
        + "?case__id__exact="
        + str(case.pk)
    )
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response.content.decode())
        for code in CODES:
            if re.search(rf"(?<![\w]){re.escape(code)}(?![\w])", text):
                found.setdefault(url, []).append(code)
    assert found == {}


def test_a_normal_send_logs_one_info_line_per_message_and_no_warning(caplog):
    import logging

    import time_machine

    from notifications import services as notification_services
    from tests.factories import ContactFactory

    with time_machine.travel(datetime(2026, 10, 5, 11, tzinfo=UTC), tick=False):
        case = CaseFactory()
        ContactFactory(case=case, name="Amira Khan", wants_sms=False)
        services.key_date_set(case=case, event="decision_sent", value=date(2026, 10, 1))
        message = OutboundMessage.objects.filter(case=case, kind="summary").first()
        OutboundMessage.objects.filter(pk=message.pk).update(status="queued")
        caplog.set_level(logging.INFO)
        assert notification_services.message_send(message_id=message.pk) == "sent"
    lines = [r for r in caplog.records if r.name == "notifications.services"]
    assert [r.getMessage() for r in lines] == [f"Message {message.pk} (email summary) sent"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "amira" not in caplog.text.lower().split("email message")[0]
