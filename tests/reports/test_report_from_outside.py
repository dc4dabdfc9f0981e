"""Checked from outside on what lands: a known caseload imported and run under a moved clock
(import_cases, then dispatch_reminders --sync each morning, the file backends), counted
independently (from the CSV, the calculator's JSON and the files the backends wrote), matches
`manage.py report --format json` and the page; erasing a case leaves the month unchanged."""

import json
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from notifications import gsm
from tests.factories import SupervisorFactory
from workflows.models import Case, Contact

pytestmark = pytest.mark.django_db

HEADER = "reference,parent_name,email,mobile,channels,placement_only,decision_sent,routes\n"
ROWS = [
    ("R1", "07400 100001", "sms,email", "2026-09-03", "appeal"),
    ("R2", "07400 100002", "sms", "2026-09-10", "appeal,mediation"),
    ("R3", "07400 100003", "email", "2026-09-17", "mediation"),
    ("R4", "07400 100004", "sms,email", "2026-09-24", "appeal,complaint"),
    ("R5", "07400 100005", "sms", "2026-09-29", "appeal"),
]
AT_END = "2026-12-06T12:00:00+00:00"


@pytest.fixture
def operator(tmp_path, settings):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "email")
    settings.SENDFLOW_PUBLIC_URL = "https://sendflow.example.org"

    def run(*args, at):
        out = StringIO()
        with time_machine.travel(datetime.fromisoformat(at), tick=False):
            call_command(*args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def texts():
        return [json.loads(p.read_text()) for p in (tmp_path / "sms").glob("*.json")]

    def emails():
        files = (tmp_path / "email").glob("*.log")
        return [m for p in files for m in p.read_text().split("-" * 79 + "\n") if m.strip()]

    run.texts, run.emails, run.dir = texts, emails, tmp_path
    return run


def calculator_due(decision_sent: str, kind: str) -> date:
    out = StringIO()
    call_command(
        "deadlines", "--event", f"decision_sent={decision_sent}", "--format", "json", stdout=out
    )
    (row,) = [d for d in json.loads(out.getvalue())["deadlines"] if d["kind"] == kind]
    return date.fromisoformat(row["due"])


def test_a_known_caseload_counted_from_outside(operator, client):
    csv = operator.dir / "cases.csv"
    csv.write_text(
        HEADER
        + "".join(
            f'{ref},Parent {ref},{ref.lower()}@example.com,{mobile},"{channels}",no,{sent},'
            f'"{routes}"\n'
            for ref, mobile, channels, sent, routes in ROWS
        ),
        encoding="utf-8",
    )
    assert "Imported 5 cases" in operator("import_cases", str(csv), at="2026-11-02T09:00:00+00:00")
    day = datetime.fromisoformat("2026-11-02T10:30:00+00:00")
    while day.date() <= date(2026, 11, 30):
        operator("dispatch_reminders", "--sync", "--now", day.isoformat(), at=day.isoformat())
        day += timedelta(days=1)
    # One family stops emails from the link in one (RFC 8058 one-click), on 10 November.
    token = Contact.objects.get(case__reference="R1").opt_out_token
    with time_machine.travel(datetime.fromisoformat("2026-11-10T12:00:00+00:00"), tick=False):
        client.post(f"/stop/{token}/", {"List-Unsubscribe": "One-Click"})

    # Counted from outside: the CSV, the calculator, what the backends wrote.
    by_route: dict[str, int] = {}
    for *_, routes in ROWS:
        for route in routes.split(","):
            by_route[route] = by_route.get(route, 0) + 1
    appeals_due = [sent for _, _, _, sent, _ in ROWS if calculator_due(sent, "appeal").month == 11]
    texts = operator.texts()
    segments = sum(gsm.segments(t["body"]) for t in texts)
    emails = operator.emails()

    figures = json.loads(
        operator(
            "report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", at=AT_END
        )
    )
    assert figures["cases"]["opened"] == 5
    assert figures["cases"]["by_route"] == by_route
    assert figures["family_deadlines"]["appeal"]["due"] == len(appeals_due)
    # Nobody recorded sending an appeal: every one due by today has passed undone.
    assert figures["family_deadlines"]["appeal"]["passed_undone"] == len(appeals_due)
    assert figures["family_deadlines"]["appeal"]["done_on_time"] == 0
    assert texts
    assert emails
    assert figures["messages"]["sms"]["sent"] == len(texts)
    assert figures["messages"]["sms"]["segments"] == segments
    assert figures["messages"]["email"]["sent"] == len(emails)
    assert figures["messages"]["sms"]["failed"] == figures["messages"]["email"]["failed"] == 0
    assert figures["opt_outs"] == {"sms": 0, "email": 1}

    # The page shows the same.
    client.force_login(SupervisorFactory())
    with time_machine.travel(datetime.fromisoformat(AT_END), tick=False):
        page = client.get("/admin/reports/")  # the default: last full month, November
    shown = {t["table"].key: t["table"] for t in page.context["tables"]}
    assert shown["cases"].rows[0].values == [5]
    messages = {row.code: row.values for row in shown["messages"].rows}
    assert messages["sms"][0] == len(texts)
    assert messages["email"][0] == len(emails)

    # Erasing a case leaves last month's figures as they were.
    from casework.case_records import case_erase

    with time_machine.travel(datetime.fromisoformat(AT_END), tick=False):
        case_erase(case=Case.objects.get(reference="R2"))
    again = json.loads(
        operator(
            "report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", at=AT_END
        )
    )
    assert again == figures
    published = json.loads(
        operator(
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--format",
            "json",
            "--publishable",
            at=AT_END,
        )
    )
    assert published["cases"]["opened"] == 5
    assert published["opt_outs"]["email"] == "fewer than 5"
