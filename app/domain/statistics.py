"""Unit statistics (issue 10 points 9–11): which cases count, and how each figure is defined.

- **Period**: Swedish calendar dates `from`..`to`, both inclusive, i.e. from 00:00 Europe/Stockholm
  on `from` to 00:00 on the day after `to`. At most three years (`to` minus three years, plus a
  day, is the earliest `from`); dates from 1900-01-01 to 9998-12-31. Without `to`: today; without
  `from`: 29 days before `to` (the last 30 days).
- Only **citizen cases** count (origin `citizen`): outbound cases are the clinic's own sends.
- **received**: cases that arrived in the period.
- **closed**: cases closed in the period (by `closed_at`), whenever they arrived.
- **first response**: the clinic's first message to the citizen in the case — an answer, a
  partial reply or a counter-question (`cases.first_response_at`); an internal note is none.
- **answered_within_deadline**: the two-working-day promise, as the citizen sees it. `count`:
  cases received in the period whose first response came no later than their deadline (`due_at`,
  the end of the second working day after arrival). `of`: the received cases whose outcome is
  known — answered, or past their deadline (a case still within its deadline and unanswered is
  neither kept nor broken yet). `share` = count / of, null when `of` is 0.
- **median_first_response_minutes**: the median of the minutes from arrival to first response
  over the received cases that have one; null when none has.
- **by_category** / **by_case_type**: the same figures per group (received, answered and median
  by the group's cases received in the period; closed by its cases closed in the period).
- **by_week**: ISO weeks (Monday–Sunday in Europe/Stockholm) that overlap the period, each week
  counting only days inside the period; arrivals by the week of arrival, closures by the week of
  closure. Every week is listed, including weeks with nothing, so a chart has no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.domain.calendar import STOCKHOLM
from app.domain.errors import ValidationFailed

MAX_SPAN_YEARS = 3
DEFAULT_DAYS = 30
# Dates a period may name: wide enough for any clinic, narrow enough that every bound is an
# instant PostgreSQL and Python both hold (year 1 or 9999 would overflow in a time zone).
EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year - years, day=28)


def _query_error(name: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[{"loc": ["query", name], "msg": msg, "type": "value_error"}])


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.first, time(0), tzinfo=STOCKHOLM).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC), exclusive."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=STOCKHOLM).astimezone(UTC)

    def weeks(self) -> list[date]:
        """The Mondays of the ISO weeks that overlap the period, in order."""
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday <= self.last:
            out.append(monday)
            monday += timedelta(days=7)
        return out


def period(first: date | None, last: date | None, today: date) -> Period:
    for name, day in (("from", first), ("to", last)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise _query_error(name, f"a date from {EARLIEST} to {LATEST}")
    last = last or today
    first = first or max(EARLIEST, last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise _query_error("from", "from is after to")
    if first <= _years_before(last, MAX_SPAN_YEARS):
        raise _query_error("from", f"a period spans at most {MAX_SPAN_YEARS} years")
    return Period(first, last)


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def share(count: int, of: int) -> float | None:
    return round(count / of, 4) if of else None
