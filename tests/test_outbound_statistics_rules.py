"""The pure rules behind outbound sends and statistics (app/domain/outbound.py, statistics.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from app.domain.case import CaseStatus, Closure, MessageKind
from app.domain.errors import ValidationFailed
from app.domain.outbound import OutboundKind, OutboundStart, parse_recipients, retry_after_seconds, start
from app.domain.statistics import iso_week, period, share
from tests.helpers import pnr


def test_recipients_in_any_written_form_count_once_in_the_order_first_written() -> None:
    a, b = pnr(1985, 4, 12, 1), pnr(1990, 1, 1, 2)
    assert parse_recipients([b, f"{a[2:8]}-{a[8:]}", f" {b[:8]}-{b[8:]} ", a]) == [b, a]


def test_every_bad_recipient_is_named_at_once() -> None:
    good = pnr(1985, 4, 12, 7)
    wrong_check = good[:-1] + str((int(good[-1]) + 5) % 10)
    with pytest.raises(ValidationFailed) as caught:
        parse_recipients([wrong_check, pnr(), "abc"])
    assert [e["loc"] for e in caught.value.errors] == [["body", "recipients", 0], ["body", "recipients", 2]]


def test_information_closes_and_questions_await_the_citizen_assigned_to_the_sender() -> None:
    sender = uuid4()
    assert start(OutboundKind.INFORMATION, sender) == OutboundStart(
        CaseStatus.CLOSED, Closure.INFORMATION_SENT, None, MessageKind.INFORMATION
    )
    questions = start(OutboundKind.QUESTIONS, sender)
    assert (questions.status, questions.closure, questions.assignee_staff_id) == (
        CaseStatus.AWAITING_CITIZEN,
        None,
        sender,
    )


def test_retry_after_runs_to_the_end_of_the_window() -> None:
    start_ = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(start_, datetime(2026, 11, 26, 10, 59, 30, tzinfo=UTC)) == 30
    assert retry_after_seconds(start_, datetime(2026, 11, 26, 10, 0, 0, 500_000, tzinfo=UTC)) == 3600
    assert retry_after_seconds(start_, datetime(2026, 11, 26, 11, 0, tzinfo=UTC)) == 1


def test_a_period_is_swedish_dates_inclusive() -> None:
    p = period(date(2026, 3, 29), date(2026, 3, 29), date(2026, 11, 26))  # summer time begins
    assert p.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert p.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert [iso_week(m) for m in period(date(2026, 12, 31), date(2027, 1, 4), date(2027, 1, 5)).weeks()] == [
        "2026-W53",
        "2027-W01",
    ]


def test_the_default_period_is_the_last_30_days() -> None:
    p = period(None, None, date(2026, 11, 26))
    assert (p.first, p.last) == (date(2026, 10, 28), date(2026, 11, 26))


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 3, 2), date(2026, 3, 1)),
        (date(2021, 2, 28), date(2024, 2, 29)),  # 29 February minus three years is 28 February
        (date(1, 1, 1), date(2026, 1, 1)),
        (date(2026, 1, 1), date(9999, 12, 31)),
    ],
)
def test_periods_refused(first: date, last: date) -> None:
    with pytest.raises(ValidationFailed):
        period(first, last, date(2026, 11, 26))


def test_three_years_to_the_day_are_allowed_and_a_share_is_null_without_a_denominator() -> None:
    assert period(date(2021, 3, 1), date(2024, 2, 29), date(2026, 1, 1)).first == date(2021, 3, 1)
    assert share(1, 3) == 0.3333 and share(0, 0) is None
