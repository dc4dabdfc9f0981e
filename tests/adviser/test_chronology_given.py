"""The case chronology with dates a letter gave (recorded, moved, done: who and which letter),
and one row per message that went, saying what it was and how it went."""

import csv
import io
from datetime import date, time

import pytest
import time_machine
from auditlog.context import set_actor
from django.urls import reverse

from notifications import services as notification_services
from notifications.models import OutboundMessage
from tests.factories import AdviserFactory, CaseFactory, ContactFactory, SupervisorFactory
from tests.helpers import london
from workflows import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]


def rows(client, case) -> list[list[str]]:
    url = reverse("admin:workflows_case_chronology", args=[case.pk])
    return list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))[1:]


def send_due(now):
    with time_machine.travel(now, tick=False):
        for message_id in notification_services.messages_dispatch(now=now, enqueue=False).claimed:
            notification_services.message_send(message_id=message_id, now=now)


def test_a_given_date_recorded_moved_and_done_is_in_the_chronology_with_who_and_which_letter(
    client,
):
    case = CaseFactory(reference="CHR-G")
    ann = AdviserFactory(username="ann")
    with set_actor(ann), time_machine.travel(london(date(2027, 3, 15)), tick=False):
        hearing = services.given_date_set(
            case=case,
            kind="hearing",
            value=date(2027, 6, 7),
            time=time(10, 0),
            source="Tribunal letter of 12 March 2027",
        )
    with set_actor(ann), time_machine.travel(london(date(2027, 4, 14)), tick=False):
        services.given_date_set(
            case=case,
            given_date=hearing,
            kind="hearing",
            value=date(2027, 6, 21),
            time=time(14, 0),
            source="Tribunal letter of 13 April 2027",
        )
    with time_machine.travel(london(date(2027, 6, 21), 17), tick=False):
        services.given_date_done(given_date=hearing, done_on=date(2027, 6, 21))
    client.force_login(SupervisorFactory())

    given = [r for r in rows(client, case) if "Date from a letter" in r[1]]
    assert given == [
        [
            "Mon 15 Mar 2027 10:00",
            "Date from a letter recorded: Tribunal hearing",
            "Monday 7 June 2027 at 10am. Who acts: the family. "
            "Source: Tribunal letter of 12 March 2027.",
            "ann",
        ],
        [
            "Wed 14 Apr 2027 10:00",
            "Date from a letter moved: Tribunal hearing",
            "From Monday 7 June 2027 at 10am to Monday 21 June 2027 at 2pm. "
            "Source: Tribunal letter of 13 April 2027.",
            "ann",
        ],
        [
            "Mon 21 Jun 2027 17:00",
            "Date from a letter done: Tribunal hearing",
            "Done on Monday 21 June 2027.",
            "Adviser",  # marked done outside a login (a script): the kind of recorder it was
        ],
    ]


def test_a_family_told_given_date_is_in_the_chronology_as_the_familys_and_unchecked(client):
    case = CaseFactory(reference="CHR-F")
    with time_machine.travel(london(date(2027, 3, 15)), tick=False):
        services.family_given_date_report(case=case, kind="final_evidence", value=date(2027, 5, 10))
    client.force_login(SupervisorFactory())
    recorded = [r for r in rows(client, case) if r[1].startswith("Date from a letter")]
    assert recorded == [
        [
            "Mon 15 Mar 2027 10:00",
            "Date from a letter recorded: Final evidence to the Tribunal",
            "Monday 10 May 2027. Who acts: the family. Not yet confirmed by an adviser.",
            "The family, on their page",
        ]
    ]


def test_the_chronology_lists_each_summary_sent_once_saying_what_it_was_and_how_it_went(client):
    case = CaseFactory(reference="CHR-S")
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")  # text and email
    moment = london(date(2027, 3, 15))
    with time_machine.travel(moment, tick=False):
        services.key_date_set(case=case, event="decision_sent", value=date(2027, 3, 12))
        services.given_date_set(
            case=case, kind="hearing", value=date(2027, 6, 7), source="Tribunal letter"
        )
        services.case_replan(case=case)  # planning again adds nothing
    send_due(moment)
    client.force_login(SupervisorFactory())

    messages = [r for r in rows(client, case) if r[1].startswith(("SMS", "Email"))]
    assert sorted(messages) == [
        ["Mon 15 Mar 2027 10:00", "Email: summary of dates", "Listed 3 dates. Sent", "Amira Khan"],
        ["Mon 15 Mar 2027 10:00", "SMS: summary of dates", "Listed 3 dates. Sent", "Amira Khan"],
    ]
    # The reminders planned for later have not happened: they are not in the record yet.
    assert OutboundMessage.objects.filter(case=case, status="pending").exists()
    everything = rows(client, case)
    assert len(everything) == len({tuple(r) for r in everything})  # no row twice
