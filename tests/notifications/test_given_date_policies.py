"""Dates a letter gives follow the reminder policy of their kind ("given:hearing"), appear in the
family's summary beside the computed dates, and render in the contact's language where a
reviewed translation exists."""

import copy
from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications import gsm, services
from notifications.backends import locmem
from notifications.models import OutboundMessage, ReminderPolicy
from notifications.schedule import LONDON
from tests.helpers import london
from workflows import services as workflow_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("advice_service")]

Kind = OutboundMessage.Kind
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def _backends(locmem_sends, settings):
    settings.SENDFLOW_PUBLIC_URL = "https://reminders.exampleshire-sendiass.org.uk"


def record(case, *, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return workflow_services.given_date_set(case=case, **fields)


def reminders(case, **filters):
    return OutboundMessage.objects.filter(
        case=case, status=Status.PENDING, kind__in=[Kind.REMINDER, Kind.CHECK], **filters
    )


def send_due(now):
    with time_machine.travel(now, tick=False):
        for message_id in services.messages_dispatch(now=now, enqueue=False).claimed:
            services.message_send(message_id=message_id, now=now)


def policy(kind: str) -> ReminderPolicy:
    return ReminderPolicy.objects.get(deadline_kind=f"given:{kind}")


# --- policies ------------------------------------------------------------------------------


def test_every_kind_of_given_date_has_a_policy_a_supervisor_can_change(admin_client_logged_in):
    kinds = set(
        ReminderPolicy.objects.filter(deadline_kind__startswith="given:").values_list(
            "deadline_kind", "style"
        )
    )
    assert kinds == {
        ("given:la_response", "check"),
        ("given:final_evidence", "countdown"),
        ("given:attendance_form", "countdown"),
        ("given:hearing", "countdown"),
        ("given:decision_expected", "check"),
        ("given:mediation_meeting", "countdown"),
        ("given:annual_review_meeting", "countdown"),
        ("given:complaint_meeting", "countdown"),
        ("given:other", "countdown"),
    }
    page = admin_client_logged_in.get(reverse("admin:notifications_reminderpolicy_changelist"))
    assert "Given in a letter: Tribunal hearing" in page.content.decode()
    hearing = policy("hearing")
    response = admin_client_logged_in.post(
        reverse("admin:notifications_reminderpolicy_change", args=[hearing.pk]),
        {
            "deadline_kind": "given:hearing",
            "style": "countdown",
            "offsets": "1w,1wd,0d",
            "send_time": "11:00",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.offsets == "1w,1wd,0d"
    with pytest.raises(ValidationError):
        ReminderPolicy(deadline_kind="given:picnic", style="countdown").full_clean()


def test_a_hearing_follows_its_policy_and_its_morning_reminder_still_comes_before_it(family):
    hearing = policy("hearing")
    hearing.offsets, hearing.send_time = "1w,1wd,0d", time(11, 0)
    hearing.save()
    record(family, moment=london(date(2027, 4, 1)), kind="hearing", value=date(2027, 6, 7))
    moments = {
        (m.channel, m.offset): m.send_at.astimezone(LONDON)
        for m in reminders(family, deadline_kind="given:hearing")
    }
    assert moments == {
        ("email", "1w"): london(date(2027, 5, 31), 11),  # a bank holiday, but not the hearing
        ("sms", "1w"): london(date(2027, 5, 31), 11),
        ("email", "1wd"): london(date(2027, 6, 4), 11),
        ("sms", "1wd"): london(date(2027, 6, 4), 11),
        ("email", "0d"): london(date(2027, 6, 7), 8),  # the morning, before a 10am hearing
        ("sms", "0d"): london(date(2027, 6, 7), 9),  # when quiet hours end
    }


def test_the_familys_own_given_date_counts_down_with_its_own_policy(family):
    evidence = policy("final_evidence")
    evidence.offsets = "1w,0d"
    evidence.save()
    record(family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 10))
    assert set(reminders(family, channel="email").values_list("offset", flat=True)) == {"1w", "0d"}
    # The appeal's own policy is not what the Tribunal's timetable follows any more.
    assert ReminderPolicy.objects.get(deadline_kind="appeal").offsets == "4w,2w,1w,2wd,0d"


def test_a_given_kind_whose_policy_is_turned_off_gets_no_messages_and_no_summary(family):
    evidence = policy("final_evidence")
    evidence.enabled = False
    evidence.save()
    record(family, moment=london(date(2027, 3, 15)), kind="final_evidence", value=date(2027, 5, 10))
    assert not OutboundMessage.objects.filter(case=family).exists()
    # Turned back on: the planner picks the date up.
    evidence.enabled = True
    evidence.save()
    with time_machine.travel(london(date(2027, 3, 16)), tick=False):
        workflow_services.case_replan(case=family)
    assert reminders(family).exists()


def test_a_given_kind_set_to_check_gets_the_check_the_working_day_after(family):
    form = policy("attendance_form")
    form.style, form.offsets = ReminderPolicy.Style.CHECK, ""
    form.save()
    record(
        family, moment=london(date(2027, 3, 15)), kind="attendance_form", value=date(2027, 4, 30)
    )
    check = reminders(family, channel="email").get()
    assert (check.kind, check.offset) == (Kind.CHECK, "+1wd")
    assert check.send_at == london(date(2027, 5, 4))  # Monday 3 May 2027 is a bank holiday


# --- the summary -----------------------------------------------------------------------------


def test_the_summary_lists_given_dates_with_the_computed_ones_passed_ahead_and_owed(family):
    moment = london(date(2027, 5, 12))
    with time_machine.travel(moment, tick=False):
        # The appeal went in, so its date is done; the Tribunal's timetable is all that is left.
        workflow_services.key_date_set(case=family, event="decision_sent", value=date(2027, 3, 1))
        workflow_services.key_date_set(
            case=family, event="certificate_issued", value=date(2027, 3, 20)
        )
        workflow_services.key_date_set(
            case=family, event="appeal_submitted", value=date(2027, 4, 1)
        )
        source = "Tribunal letter of 12 April 2027"
        for kind, value, at in [
            ("la_response", date(2027, 5, 20), None),
            ("attendance_form", date(2027, 5, 10), None),  # passed two days ago
            ("final_evidence", date(2027, 6, 14), None),
            ("hearing", date(2027, 7, 5), time(10, 0)),
        ]:
            workflow_services.given_date_set(
                case=family, kind=kind, value=value, time=at, source=source
            )
    send_due(moment)

    email = next(m for m in mail.outbox if m.subject.startswith("Your key dates"))
    body = email.body
    passed = body.index("This date of yours has already passed")
    ahead = body.index("Your dates ahead")
    owed = body.index("Dates others owe you")
    form = body.index("Attendance form to the Tribunal: Monday 10 May 2027 - PASSED")
    assert passed < form < ahead
    assert ahead < body.index("Final evidence to the Tribunal: Monday 14 June 2027") < owed
    assert ahead < body.index("Tribunal hearing: Monday 5 July 2027 at 10am") < owed
    assert owed < body.index("Council's response to the appeal")
    assert "The Tribunal set this date in its letter of 12 April 2027." in body
    assert "Appeal to the SEND Tribunal" not in body  # done: the appeal went in

    # One text for the day: the summary and the "has passed" notice go together, the passed
    # date first (the soonest), the rest on the page.
    (text,) = locmem.outbox
    assert gsm.segments(text.body) <= 2
    assert "Attendance form to the Tribunal: Monday 10 May 2027 has passed." in text.body
    assert "And 3 more on your page." in text.body
    summary = OutboundMessage.objects.get(case=family, kind=Kind.SUMMARY, channel="sms")
    assert len(summary.dates_told) == 4  # the given dates; the computed ones are done


def test_a_case_with_only_dates_from_a_letter_gets_a_summary_that_does_not_call_them_ours(
    family,
):
    moment = london(date(2027, 3, 15))
    record(
        family,
        moment=moment,
        kind="hearing",
        value=date(2027, 6, 7),
        time=time(10, 0),
        source="Tribunal letter of 12 March 2027",
    )
    send_due(moment)
    (text,) = locmem.outbox
    assert "Your Tribunal hearing is on Monday 7 June 2027 at 10am. That is in 12 weeks." in (
        text.body
    )
    assert "check your letters" not in text.body
    email = next(m for m in mail.outbox if m.subject.startswith("Your key dates"))
    assert "our calculation" not in email.body
    assert "These are the dates your letters gave" in email.body


# --- languages -------------------------------------------------------------------------------


def test_given_date_words_come_from_the_contacts_language_and_fall_back_to_english(
    family, settings, tmp_path
):
    folder = tmp_path / "notifications" / "cy" / "given"
    folder.mkdir(parents=True)
    (folder / "hearing.txt").write_text(
        "Gwrandawiad y Tribiwnlys\nMae eich gwrandawiad ar {{ due }}.\nDewch a'ch bwndel.\n"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    text = next(t for t in templates if t.get("NAME") == "text")
    text["DIRS"] = [tmp_path, *text["DIRS"]]
    settings.TEMPLATES = templates
    contact = family.contacts.get()
    type(contact).objects.filter(pk=contact.pk).update(language="cy")
    record(family, moment=london(date(2027, 4, 1)), kind="hearing", value=date(2027, 6, 7))
    record(family, moment=london(date(2027, 4, 1)), kind="final_evidence", value=date(2027, 6, 7))
    OutboundMessage.objects.filter(case=family, kind=Kind.SUMMARY).delete()

    send_due(london(date(2027, 6, 4), 10, 1))  # the hearing's day before; evidence's 2wd
    bodies = [m.body for m in locmem.outbox]
    assert any("Mae eich gwrandawiad ar Monday 7 June 2027" in b for b in bodies)
    # No Welsh words for final evidence yet: English, as every untranslated message.
    assert any("Final evidence to the Tribunal by" in b for b in bodies)


def test_a_reminders_subject_says_when_in_short_and_its_body_in_full(family):
    record(family, moment=london(date(2027, 1, 4)), kind="final_evidence", value=date(2027, 2, 5))
    OutboundMessage.objects.filter(case=family, kind=Kind.SUMMARY).delete()
    send_due(london(date(2027, 2, 3), 10, 1))  # two working days before
    email = mail.outbox[-1]
    assert email.subject == "Final evidence to the Tribunal: Friday 5 February 2027 (in 2 days)"
    assert "That is in 2 days (2 working days)." in email.body
