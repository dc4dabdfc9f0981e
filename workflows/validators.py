import phonenumbers
from django.core.exceptions import ValidationError


def validate_uk_mobile(value) -> None:
    """Accept only UK mobile numbers: reminders go by SMS, and landlines cannot receive them."""
    if isinstance(value, phonenumbers.PhoneNumber):
        number = value
    else:
        try:
            number = phonenumbers.parse(str(value), "GB")
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(f"'{value}' is not a phone number.") from exc
    # One type lookup answers all three questions (an import checks thousands of numbers):
    # UNKNOWN is exactly what is_valid_number() refuses.
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise ValidationError(
            f"'{_shown(value)}' is not a valid phone number. Write a UK mobile number, like "
            "07xxx xxxxxx."
        )
    if number.country_code != 44:  # +44 is the UK with Guernsey, Jersey and the Isle of Man
        raise ValidationError(
            f"'{_shown(value)}' is not a UK number. sendflow texts UK mobiles only."
        )
    if kind != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(
            f"'{_shown(value)}' is not a mobile number, so it cannot receive texts. "
            "Give a mobile (07...) or choose email only."
        )


def _shown(value) -> str:
    """A number as a person would write it, not the object's debug text."""
    if isinstance(value, phonenumbers.PhoneNumber):
        return phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.NATIONAL)
    return str(value)
