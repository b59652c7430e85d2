"""Personnummer, samordningsnummer and HSA-ids (domain.md "Identifiers"), property-based."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.identifiers import (
    HSA_ID_MAX_LENGTH,
    InvalidIdentifier,
    is_personal_number,
    luhn_ok,
    parse_county_code,
    parse_hsa_id,
    parse_personal_number,
)
from tests.fixtures.clinic import luhn_digit

TODAY = date(2026, 11, 25)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


def _numbers(born: date, serial: int, coordination: bool = False) -> tuple[str, str]:
    """(10-digit body without separator, 12-digit canonical) for a birth date and serial."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial:03d}"
    ten = nine + luhn_digit(nine)
    return ten, f"{born.year // 100:02d}{ten}"


@given(born=birth_dates, serial=serials, coordination=st.booleans())
def test_twelve_digits_with_or_without_dash_are_canonical(
    born: date, serial: int, coordination: bool
) -> None:
    _, twelve = _numbers(born, serial, coordination)
    assert parse_personal_number(twelve, TODAY) == twelve
    assert parse_personal_number(f"{twelve[:8]}-{twelve[8:]}", TODAY) == twelve
    assert parse_personal_number(f"  {twelve}\t", TODAY) == twelve


@given(born=birth_dates, serial=serials, coordination=st.booleans())
def test_ten_digits_get_their_century_from_the_separator(born: date, serial: int, coordination: bool) -> None:
    ten, twelve = _numbers(born, serial, coordination)
    age_100 = born <= TODAY.replace(year=TODAY.year - 100)
    separator = "+" if age_100 else "-"
    assert parse_personal_number(f"{ten[:6]}{separator}{ten[6:]}", TODAY) == twelve
    if not age_100:
        # Without a separator the number is read as someone under 100.
        assert parse_personal_number(ten, TODAY) == twelve


@given(born=birth_dates, serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused(born: date, serial: int, wrong: int) -> None:
    _, twelve = _numbers(born, serial)
    bad = twelve[:-1] + str((int(twelve[-1]) + wrong) % 10)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        parse_personal_number(bad, TODAY)
    assert not luhn_ok(bad[2:])


@given(st.text(max_size=20))
def test_parsing_arbitrary_text_never_crashes(raw: str) -> None:
    try:
        out = parse_personal_number(raw, TODAY)
    except InvalidIdentifier:
        return
    assert len(out) == 12 and out.isascii() and out.isdigit()
    assert parse_personal_number(out, TODAY) == out  # idempotent


@pytest.mark.parametrize(
    "yymmdd",
    ["851312", "850001", "850432", "850230", "870229", "850400", "850460", "850492"],
)
def test_impossible_dates_are_refused_even_with_a_good_check_digit(yymmdd: str) -> None:
    nine = f"{yymmdd}123"
    with pytest.raises(InvalidIdentifier, match="date"):
        parse_personal_number(nine + luhn_digit(nine), TODAY)


def test_leap_day_and_samordningsnummer_day_plus_sixty() -> None:
    nine = "000229123"  # 2000 was a leap year
    assert parse_personal_number(nine + luhn_digit(nine), TODAY) == "20" + nine + luhn_digit(nine)
    nine = "850472123"  # 12 April + 60
    assert parse_personal_number(nine + luhn_digit(nine), TODAY) == "19" + nine + luhn_digit(nine)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "85041212345",  # 11 digits
        "1985041212345",  # 13 digits
        "850412--1234",
        "850412 1234",
        "8504121234x",
        "١٩٨٥٠٤١٢٣٤٥٩",  # Arabic-Indic digits: int() accepts them, we must not
        "19850412-3459\n0",
    ],
)
def test_malformed_numbers_are_refused(raw: str) -> None:
    assert not is_personal_number(raw)


def test_well_known_test_number() -> None:
    assert parse_personal_number("121212-1212", TODAY) == "201212121212"
    assert parse_personal_number("121212+1212", TODAY) == "191212121212"
    assert parse_personal_number("19121212-1212", TODAY) == "191212121212"


def test_ten_digits_born_later_this_year_belong_to_the_previous_century() -> None:
    tomorrow = TODAY + timedelta(days=1)
    nine = f"{tomorrow:%y%m%d}123"
    assert parse_personal_number(nine + luhn_digit(nine), TODAY).startswith("19")


hsa_suffix = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1)


@given(digits=st.text(alphabet="0123456789", min_size=10, max_size=10), suffix=hsa_suffix)
def test_hsa_ids_are_trimmed_and_limited_to_31_characters(digits: str, suffix: str) -> None:
    value = f"SE{digits}-{suffix}"
    if len(value) <= HSA_ID_MAX_LENGTH:
        assert parse_hsa_id(f" \t{value}\n ") == value
    else:
        with pytest.raises(InvalidIdentifier):
            parse_hsa_id(value)


def test_hsa_id_length_boundary() -> None:
    at_limit = "SE2321000131-" + "A" * 18
    assert len(at_limit) == 31 and parse_hsa_id(at_limit) == at_limit
    with pytest.raises(InvalidIdentifier):
        parse_hsa_id(at_limit + "A")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "SE2321000131",
        "SE2321000131-",
        "se2321000131-E1",
        "SE232100013-E1",
        "SE23210001311-E1",
        "SE2321000131-E 1",
        "SE2321000131-E1!",
        "SE2321000131-Ä1",
        "SE232100013١-E1",  # a Unicode digit
        "SE2321000131-E1\nX",
    ],
)
def test_malformed_hsa_ids_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_hsa_id(raw)


@given(st.text(max_size=40))
def test_hsa_parsing_never_crashes_and_output_is_ascii(raw: str) -> None:
    try:
        out = parse_hsa_id(raw)
    except InvalidIdentifier:
        return
    assume(out)
    assert out.isascii() and len(out) <= HSA_ID_MAX_LENGTH and out == out.strip()


@pytest.mark.parametrize("raw", ["00", "26", "1", "141", "١٤", "²²", "ab"])
def test_county_codes_outside_01_to_25_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_county_code(raw)


def test_county_codes_inside_the_range() -> None:
    assert [parse_county_code(f" {n:02d} ") for n in (1, 14, 25)] == ["01", "14", "25"]
