"""Swedish personal identity numbers and HSA-ids (domain.md "Identifiers")."""

from __future__ import annotations

import re
from datetime import date

# ASCII only: `\d` would also take Arabic-Indic and other Unicode digits, which int() accepts
# and which would then be stored verbatim in the "canonical" form.
_PNR = re.compile(r"(\d{2})?(\d{2})(\d{2})(\d{2})([-+])?(\d{4})", re.ASCII)
_HSA = re.compile(r"SE\d{10}-[A-Za-z0-9]+", re.ASCII)
HSA_ID_MAX_LENGTH = 31


class InvalidIdentifier(ValueError):
    pass


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def parse_personal_number(raw: str, today: date | None = None) -> str:
    """Return the canonical 12-digit form of a personnummer or samordningsnummer.

    A 10-digit number gets its century from the separator: `-` means under 100 years old,
    `+` means 100 or older (the population register's convention).
    """
    value = raw.strip()
    m = _PNR.fullmatch(value)
    if not m:
        raise InvalidIdentifier("a personal number has 10 or 12 digits, optionally with - or +")
    century, yy, mm, dd, sep, tail = m.groups()
    if century is not None and sep == "+":
        # 12 digits already carry the century; '+' would contradict it only in 10-digit form.
        sep = None
    today = today or date.today()
    if century is None:
        year = _infer_year(int(yy), int(mm), _birth_day(int(dd)), sep == "+", today)
    else:
        year = int(century + yy)
    day = _birth_day(int(dd))
    try:
        date(year, int(mm), day)
    except ValueError as exc:
        raise InvalidIdentifier("the personal number does not hold a valid date") from exc
    if not luhn_ok(f"{yy}{mm}{dd}{tail}"):
        raise InvalidIdentifier("the personal number's check digit is wrong")
    return f"{year:04d}{mm}{dd}{tail}"


def _birth_day(dd: int) -> int:
    # Samordningsnummer add 60 to the day of birth.
    return dd - 60 if dd > 60 else dd


def _infer_year(yy: int, mm: int, day: int, centenarian: bool, today: date) -> int:
    year = (today.year // 100) * 100 + yy
    if _after(year, mm, day, today):
        year -= 100
    if centenarian:
        year -= 100
    return year


def _after(year: int, mm: int, day: int, today: date) -> bool:
    return (year, mm, day) > (today.year, today.month, today.day)


def is_personal_number(raw: str) -> bool:
    try:
        parse_personal_number(raw)
    except InvalidIdentifier:
        return False
    return True


def parse_hsa_id(raw: str) -> str:
    """Trim surrounding white space and validate an HSA-id."""
    value = raw.strip()
    if len(value) > HSA_ID_MAX_LENGTH or not _HSA.fullmatch(value):
        raise InvalidIdentifier(
            "an HSA-id is SE + 10 digits + '-' + letters or digits, at most 31 characters"
        )
    return value


def parse_county_code(raw: str) -> str:
    value = raw.strip()
    if len(value) != 2 or not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 25:
        raise InvalidIdentifier("a county code is two digits, 01 to 25")
    return value
