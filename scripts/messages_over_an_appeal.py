"""What one family receives over a whole appeal, read from what the file backends wrote.

On the embedded default (a fresh SQLite file, texts and emails written as files), one family is
imported on the day the council's decision was sent, with texts and emails. The clock is then
moved day by day: the nightly recompute at 02:30 and a dispatch at noon (as `dispatch_reminders
--sync` runs it), up to the appeal's date. With --certificate, the family contacts the mediation
adviser and the certificate comes later, so the appeal date moves.

    .venv/bin/python scripts/messages_over_an_appeal.py
    .venv/bin/python scripts/messages_over_an_appeal.py --certificate --show

Prints each day's messages (with --show, their text), then the totals: texts, their GSM-7
segments, emails, and the most texts and emails on any one day.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
DECISION = date(2027, 1, 4)  # Monday 4 January 2027
CONTACTED = date(2027, 1, 20)  # with --certificate: the family contacts the mediation adviser
CERTIFICATE = date(2027, 2, 10)  # and the certificate comes: the appeal moves to 10 March


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificate", action="store_true", help="the certificate comes")
    parser.add_argument("--show", action="store_true", help="print every message's text")
    parser.add_argument("--html", metavar="DIR", help="write each email's HTML part into DIR")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sendflow-appeal-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        SMS_BACKEND="file",
        SMS_FILE_PATH=str(work / "sms"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(work / "email"),
        SENDFLOW_PUBLIC_URL=os.environ.get("SENDFLOW_PUBLIC_URL", "https://sendiass.example.org"),
        SENDFLOW_ADVICE_SERVICE_NAME=os.environ.get(
            "SENDFLOW_ADVICE_SERVICE_NAME", "Exampleshire SENDIASS"
        ),
        SENDFLOW_ADVICE_SERVICE_PHONE=os.environ.get(
            "SENDFLOW_ADVICE_SERVICE_PHONE", "01234 567890"
        ),
        SENDFLOW_ADVICE_SERVICE_EMAIL=os.environ.get(
            "SENDFLOW_ADVICE_SERVICE_EMAIL", "sendiass@exampleshire.gov.uk"
        ),
        DJANGO_SETTINGS_MODULE="sendflow.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the sends' own log lines; what landed is printed below
    import time_machine
    from django.core.management import call_command

    from notifications import gsm
    from notifications.tasks import deadlines_recompute_all_task
    from workflows import services as workflow_services
    from workflows.models import Case

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)

    call_command("migrate", verbosity=0)
    csv = work / "family.csv"
    csv.write_text(
        "reference,parent_name,email,mobile,channels,decision_sent\n"
        f'SF-1,Sam Parent,sam@example.com,07400 123456,"sms,email",{DECISION.isoformat()}\n'
    )
    with time_machine.travel(at(DECISION, 9), tick=False):
        call_command("import_cases", str(csv), verbosity=0, stdout=io.StringIO())

    def appeal_due() -> date:
        return Case.objects.get(reference="SF-1").deadlines.get(kind="appeal").effective_due

    seen: set[str] = set()
    day, by_day = DECISION, []
    while day <= appeal_due():
        if day != DECISION:
            with time_machine.travel(at(day, 2, 30), tick=False):
                deadlines_recompute_all_task()
        if args.certificate and day in (CONTACTED, CERTIFICATE):
            event = "mediation_adviser_contacted" if day == CONTACTED else "certificate_issued"
            with time_machine.travel(at(day, 11), tick=False):
                case = Case.objects.get(reference="SF-1")
                workflow_services.key_date_set(case=case, event=event, value=day)
        with time_machine.travel(at(day, 12), tick=False):
            call_command("dispatch_reminders", "--sync", stdout=io.StringIO())
        by_day.append((day, _new_files(work, seen)))
        day += timedelta(days=1)

    texts = [body for _, found in by_day for channel, _, body, _ in found if channel == "sms"]
    emails = [body for _, found in by_day for channel, _, body, _ in found if channel == "email"]
    per_day = Counter()
    for sent_on, found in by_day:
        for channel, subject, body, html in found:
            per_day[(sent_on, channel)] += 1
            where = f"{sent_on:%a %d %b %Y} {channel:5}"
            if channel == "sms":
                print(f"{where} {gsm.segments(body)} segment(s), {len(body)} characters")
            else:
                print(f"{where} {subject}")
                if args.html and html:
                    folder = Path(args.html)
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{sent_on.isoformat()}.html").write_text(html)
            if args.show:
                print("    " + body.strip().replace("\n", "\n    ") + "\n")
    segments = sum(gsm.segments(body) for body in texts)
    most = {
        channel: max((n for (_, c), n in per_day.items() if c == channel), default=0)
        for channel in ("sms", "email")
    }
    print(
        f"\n{'With' if args.certificate else 'Without'} a certificate, decision sent "
        f"{DECISION:%A %-d %B %Y}, appeal due {appeal_due():%A %-d %B %Y}:\n"
        f"  texts: {len(texts)}, segments: {segments}, "
        f"longest: {max((len(t) for t in texts), default=0)} characters, "
        f"most on one day: {most['sms']}\n"
        f"  emails: {len(emails)}, most on one day: {most['email']}"
    )


def _new_files(work: Path, seen: set[str]) -> list[tuple[str, str, str, str]]:
    """(channel, subject, text, HTML) of each message written since the last call, in order."""
    found = []
    for channel in ("sms", "email"):
        folder = work / channel
        for path in sorted(folder.glob("*")) if folder.exists() else []:
            if str(path) in seen:
                continue
            seen.add(str(path))
            if channel == "sms":
                sent = json.loads(path.read_text())
                found.append(("sms", "", sent["body"], ""))
                continue
            # Django's file backend writes each message followed by a line of dashes.
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    found.extend([_email(raw)])
    return found


def _email(raw: bytes) -> tuple[str, str, str, str]:
    parsed = message_from_bytes(raw.strip() + b"\n", policy=default_policy)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    return (
        "email",
        str(parsed["Subject"]),
        text.get_content() if text else "",
        html.get_content() if html else "",
    )


if __name__ == "__main__":
    main()
