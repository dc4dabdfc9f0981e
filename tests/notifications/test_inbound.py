"""What a family's text does, whichever provider brought it (the webhooks add the HTTP and the
audit: tests/notifications/test_webhooks.py), and the nightly run as one service."""

import pytest

from governance.audit import Action
from notifications import services
from notifications.models import Suppression
from tests.factories import CaseFactory, ContactFactory
from tests.notifications.test_webhooks import MOBILE, START_REPLY, STOP_REPLY
from workflows.models import AdviserTask, RecomputeRun

pytestmark = pytest.mark.django_db


def test_stop_suppresses_tells_the_adviser_and_asks_for_a_stop_audit():
    contact = ContactFactory(mobile=MOBILE)
    acted = services.inbound_text_act(number=MOBILE, text="STOP")
    assert STOP_REPLY in acted.reply
    assert acted.audit == Action.STOP
    assert Suppression.objects.get(channel="sms", address=MOBILE).reason == "stop_reply"
    assert AdviserTask.objects.get().case == contact.case


def test_start_lifts_the_familys_stop_and_asks_for_a_start_audit():
    services.inbound_text_act(number=MOBILE, text="STOP")
    acted = services.inbound_text_act(number=MOBILE, text="START")
    assert START_REPLY in acted.reply
    assert acted.audit == Action.START
    assert not Suppression.objects.filter(channel="sms", address=MOBILE).exists()


def test_start_does_not_lift_an_opt_out_made_on_the_web():
    services.suppress(channel="sms", address=MOBILE, reason=Suppression.Reason.WEB)
    services.inbound_text_act(number=MOBILE, text="START")
    assert Suppression.objects.filter(channel="sms", address=MOBILE).exists()


def test_help_is_answered_and_nothing_else_happens():
    acted = services.inbound_text_act(number=MOBILE, text="help")
    assert "SENDIASS" in acted.reply
    assert acted.audit is None
    assert not Suppression.objects.exists()
    assert not AdviserTask.objects.exists()


def test_free_text_goes_to_the_adviser_with_no_reply():
    ContactFactory(mobile=MOBILE)
    acted = services.inbound_text_act(number=MOBILE, text="Is the 17th right?")
    assert (acted.reply, acted.audit) == ("", None)
    assert AdviserTask.objects.get().kind == AdviserTask.Kind.INBOUND_SMS


def test_the_nightly_run_recomputes_every_open_case_and_records_the_run():
    CaseFactory.create_batch(2)
    assert services.deadlines_recompute_all() == 2
    assert RecomputeRun.objects.count() == 1
