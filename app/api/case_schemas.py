"""Request and response shapes of the staff case API.

Responses are built as plain dicts by the services and serialised once with orjson; the
response models here document them in OpenAPI (and are used for idempotent replays).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.types import NonEmptyText, StrictModel, Text


class CaseTypeRef(BaseModel):
    id: UUID
    name: str
    category: str | None


class CitizenRef(BaseModel):
    personal_number: str
    name: str
    protected_identity: bool


class AssigneeRef(BaseModel):
    type: Literal["staff", "group"]
    id: UUID
    name: str


class CaseSummary(BaseModel):
    id: UUID
    reference: str
    status: Literal["new", "assigned", "awaiting_citizen", "closed"]
    origin: Literal["citizen", "outbound"]
    subject: str
    case_type: CaseTypeRef | None
    citizen: CitizenRef
    assignee: AssigneeRef | None
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    closure: Literal["answered", "closed_without_answer", "information_sent"] | None
    unread_by_citizen: int
    version: int


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None


class AttachmentRef(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int


class MessageAuthor(BaseModel):
    type: Literal["citizen", "staff", "system"]
    staff_id: UUID | None = None
    display_name: str = Field(description="who wrote it, as staff see it")
    citizen_facing_name: str = Field(
        description="the author line the citizen sees (title and unit when the name is hidden)"
    )


class MessageOut(BaseModel):
    id: UUID
    kind: str
    body: str
    author: MessageAuthor
    created_at: datetime
    read_at: datetime | None
    attachments: list[AttachmentRef]


class CaseMessage(MessageOut):
    answers: dict[str, Any] | None = None


class NoteAuthor(BaseModel):
    staff_id: UUID
    name: str


class NoteOut(BaseModel):
    id: UUID
    body: str
    author: NoteAuthor
    created_at: datetime


class EventActor(BaseModel):
    type: str
    staff_id: UUID | None
    name: str | None


class CaseEvent(BaseModel):
    id: int
    action: str
    actor: EventActor
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]
    created_at: datetime


class CaseDetail(CaseSummary):
    form: list[dict[str, Any]] = Field(description="the form as the citizen answered it (labels)")
    answers: dict[str, Any]
    messages: list[CaseMessage]
    notes: list[NoteOut] = Field(description="internal notes, never shown to the citizen")
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
