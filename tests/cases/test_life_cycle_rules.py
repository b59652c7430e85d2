"""The case aggregate against domain.md's life-cycle table, without a database."""

from __future__ import annotations

from uuid import uuid4

import pytest

from app.domain.case import Assignee, Case, CaseActor, CaseStatus, Closure, MessageKind
from app.domain.errors import Forbidden, InvalidTransition

S = CaseStatus
ME, OTHER, GROUP = uuid4(), uuid4(), uuid4()
RECEIVER = CaseActor(ME, is_receiver=True, is_handler=False)
HANDLER = CaseActor(ME, is_receiver=False, is_handler=True, group_ids=frozenset({GROUP}))
BOTH = CaseActor(ME, is_receiver=True, is_handler=True)
OPEN = [S.NEW, S.ASSIGNED, S.AWAITING_CITIZEN]


def case(status: CaseStatus, assignee: Assignee | None = None) -> Case:
    if assignee is None and status in (S.ASSIGNED, S.AWAITING_CITIZEN):
        assignee = Assignee("staff", ME)
    return Case(uuid4(), uuid4(), status, assignee, 1)


@pytest.mark.parametrize("status", OPEN)
def test_distribute_from_every_open_status(status: CaseStatus) -> None:
    c = case(status)
    t = c.distribute(RECEIVER, Assignee("group", GROUP))
    assert (t.from_status, t.to_status, c.assignee) == (status, S.ASSIGNED, Assignee("group", GROUP))
    t = c.distribute(RECEIVER, None)
    assert t.to_status == S.NEW and c.assignee is None


def test_only_receivers_distribute_and_nothing_moves_a_closed_case() -> None:
    with pytest.raises(Forbidden):
        case(S.NEW).distribute(HANDLER, Assignee("staff", ME))
    closed = case(S.CLOSED)
    with pytest.raises(InvalidTransition) as err:
        closed.distribute(RECEIVER, None)
    assert err.value.extra == {"case_status": "closed"}
    for kind in (MessageKind.ANSWER, MessageKind.PARTIAL_REPLY, MessageKind.COUNTER_QUESTION):
        with pytest.raises(InvalidTransition):
            case(S.CLOSED, Assignee("staff", ME)).staff_message(HANDLER, kind)
    with pytest.raises(InvalidTransition):
        case(S.CLOSED, Assignee("staff", ME)).add_note(HANDLER)


@pytest.mark.parametrize("status", [S.ASSIGNED, S.AWAITING_CITIZEN])
def test_assigned_handler_reassigns(status: CaseStatus) -> None:
    c = case(status)
    t = c.reassign(HANDLER, Assignee("staff", OTHER))
    assert (t.action, t.to_status, c.assignee) == ("reassigned", S.ASSIGNED, Assignee("staff", OTHER))
    with pytest.raises(Forbidden):  # no longer theirs
        c.reassign(HANDLER, None)


def test_claim() -> None:
    c = case(S.ASSIGNED, Assignee("group", GROUP))
    t = c.claim(HANDLER)
    assert c.assignee == Assignee("staff", ME) and t.detail["group_id"] == str(GROUP)
    with pytest.raises(InvalidTransition):
        c.claim(HANDLER)
    with pytest.raises(Forbidden):
        case(S.ASSIGNED, Assignee("group", uuid4())).claim(HANDLER)
    with pytest.raises(Forbidden):
        case(S.ASSIGNED, Assignee("group", GROUP)).claim(RECEIVER)


def test_messages_follow_the_table() -> None:
    c = case(S.ASSIGNED)
    assert c.staff_message(HANDLER, MessageKind.PARTIAL_REPLY).to_status == S.ASSIGNED
    assert c.staff_message(HANDLER, MessageKind.COUNTER_QUESTION).to_status == S.AWAITING_CITIZEN
    for kind in (MessageKind.PARTIAL_REPLY, MessageKind.COUNTER_QUESTION):
        with pytest.raises(InvalidTransition):
            c.staff_message(HANDLER, kind)
    assert c.citizen_reply().to_status == S.ASSIGNED and c.assignee == Assignee("staff", ME)
    t = c.staff_message(HANDLER, MessageKind.ANSWER)
    assert (t.to_status, c.closure) == (S.CLOSED, Closure.ANSWERED)
    with pytest.raises(InvalidTransition):
        case(S.ASSIGNED).staff_message(HANDLER, MessageKind.INFORMATION)


@pytest.mark.parametrize("status", OPEN)
def test_answer_and_close_from_every_open_status(status: CaseStatus) -> None:
    c = case(status)
    actor = BOTH if status == S.NEW else HANDLER
    assert c.staff_message(actor, MessageKind.ANSWER).to_status == S.CLOSED
    c = case(status)
    t = c.close_without_answer(actor)
    assert (t.to_status, c.closure) == (S.CLOSED, Closure.CLOSED_WITHOUT_ANSWER)


def test_who_may_answer() -> None:
    others = case(S.ASSIGNED, Assignee("staff", OTHER))
    with pytest.raises(Forbidden):
        others.staff_message(HANDLER, MessageKind.ANSWER)
    with pytest.raises(Forbidden):
        case(S.NEW).staff_message(RECEIVER, MessageKind.ANSWER)  # a receiver alone does not answer
    with pytest.raises(Forbidden):
        case(S.ASSIGNED, Assignee("group", GROUP)).staff_message(HANDLER, MessageKind.ANSWER)  # claim first
    # A receiver who is also a handler answers directly; the case becomes theirs, and the
    # transition records from whom it was taken.
    t = others.staff_message(BOTH, MessageKind.ANSWER)
    assert others.assignee == Assignee("staff", ME)
    assert t.detail["assignee_id"] == str(ME)
    assert (t.detail["previous_assignee_type"], t.detail["previous_assignee_id"]) == ("staff", str(OTHER))
    # Their own case: nothing taken over, nothing extra recorded.
    mine = case(S.ASSIGNED, Assignee("staff", ME))
    assert "previous_assignee_id" not in mine.staff_message(BOTH, MessageKind.PARTIAL_REPLY).detail


def test_notes_need_a_case_role() -> None:
    outsider = CaseActor(ME, is_receiver=False, is_handler=False)
    with pytest.raises(Forbidden):
        case(S.NEW).add_note(outsider)
    t = case(S.AWAITING_CITIZEN).add_note(RECEIVER)
    assert (t.from_status, t.to_status) == (S.AWAITING_CITIZEN, S.AWAITING_CITIZEN)
