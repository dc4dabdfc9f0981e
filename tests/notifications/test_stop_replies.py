"""A text that asks to stop, stops: the reply table, and the same replies through the webhook."""

import logging

import pytest

from governance.models import AuditEvent
from notifications import services
from notifications.backends import locmem
from notifications.models import OutboundMessage, Suppression
from notifications.replies import Reply, classify
from tests.factories import CaseFactory, ContactFactory
from tests.notifications.conftest import PUBLIC_URL, TWILIO_AUTH_TOKEN
from tests.notifications.test_webhooks import (
    MOBILE,
    START_REPLY,
    STOP_REPLY,
    appeal_text,
    reply_text,
    text_from,
)
from workflows.models import AdviserTask

Status = OutboundMessage.Status

# Replies as families write them. Each stop is one an adviser would read as "stop texting me".
STOPS = [
    "STOP",
    "stop",
    "Stop.",
    "Stop!!",
    "STOP ALL",
    "Stopall",
    "Stop please",
    "Please stop",
    "please stop texting me",
    "Stop texting",
    "Stop sending me these messages",
    "Can you stop texting me?",
    "How do I stop these texts?",
    "“STOP”",  # curly quotes, as a phone's keyboard types them
    '"Stop"',
    "'STOP'",
    "Stop 🙏",
    "STOP 🛑",
    "🛑",
    "ＳＴＯＰ",  # full-width letters
    "s t o p",
    "S.T.O.P",
    "STOPPP",
    "st\u200bop",  # a zero-width space pasted in
    "UNSUBSCRIBE",
    "Unsubscribe me please",
    "opt out",
    "opt-out",
    "OPTOUT",
    "Please opt me out",
    "cancel",
    "CANCEL.",
    "end",
    "END",
    "quit",
    "Revoke",
    "I withdraw my consent to these texts",
    "No more texts",
    "no more texts please",
    "No more messages thanks",
    "Don't text me",
    "Please do not message me again",
    "Leave me alone",
    "Remove me from your list",
    "Take me off this",
    "Wrong number",
    "Sorry, wrong number",
    "Ok stop now thanks",
    "I want to stop",
    "Stop, my son has left school and we have moved",
    "Thanks for your help. Stop.",
    "I don't want texts, stop",
    "No. Stop.",
    "End?",
    "Stop? Why?",  # unsure, so stop: the adviser is told and the reply says how to restart
]

NOT_STOPS = [
    "Thanks!",
    "Thank you x",
    "Ok",
    "Yes",
    "When is my appeal due?",
    "My letter says the 17th, is that right?",
    "don't stop the reminders",
    "Please don't stop sending these, they really help",
    "Do not stop",
    "not stop",
    "Never stop texting me, this is so useful",
    "I don't want them to stop",
    "I don't want to opt out",
    "How do I stop the council from naming a school?",
    "Will the reminders stop after the hearing?",
    "When do the texts end?",
    "End of March?",
    "Cancel the meeting on Tuesday please",
    "The tribunal cancelled the hearing",
    "Stop the council naming a school?",
    "Stopped by the office today with the letter",
    "Non-stop worrying about this",
    "Don't send the appeal yet?",
    "Remove my son's name from the form",
    "Who is this?",
    "",
]


@pytest.mark.parametrize("text", STOPS)
def test_a_reply_that_asks_to_stop_is_a_stop(text):
    assert classify(text) == Reply.STOP


@pytest.mark.parametrize("text", NOT_STOPS)
def test_a_reply_that_does_not_ask_to_stop_is_not_a_stop(text):
    assert classify(text) != Reply.STOP
    assert classify(text, stopped=True) != Reply.STOP


@pytest.mark.parametrize(
    ("text", "stopped", "expected"),
    [
        ("START", False, Reply.START),
        ("start", True, Reply.START),
        ("Start again please", True, Reply.START),
        ("UNSTOP", True, Reply.START),
        ("ＳＴＡＲＴ", True, Reply.START),
        ("Yes", True, Reply.START),  # Twilio's own opt-in word, to a number that stopped
        ("Yes please", True, Reply.START),
        ("Yes", False, Reply.OTHER),  # to a number that did not stop, "Yes" answers a person
        ("Don't start", True, Reply.OTHER),
        ("Start the appeal?", False, Reply.OTHER),
        ("HELP", False, Reply.HELP),
        ("Help!", False, Reply.HELP),
        ("info", False, Reply.HELP),
        ("Help me with my letter", False, Reply.OTHER),
        ("Stop, then start again in June", False, Reply.STOP),  # unsure: stop, adviser told
    ],
)
def test_start_and_help_are_the_whole_reply(text, stopped, expected):
    assert classify(text, stopped=stopped) == expected


