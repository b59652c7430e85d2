"""What partners and the staff SPA are told happened to a case (api.md "Events").

An event's `data` holds ids and statuses only — never message text, subjects, names or
personal numbers: a webhook is no secure channel, and a partner fetches the details through
the API with its own token, audited there. Every event's data is built here, from these
typed facts, so nothing else can slip in (tests/events/test_emitted_events.py walks a whole
case and scans every envelope).

Which events a change emits is decided here too, from the case before and after it:
the assignee changed → `case.assigned`; a message was written → `message.created`; the status
changed → `case.status_changed`, in that order. A citizen's new case is `case.created`, an
outbound case `outbound.sent` (the outbound send's case, not a second `case.created`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.case import Assignee, CaseStatus, Closure


class EventType(StrEnum):
    CASE_CREATED = "case.created"
    CASE_ASSIGNED = "case.assigned"
    CASE_STATUS_CHANGED = "case.status_changed"
    MESSAGE_CREATED = "message.created"
    OUTBOUND_SENT = "outbound.sent"


@dataclass(frozen=True, slots=True)
class Event:
    """One event of one case, as written to `domain_events` (unit and case are the row's)."""

    type: EventType
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CaseRef:
    id: UUID
    reference: str


@dataclass(frozen=True, slots=True)
class CaseState:
    status: CaseStatus
    assignee: Assignee | None
    closure: Closure | None = None


@dataclass(frozen=True, slots=True)
class MessageRef:
    id: UUID
    kind: str
    author_type: str


def _base(case: CaseRef, status: CaseStatus) -> dict[str, Any]:
    return {"case_id": str(case.id), "reference": case.reference, "status": status.value}


def _assignee(assignee: Assignee | None) -> dict[str, str] | None:
    return None if assignee is None else {"type": assignee.type, "id": str(assignee.id)}


def case_created(case: CaseRef, origin: str, case_type_id: UUID | None) -> Event:
    data = {
        **_base(case, CaseStatus.NEW),
        "origin": origin,
        "case_type_id": str(case_type_id) if case_type_id else None,
    }
    return Event(EventType.CASE_CREATED, data)


def changed(
    case: CaseRef, before: CaseState, after: CaseState, message: MessageRef | None = None
) -> list[Event]:
    """The events of one change of a case, in the order a reader should apply them."""
    out = []
    if before.assignee != after.assignee:
        out.append(
            Event(
                EventType.CASE_ASSIGNED, {**_base(case, after.status), "assignee": _assignee(after.assignee)}
            )
        )
    if message is not None:
        data = {
            **_base(case, after.status),
            "message_id": str(message.id),
            "message_kind": message.kind,
            "author_type": message.author_type,
        }
        out.append(Event(EventType.MESSAGE_CREATED, data))
    if before.status != after.status:
        data = {
            **_base(case, after.status),
            "previous_status": before.status.value,
            "closure": after.closure.value if after.closure else None,
        }
        out.append(Event(EventType.CASE_STATUS_CHANGED, data))
    return out


# The keys each type's data may hold: the contract (app/api/schemas/events.py) documents them
# and a test holds every emitted envelope to them.
DATA_KEYS: dict[EventType, frozenset[str]] = {
    EventType.CASE_CREATED: frozenset({"case_id", "reference", "status", "origin", "case_type_id"}),
    EventType.CASE_ASSIGNED: frozenset({"case_id", "reference", "status", "assignee"}),
    EventType.CASE_STATUS_CHANGED: frozenset(
        {"case_id", "reference", "status", "previous_status", "closure"}
    ),
    EventType.MESSAGE_CREATED: frozenset(
        {"case_id", "reference", "status", "message_id", "message_kind", "author_type"}
    ),
    EventType.OUTBOUND_SENT: frozenset({"case_id", "reference", "status", "outbound_id"}),
}
