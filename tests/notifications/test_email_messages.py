"""The emails a family gets: text and HTML, from the advice service, with a one-click stop."""

from datetime import date, time
from email import message_from_string
from email.utils import parseaddr

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from casework import history
from governance.models import AuditEvent
from notifications import services
from notifications.email_html import email_html
from notifications.models import OutboundMessage, Suppression
from notifications.schedule import local_instant
from tests.factories import CaseFactory, ContactFactory
from tests.fakes.fake_smtp import FakeSMTP
from workflows import services as workflow_services

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
PUBLIC_URL = "https://sendflow.example.org"
SERVICE = "Parents' & Carers' SENDIASS, Exampleshire"
SERVICE_EMAIL = "send.advice@exampleshire.example"
DECIDED = local_instant(date(2026, 12, 31), time(15))


@pytest.fixture(autouse=True)
def _settings(settings, fresh_backends):
    settings.SMS_BACKEND = "locmem"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SENDFLOW_PUBLIC_URL = PUBLIC_URL
    settings.SENDFLOW_ADVICE_SERVICE_NAME = SERVICE
    settings.SENDFLOW_ADVICE_SERVICE_EMAIL = SERVICE_EMAIL
    settings.DEFAULT_FROM_EMAIL = "sendflow <reminders@sendflow.example.org>"


@pytest.fixture
def contact():
    case = CaseFactory(reference="SF-1")
    return ContactFactory(case=case, name="Amira Khan", email="amira@example.com")


def appeal_email(contact) -> OutboundMessage:
    """The planner's 4-week appeal email for the family, claimed for sending."""
    with time_machine.travel(DECIDED, tick=False):
        workflow_services.key_date_set(
            case=contact.case, event="decision_sent", value=date(2026, 12, 31)
        )
    message = OutboundMessage.objects.get(
        case=contact.case, deadline_kind="appeal", kind="reminder", channel="email", offset="4w"
    )
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.QUEUED, queued_at=message.send_at
    )
    return message


def send(message) -> str:
    return services.message_send(message_id=message.id, now=message.send_at)


def html_part(email) -> str:
    (content, mimetype) = email.alternatives[0]
    assert mimetype == "text/html"
    return content


def stop_url(contact) -> str:
    return PUBLIC_URL + reverse("opt-out", args=[contact.opt_out_token])


# --- what lands ---------------------------------------------------------------------------------


def test_a_family_email_is_multipart_with_the_text_and_an_html_part(contact):
    message = appeal_email(contact)

    assert send(message) == Status.SENT

    (email,) = mail.outbox
    wire = email.message()
    assert wire.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in wire.get_payload()] == ["text/plain", "text/html"]
    assert "Your appeal must reach the SEND Tribunal" in email.body
    html = html_part(email)
    assert '<html lang="en"' in html
    assert "color-scheme" in html
    assert f">{escape(SERVICE)}</p>" in html  # the header
    assert "Your appeal must reach the SEND Tribunal" in html
    # No images, no stylesheets or scripts to fetch, nothing that reports an open.
    for tag in ("<img", "<link", "<script", "<style", "<iframe"):
        assert tag not in html


def test_the_links_in_the_html_are_anchors_showing_their_whole_address(contact):
    message = appeal_email(contact)
    send(message)

    html = html_part(mail.outbox[0])
    family_url = PUBLIC_URL + reverse("family-page", args=[contact.case.access_token])
    assert family_url in mail.outbox[0].body
    assert f'<a href="{family_url}" ' in html
    assert f">{family_url}</a>" in html
    assert f'<a href="{stop_url(contact)}" ' in html


def test_from_names_the_advice_service_and_replies_go_to_it(contact):
    send(appeal_email(contact))

    wire = mail.outbox[0].message()
    assert parseaddr(wire["From"]) == (SERVICE, "reminders@sendflow.example.org")
    assert parseaddr(wire["Reply-To"]) == (SERVICE, SERVICE_EMAIL)


def test_from_is_the_plain_address_under_the_service_name_when_it_has_no_name(contact, settings):
    settings.DEFAULT_FROM_EMAIL = "reminders@sendflow.example.org"
    settings.SENDFLOW_ADVICE_SERVICE_EMAIL = ""
    send(appeal_email(contact))

    wire = mail.outbox[0].message()
    assert parseaddr(wire["From"]) == (SERVICE, "reminders@sendflow.example.org")
    assert wire["Reply-To"] is None


