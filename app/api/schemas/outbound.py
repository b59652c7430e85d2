"""Outbound sends (api.md `POST /units/{unit_id}/outbound`, `GET .../outbound` and `/{id}`): the
request body, the 201 receipt, and the send as staff follow it up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.schemas.case_types import QuestionIn
from app.api.schemas.common import AttachmentRef, Question
from app.api.schemas.message_templates import KindValue
from app.api.types import NonEmptyLine, NonEmptyText, StrictModel
from app.domain.case import OutboundKind
from app.domain.forms import MAX_QUESTIONS
from app.domain.outbound import MAX_RECIPIENTS

MAX_STAFF_ATTACHMENTS = 10  # domain.md: a staff message carries at most 10 files
# Entries as written: duplicates (in any written form) are allowed and count once, so the list
# may be longer than the 250 distinct recipients a send allows.
MAX_RECIPIENT_ENTRIES = 4 * MAX_RECIPIENTS
RecipientEntry = Annotated[str, StringConstraints(max_length=20)]


class OutboundIn(StrictModel):
    """Either `template_id` (a message template of this unit) or free text: `subject`, `body`,
    `kind` and, for `kind: questions`, `questions` (the form, checked like a case type's)."""

    recipients: list[RecipientEntry] = Field(
        min_length=1,
        max_length=MAX_RECIPIENT_ENTRIES,
        description=f"1 to {MAX_RECIPIENTS} distinct personal numbers (personnummer or "
        "samordningsnummer) in any valid written form; two spellings of one number are one "
        "recipient. Any invalid one refuses the whole send (422 naming each, with its position).",
    )
    template_id: UUID | None = Field(default=None, description="send a message template of this unit")
    subject: NonEmptyLine | None = None
    body: NonEmptyText | None = Field(default=None, description="the text; the sender's signature is added")
    kind: KindValue | None = None
    questions: list[QuestionIn] | None = Field(default=None, max_length=MAX_QUESTIONS)
    attachment_ids: list[UUID] = Field(
        default_factory=list,
        max_length=MAX_STAFF_ATTACHMENTS,
        description="your own unused uploads at this unit: stored once, shown on every case's first message",
    )


class OutboundReceipt(BaseModel):
    id: UUID
    case_ids: list[UUID] = Field(description="one case per distinct recipient, in the order first written")
    recipient_count: int = Field(description="distinct recipients (duplicates counted once): one case each")


class OutboundStatusCounts(BaseModel):
    new: int
    assigned: int
    awaiting_citizen: int
    closed: int


class SenderRef(BaseModel):
    id: UUID
    name: str


class MessageTemplateRef(BaseModel):
    id: UUID | None = Field(description="null once the template was deleted")
    name: str = Field(description="the template's name when sent")


class OutboundSummary(BaseModel):
    id: UUID
    created_at: datetime
    sender: SenderRef
    template: MessageTemplateRef | None
    kind: OutboundKind
    subject: str
    recipient_count: int
    status_counts: OutboundStatusCounts = Field(description="the send's cases by their status now")


class OutboundDetail(OutboundSummary):
    body: str = Field(description="as written, without the sender's signature")
    questions: list[Question]
    attachments: list[AttachmentRef]
