"""The deadline calendar (domain.md "Deadline").

A citizen case is due at 23:59:59 Europe/Stockholm on the second working day after the day it
arrived. Working days exclude weekends, Swedish public holidays and the days the Annual Leave Act
(SFS 1977:480, 7 §) ranks with them: Midsummer Eve, Christmas Eve and New Year's Eve. Both come
from the maintained `holidays` package (its PUBLIC and DE_FACTO categories for Sweden).

Dates that are not deadlines (a grant's `valid_until`) are Swedish calendar dates too: `today()`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WORKING_DAYS_TO_ANSWER = 2


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    # Named days only: weekends are handled in is_working_day. include_sundays is spelt out
    # because its default has changed between versions of the package (every Sunday a holiday).
    se = holidays.country_holidays(
        "SE", years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), include_sundays=False
    )
    return frozenset(se.keys())


def now() -> datetime:
    """The current instant. The one clock the date rules read, so a test can stand on either
    side of a Stockholm midnight."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Sweden (a grant's last day, `valid_until`, is a Swedish date)."""
    return now().astimezone(STOCKHOLM).date()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def due_at(arrived: datetime) -> datetime:
    """The deadline, in UTC, for a case that arrived at `arrived` (timezone-aware)."""
    if arrived.tzinfo is None or arrived.utcoffset() is None:
        # A naive time would silently be read in the server's own zone and shift the local day.
        raise ValueError("the arrival time must carry a time zone")
    local_day = arrived.astimezone(STOCKHOLM).date()
    due_day = add_working_days(local_day, WORKING_DAYS_TO_ANSWER)
    local_end = datetime.combine(due_day, time(23, 59, 59), tzinfo=STOCKHOLM)
    return local_end.astimezone(UTC)