def test_a_family_email_carries_one_click_unsubscribe_to_its_stop_url(contact):
    send(appeal_email(contact))

    wire = mail.outbox[0].message()
    assert wire["List-Unsubscribe"] == f"<{stop_url(contact)}>"
    assert wire["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_advisers_test_email_has_html_but_no_unsubscribe_and_escapes_its_body():
    message = OutboundMessage.objects.create(
        case=CaseFactory(),
        kind=OutboundMessage.Kind.TEST,
        channel="email",
        to="ann@iass.example",
        subject="Test",
        body='Hello <script>alert("x")</script> & goodbye',
        send_at=DECIDED,
        status=Status.QUEUED,
    )

    assert send(message) == Status.SENT

    (email,) = mail.outbox
    wire = email.message()
    assert wire.get_content_type() == "multipart/alternative"
    assert wire["List-Unsubscribe"] is None
    assert wire["List-Unsubscribe-Post"] is None
    html = html_part(email)
    assert "<script" not in html
    assert "Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; goodbye" in html


# --- the same Message-ID on every attempt ---------------------------------------------------------


@pytest.fixture
def smtp(settings):
    server = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


def test_a_resend_after_an_unknown_outcome_has_the_same_message_id(contact, smtp, admin_client):
    message = appeal_email(contact)
    smtp.drop_after_data = True
    assert send(message) == Status.UNKNOWN  # the server may have it: email cannot be asked

    smtp.drop_after_data = False
    later = message.send_at.replace(minute=30)
    assert services.messages_sweep(now=later).resent == 1
    assert message.id in services.messages_dispatch(now=later, enqueue=False).claimed
    assert services.message_send(message_id=message.id, now=later) == Status.SENT

    first, second = (message_from_string(raw) for raw in smtp.messages)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"] == f"<sendflow-message-{message.id}@sendflow.example.org>"
    assert second.get_content_type() == "multipart/alternative"
    # The case's history says what may have happened, in words.
    message.refresh_from_db()
    assert message.status_reason == services.MAY_HAVE_GONE_TWICE
    entries = [e.detail for e in history.case_chronology(message.case) if "Email" in e.what]
    assert any("the family may have it twice" in detail for detail in entries)
    page = admin_client.get(reverse("admin:workflows_case_change", args=[message.case_id]))
    assert "the family may have it twice" in page.content.decode()


# --- the one-click stop (RFC 8058) ----------------------------------------------------------------


def one_click(contact, **kwargs):
    return Client(enforce_csrf_checks=True).post(
        reverse("opt-out", args=[contact.opt_out_token]), **kwargs
    )


def test_a_one_click_post_with_no_token_or_cookie_stops_that_contacts_emails_only(contact):
    response = one_click(
        contact,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no more emails" in response.content.decode()
    assert list(Suppression.objects.values_list("channel", "address", "reason")) == [
        ("email", "amira@example.com", Suppression.Reason.WEB)
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.OPT_OUT)
    assert event.detail["channels"] == ["email"]


def test_a_one_click_post_sent_as_multipart_form_data_also_stops_emails(contact):
    response = one_click(contact, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Suppression.objects.filter(channel="email", address="amira@example.com").exists()


def test_after_a_one_click_stop_the_next_email_is_not_sent(contact):
    message = appeal_email(contact)
    one_click(contact, data={"List-Unsubscribe": "One-Click"})

    assert send(message) == Status.SUPPRESSED
    assert mail.outbox == []


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "email"},
        {"channel": "all"},
        {"List-Unsubscribe": "One-Click", "channel": "all"},  # not only the one-click field
        {"List-Unsubscribe": "Yes"},
    ],
)
def test_any_other_post_without_a_csrf_token_is_refused(contact, data):
    response = one_click(contact, data=data)

    assert response.status_code == 403
    assert not Suppression.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.OPT_OUT).exists()


def test_opening_the_stop_link_changes_nothing(contact):
    response = Client(enforce_csrf_checks=True).get(
        reverse("opt-out", args=[contact.opt_out_token])
    )

    assert response.status_code == 200
    assert 'name="channel" value="email"' in response.content.decode()
    assert not Suppression.objects.exists()


def test_the_page_form_with_its_csrf_token_still_stops(contact):
    client = Client(enforce_csrf_checks=True)
    url = reverse("opt-out", args=[contact.opt_out_token])
    client.get(url)

    response = client.post(
        url, {"channel": "sms", "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )

    assert response.status_code == 200
    assert "Done." in response.content.decode()
    assert list(Suppression.objects.values_list("channel", flat=True)) == ["sms"]


def test_a_one_click_post_to_an_unknown_link_is_not_found():
    response = Client(enforce_csrf_checks=True).post(
        reverse("opt-out", args=["no-such-token"]), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 404
    assert not Suppression.objects.exists()


# --- the HTML made from any text ----------------------------------------------------------------


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks(settings):
    html = email_html(subject="Your dates", body="Dear Amira,\n\nFirst line\nSecond line\n")

    assert '<p style="margin: 0 0 20px;">Dear Amira,</p>' in html
    assert "First line<br>\nSecond line</p>" in html


def test_a_link_stops_before_the_punctuation_that_ends_its_sentence():
    html = email_html(subject="s", body="See https://x.example/f/abc/?a=1&b=2. Thanks")

    assert '<a href="https://x.example/f/abc/?a=1&amp;b=2" ' in html
    assert ">https://x.example/f/abc/?a=1&amp;b=2</a>. Thanks" in html


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Appeal: Monday 1 March 2027", "<strong>Appeal:</strong> Monday\N{NO-BREAK SPACE}1"),
        ("Help: Example SENDIASS, 020 7946 0123.", "<strong>Help:</strong> Example SENDIASS"),
        # Prose that happens to have a colon stays prose.
        ("Send it early: posting it on the day is not enough.", "<p "),
        (
            "These dates are ours: check them. The working is on your page.",
            "These dates are ours: check them.",
        ),
    ],
)
def test_label_lines_keep_their_label_readable(line, expected):
    html = email_html(subject="s", body=line)
    assert expected in html
    assert ("<strong>" in html) == ("<strong>" in expected)


def test_an_indented_line_stays_indented_under_its_label():
    html = email_html(subject="s", body="Appeal: 1 March\n  Send your appeal form.")

    assert (
        '<br>\n<span style="display: inline-block; padding-left: 16px;">Send your appeal form.'
        "</span>" in html
    )


def test_a_date_and_a_phone_number_are_not_split_over_two_lines():
    html = email_html(subject="s", body="By Monday 1 March 2027. Call 01632 960123.")

    assert "By Monday\N{NO-BREAK SPACE}1\N{NO-BREAK SPACE}March\N{NO-BREAK SPACE}2027." in html
    assert "Call 01632\N{NO-BREAK SPACE}960123." in html
