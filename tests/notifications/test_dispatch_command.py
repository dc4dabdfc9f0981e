"""The pipeline through its commands, as an operator with cron runs it: import_cases, then
dispatch_reminders --sync under a moved clock, with the file SMS and email backends."""

import json
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,parent_name,email,mobile,channels,placement_only,decision_sent,certificate_issued\n"
)


@pytest.fixture
def operator(tmp_path, settings):
    """Run commands as an operator would, with the file backends, at a chosen instant.

    In-process (call_command) so the clock can be moved for the import too: what is planned
    depends on the day the dates were recorded.
    """
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "email")
    settings.SENDFLOW_PUBLIC_URL = "https://sendflow.example.org"

    def run(*args, at="2026-12-31T15:00:00+00:00"):
        out = StringIO()
        with time_machine.travel(datetime.fromisoformat(at), tick=False):
            call_command(*args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def texts():
        folder = tmp_path / "sms"
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        return [json.loads(p.read_text()) for p in files] if folder.exists() else []

    def emails():
        # Django's file backend names files by second and connection, so under a frozen clock
        # two emails can share a file: split on its separator line.
        folder = tmp_path / "email"
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        return [m for p in files for m in p.read_text().split("-" * 79 + "\n") if m.strip()]

    run.texts, run.emails, run.dir = texts, emails, tmp_path
    return run


def test_families_get_their_own_dates_once_on_their_channels_and_never_at_night(operator):
    csv = operator.dir / "cases.csv"
    csv.write_text(
        HEADER
        + 'A1,Amira Khan,amira@example.com,07400 123456,"sms,email",no,2026-12-31,\n'
        + "B2,Ben Jones,ben@example.com,07911 123456,email,yes,2027-01-15,\n",
        encoding="utf-8",
    )
    assert "Imported 2 cases" in operator("import_cases", str(csv))

    # 23:30 London: the emails go, the text waits for the morning.
    night = operator("dispatch_reminders", "--sync", "--now", "2026-12-31T23:30:00+00:00")
    assert "2 sent" in night
    assert operator.texts() == []
    assert len(operator.emails()) == 2

    morning = operator("dispatch_reminders", "--sync", "--now", "2027-01-01T09:00:00+00:00")
    assert "1 due" in morning
    (summary,) = operator.texts()
    assert summary["to"] == "+447400123456"
    # The day to act by (28 February is a Sunday), the mediation adviser first.
    assert summary["body"].index("Contact the mediation adviser by Friday 26 February 2027") < (
        summary["body"].index("Then the appeal to the SEND Tribunal, by Monday 1 March 2027")
    )

    again = operator("dispatch_reminders", "--sync", "--now", "2027-01-01T09:00:00+00:00")
    assert "0 due" in again
    assert len(operator.texts()) == 1

    # 4 weeks before the appeal date: Amira by text and email, Ben (placement only) by email.
    operator("dispatch_reminders", "--sync", "--now", "2027-02-01T10:00:00+00:00")
    bodies = [t["body"] for t in operator.texts()]
    assert any("SEND Tribunal, by Monday 1 March 2027" in b for b in bodies)
    assert not any(t["to"] == "+447911123456" for t in operator.texts())  # Ben chose email
    ben = [e for e in operator.emails() if "To: ben@example.com" in e]
    assert all("mediation adviser" not in e for e in ben)  # placement only: no adviser contact


def test_a_moved_appeal_date_is_announced_and_the_old_one_never_sent(operator):
    csv = operator.dir / "cases.csv"
    csv.write_text(HEADER + "A1,Amira Khan,amira@example.com,07400 123456,sms,no,2026-10-01,\n")
    operator("import_cases", str(csv), at="2026-10-02T09:30:00+00:00")
    operator("dispatch_reminders", "--sync", "--now", "2026-10-02T10:00:00+00:00")
    first = operator.texts()[0]["body"]
    assert "Contact the mediation adviser by Tuesday 1 December 2026" in first
    assert "Then the appeal to the SEND Tribunal, the same day" in first

    csv.write_text(
        HEADER + "A1,Amira Khan,amira@example.com,07400 123456,sms,no,2026-10-01,2026-11-30\n"
    )
    operator("import_cases", str(csv), at="2026-11-30T15:00:00+00:00")
    dry = operator("dispatch_reminders", "--dry-run", "--now", "2026-12-01T10:00:00+00:00")
    assert "date_changed appeal" in dry
    operator("dispatch_reminders", "--sync", "--now", "2026-12-01T10:00:00+00:00")
    later = [t["body"] for t in operator.texts()[1:]]
    assert any(
        "Date changed: Appeal to the SEND Tribunal is now Monday 4 January 2027" in b for b in later
    )
    # 1 December is still the mediation adviser deadline; no appeal text may carry it.
    appeal = [b for b in later if "SEND Tribunal" in b]
    assert appeal
    assert all("Tuesday 1 December 2026" not in b for b in appeal)


def test_bad_now_is_refused_in_plain_words():
    err = StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("dispatch_reminders", "--sync", "--now", "tomorrow", stderr=err)
    assert stopped.value.code == 2
    assert err.getvalue().startswith("error: --now needs a date, time and offset")


def test_sync_sends_what_a_killed_earlier_run_had_claimed(operator):
    from notifications import services
    from notifications.models import OutboundMessage

    csv = operator.dir / "cases.csv"
    csv.write_text(HEADER + "A1,Amira Khan,amira@example.com,,email,no,2026-12-31,\n")
    operator("import_cases", str(csv))
    # A run claimed the summary and was killed before sending it.
    with time_machine.travel(datetime.fromisoformat("2026-12-31T15:01:00+00:00"), tick=False):
        services.messages_dispatch(enqueue=False)
    summary = OutboundMessage.objects.filter(kind="summary")
    assert summary.get().status == "queued"
    out = operator("dispatch_reminders", "--sync", "--now", "2026-12-31T15:20:00+00:00")
    assert "1 due" in out
    assert summary.get().status == "sent"
    assert len(operator.emails()) == 1
