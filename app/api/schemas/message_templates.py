"""A unit's message templates: bodies, the view, and the export/import document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.schemas.case_types import QuestionKey
from app.api.schemas.common import Question
from app.api.types import Flag, NonEmptyLine, NonEmptyText, StrictModel
from app.domain.case import OutboundKind
from app.services.message_templates import EXPORT_FORMAT

# The bodies keep their Literal (a wrong value's 422 says `literal_error`); views use the enum.
KindValue = Literal["information", "questions"]
assert set(KindValue.__args__) == set(OutboundKind)  # type: ignore[attr-defined]
TemplateFormat = Literal["careinbox.message-template/1"]
assert TemplateFormat.__args__ == (EXPORT_FORMAT,)  # type: ignore[attr-defined]


class TemplateQuestionIn(StrictModel):
    """Checked in full by app/domain/forms.py (types, unique keys, options)."""

    key: QuestionKey  # cleaned like a case type's question key
    label: str = Field(max_length=1000)
    type: str = Field(max_length=32)
    required: Flag = False
    options: list[str] = Field(default=[], max_length=100)


class MessageTemplateIn(StrictModel):
    name: NonEmptyLine
    kind: KindValue
    subject: NonEmptyLine
    body: NonEmptyText
    questions: list[TemplateQuestionIn] = Field(default=[], max_length=100)


class MessageTemplatePatch(StrictModel):
    name: NonEmptyLine = None  # type: ignore[assignment]
    kind: KindValue = None  # type: ignore[assignment]
    subject: NonEmptyLine = None  # type: ignore[assignment]
    body: NonEmptyText = None  # type: ignore[assignment]
    questions: list[TemplateQuestionIn] = Field(default=None, max_length=100)  # type: ignore[arg-type]


class MessageTemplateDocumentIn(MessageTemplateIn):
    format: TemplateFormat


class MessageTemplate(BaseModel):
    id: UUID
    name: str
    kind: OutboundKind
    subject: str
    body: str
    questions: list[Question]
    version: int
    created_at: datetime
    updated_at: datetime


class MessageTemplateDocument(BaseModel):
    format: TemplateFormat
    name: str
    kind: OutboundKind
    subject: str
    body: str
    questions: list[Question]
