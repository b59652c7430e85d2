"""E-mail addresses and phone numbers people give for notifications (domain.md "Notifications").

They are checked where they are entered (a 422 at `/me/settings`, `/citizen/me`, unit settings),
so the worker never meets a malformed one it could only fail on. A phone number is stored in
E.164 (`+46701234567`), the form the SMS gateway takes; a number written the Swedish way
(`070-123 45 67`) is read as Swedish. The checks are the maintained libraries' (Google's
libphonenumber metadata, email-validator), not a home-made pattern.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_PHONE_REGION = "SE"


class InvalidContact(ValueError):
    pass


def parse_email(raw: str) -> str:
    """The address as written (surrounding white space dropped), if it is a syntactically valid
    one on a domain that can receive mail. No DNS look-up: an entry must not depend on a
    resolver, and a domain without MX today may have one tomorrow."""
    value = raw.strip()
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidContact(f"not a usable e-mail address: {exc}") from None
    return value


def parse_phone(raw: str) -> str:
    """The number in E.164, or InvalidContact when it is no valid phone number."""
    try:
        number = phonenumbers.parse(raw.strip(), DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    # An extension ("ext 5") cannot take an SMS and would be dropped silently by E.164.
    if number is None or number.extension or not phonenumbers.is_valid_number(number):
        raise InvalidContact("not a valid phone number (write it as +46 70 123 45 67 or 070-123 45 67)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
