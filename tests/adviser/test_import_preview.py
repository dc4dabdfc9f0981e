"""The import preview says what a confirm will do (issue 19, part 6): each case's next step, the
messages a confirm sends and plans, counted from the planner's own run, and nothing written or
sent before the confirm; "no first summary" leaves the families unmessaged on import."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework import importing
from casework.import_outlook import Outlook, confirm_words, next_step_words
from governance.models import AuditEvent
from notifications.models import OutboundMessage
from tests.factories import SupervisorFactory
from workflows.models import AdviserTask, Case, Contact, Deadline, KeyDate

pytestmark = pytest.mark.django_db

# A Monday at 11:00 in London: no quiet hours, so every summary goes today.
MONDAY_MORNING = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
HEADER = "reference,parent_name,email,mobile,channels,decision_sent\n"
FILE = (
    HEADER
    + 'NEW-001,Priya Shah,priya@example.com,07400 123456,"sms,email",2026-12-31\n'
    + 'NEW-002,Ben Jones,ben@example.com,07400 123457,"sms,email",2026-12-01\n'
    + 'NEW-003,Cara Lee,cara@example.com,07400 123458,"sms,email",2026-11-20\n'
)


def _upload(client, text):
    return client.post(
        reverse("admin:workflows_case_import"),
        {"step": "preview", "file": SimpleUploadedFile("cases.csv", text.encode(), "text/csv")},
    )


def _confirm(client, token, **extra):
    return client.post(
        reverse("admin:workflows_case_import"), {"step": "confirm", "token": token, **extra}
    )


def _outbox():
    pending = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING)
    summaries = pending.filter(kind=OutboundMessage.Kind.SUMMARY)
    return summaries, pending.exclude(kind=OutboundMessage.Kind.SUMMARY)


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_preview_shows_each_next_step_and_what_confirming_sends_counted_as_the_planner_does(
    client, django_capture_on_commit_callbacks
):
    client.force_login(SupervisorFactory())
    with django_capture_on_commit_callbacks() as callbacks:
        response = _upload(client, FILE)
    page = response.content.decode()
    outlook = response.context["outlook"]
    # The dates read and what they mean, in the adviser's words.
    assert "Next: Contact the mediation adviser by Sunday 28 February 2027" in page
    assert "Next: Contact the mediation adviser by Wednesday 20 January 2027" in page
    assert "Thursday 31 December 2026" in page
    assert [c.reference for c in response.context["created"]] == ["NEW-001", "NEW-002", "NEW-003"]
    # A preview writes nothing, sends nothing and queues nothing.
    assert callbacks == []
    assert not Case.objects.exists()
    assert not Contact.objects.exists()
    assert not KeyDate.objects.exists()
    assert not Deadline.objects.exists()
    assert not OutboundMessage.objects.exists()
    assert not AdviserTask.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    assert mail.outbox == []
    # The sentence, before the confirm button, in words.
    assert len(outlook.summaries) == 3
    assert outlook.planned > 0
    sentence = (
        "On confirm, 3 families get a text and an email today with their dates; "
        f"{outlook.planned} more messages are planned"
    )
    assert sentence in page
    assert page.index(sentence) < page.index("Import these cases")

    # The confirm does what the preview said.
    _confirm(client, response.context["token"])
    summaries, planned = _outbox()
    assert summaries.count() == 6
    assert set(summaries.values_list("channel", flat=True)) == {"sms", "email"}
    assert planned.count() == outlook.planned


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_the_no_summary_checkbox_imports_without_messaging_the_families(client):
    client.force_login(SupervisorFactory())
    response = _upload(client, FILE)
    page = response.content.decode()
    assert 'name="no_summary"' in page
    assert "Without the first summary, the 6 summaries to 3 families are cancelled" in page
    planned_before = response.context["outlook"].planned
    done = _confirm(client, response.context["token"], no_summary="on")
    assert done.status_code == 302
    summaries, planned = _outbox()
    assert not summaries.exists()  # nothing left to send on import
    cancelled = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.SUMMARY)
    assert cancelled.count() == 6
    assert set(cancelled.values_list("status", "status_reason")) == {
        ("cancelled", importing.NO_SUMMARY_REASON)
    }
    assert planned.count() == planned_before  # later reminders still go
    event = AuditEvent.objects.filter(action="import").first()
    assert event.detail["no_summary"] is True


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_replan_does_not_bring_back_a_summary_left_out_on_import(client):
    from workflows import services

    client.force_login(SupervisorFactory())
    response = _upload(client, FILE)
    _confirm(client, response.context["token"], no_summary="on")
    services.deadlines_recompute_many(case_ids=Case.objects.values_list("id", flat=True))
    summaries, _ = _outbox()
    assert not summaries.exists()


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_preview_of_an_update_counts_only_what_the_confirm_adds(client):
    client.force_login(SupervisorFactory())
    _confirm(client, _upload(client, FILE).context["token"])
    again = _upload(client, FILE)
    outlook = again.context["outlook"]
    assert not outlook.summaries
    assert outlook.planned == 0
    assert "On confirm, no family is sent a summary of its dates; no other messages are" in (
        again.content.decode()
    )
    assert 'name="no_summary"' not in again.content.decode()


@pytest.mark.parametrize(
    ("summaries", "planned", "today", "expected"),
    [
        (
            {1: (1, 1)},
            1,
            0,
            "On confirm, 1 family gets a text and an email today with their dates; "
            "1 more message is planned.",
        ),
        (
            {1: (1, 1), 2: (1, 1), 3: (0, 1)},
            12,
            2,
            "On confirm, 3 families get their dates today (2 by text and email, 1 by email); "
            "12 more messages are planned (2 of them today).",
        ),
        (
            {},
            0,
            0,
            "On confirm, no family is sent a summary of its dates; no other messages "
            "are planned yet.",
        ),
    ],
)
def test_confirm_words_count_families_and_messages(summaries, planned, today, expected):
    day = MONDAY_MORNING.date()
    outlook = Outlook(
        summaries=summaries,
        summary_days={"sms": day, "email": day} if summaries else {},
        planned=planned,
        planned_today=today,
        today=day,
    )
    assert confirm_words(outlook) == expected


def test_confirm_words_say_when_texts_wait_for_quiet_hours():
    day = MONDAY_MORNING.date()
    outlook = Outlook(
        summaries={1: (1, 1), 2: (1, 1)},
        summary_days={"email": day, "sms": date(2026, 12, 8)},
        planned=4,
        today=day,
    )
    assert confirm_words(outlook) == (
        "On confirm, 2 families get a text and an email with their dates: the emails today, "
        "the texts on Tuesday 8 December 2026 after quiet hours; 4 more messages are planned."
    )


def test_next_step_words_name_who_owes_it_and_a_passed_date():
    today = MONDAY_MORNING.date()
    assert (
        next_step_words(
            kind="ehc_final_plan",
            label="",
            owner="local_authority",
            due=date(2027, 1, 4),
            today=today,
        )
        == "Final EHC plan (the council) by Monday 4 January 2027"
    )
    assert (
        next_step_words(kind="appeal", label="", owner="parent", due=date(2026, 12, 1), today=today)
        == "Appeal to the SEND Tribunal: was due Tuesday 1 December 2026, passed"
    )
    assert next_step_words(kind="", label="", owner="", due=None, today=today) == (
        "No deadline from these dates yet"
    )


def test_a_file_that_is_not_utf8_is_named_as_uploaded_with_its_row(client):
    client.force_login(SupervisorFactory())
    data = (HEADER + "NEW-001,Zoë Shah,zoe@example.com,,email,2026-12-31\n").encode("cp1252")
    upload = SimpleUploadedFile("Caseload Dec.csv", data, "text/csv")

    response = client.post(
        reverse("admin:workflows_case_import"), {"step": "preview", "file": upload}
    )

    page = response.content.decode()
    assert "Cannot read Caseload Dec.csv: Row 2, column parent_name" in page
    assert "sendflow-imports" not in page  # never where the server put it
    assert ".csv:" not in page.replace("Caseload Dec.csv:", "")
    assert not Case.objects.exists()


def test_a_preview_left_for_over_an_hour_is_removed_and_cannot_be_confirmed(client):
    import os
    import time

    from casework import import_previews
    from notifications import tasks

    client.force_login(SupervisorFactory())
    token = _upload(client, FILE).context["token"]
    path = import_previews.path_for(token)
    assert path.exists()
    an_hour_ago = time.time() - import_previews.PREVIEW_LIFETIME - 1
    os.utime(path, (an_hour_ago, an_hour_ago))

    tasks.messages_sweep_task()

    assert not path.exists()
    response = _confirm(client, token)
    assert response.status_code == 302
    assert not Case.objects.exists()
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown == ["That preview has expired: upload the file again."]


def test_a_fresh_preview_survives_the_sweep(client):
    from casework import import_previews
    from notifications import tasks

    client.force_login(SupervisorFactory())
    token = _upload(client, FILE).context["token"]

    tasks.messages_sweep_task()

    assert import_previews.path_for(token).exists()
    assert _confirm(client, token).status_code == 302
    assert Case.objects.count() == 3


def test_a_preview_over_an_hour_old_cannot_be_confirmed_even_before_the_sweep(client):
    client.force_login(SupervisorFactory())
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        token = _upload(client, FILE).context["token"]
        traveller.shift(61 * 60)
        response = _confirm(client, token)

    assert [str(m) for m in response.wsgi_request._messages] == [
        "That preview has expired: upload the file again."
    ]
    assert not Case.objects.exists()
