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
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"'{value}' is not a valid phone number. Write a UK mobile number, like 07xxx xxxxxx."
        )
    if phonenumbers.region_code_for_number(number) not in ("GB", "GG", "JE", "IM"):
        raise ValidationError(f"'{value}' is not a UK number. sendflow texts UK mobiles only.")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(
            f"'{value}' is not a mobile number, so it cannot receive texts. "
            "Give a mobile (07...) or choose email only."
        )
