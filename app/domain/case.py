"""The case aggregate and its life cycle (domain.md "Case life cycle").

Pure: it knows who acts (as `CaseActor` facts) and the case's state, decides whether a
transition is allowed, applies it and returns the transition to record as a case event.
Services load it through a repository scoped to the actor, call one method, and persist
`state` + the returned transition with an optimistic `version` check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal
from uuid import UUID

from app.domain.errors import Forbidden, InvalidTransition


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    AWAITING_CITIZEN = "awaiting_citizen"
    CLOSED = "closed"


class Closure(StrEnum):
    ANSWERED = "answered"
    CLOSED_WITHOUT_ANSWER = "closed_without_answer"
    INFORMATION_SENT = "information_sent"


class MessageKind(StrEnum):
    CITIZEN = "citizen"
    ANSWER = "answer"
    PARTIAL_REPLY = "partial_reply"
    COUNTER_QUESTION = "counter_question"
    INFORMATION = "information"
    QUESTIONS = "questions"


class CaseOrigin(StrEnum):
    CITIZEN = "citizen"
    OUTBOUND = "outbound"


class OutboundKind(StrEnum):
    """What a unit sends on its own initiative (a message template's `kind`): information, to
    which no reply is possible, or questions, a form the citizen answers."""

    INFORMATION = MessageKind.INFORMATION.value
    QUESTIONS = MessageKind.QUESTIONS.value


class AssigneeType(StrEnum):
    """Who a case is assigned to (`Assignee.type` below spells the same two values)."""

    STAFF = "staff"
    GROUP = "group"


class ActorType(StrEnum):
    """Who wrote a message or caused a case event."""

    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"


OPEN = frozenset({CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.AWAITING_CITIZEN})


@dataclass(frozen=True, slots=True)
class Assignee:
    type: Literal["staff", "group"]
    id: UUID


@dataclass(frozen=True, slots=True)
class CaseActor:
    """What the aggregate needs to know about the staff member acting."""

    staff_id: UUID
    is_receiver: bool
    is_handler: bool
    group_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    from_status: CaseStatus
    to_status: CaseStatus
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Case:
    id: UUID
    unit_id: UUID
    status: CaseStatus
    assignee: Assignee | None
    version: int
    closure: Closure | None = None

    # --- who is who -------------------------------------------------------------------
    def is_assigned_to(self, staff_id: UUID) -> bool:
        return self.assignee is not None and self.assignee.type == "staff" and self.assignee.id == staff_id

    def _require_open(self, action: str) -> None:
        if self.status == CaseStatus.CLOSED:
            raise InvalidTransition(f"a closed case cannot {action}", case_status=self.status.value)

    def _move(self, action: str, to: CaseStatus, **detail: str) -> Transition:
        t = Transition(action, self.status, to, detail)
        self.status = to
        return t

    # --- transitions --------------------------------------------------------------------
    def distribute(self, actor: CaseActor, assignee: Assignee | None) -> Transition:
        """Receiver: distribute, redistribute, or put back in the inbox (assignee None)."""
        if not actor.is_receiver:
            raise Forbidden("only a case receiver distributes cases")
        self._require_open("be distributed")
        return self._assign(assignee, "distributed")

    def reassign(self, actor: CaseActor, assignee: Assignee | None) -> Transition:
        """The assigned handler hands the case on, or back to the inbox."""
        if not self.is_assigned_to(actor.staff_id):
            raise Forbidden("only the assigned handler reassigns the case")
        self._require_open("be reassigned")
        return self._assign(assignee, "reassigned")

    def _assign(self, assignee: Assignee | None, action: str) -> Transition:
        self.assignee = assignee
        if assignee is None:
            return self._move(action, CaseStatus.NEW, assignee="none")
        # domain.md's table: (re)distributing or reassigning leads to `assigned` from every open
        # status, awaiting_citizen included; the new assignee asks again if still needed.
        return self._move(
            action, CaseStatus.ASSIGNED, assignee_type=assignee.type, assignee_id=str(assignee.id)
        )

    def claim(self, actor: CaseActor) -> Transition:
        if not actor.is_handler:
            raise Forbidden("only a case handler claims cases")
        if self.assignee is None or self.assignee.type != "group":
            raise InvalidTransition(
                "only a case assigned to a group can be claimed", case_status=self.status.value
            )
        if self.assignee.id not in actor.group_ids:
            raise Forbidden("only a member of the group claims its cases")
        self._require_open("be claimed")
        group_id = self.assignee.id
        self.assignee = Assignee("staff", actor.staff_id)
        return self._move(
            "claimed",
            self.status,
            assignee_type="staff",
            assignee_id=str(actor.staff_id),
            group_id=str(group_id),
        )

    def _require_may_answer(self, actor: CaseActor) -> dict[str, str]:
        """The assignee answers; a receiver who is also a handler may answer directly, which
        takes the case over: the returned detail says so, and from whom, for the case event."""
        if self.is_assigned_to(actor.staff_id) and actor.is_handler:
            return {}
        if actor.is_receiver and actor.is_handler:
            previous = self.assignee
            self.assignee = Assignee("staff", actor.staff_id)
            taken = {"assignee_type": "staff", "assignee_id": str(actor.staff_id)}
            if previous is not None:
                taken |= {"previous_assignee_type": previous.type, "previous_assignee_id": str(previous.id)}
            return taken
        raise Forbidden("only the assigned handler acts on this case (claim a group's case first)")

    def staff_message(self, actor: CaseActor, kind: MessageKind) -> Transition:
        self._require_open("take a message")
        if kind == MessageKind.ANSWER:
            taken = self._require_may_answer(actor)
            self.closure = Closure.ANSWERED
            return self._move("answered", CaseStatus.CLOSED, closure=Closure.ANSWERED.value, **taken)
        if kind == MessageKind.PARTIAL_REPLY:
            if self.status != CaseStatus.ASSIGNED:
                raise InvalidTransition(
                    "a partial reply needs an assigned case", case_status=self.status.value
                )
            return self._move("partial_reply", CaseStatus.ASSIGNED, **self._require_may_answer(actor))
        if kind == MessageKind.COUNTER_QUESTION:
            if self.status != CaseStatus.ASSIGNED:
                raise InvalidTransition(
                    "a counter-question needs an assigned case", case_status=self.status.value
                )
            return self._move(
                "counter_question", CaseStatus.AWAITING_CITIZEN, **self._require_may_answer(actor)
            )
        raise InvalidTransition(
            f"staff cannot send a {kind.value} message in a case", case_status=self.status.value
        )

    def distribute_with_partial_reply(self, actor: CaseActor, assignee: Assignee | None) -> Transition:
        """Receiver distributes and tells the citizen the case is in hand (one event)."""
        t = self.distribute(actor, assignee)
        return Transition(t.action, t.from_status, t.to_status, {**t.detail, "partial_reply": "true"})

    def close_without_answer(self, actor: CaseActor) -> Transition:
        self._require_open("be closed")
        taken = self._require_may_answer(actor)
        self.closure = Closure.CLOSED_WITHOUT_ANSWER
        return self._move("closed", CaseStatus.CLOSED, closure=Closure.CLOSED_WITHOUT_ANSWER.value, **taken)

    def add_note(self, actor: CaseActor) -> Transition:
        """An internal note by anyone who reaches the case; a closed case takes nothing more."""
        if not (actor.is_receiver or actor.is_handler):
            raise Forbidden("only case receivers and handlers write notes")
        self._require_open("take a note")
        return self._move("note_added", self.status)

    def citizen_reply(self) -> Transition:
        """The citizen answers a counter-question or a questions form: back to the same assignee."""
        if self.status != CaseStatus.AWAITING_CITIZEN:
            raise InvalidTransition(
                "the citizen can write only while the clinic awaits an answer", case_status=self.status.value
            )
        return self._move("citizen_replied", CaseStatus.ASSIGNED)
