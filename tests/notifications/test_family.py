"""The family's page and the pages beside it: tell us a date, messages, calendar, print."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from notifications.models import OutboundMessage
from tests.factories import AdviserFactory, CaseFactory, ContactFactory
from workflows import rules, services, words
from workflows.models import (
    AdviserTask,
    Contact,
    Deadline,
    FamilyReportedDate,
    KeyDate,
    LocalAuthority,
)

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 25)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-01-25 12:00 +00:00", tick=False):
        yield


@pytest.fixture
def case():
    case = CaseFactory(council=LocalAuthority.objects.get(name="Hampshire County Council"))
    ContactFactory(case=case, name="Amira", email="amira@example.com")
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    return case


def tell(client, case, event, day="", month="", year=""):
    return client.post(
        reverse("family-dates", args=[case.access_token]),
        {"event": event, "date-day": day, "date-month": month, "date-year": year},
    )


def test_the_page_says_what_to_do_next_who_acts_and_the_source_in_words(client, case):
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "What to do next" in page
    assert "Do it by Friday 26 February 2027 (in 24 working days)." in page
    assert "Who acts: You" in page
    assert "This comes from the SEND Regulations 2014, regulation 33." in page
    assert "Who acts: parent" not in page
    assert "Source: " not in page
    for shown in (
        case.reference,
        "Monday to Friday, 9am to 5pm",
        "01329 316165",
        "sen@hants.gov.uk",
    ):
        assert shown in page
    assert "What we will send you" in page
    assert "Reminder: Appeal to the SEND Tribunal" in page


def test_texts_are_not_promised_to_a_number_that_replied_stop(client):
    """Seen walking the page: after STOP the reminders were still listed as "Text to ...",
    though the send drops every one of them."""
    from notifications import services as message_services

    case = CaseFactory()
    contact = ContactFactory(case=case, name="Hassan", email="hassan@example.com")
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    url = reverse("family-page", args=[case.access_token])
    assert "Text to Hassan" in client.get(url).content.decode()

    message_services.suppress(channel="sms", address=contact.mobile.as_e164, reason="stop_reply")
    page = client.get(url).content.decode()
    assert "stopped: ask your adviser to start them again" in page
    assert "Text to Hassan" not in page
    assert "Email to Hassan" in page


def said(page: str) -> str:
    """The page's text as a person reads it: no tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" .", ".")


def done_part(page: str) -> str:
    return said(page).split("Your timeline")[1].split(" Done ", 1)[1].split("Who to contact")[0]


def test_a_done_step_reads_as_done_before_and_after_its_date(client):
    """Issue 18: "Done: You contacted the mediation adviser on Thursday 3 December 2026. The
    date is Wednesday 6 January 2027" read like a new deadline."""
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 11, 6))
    services.key_date_set(case=case, event="mediation_adviser_contacted", value=date(2026, 12, 3))
    assert case.deadlines.get(kind="mediation_adviser_contact").effective_due == date(2027, 1, 6)
    url = reverse("family-page", args=[case.access_token])
    for day in ("2026-12-20", "2027-01-25"):  # before the date, and after it
        with time_machine.travel(f"{day} 12:00 +00:00", tick=False):
            done = done_part(client.get(url).content.decode())
        assert (
            "Done on Thursday 3 December 2026. You contacted the mediation adviser. "
            "That was in time: it was due by Wednesday 6 January 2027." in done
        )
        assert "The date is" not in done
        assert "The date was" not in done
        assert "Done:" not in done


def test_a_step_the_adviser_marked_met_or_waived_says_so_in_the_familys_words(client, case):
    case.deadlines.filter(kind="mediation_adviser_contact").update(status="met")
    case.deadlines.filter(kind="appeal").update(status="waived")
    done = done_part(client.get(reverse("family-page", args=[case.access_token])).content.decode())
    assert "Done. Your adviser marked this as done." in done
    assert "Done. Your adviser marked this as no longer needed." in done
    assert "Marked" not in done
    assert "in time" not in done  # no day it was done on, so nothing to compare


