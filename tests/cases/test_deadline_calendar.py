"""The deadline calendar (domain.md "Deadline"): due at 23:59:59 Europe/Stockholm on the second
working day after the local day of arrival.

The property tests check the module against an oracle written here from the law (Easter computus
plus the fixed days), so a regression in the `holidays` package or in our additions shows up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import add_working_days, due_at, is_working_day

STHLM = ZoneInfo("Europe/Stockholm")


def _easter(year: int) -> date:
    # Anonymous Gregorian computus (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _first_weekday(start: date, weekday: int) -> date:
    return next(start + timedelta(n) for n in range(7) if (start + timedelta(n)).weekday() == weekday)


def oracle_days_off(year: int) -> set[date]:
    easter = _easter(year)
    return {
        date(year, 1, 1),
        date(year, 1, 6),
        easter - timedelta(2),  # Good Friday
        easter,
        easter + timedelta(1),  # Easter Monday
        date(year, 5, 1),
        easter + timedelta(39),  # Ascension Day
        easter + timedelta(49),  # Whit Sunday
        date(year, 6, 6),
        _first_weekday(date(year, 6, 19), 4),  # Midsummer Eve (de facto)
        _first_weekday(date(year, 6, 20), 5),  # Midsummer Day
        _first_weekday(date(year, 10, 31), 5),  # All Saints' Day
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    }


def oracle_working(day: date) -> bool:
    return day.weekday() < 5 and day not in oracle_days_off(day.year)


def local(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=STHLM)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=STHLM).astimezone(UTC)


@pytest.mark.parametrize(
    ("arrived", "due_day"),
    [
        # domain.md's own example: Christmas Eve, Christmas Day, Boxing Day and a weekend.
        (local(2026, 12, 23), date(2026, 12, 29)),
        # Maundy Thursday → Good Friday, Easter weekend and Easter Monday are off.
        (local(2026, 4, 2), date(2026, 4, 8)),
        (local(2027, 3, 25), date(2027, 3, 31)),
        (local(2028, 4, 13), date(2028, 4, 19)),
        # Midsummer week: Midsummer Eve (a Friday) is not a working day.
        (local(2026, 6, 17), date(2026, 6, 22)),  # Wed → Thu 18, (Fri 19 off), Mon 22
        (local(2026, 6, 18), date(2026, 6, 23)),
        (local(2029, 6, 21), date(2029, 6, 26)),
        # New Year's Eve and New Year's Day.
        (local(2026, 12, 30), date(2027, 1, 5)),
        (local(2027, 12, 30), date(2028, 1, 4)),
        (local(2029, 12, 28), date(2030, 1, 3)),
        # Epiphany (Tue 6 Jan 2026).
        (local(2026, 1, 2), date(2026, 1, 7)),
        # Ascension Day (Thu 14 May 2026; Thu 29 May 2025).
        (local(2026, 5, 13), date(2026, 5, 18)),
        (local(2025, 5, 28), date(2025, 6, 2)),
        # National Day on a weekday: Fri 6 June 2025, Thu 6 June 2030.
        (local(2025, 6, 4), date(2025, 6, 9)),
        (local(2030, 6, 5), date(2030, 6, 10)),
        # May Day (Fri 1 May 2026).
        (local(2026, 4, 30), date(2026, 5, 5)),
        # Weekend arrivals count from the next working day.
        (local(2026, 11, 28), date(2026, 12, 1)),  # Saturday → Tue
        (local(2026, 11, 29), date(2026, 12, 1)),  # Sunday → Tue
        (local(2026, 11, 27, 23, 59), date(2026, 12, 1)),  # Friday late → Tue
        # An ordinary week.
        (local(2026, 11, 25), date(2026, 11, 27)),
    ],
)
def test_due_at_examples(arrived: datetime, due_day: date) -> None:
    assert due_at(arrived) == end_of(due_day)


def test_the_domain_example_to_the_second() -> None:
    assert due_at(datetime(2026, 12, 23, 9, 0, tzinfo=UTC)) == datetime(2026, 12, 29, 22, 59, 59, tzinfo=UTC)


def test_summer_time_deadline_is_in_cest() -> None:
    # 23:59:59 CEST is 21:59:59 UTC.
    assert due_at(local(2026, 7, 1)) == datetime(2026, 7, 3, 21, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("arrived_utc", "due_day"),
    [
        # Winter: 23:30 UTC on Tue 22 Dec is 00:30 on Wed 23 Dec in Stockholm → the local day counts.
        (datetime(2026, 12, 22, 23, 30, tzinfo=UTC), date(2026, 12, 29)),
        # ... while 22:30 UTC is still Tuesday 23:30 in Stockholm.
        (datetime(2026, 12, 22, 22, 30, tzinfo=UTC), date(2026, 12, 28)),
        # Summer: 22:30 UTC on Wed 1 July is 00:30 on Thu 2 July (CEST, +2).
        (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), date(2026, 7, 6)),
        (datetime(2026, 7, 1, 21, 30, tzinfo=UTC), date(2026, 7, 3)),
        # Friday 23:30 local (21:30 UTC in summer) is still Friday.
        (datetime(2026, 8, 7, 21, 30, tzinfo=UTC), date(2026, 8, 11)),
    ],
)
def test_the_local_date_decides(arrived_utc: datetime, due_day: date) -> None:
    assert due_at(arrived_utc) == end_of(due_day)


def test_daylight_saving_switch_days() -> None:
    # Arriving the day clocks go forward / back: the deadline is still 23:59:59 local.
    for arrived in (local(2026, 3, 27), local(2026, 10, 23)):
        due = due_at(arrived).astimezone(STHLM)
        assert (due.hour, due.minute, due.second) == (23, 59, 59)


def test_working_day_basics() -> None:
    assert not is_working_day(date(2026, 6, 19))  # Midsummer Eve
    assert not is_working_day(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 31))
    assert not is_working_day(date(2025, 6, 6))  # National Day, a Friday
    assert is_working_day(date(2026, 6, 22))
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)


@pytest.mark.parametrize("year", range(2025, 2031))
def test_days_off_match_the_oracle_every_year(year: int) -> None:
    day = date(year, 1, 1)
    while day.year == year:
        assert is_working_day(day) == oracle_working(day), day
        day += timedelta(1)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 20), timezones=st.just(UTC)))
def test_due_is_two_working_days_after_the_local_arrival_day(arrived: datetime) -> None:
    due = due_at(arrived)
    local_due = due.astimezone(STHLM)
    assert (local_due.hour, local_due.minute, local_due.second) == (23, 59, 59)
    assert oracle_working(local_due.date())
    start = arrived.astimezone(STHLM).date()
    working_between = [
        start + timedelta(n)
        for n in range(1, (local_due.date() - start).days + 1)
        if oracle_working(start + timedelta(n))
    ]
    assert len(working_between) == 2
    assert working_between[-1] == local_due.date()
    assert due > arrived


def test_a_naive_arrival_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        due_at(datetime(2026, 12, 23, 10, 0))