# --- through the webhook ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _webhook_settings(settings, fresh_backends):
    settings.SMS_BACKEND = "locmem"
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.SENDFLOW_PUBLIC_URL = PUBLIC_URL
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Parents' & Carers' SENDIASS"


@pytest.mark.django_db
def test_please_stop_texting_me_stops_texts_confirms_and_tells_each_adviser(client):
    first = ContactFactory(case=CaseFactory(), mobile=MOBILE)
    second = ContactFactory(case=CaseFactory(), mobile=MOBILE)  # one parent, two children

    response = text_from(client, MOBILE, "please stop texting me")

    text = reply_text(response)
    assert STOP_REPLY in text
    assert "Reply START to have them again" in text
    assert Suppression.objects.get(channel="sms", address=MOBILE).reason == (
        Suppression.Reason.STOP_REPLY
    )
    tasks = AdviserTask.objects.filter(kind=AdviserTask.Kind.INBOUND_SMS)
    assert {task.case for task in tasks} == {first.case, second.case}
    assert {task.text for task in tasks} == {
        'The family replied "please stop texting me" from 07400 123456: texts to this number '
        "have stopped. They can reply START to have them again; emails are not affected."
    }
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STOP).count() == 2


@pytest.mark.django_db
def test_after_a_stop_in_words_the_next_reminder_text_is_not_sent(client):
    message = appeal_text(status=Status.QUEUED)

    text_from(client, MOBILE, "“Stop please” 🙏")

    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SUPPRESSED
    assert locmem.outbox == []


@pytest.mark.django_db
def test_start_after_a_stop_in_words_sends_texts_again(client):
    text_from(client, MOBILE, "No more texts please")
    message = appeal_text(status=Status.QUEUED)

    response = text_from(client, MOBILE, "Start")

    assert START_REPLY in reply_text(response)
    assert not Suppression.objects.filter(channel="sms", address=MOBILE).exists()
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SENT
    assert [m.to for m in locmem.outbox] == [MOBILE]


@pytest.mark.django_db
def test_yes_restarts_a_number_that_stopped_but_is_only_a_task_otherwise(client):
    ContactFactory(mobile=MOBILE)

    assert reply_text(text_from(client, MOBILE, "Yes")) == ""
    assert AdviserTask.objects.filter(text__contains='"Yes"').count() == 1

    text_from(client, MOBILE, "STOP")
    assert START_REPLY in reply_text(text_from(client, MOBILE, "Yes"))
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_dont_stop_the_reminders_is_only_a_task_for_the_adviser(client):
    contact = ContactFactory(mobile=MOBILE)
    message = appeal_text(status=Status.QUEUED)

    response = text_from(client, MOBILE, "Please don't stop the reminders, they help")

    assert reply_text(response) == ""  # no automatic answer: a person replies
    assert not Suppression.objects.exists()
    (task,) = AdviserTask.objects.filter(case=contact.case)
    assert "Please don't stop the reminders, they help" in task.text
    assert "have stopped" not in task.text
    assert services.message_send(message_id=message.id, now=message.send_at) == Status.SENT


@pytest.mark.django_db
def test_a_question_that_mentions_stop_reaches_the_adviser_and_texts_go_on(client):
    ContactFactory(mobile=MOBILE)
    question = "How do I stop the council from naming a school we did not ask for?"

    response = text_from(client, MOBILE, question)

    assert reply_text(response) == ""
    assert not Suppression.objects.exists()
    assert question in AdviserTask.objects.get().text


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["STOP ALL", "opt out", "'STOP'", "ＳＴＯＰ", "s t o p", "end."])
def test_each_way_of_saying_stop_stops_texts_through_the_webhook(client, text):
    assert STOP_REPLY in reply_text(text_from(client, MOBILE, text))
    assert Suppression.objects.filter(channel="sms", address=MOBILE).exists()


@pytest.mark.django_db
def test_a_stop_from_a_number_on_no_case_still_tells_an_adviser(client):
    text_from(client, "+447911123456", "Wrong number, stop texting me")

    task = AdviserTask.objects.get()
    assert task.case is None
    assert task.text.startswith(
        'A number on no case replied "Wrong number, stop texting me" from 07911 123456: texts'
    )
    assert Suppression.objects.filter(address="+447911123456").exists()


@pytest.mark.django_db
def test_a_stop_in_words_leaves_the_number_out_of_the_logs(client, caplog):
    ContactFactory(mobile=MOBILE)

    with caplog.at_level(logging.INFO):
        text_from(client, MOBILE, "please stop texting me")

    assert "stopped texts" in caplog.text
    assert MOBILE not in caplog.text
    assert "07400 123456" not in caplog.text