def test_an_appeal_sent_after_its_date_is_said_to_be_late(client, case):
    """Seen walking the page: an appeal sent two weeks late became a quiet "Done"."""
    with time_machine.travel("2027-03-15 12:00 +00:00", tick=False):
        services.key_date_set(case=case, event="appeal_submitted", value=date(2027, 3, 15))
        page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    appeal = case.deadlines.get(kind="appeal")
    late = (
        f"That was after the date, {rules.long_date(appeal.effective_due)}: talk to your "
        "adviser about what this means for you."
    )
    assert late in page
    next_thing = page.split("What to do next")[1].split("Your timeline")[0]
    assert "Nothing for you to do now" not in next_thing
    assert late in next_thing
    assert "Appeal to the SEND Tribunal" in next_thing
    assert "Done on Monday 15 March 2027. You sent your appeal to the SEND Tribunal." in said(
        next_thing
    )
    assert "in time" not in page


def test_a_reply_owed_that_did_not_come_is_the_next_thing_not_nothing_to_do(client):
    """Seen walking the page: "Nothing for you to do now" above a complaint reply whose date
    had passed, whose own row said to ask for the next stage."""
    case = CaseFactory()
    services.key_date_set(case=case, event="complaint_sent", value=date(2026, 12, 1))
    services.key_date_set(case=case, event="complaint_response_requested", value=date(2027, 1, 4))
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "Nothing for you to do now" not in page
    assert (
        "The council should have done this by Monday 4 January 2027, and nothing we hold "
        "shows it came." in page
    )
    assert "No reply? Ask for the next stage of your complaint" in page
    assert "If it came, tell us the date it came." in page


def test_on_one_day_the_mediation_adviser_comes_before_the_appeal(client):
    """Seen walking the page: both due the same day, "What to do next" named the appeal,
    which needs the mediation certificate first."""
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 1, 4))
    contact, appeal = (case.deadlines.get(kind=k) for k in ("mediation_adviser_contact", "appeal"))
    assert contact.effective_act_by == appeal.effective_act_by
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    next_thing = page.split("What to do next")[1].split("Your timeline")[0]
    assert "Contact the mediation adviser" in next_thing
    assert "Appeal to the SEND Tribunal" not in next_thing


def test_only_the_familys_own_late_act_is_called_late(client):
    """The comments window closes when the council sends the final plan, nearly always after
    it: that is the council's act, not the family being late."""
    case = CaseFactory()
    services.key_date_set(case=case, event="draft_plan_served", value=date(2026, 11, 2))
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 1, 11))
    comments = case.deadlines.get(kind="draft_plan_comments")
    assert comments.done_on > comments.effective_due
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "That was after the date" not in page


def test_an_owed_date_long_passed_or_only_the_adviser_can_settle_is_not_the_next_thing(client):
    case = CaseFactory()
    services.key_date_set(case=case, event="review_meeting", value=date(2027, 1, 20))
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    next_thing = page.split("What to do next")[1].split("Your timeline")[0]
    # The school's invitations (two weeks before the meeting) passed; nothing the family can
    # tell us settles them, and the meeting has been.
    assert "should have done this" not in next_thing
    complaint = CaseFactory()
    services.key_date_set(case=complaint, event="complaint_sent", value=date(2026, 10, 1))
    services.key_date_set(
        case=complaint, event="complaint_response_requested", value=date(2026, 11, 2)
    )
    url = reverse("family-page", args=[complaint.access_token])
    next_thing = client.get(url).content.decode().split("What to do next")[1]
    assert "The council should have done this by" not in next_thing.split("Your timeline")[0]


@time_machine.travel("2027-03-01 12:00 +00:00", tick=False)
def test_a_date_a_calendar_year_ahead_is_taken_across_29_february(client, case):
    response = tell(client, case, "annual_review_meeting", "1", "3", "2028")
    assert response.status_code == 200
    assert case.given_dates.get().value == date(2028, 3, 1)


