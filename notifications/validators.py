import phonenumbers
from django.core.exceptions import ValidationError


def validate_uk_mobile(value) -> None:
    """Accept only UK mobile numbers: reminders go by SMS, and landlines cannot receive them."""
    number = value if isinstance(value, phonenumbers.PhoneNumber) else None
    if number is not None:  # as a person would write it, not the object's debug text
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
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
            f"'{value}' is not a valid phone number. Write a UK mobile number, like 07xxx xxxxxx."
        )
    if number.country_code != 44:  # +44 is the UK with Guernsey, Jersey and the Isle of Man
        raise ValidationError(f"'{value}' is not a UK number. sendflow texts UK mobiles only.")
    if kind != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(
            f"'{value}' is not a mobile number, so it cannot receive texts. "
            "Give a mobile (07...) or choose email only."
        )
