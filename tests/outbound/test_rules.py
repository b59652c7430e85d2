"""The pure rules behind outbound sends and statistics (app/domain/outbound.py, statistics.py)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from app.domain.case import CaseStatus, Closure, MessageKind
from app.domain.errors import ValidationFailed
from app.domain.outbound import OutboundKind, OutboundStart, parse_recipients, start
from tests.fixtures.clinic import pnr


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
