"""Staff case views (inbox, case view) and the bodies of the staff's case changes.

Responses are built as plain dicts by the services and serialised once with orjson; the
response models here document them in OpenAPI (and are used for idempotent replays).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.schemas.common import AssigneeRef, AttachmentRef
from app.api.types import NonEmptyText, StrictModel, Text
from app.domain.case import ActorType, CaseOrigin, CaseStatus, Closure, MessageKind
from app.domain.categories import Category


class CaseTypeRef(BaseModel):
    id: UUID
    name: str
    category: Category | None


class CitizenRef(BaseModel):
    personal_number: str
    name: str
    protected_identity: bool


class CaseSummary(BaseModel):
    id: UUID
    reference: str
    status: CaseStatus
    origin: CaseOrigin
    subject: str
    case_type: CaseTypeRef | None
    citizen: CitizenRef
    assignee: AssigneeRef | None
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    closure: Closure | None
    unread_by_citizen: int
    version: int


class MessageAuthor(BaseModel):
    type: ActorType
    staff_id: UUID | None = None
    display_name: str = Field(description="who wrote it, as staff see it")
    citizen_facing_name: str = Field(
        description="the author line the citizen sees (title and unit when the name is hidden)"
    )


class Message(BaseModel):
    id: UUID
    kind: MessageKind
    body: str
    author: MessageAuthor
    created_at: datetime
    read_at: datetime | None
    attachments: list[AttachmentRef]


class CaseMessage(Message):
    answers: dict[str, Any] | None = None


class NoteAuthor(BaseModel):
    staff_id: UUID
    name: str


class Note(BaseModel):
    id: UUID
    body: str
    author: NoteAuthor
    created_at: datetime


class EventActor(BaseModel):
    type: ActorType
    staff_id: UUID | None
    name: str | None


class CaseEvent(BaseModel):
    id: int
    action: str
    actor: EventActor
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    detail: dict[str, Any]
    created_at: datetime


class CaseDetail(CaseSummary):
    form: list[dict[str, Any]] = Field(description="the form as the citizen answered it (labels)")
    answers: dict[str, Any]
    messages: list[CaseMessage]
    notes: list[Note] = Field(description="internal notes, never shown to the citizen")
    events: list[CaseEvent]


class AssigneeIn(StrictModel):
    type: Literal["staff", "group"]
    id: UUID


class PartialReplyIn(StrictModel):
    body: NonEmptyText


class AssignmentIn(StrictModel):
    assignee: AssigneeIn | None = Field(description="null puts the case back in the unit's inbox")
    partial_reply: PartialReplyIn | None = None


class MessageIn(StrictModel):
    kind: Literal["answer", "partial_reply", "counter_question"]
    body: NonEmptyText | None = Field(
        default=None, description="may be left out when answer_template_id gives the text"
    )
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=10)
    answer_template_id: str | None = Field(default=None, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")


class CloseIn(StrictModel):
    reason: Literal["closed_without_answer"]
    note: Text | None = None


class NoteIn(StrictModel):
    body: NonEmptyText
