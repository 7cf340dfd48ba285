"""Contact addresses as parents give them: checked at the edge and written one way (E.164 phone
numbers, normalised e-mail addresses), so that notify confirms and counts each address once."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "CN"  # numbers written without +country are Chinese
MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def phone_number(text: str, *, mobile: bool = False) -> str:
    """``text`` as an E.164 number; ValueError with the reason when it is none (or, with ``mobile``,
    when it cannot take text messages)."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException as exc:
        raise ValueError(f"{text!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number (numbers without +country are read as Chinese)")
    if mobile and phonenumbers.number_type(number) not in MOBILE:
        raise ValueError(f"{text!r} is not a mobile number, so it cannot receive text messages")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_address(text: str) -> str:
    """``text`` as a normalised e-mail address (no DNS lookup); ValueError with the reason."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{text!r} is not an e-mail address: {exc}") from None


def address(kind: str, text: str) -> str:
    """A channel's address in its one written form."""
    if kind == "email":
        return email_address(text)
    if kind == "sms":
        return phone_number(text, mobile=True)
    return text
