"""The family's private page and the opt-out page: what a shared phone may show."""

import re
from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import CaseFactory, ContactFactory
from workflows import services

pytestmark = pytest.mark.django_db


def test_family_page_shows_the_dates_with_their_working(client):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    response = client.get(reverse("family-page", args=[case.access_token]))
    page = response.content.decode()
    assert "Monday 1 March 2027" in page
    assert "Sunday is not a working day" in page
    assert "check them against your letters" in page
    assert response["X-Robots-Tag"] == "noindex"


def test_family_page_does_not_expose_other_peoples_details_or_opt_outs(client):
    case = CaseFactory()
    mum = ContactFactory(case=case, name="Mum", email="mum@example.com")
    dad = ContactFactory(case=case, name="Dad", email="dad@example.com", mobile="+447911123456")
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    for secret in (mum.opt_out_token, dad.opt_out_token, "dad@example.com", "7911123456"):
        assert secret not in page


def test_opt_out_page_masks_the_addresses(client):
    contact = ContactFactory(email="amira@example.com", mobile="+447400123456")
    page = client.get(reverse("opt-out", args=[contact.opt_out_token])).content.decode()
    assert "a mobile ending 456" in page
    assert "a***@example.com" in page
    assert "7400123456" not in page
    assert "amira@" not in page


def test_unknown_links_are_not_found(client):
    assert client.get(reverse("family-page", args=["nope"])).status_code == 404
    assert client.get(reverse("opt-out", args=["nope"])).status_code == 404


def test_a_mistyped_family_link_gets_the_friendly_not_found_page(client, settings):
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    response = client.get("/f/not-a-real-link/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "call Exampleshire SENDIASS on" in page
    assert 'href="tel:01632960123"' in page


def test_the_server_error_page_renders_with_djangos_empty_context(settings):
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"
    response = server_error(RequestFactory().get("/f/anything/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "01632 960123" in response.content.decode()


def test_the_family_pages_stylesheets_and_script_are_served_by_the_app_itself(client):
    """make run and gunicorn serve them through whitenoise: no separate web server, no CDN."""
    case = CaseFactory()
    page = client.get(reverse("family-page", args=[case.access_token])).content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(assets) == 3  # GOV.UK Frontend's CSS, ours, and the script
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)
