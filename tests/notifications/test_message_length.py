"""Every text fits in 2 GSM-7 segments even with a long public address, service name and phone."""

from datetime import date

import pytest

from casework import admin_services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2026, 1, 5), date(2027, 7, 28)])
def test_every_text_fits_two_segments_with_realistic_settings(settings, today):
    settings.SENDFLOW_PUBLIC_URL = "https://reminders.exampleshire-sendiass.org.uk"
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01234 567890"
    texts = [
        preview
        for group in admin_services.previews_render(today=today)
        for preview in group.previews
        if preview.channel == "sms"
    ]
    assert len(texts) > 20
    problems = {
        preview.key: (preview.segments, preview.gsm7, preview.error)
        for preview in texts
        if preview.error or preview.segments > 2 or not preview.gsm7
    }
    assert problems == {}


@pytest.mark.parametrize("today", [date(2026, 1, 5), date(2027, 7, 28)])
def test_every_text_is_signed_with_the_service_name_and_fits_with_a_46_character_link(
    settings, today
):
    """Texts begin with the advice service's name (never "sendflow") and still fit 2 segments
    when the family's link is 46 characters (a 20-character public address and the token)."""
    settings.SENDFLOW_PUBLIC_URL = "https://sendiass.org"
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01234 567890"
    texts = [
        preview
        for group in admin_services.previews_render(today=today)
        for preview in group.previews
        if preview.channel == "sms"
    ]
    links = {word for p in texts for word in p.body.split() if "/f/" in word}
    assert links
    assert {len(link) for link in links} == {46}
    for preview in texts:
        assert preview.body.startswith("Exampleshire SENDIASS"), preview.key
        assert "sendflow" not in preview.body.lower(), preview.key
        assert preview.segments <= 2, (preview.key, preview.segments)
