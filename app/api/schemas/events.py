"""The event envelopes (api.md "Events"): sent to webhooks (the OpenAPI `webhooks` section) and
on the SSE stream. Ids and statuses only: their `data` is built by app/domain/events.py, whose
DATA_KEYS these models spell out (a test holds them to each other)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from app.domain.case import ActorType, AssigneeType, CaseOrigin, CaseStatus, Closure, MessageKind
from app.domain.events import EventType

_CASE = "5d0f2a8e-7a3c-4d3e-9a52-0c1b8f4e2a10"
_UNIT = "0b7e8f52-1c2d-4e5f-8a9b-3c4d5e6f7a80"


def _example(type_: EventType, data: dict[str, Any]) -> ConfigDict:
    example: JsonDict = {
        "id": "9a4c1b2e-3f5d-4a6b-8c7d-1e2f3a4b5c6d",
        "type": type_.value,
        "occurred_at": "2026-11-27T09:30:00.123456Z",
        "unit_id": _UNIT,
        "data": {"case_id": _CASE, "reference": "2026-0000042", **data},
    }
    return ConfigDict(json_schema_extra={"examples": [example]})


class EventAssignee(BaseModel):
    type: AssigneeType
    id: UUID


class CaseCreatedData(BaseModel):
    case_id: UUID
    reference: str
    status: CaseStatus
    origin: CaseOrigin
    case_type_id: UUID | None


class CaseAssignedData(BaseModel):
    case_id: UUID
    reference: str
    status: CaseStatus
    assignee: EventAssignee | None


class CaseStatusChangedData(BaseModel):
    case_id: UUID
    reference: str
    status: CaseStatus
    previous_status: CaseStatus
    closure: Closure | None


class MessageCreatedData(BaseModel):
    case_id: UUID
    reference: str
    status: CaseStatus
    message_id: UUID
    message_kind: MessageKind
    author_type: ActorType


class OutboundSentData(BaseModel):
    case_id: UUID
    reference: str
    status: CaseStatus
    outbound_id: UUID


class _Envelope(BaseModel):
    id: UUID
    occurred_at: datetime
    unit_id: UUID


class CaseCreatedEvent(_Envelope):
    """A citizen sent a new case to the unit."""

    model_config = _example(
        EventType.CASE_CREATED,
        {"status": "new", "origin": "citizen", "case_type_id": "3e1d2c4b-5a6f-4b7c-8d9e-0f1a2b3c4d5e"},
    )
    type: Literal["case.created"]
    data: CaseCreatedData


class CaseAssignedEvent(_Envelope):
    """A case was distributed, reassigned, claimed or taken over (assignee null: back in the
    unit's inbox)."""

    model_config = _example(
        EventType.CASE_ASSIGNED,
        {"status": "assigned", "assignee": {"type": "group", "id": "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928"}},
    )
    type: Literal["case.assigned"]
    data: CaseAssignedData


class CaseStatusChangedEvent(_Envelope):
    """A case's status changed (`closure` says how a closed case ended)."""

    model_config = _example(
        EventType.CASE_STATUS_CHANGED,
        {"status": "closed", "previous_status": "assigned", "closure": "answered"},
    )
    type: Literal["case.status_changed"]
    data: CaseStatusChangedData


class MessageCreatedEvent(_Envelope):
    """A message was written in a case (by the clinic or the citizen); fetch it through the API."""

    model_config = _example(
        EventType.MESSAGE_CREATED,
        {
            "status": "awaiting_citizen",
            "message_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
            "message_kind": "counter_question",
            "author_type": "staff",
        },
    )
    type: Literal["message.created"]
    data: MessageCreatedData


class OutboundSentEvent(_Envelope):
    """The unit started a case towards a citizen (one event per case of an outbound send)."""

    model_config = _example(
        EventType.OUTBOUND_SENT,
        {"status": "closed", "outbound_id": "2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b"},
    )
    type: Literal["outbound.sent"]
    data: OutboundSentData


ENVELOPES: dict[EventType, type[_Envelope]] = {
    EventType.CASE_CREATED: CaseCreatedEvent,
    EventType.CASE_ASSIGNED: CaseAssignedEvent,
    EventType.CASE_STATUS_CHANGED: CaseStatusChangedEvent,
    EventType.MESSAGE_CREATED: MessageCreatedEvent,
    EventType.OUTBOUND_SENT: OutboundSentEvent,
}
