"""A fictional caseload covering every state, so a newcomer sees a full admin at once.

Idempotent: run it again and it tops up what is missing, changing nothing else. Dates count
back from today, so each case keeps its state. Names, numbers and addresses are made up
(example.com, and made-up mobile numbers).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from casework import admin_services
from notifications.models import OutboundMessage, Suppression
from workflows import services
from workflows.models import AdviserTask, Case, Contact, KeyDate, LocalAuthority, Route

# login, role, the name families read in messages and on their page
ADVISERS = [
    ("demo-ann", "Adviser", "Ann", "Demo"),
    ("demo-bob", "Adviser", "Bob", "Demo"),
    ("demo-sue", "Supervisor", "Sue", "Demo"),
]

# reference, adviser, family, mobile, routes, {event: days ago}, what it shows
CASES = [
    ("DEMO-01", "demo-ann", "Amira Khan", "07400 123101", [], {}, "nothing recorded"),
    (
        "DEMO-02",
        "demo-ann",
        "Ben Jones",
        "07400 123102",
        ["mediation", "appeal"],
        {"decision_sent": 10},
        "open",
    ),
    (
        "DEMO-03",
        "demo-ann",
        "Chloe Smith",
        "07400 123103",
        ["mediation", "appeal"],
        {
            "decision_sent": 50,
            "mediation_adviser_contacted": 40,
            "mediation_declined": 40,
            "certificate_issued": 38,
            "appeal_submitted": 5,
        },
        "done",
    ),
    (
        "DEMO-04",
        "demo-ann",
        "Dev Patel",
        "07400 123104",
        ["appeal"],
        {"decision_sent": 75},
        "passed",
    ),
    (
        "DEMO-05",
        "demo-ann",
        "Erin Walsh",
        "07400 123105",
        ["mediation", "appeal"],
        {"decision_sent": 30, "mediation_adviser_contacted": 3, "mediation_declined": 2},
        "certificate awaited",
    ),
    (
        "DEMO-06",
        "demo-bob",
        "Femi Adeyemi",
        "07400 123106",
        ["appeal"],
        {"decision_sent": 20},
        "paused",
    ),
    (
        "DEMO-07",
        "demo-ann",
        "Grace Lee",
        "07400 123107",
        ["ehc_assessment"],
        {"ehc_request_received": 20},
        "a failed text",
    ),
    (
        "DEMO-08",
        "demo-bob",
        "Hassan Ali",
        "07400 123108",
        ["appeal"],
        {"decision_sent": 15},
        "a STOP",
    ),
    (
        "DEMO-09",
        "demo-ann",
        "Isla Brown",
        "07400 123109",
        ["complaint"],
        {"complaint_sent": 25, "complaint_response_requested": 2},
        "an adviser task",
    ),
    (
        "DEMO-10",
        None,
        "Jack Wilson",
        "07400 123110",
        ["ehc_assessment", "annual_review"],
        {"review_meeting": 10},
        "unassigned",
    ),
]


class Command(BaseCommand):
    help = "Load a fictional caseload covering every state (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        council, _ = LocalAuthority.objects.get_or_create(
            name="Exampleshire County Council",
            defaults={"sen_team_phone": "01632 960000", "sen_team_email": "sen@council.example"},
        )
        users = {}
        for username, role, first_name, last_name in ADVISERS:
            user, made = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@iass.example",
                    "is_staff": True,
                    "first_name": first_name,
                    "last_name": last_name,
                },
            )
            if made:
                user.set_unusable_password()  # `manage.py changepassword demo-ann` gives one
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        for reference, adviser, family, mobile, routes, events, _ in CASES:
            case, _ = Case.objects.get_or_create(
                reference=reference,
                defaults={"adviser": users.get(adviser), "council": council},
            )
            email = family.lower().replace(" ", ".") + "@example.com"
            Contact.objects.get_or_create(
                case=case,
                name=family,
                defaults={
                    "email": email,
                    "mobile": mobile,
                    "wants_email": True,
                    "wants_sms": True,
                    "consent_at": timezone.now(),
                    "consent_source": Contact.ConsentSource.PHONE,
                },
            )
            for kind in routes:
                Route.objects.get_or_create(case=case, kind=kind)
            stored = dict(case.key_dates.values_list("event", "value"))
            for event, days_ago in events.items():
                value = today - timedelta(days=days_ago)
                if stored.get(event) != value:
                    services.key_date_set(case=case, event=event, value=value)
        self._states(today)
        self.stdout.write(
            f"Demo caseload ready: {len(CASES)} cases, advisers demo-ann, demo-bob "
            "and supervisor demo-sue (give one a password with: manage.py changepassword demo-ann)."
        )

    def _states(self, today):
        paused = Case.objects.get(reference="DEMO-06")
        if not paused.reminders_paused:
            admin_services.case_pause_set(case=paused, paused=True)
        failed_case = Case.objects.get(reference="DEMO-07")
        contact = failed_case.contacts.first()
        message, made = OutboundMessage.objects.get_or_create(
            case=failed_case,
            contact=contact,
            kind=OutboundMessage.Kind.SUMMARY,
            channel="sms",
            defaults={
                "send_at": timezone.now() - timedelta(hours=3),
                "status": OutboundMessage.Status.FAILED,
                "attempts": 1,
                "last_error": "Twilio 21211: the number is not a valid mobile number",
            },
        )
        if message.status != OutboundMessage.Status.FAILED:
            OutboundMessage.objects.filter(pk=message.pk).update(
                status=OutboundMessage.Status.FAILED,
                last_error="Twilio 21211: the number is not a valid mobile number",
            )
        AdviserTask.objects.get_or_create(
            case=failed_case,
            kind=AdviserTask.Kind.DELIVERY_FAILED,
            defaults={
                "message": message,
                "text": "A text to the family failed: the number is "
                "not a valid mobile number. Check it with the family.",
            },
        )
        stop_case = Case.objects.get(reference="DEMO-08")
        Suppression.objects.get_or_create(
            channel="sms",
            address=stop_case.contacts.first().mobile.as_e164,
            defaults={"reason": Suppression.Reason.STOP_REPLY},
        )
        services.case_replan(case=stop_case)
        task_case = Case.objects.get(reference="DEMO-09")
        AdviserTask.objects.get_or_create(
            case=task_case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            defaults={
                "text": "The council's reply to the complaint was due: check with the "
                "family whether it came, and record its date."
            },
        )
        # A date the family told us on their page, waiting for the adviser to confirm.
        told = Case.objects.get(reference="DEMO-02")
        if not told.key_dates.filter(event="mediation_adviser_contacted").exists():
            services.key_date_set(
                case=told,
                event="mediation_adviser_contacted",
                value=today - timedelta(days=2),
                source=KeyDate.Source.FAMILY,
                confirmed=False,
            )
