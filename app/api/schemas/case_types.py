"""Case types, regional case-type templates and central case types: bodies and views.

Every text field goes through the normalising types of app/api/types.py: pasted zero-width and
bidi characters are removed, not rejected. Limits count the cleaned text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from app.api.schemas.common import Question
from app.api.types import Flag, Line, NonEmptyLine, StrictModel, Text
from app.domain.case_types import (
    EXPORT_FORMAT,
    MAX_ANSWER_TEMPLATES,
    CaseTypeOrigin,
    CaseTypeStatus,
    CentralCaseTypeKind,
)
from app.domain.categories import Category
from app.domain.forms import MAX_OPTIONS, MAX_QUESTIONS, QUESTION_TYPES
from app.domain.text import normalize_line


def _nonblank(v: str) -> str:
    if not v:
        raise ValueError("must not be empty")
    return v


Description = Annotated[Text, AfterValidator(str.strip), StringConstraints(max_length=5_000)]
TermsText = Annotated[Text, AfterValidator(str.strip), StringConstraints(max_length=10_000)]
NonEmptyTerms = Annotated[TermsText, AfterValidator(_nonblank)]
TemplateBody = Annotated[Text, AfterValidator(str.strip), StringConstraints(max_length=10_000)]
QuestionKey = Annotated[str, StringConstraints(max_length=64), AfterValidator(normalize_line)]
# Bodies keep their Literals (a wrong value's 422 says `literal_error`, as it always did); the
# views use the domain's enums. The asserts keep each pair the same set of values.
QuestionTypeValue = Literal["text", "textarea", "single_choice", "multi_choice", "date", "yes_no"]
assert set(QuestionTypeValue.__args__) == set(QUESTION_TYPES)  # type: ignore[attr-defined]
CentralKindValue = Literal["web_booking", "jump_out"]
assert set(CentralKindValue.__args__) == set(CentralCaseTypeKind)  # type: ignore[attr-defined]


class QuestionIn(StrictModel):
    """Unique keys and 2+ distinct options for choice types are checked by the form model."""

    key: QuestionKey
    label: Line
    type: QuestionTypeValue
    required: Flag = False
    options: Annotated[list[Line], Field(max_length=MAX_OPTIONS)] = []


class AnswerTemplateIn(StrictModel):
    """Send `id` back to keep an answer template's identity when editing; omit it for a new one."""

    id: UUID | None = None
    title: NonEmptyLine
    body: Annotated[TemplateBody, AfterValidator(_nonblank)]


class AnswerTemplateDocument(StrictModel):
    title: NonEmptyLine
    body: Annotated[TemplateBody, AfterValidator(_nonblank)]


Questions = Annotated[list[QuestionIn], Field(max_length=MAX_QUESTIONS)]
AnswerTemplates = Annotated[list[AnswerTemplateIn], Field(max_length=MAX_ANSWER_TEMPLATES)]


class CaseTypeIn(StrictModel):
    """A draft may be incomplete; activation needs name, category and terms text."""

    name: Line = ""
    category: Category | None = None
    description: Description = ""
    terms_text: TermsText = ""
    questions: Questions = []
    answer_templates: AnswerTemplates = []
    citizen_attachments_allowed: Flag = False
    restricted: Flag = False


class CaseTypePatch(StrictModel):
    """Only the fields sent change. Only `category` may be set to null."""

    name: Line | None = None
    category: Category | None = None
    description: Description | None = None
    terms_text: TermsText | None = None
    questions: Questions | None = None
    answer_templates: AnswerTemplates | None = None
    citizen_attachments_allowed: Flag | None = None
    restricted: Flag | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> CaseTypePatch:
        nulls = [f for f in self.model_fields_set if f != "category" and getattr(self, f) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} cannot be null")
        return self


class CaseTypeDocument(StrictModel):
    """The export/import document: content only, every field present."""

    format: Literal["careinbox.case-type/1"]
    name: Line
    category: Category | None
    description: Description
    terms_text: TermsText
    questions: Questions
    answer_templates: Annotated[list[AnswerTemplateDocument], Field(max_length=MAX_ANSWER_TEMPLATES)]
    citizen_attachments_allowed: Flag
    restricted: Flag


assert EXPORT_FORMAT == "careinbox.case-type/1"


class AnswerTemplate(BaseModel):
    id: UUID
    title: str
    body: str


class _CaseTypeContent(BaseModel):
    name: str
    category: Category | None
    description: str
    terms_text: str
    questions: list[Question]
    answer_templates: list[AnswerTemplate]
    citizen_attachments_allowed: bool
    restricted: bool
    version: int
    created_at: datetime
    updated_at: datetime


class CentralCaseTypeRef(BaseModel):
    id: UUID
    kind: CentralCaseTypeKind
    url: str


class CaseType(_CaseTypeContent):
    id: UUID
    unit_id: UUID
    status: CaseTypeStatus
    origin: CaseTypeOrigin
    template_id: UUID | None = Field(description="the regional template this was copied from")
    central: CentralCaseTypeRef | None = Field(description="set for a centrally administered case type")


class CaseTypeTemplate(_CaseTypeContent):  # a regional template, copied into units' drafts
    id: UUID
    region_id: UUID


class FromTemplateIn(StrictModel):
    template_id: UUID


class CaseTypeCategory(BaseModel):
    code: Category
    label: str


def _http_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in v:
        raise ValueError("an http or https address")
    return v


HttpUrl = Annotated[
    str, StringConstraints(max_length=2000), AfterValidator(normalize_line), AfterValidator(_http_url)
]


class CentralCaseTypeIn(StrictModel):
    kind: CentralKindValue
    name: NonEmptyLine
    category: Category
    url: HttpUrl


class CentralCaseType(BaseModel):
    id: UUID
    kind: CentralCaseTypeKind
    name: str
    category: Category
    url: str
    created_at: datetime


class UnitCentralCaseType(CentralCaseType):
    case_type_id: UUID | None = Field(description="this unit's case type for it; null until activated")
    case_type_status: CaseTypeStatus | None


class ActivateCentralIn(StrictModel):
    terms_text: NonEmptyTerms
