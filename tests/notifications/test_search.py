"""Finding a family from the search boxes of the case list and the outbox (casework.search)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from casework import search
from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory, MessageFactory


def family(reference: str, name: str, mobile: str = "+447700900123") -> OutboundMessage:
    """A case with its parent and one planned message; returns the message."""
    case = CaseFactory(reference=reference)
    contact = ContactFactory(
        case=case, name=name, email=f"{name.split()[0].lower()}@example.com", mobile=mobile
    )
    return MessageFactory(
        case=case, contact=contact, channel="email", send_at=datetime(2026, 12, 1, 10, tzinfo=UTC)
    )


def cases_found(client, typed: str) -> set[str]:
    page = client.get(reverse("admin:workflows_case_changelist"), {"q": typed})
    return {case.reference for case in page.context["cl"].result_list}


def messages_found(client, typed: str) -> set[int]:
    page = client.get(reverse("admin:notifications_outboundmessage_changelist"), {"q": typed})
    return {message.pk for message in page.context["cl"].result_list}


@pytest.mark.parametrize(
    "typed", ["SF-7", "sf-7", "Amira", "amira@EXAMPLE", "07400 123456", "+44 7400 123456"]
)
def test_the_case_list_finds_a_family_by_reference_name_email_or_mobile(superuser_client, typed):
    family("SF-7", "Amira Khan", mobile="+447400123456")
    family("SF-8", "Ben Jones", mobile="+447911654321")
    assert cases_found(superuser_client, typed) == {"SF-7"}


def test_a_term_with_letters_is_not_read_as_a_mobile(superuser_client):
    """A reference's digits once matched any mobile holding them: "SF-0740012" found a family
    whose mobile has 0740012 in it."""
    family("SF-1", "Amira Khan", mobile="+447400123456")
    assert cases_found(superuser_client, "SF-07400123456") == set()
    assert messages_found(superuser_client, "SF-07400123456") == set()


def test_a_term_that_finds_many_families_still_lists_all_their_messages(
    superuser_client, monkeypatch
):
    """Past MANY_CASES matches the search stays a subquery; what it finds is the same."""
    monkeypatch.setattr(search, "MANY_CASES", 2)
    khans = {family(f"SF-{i}", f"Amira Khan {i}").pk for i in range(3)}
    family("SF-9", "Ben Jones")
    assert messages_found(superuser_client, "khan") == khans
    assert cases_found(superuser_client, "khan") == {"SF-0", "SF-1", "SF-2"}


def test_a_search_that_finds_nobody_lists_nothing(superuser_client):
    family("SF-1", "Amira Khan")
    assert messages_found(superuser_client, "Zebedee") == set()
    assert cases_found(superuser_client, "Zebedee") == set()


@pytest.mark.parametrize(
    "typed",
    [
        "07400 123456",
        "+44 (0)7400 123456",
        "0044 7400 123456",
        "07400.123456",
        "07400/123456",
        "07400 12345",  # the start of the number
        "123456",  # its end
    ],
)
def test_a_mobile_is_found_however_it_is_typed(superuser_client, typed):
    family("SF-7", "Amira Khan", mobile="+447400123456")
    family("SF-8", "Ben Jones", mobile="+447911654321")
    assert cases_found(superuser_client, typed) == {"SF-7"}


@pytest.mark.parametrize("typed", ["------", "( ) ( )", "12", "+"])
def test_separators_or_a_few_digits_are_not_a_phone_number_that_finds_everyone(
    superuser_client, typed
):
    family("SF-7", "Amira Khan", mobile="+447400123456")
    family("SF-8", "Ben Jones", mobile="+447911654321")
    assert cases_found(superuser_client, typed) == set()


@pytest.mark.parametrize("typed", ["Amira SF-7", "Khan Amira", "khan amira@example", '"Amira K"'])
def test_every_word_of_a_search_must_match_somewhere(superuser_client, typed):
    """As Django's own admin search: each word in the reference, name or email."""
    family("SF-7", "Amira Khan")
    family("SF-8", "Amira Jones")
    family("SF-9", "Ben Khan")
    assert cases_found(superuser_client, typed) == {"SF-7"}
    assert len(messages_found(superuser_client, typed)) == 1


def test_a_quoted_phrase_must_match_as_written(superuser_client):
    family("SF-7", "Amira Khan")
    assert cases_found(superuser_client, '"Khan Amira"') == set()