def test_a_hearing_as_the_next_thing_is_on_its_day_not_by_it(client):
    """Seen walking the page: "Tribunal hearing - Do it by Monday 15 March 2027"."""
    case = CaseFactory()
    services.given_date_set(case=case, kind="hearing", value=date(2027, 3, 15))
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    next_thing = page.split("What to do next")[1].split("Your timeline")[0]
    assert "On Monday 15 March 2027" in next_thing
    assert "Do it by" not in next_thing


def test_a_passed_date_says_what_can_still_be_done_and_who_to_call(client, case, settings):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    with time_machine.travel("2027-03-10 12:00 +00:00", tick=False):
        page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "This date passed on Monday 1 March 2027" in page
    assert "The Tribunal may still accept it late for a good reason" in page
    assert "Call Example SENDIASS on 01632 960123 today." in said(page)


CALL = "Call Example SENDIASS on 020 7946 0123"


@pytest.mark.parametrize(
    ("now", "when"),
    [
        ("2027-03-10 12:00", "today"),  # a Wednesday, open
        ("2027-03-10 08:00", "today"),  # before it opens
        ("2027-03-10 17:30", "tomorrow"),  # after it closes
        ("2027-03-14 19:00", "tomorrow"),  # the Sunday evening
        ("2027-03-12 18:00", "on Monday 15 March 2027"),  # Friday evening
        ("2027-03-25 18:00", "on Tuesday 30 March 2027"),  # Good Friday and Easter Monday
    ],
)
def test_call_today_only_while_the_service_can_answer_today(client, case, settings, now, when):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "020 7946 0123"
    with time_machine.travel(f"{now} +00:00", tick=False):
        page = said(client.get(reverse("family-page", args=[case.access_token])).content.decode())
    next_thing, timeline = page.split("What to do next")[1].split("Your timeline")
    assert f"{CALL} {when}." in next_thing  # the passed date at the top
    assert f"{CALL} {when}." in timeline  # and its row
    if when != "today":
        assert f"{CALL} today" not in page
    assert "Monday to Friday, 9am to 5pm, except bank holidays" in page


@time_machine.travel("2027-03-13 11:00 +00:00", tick=False)
def test_the_hours_and_call_today_come_from_the_setting(client, case, settings):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "020 7946 0123"
    url = reverse("family-page", args=[case.access_token])
    page = said(client.get(url).content.decode())  # a Saturday
    assert f"{CALL} on Monday 15 March 2027." in page
    settings.SENDFLOW_ADVICE_SERVICE_HOURS = "Mon-Fri 09:00-17:00, Sat 10:00-13:00"
    page = said(client.get(url).content.decode())
    assert f"{CALL} today." in page
    assert "Monday to Friday, 9am to 5pm; Saturday, 10am to 1pm, except bank holidays" in page


