"""UK mobiles: what the validator refuses, and the import's quick reading of plain numbers."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from casework.import_checks import _uk_mobile_as_written
from workflows.validators import validate_uk_mobile


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("07400 123456", None),
        ("+44 7400 123456", None),
        ("07624 123456", None),  # Isle of Man: +44, texts like any UK mobile
        ("0161 496 0000", "'0161 496 0000' is not a mobile number, so it cannot receive texts"),
        ("07700 900123", "'07700 900123' is not a valid phone number"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78' is not a UK number"),
        ("0800 123 4567", "is not a mobile number"),
        ("not a number", "'not a number' is not a phone number."),
    ],
)
def test_only_uk_mobiles_are_accepted_and_the_refusal_shows_the_number_as_typed(value, message):
    for given in (value, _parsed(value)):
        if given is None:
            continue
        if message is None:
            validate_uk_mobile(given)
            continue
        with pytest.raises(ValidationError) as refused:
            validate_uk_mobile(given)
        shown = refused.value.messages[0]
        if isinstance(given, str):
            assert message in shown
        else:  # the number as a person writes it, never the object's debug text
            assert message.split("'")[-1] in shown
            assert "Country Code" not in shown


def _parsed(value):
    try:
        return phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None


@pytest.mark.parametrize(
    "text",
    ["07400 123456", "07400123456", "+447400123456", "+44 7400 123456", "+44 7400123456"],
)
def test_a_plainly_written_mobile_reads_as_the_full_parser_reads_it(text):
    quick = _uk_mobile_as_written(text)
    assert quick == phonenumbers.parse(text, "GB")
    assert phonenumbers.number_type(quick) == phonenumbers.PhoneNumberType.MOBILE


@pytest.mark.parametrize(
    "text", ["0161 496 0000", "07400 12345", "074001234567", "+4407400123456", "7400 123456"]
)
def test_anything_else_goes_to_the_full_parser(text):
    assert _uk_mobile_as_written(text) is None
