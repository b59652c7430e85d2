"""The citizen side: own profile, contactable units and their case types, own cases, messages.

Names say the side (`CitizenCaseDetail`, `CitizenMessage`, …): the staff views of the same
things (app/api/schemas/cases.py) show more, and a generated client must not confuse them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, Strict, StringConstraints

from app.api.schemas.common import AttachmentRef, Question
from app.api.types import Email, Flag, Phone, StrictModel, Text
from app.domain.case import ActorType, CaseOrigin, CaseStatus, Closure, MessageKind
from app.domain.categories import Category
from app.domain.forms import QuestionType

MAX_ATTACHMENTS = 5  # domain.md: a citizen message carries at most 5 files
AnswerKey = Annotated[str, StringConstraints(max_length=40)]
# Strict: 1 is not "yes" and 5 is not "5"; the form decides what each answer must be.
AnswerValue = (
    Annotated[str, Strict(), StringConstraints(max_length=10_000)]
    | Annotated[bool, Strict()]
    | Annotated[list[Annotated[str, Strict(), StringConstraints(max_length=200)]], Field(max_length=50)]
    | None
)
Answers = Annotated[dict[AnswerKey, AnswerValue], Field(max_length=50)]
AttachmentIds = Annotated[list[UUID], Field(max_length=MAX_ATTACHMENTS)]


# --- me ---------------------------------------------------------------------------------------


class CitizenMe(BaseModel):
    personal_number: str
    given_name: str
    family_name: str
    county_code: str | None
    email: str | None
    phone: str | None
    notify_by_email: bool
    notify_by_sms: bool


class CitizenMePatch(StrictModel):
    email: Email | None = None
    phone: Phone | None = None
    notify_by_email: Flag | None = None
    notify_by_sms: Flag | None = None


# --- units and case types to choose from --------------------------------------------------------


class CitizenUnit(BaseModel):
    id: UUID
    name: str
    hsa_id: str


class CitizenCaseType(BaseModel):
    id: UUID
    name: str
    category: Category | None
    description: str
    terms_text: str
    questions: list[Question]
    citizen_attachments_allowed: bool


# --- cases --------------------------------------------------------------------------------------


def _exactly_true(value: Any) -> Any:
    # Literal[True] alone also takes 1 and 1.0; accepting the terms is the JSON value true only.
    if value is not True:
        raise ValueError("terms_accepted must be true")
    return value


class CitizenCaseIn(StrictModel):
    unit_id: UUID
    case_type_id: UUID
    answers: Answers = Field(default_factory=dict)
    message: Text | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)
    terms_accepted: Annotated[Literal[True], BeforeValidator(_exactly_true)] = Field(
        description="the citizen accepted the case type's terms text"
    )


class CitizenReplyIn(StrictModel):
    body: Text
    answers: Answers | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)


class NamedRef(BaseModel):
    id: UUID
    name: str


class CitizenCaseSummary(BaseModel):
    id: UUID
    reference: str
    unit: NamedRef
    case_type: NamedRef | None
    subject: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    unread_count: int


class CitizenAnswer(BaseModel):
    key: str
    label: str
    type: QuestionType
    value: Any


class CitizenMessageAuthor(BaseModel):
    type: ActorType
    display_name: str


class CitizenMessage(BaseModel):
    id: UUID
    kind: MessageKind
    body: str
    answers: dict[str, Any] | None
    author: CitizenMessageAuthor
    created_at: datetime
    read_at: datetime | None
    attachments: list[AttachmentRef]


class CitizenCaseEvent(BaseModel):
    action: str
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    created_at: datetime


class CitizenCaseDetail(CitizenCaseSummary):
    origin: CaseOrigin
    due_at: datetime | None
    closed_at: datetime | None
    closure: Closure | None
    version: int
    form: list[Question] = Field(
        description="the case's questions: those the citizen answered when sending it, or those an "
        "outbound `questions` case asks (answer them with `answers` in a reply while awaiting_citizen)"
    )
    answers: list[CitizenAnswer]
    messages: list[CitizenMessage]
    events: list[CitizenCaseEvent]