@time_machine.travel("2027-02-12 12:00 +00:00", tick=False)
def test_a_certificate_date_moves_the_appeal_and_asks_the_adviser_to_confirm(client, case):
    response = tell(client, case, "certificate_issued", "10", "2", "2027")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your appeal date moved from Monday 1 March to Wednesday 10 March 2027" in page
    key_date = KeyDate.objects.get(case=case, event="certificate_issued")
    assert (key_date.source, key_date.confirmed) == ("family", False)
    assert case.deadlines.get(kind="appeal").due == date(2027, 3, 10)
    assert AdviserTask.objects.filter(case=case, kind="family_date").count() == 1
    pending = OutboundMessage.objects.filter(
        case=case, deadline_kind="appeal", status="pending", kind="reminder"
    )
    assert pending
    assert {m.due_date for m in pending} == {date(2027, 3, 10)}
    assert response["Referrer-Policy"] == "same-origin"
    from governance.models import AuditEvent

    event = AuditEvent.objects.get(case=case, action="family_date")
    assert event.detail == {
        "event": "certificate_issued",
        "date": "2027-02-10",
        "waits_for_adviser": False,
    }
    assert event.actor is None  # the family, through their link


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (("", "1", "2", "2027"), "Select the date you are telling us about"),
        (("certificate_issued", "", "", ""), "Enter the date"),
        (("certificate_issued", "10", "", "2027"), "The date must include a month"),
        (("certificate_issued", "31", "2", "2027"), "The date must be a real date"),
        (("certificate_issued", "1", "2", "2028"), "The date must be today or in the past"),
        (("certificate_issued", "1", "2", "27"), "The year must have 4 numbers, like 2027"),
        (
            ("certificate_issued", "1", "Nov", "2026"),
            "Use numbers only, like 27 3 2027 for 27 March 2027 (3 is March)",
        ),
        # Seen walking the page: 3 January 2016 for 2026 told the family a date ten years gone
        # was their new appeal date, and raised a false "it has passed" alarm.
        (
            ("certificate_issued", "3", "1", "2016"),
            "That is more than a year ago: check the year. If it is right, tell your adviser",
        ),
        (("hearing", "15", "1", "2031"), "That is more than a year from today: check the year"),
        (
            ("certificate_issued", "1", "12", "2026"),
            "The certificate date is before the decision date: the mediation certificate was "
            "issued on Tuesday 1 December 2026, but the council&#x27;s decision was sent on "
            "Thursday 31 December 2026.",
        ),
    ],
)
def test_bad_input_gets_the_error_summary_and_changes_nothing(client, case, data, error):
    before = list(case.deadlines.values_list("kind", "due"))
    response = tell(client, case, *data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    assert not KeyDate.objects.filter(case=case, event="certificate_issued").exists()
    assert list(case.deadlines.values_list("kind", "due")) == before
    assert not AdviserTask.objects.filter(kind="family_date").exists()
    assert not case.given_dates.exists()


@pytest.mark.parametrize(
    ("data", "red"),
    [
        (("10", "", ""), {"date-month", "date-year"}),
        (("10", "1", "27"), {"date-year"}),
        (("10", "Nov", "2026"), {"date-month"}),
        (("31", "2", "2027"), {"date-day", "date-month", "date-year"}),
    ],
)
def test_only_the_boxes_at_fault_are_outlined(client, case, data, red):
    page = tell(client, case, "certificate_issued", *data).content.decode()
    outlined = {
        name
        for name in ("date-day", "date-month", "date-year")
        if f'govuk-input--error" id="{name}"' in page
    }
    assert outlined == red
    assert f'value="{data[0]}"' in page  # what was typed is kept


def test_a_family_date_never_silently_replaces_one_the_adviser_confirmed(client, case):
    adviser = AdviserFactory()
    services.key_date_set(
        case=case, event="certificate_issued", value=date(2027, 1, 20), by=adviser
    )
    appeal_before = case.deadlines.get(kind="appeal").due
    page = tell(client, case, "certificate_issued", "22", "1", "2027").content.decode()
    assert "Your adviser will check this date" in page
    assert KeyDate.objects.get(case=case, event="certificate_issued").value == date(2027, 1, 20)
    assert case.deadlines.get(kind="appeal").due == appeal_before  # the rules do not use it
    waiting = FamilyReportedDate.objects.get(case=case)
    assert (waiting.value, waiting.replaces, waiting.status) == (
        date(2027, 1, 22),
        date(2027, 1, 20),
        "waiting",
    )
    assert AdviserTask.objects.filter(case=case, kind="family_date").exists()

    services.reported_date_decide(reported=waiting, accept=True, by=adviser)
    key_date = KeyDate.objects.get(case=case, event="certificate_issued")
    assert (key_date.value, key_date.source, key_date.confirmed) == (
        date(2027, 1, 22),
        "family",
        True,
    )
    assert FamilyReportedDate.objects.get().status == "accepted"


def test_a_family_date_may_replace_the_familys_own_unconfirmed_one(client, case):
    tell(client, case, "certificate_issued", "20", "1", "2027")
    tell(client, case, "certificate_issued", "21", "1", "2027")
    assert KeyDate.objects.get(case=case, event="certificate_issued").value == date(2027, 1, 21)
    assert not FamilyReportedDate.objects.exists()


def test_the_calendar_is_valid_icalendar_with_the_open_dates_only(client, case, settings):
    settings.SENDFLOW_PUBLIC_URL = "https://dates.example.org"
    response = client.get(reverse("family-calendar", args=[case.access_token]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    appeal = case.deadlines.get(kind="appeal")
    event = events["Appeal to the SEND Tribunal"]
    assert event.decoded("dtstart") == appeal.effective_act_by == date(2027, 3, 1)
    assert event.decoded("dtend") == date(2027, 3, 2)
    assert str(event["uid"]) == f"deadline-{appeal.pk}@dates.example.org"
    assert "Monday 1 March 2027" in str(event["description"])
    assert f"https://dates.example.org/f/{case.access_token}/" in str(event["description"])
    alarm = event.walk("VALARM")[0]
    assert alarm.decoded("trigger") == -timedelta(hours=15)
    # A done date leaves the feed; the UID of the others stays the same.
    services.key_date_set(case=case, event="mediation_adviser_contacted", value=date(2027, 1, 5))
    again = Calendar.from_ical(
        client.get(reverse("family-calendar", args=[case.access_token])).content
    )
    events = {str(e["summary"]): e for e in again.walk("VEVENT")}
    assert "Contact the mediation adviser" not in events
    assert (
        str(events["Appeal to the SEND Tribunal"]["uid"])
        == f"deadline-{appeal.pk}@dates.example.org"
    )
    # A passed one too.
    with time_machine.travel("2027-03-02 12:00 +00:00", tick=False):
        later = Calendar.from_ical(
            client.get(reverse("family-calendar", args=[case.access_token])).content
        )
    assert "Appeal to the SEND Tribunal" not in {str(e["summary"]) for e in later.walk("VEVENT")}


def test_the_page_offers_download_and_subscribe(client, case, settings):
    settings.SENDFLOW_PUBLIC_URL = "https://dates.example.org"
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert f'href="webcal://dates.example.org/f/{case.access_token}/calendar.ics"' in page
    assert f'href="/f/{case.access_token}/calendar.ics" download' in page


def test_a_contact_chooses_texts_or_emails_without_seeing_the_address(client, case):
    contact = Contact.objects.get(case=case)
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "amira@example.com" not in page
    assert "7400123456" not in page
    response = client.post(
        reverse("family-messages", args=[case.access_token]),
        {"contact": contact.pk, "channels": ["email"]},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.wants_sms, contact.wants_email) == (False, True)
    page = client.get(response["Location"]).content.decode()
    assert "Saved: your choices for Amira." in page
    assert "Text to Amira" not in page
    assert "Email to Amira" in page


def test_saving_choices_keeps_a_stopped_channel_for_when_the_adviser_starts_it_again(client, case):
    """The stopped box is greyed out and a browser sends nothing for it: saving the form
    turned texts off for good, so "start them again" never brought them back."""
    from notifications import services as message_services

    contact = Contact.objects.get(case=case)
    mobile = contact.mobile.as_e164
    message_services.suppress(channel="sms", address=mobile, reason="stop_reply")
    client.post(
        reverse("family-messages", args=[case.access_token]),
        {"contact": contact.pk, "channels": ["email"]},
    )
    contact.refresh_from_db()
    assert (contact.wants_sms, contact.wants_email) == (True, True)
    message_services.unsuppress(channel="sms", address=mobile)
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "Text to Amira" in page
    assert "We cannot send Amira any reminders" not in page


def test_a_person_nothing_can_reach_is_told_no_reminder_will_come(client, case):
    """Seen walking the page: texts stopped, emails unticked and saved: "Saved", a ticked
    (greyed) Texts box and "Nothing planned", with no word that no reminder would come."""
    from notifications import services as message_services

    contact = Contact.objects.get(case=case)
    message_services.suppress(channel="sms", address=contact.mobile.as_e164, reason="stop_reply")
    response = client.post(
        reverse("family-messages", args=[case.access_token]),
        {"contact": contact.pk, "channels": []},
    )
    page = client.get(response["Location"]).content.decode()
    assert (
        "We cannot send Amira any reminders at the moment. Tick texts or emails below, or ask "
        "your adviser." in page
    )


def test_a_text_that_did_not_arrive_asks_the_family_to_check_their_number(client, case):
    contact = Contact.objects.get(case=case)
    url = reverse("family-page", args=[case.access_token])
    assert "did not arrive" not in client.get(url).content.decode()
    OutboundMessage.objects.filter(case=case, contact=contact, channel="sms").update(
        status=OutboundMessage.Status.SENT
    )
    failed = OutboundMessage.objects.filter(case=case, channel="sms").order_by("-send_at").first()
    failed.status, failed.to = OutboundMessage.Status.FAILED, contact.mobile.as_e164
    failed.save()
    page = client.get(url).content.decode()
    assert "our last text to you did not arrive: check your mobile number with your adviser" in page
    contact.mobile = "+447400999888"  # the adviser corrects the number
    contact.save()
    assert "did not arrive" not in client.get(url).content.decode()


def test_a_contact_of_another_case_cannot_be_changed(client, case):
    other = ContactFactory()
    response = client.post(
        reverse("family-messages", args=[case.access_token]),
        {"contact": other.pk, "channels": []},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.wants_sms
    assert other.wants_email


def test_the_page_links_each_persons_opt_out(client, case):
    contact = Contact.objects.get(case=case)
    stop = reverse("family-stop", args=[case.access_token, contact.pk])
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert f'href="{stop}"' in page
    client.post(stop, {"channel": "all"})
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assert "stopped: ask your adviser to start them again" in page


def test_the_print_view_opens_every_working_with_the_reference_and_contacts(client, case):
    page = client.get(reverse("family-print", args=[case.access_token])).content.decode()
    assert "<details" not in page
    assert "2 months after Thursday 31 December 2026" in page
    assert case.reference in page
    assert "01329 316165" in page


def test_only_languages_with_messages_and_a_page_are_offered():
    assert [code for code, _ in Contact.Language.choices] == ["en"]


def test_source_sentences_and_owner_words():
    assert words.source_sentence("SEND Regulations 2014 regs 34, 37 and 39 (3 working days)") == (
        "This comes from the SEND Regulations 2014, regulations 34, 37 and 39 (3 working days)."
    )
    assert words.source_sentence(
        "Children and Families Act 2014 s.44 (at least every 12 months)"
    ) == (
        "This comes from the Children and Families Act 2014, section 44 (at least every 12 months)."
    )
    assert words.owner_words(Deadline.OWNER_CHOICES[1][0]) == "The council"
    assert (
        words.date_moved_words("appeal", "Appeal", date(2027, 3, 1), date(2027, 3, 10))
        == "Your appeal date moved from Monday 1 March to Wednesday 10 March 2027"
    )


def test_an_import_records_its_dates_as_the_imports(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "reference,parent_name,email,channels,decision_sent\nEX-9,Amira,a@example.com,email,"
        "2026-12-31\n"
    )
    call_command("import_cases", str(caseload), stdout=StringIO())
    key_date = KeyDate.objects.get(case__reference="EX-9")
    assert (key_date.source, key_date.confirmed) == ("import", True)


def test_the_admin_shows_who_recorded_each_date_and_the_dates_that_wait(
    admin_client_logged_in, client, case
):
    services.key_date_set(case=case, event="certificate_issued", value=date(2027, 1, 20))
    tell(client, case, "certificate_issued", "22", "1", "2027")
    page = admin_client_logged_in.get(
        reverse("admin:workflows_case_change", args=[case.pk])
    ).content.decode()
    assert "recorded by" in page.lower()
    waiting = admin_client_logged_in.get(
        reverse("admin:workflows_familyreporteddate_changelist")
    ).content.decode()
    assert case.reference in waiting
    assert "Waiting for the adviser" in waiting
    councils = admin_client_logged_in.get(
        reverse("admin:workflows_localauthority_changelist")
    ).content.decode()
    assert "Hampshire County Council" in councils
