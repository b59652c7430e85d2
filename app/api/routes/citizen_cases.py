"""Cases, citizen side: contactable units, case types, own cases and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, Field, Strict, StringConstraints

from app.api.deps import CitizenUser, Conn
from app.api.etag import IfMatch, etag
from app.api.idempotency import Idempotent, Reply
from app.api.problems import responses
from app.api.schemas import Cursor, Limit
from app.api.types import StrictModel, Text
from app.services import cases_citizen as svc
from app.services.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/citizen", tags=["citizen cases"])

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


class UnitOut(BaseModel):
    id: UUID
    name: str
    hsa_id: str


class UnitPage(BaseModel):
    items: list[UnitOut]
    next_cursor: str | None


class QuestionOut(BaseModel):
    key: str
    label: str
    type: str
    required: bool
    options: list[str]


class CaseTypeOut(BaseModel):
    id: UUID
    name: str
    category: str | None
    description: str
    terms_text: str
    questions: list[QuestionOut]
    citizen_attachments_allowed: bool


class CaseTypePage(BaseModel):
    items: list[CaseTypeOut]
    next_cursor: str | None


def _exactly_true(value: Any) -> Any:
    # Literal[True] alone also takes 1 and 1.0; accepting the terms is the JSON value true only.
    if value is not True:
        raise ValueError("terms_accepted must be true")
    return value


class NewCaseIn(StrictModel):
    unit_id: UUID
    case_type_id: UUID
    answers: Answers = Field(default_factory=dict)
    message: Text | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)
    terms_accepted: Annotated[Literal[True], BeforeValidator(_exactly_true)] = Field(
        description="the citizen accepted the case type's terms text"
    )


class ReplyIn(StrictModel):
    body: Text
    answers: Answers | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)


class Ref(BaseModel):
    id: UUID
    name: str


class CaseSummaryOut(BaseModel):
    id: UUID
    reference: str
    unit: Ref
    case_type: Ref | None
    subject: str
    status: str
    created_at: datetime
    updated_at: datetime
    unread_count: int


class CasePage(BaseModel):
    items: list[CaseSummaryOut]
    next_cursor: str | None


class AnswerOut(BaseModel):
    key: str
    label: str
    type: str
    value: Any


class AuthorOut(BaseModel):
    type: str
    display_name: str


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int


class MessageOut(BaseModel):
    id: UUID
    kind: str
    body: str
    answers: dict[str, Any] | None
    author: AuthorOut
    created_at: datetime
    read_at: datetime | None
    attachments: list[AttachmentOut]


class EventOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str | None
    created_at: datetime


class CaseOut(CaseSummaryOut):
    origin: str
    due_at: datetime | None
    closed_at: datetime | None
    closure: str | None
    version: int
    form: list[QuestionOut] = Field(
        description="the case's questions: those the citizen answered when sending it, or those an "
        "outbound `questions` case asks (answer them with `answers` in a reply while awaiting_citizen)"
    )
    answers: list[AnswerOut]
    messages: list[MessageOut]
    events: list[EventOut]


_LOCATION_SLOT = "00000000-0000-0000-0000-000000000000"
_locations: dict[tuple[str, str], str] = {}


def _case_location(request: Request, case_id: UUID) -> str:
    """`url_for("get_citizen_case")`'s path. url_for walks the app's routes on every call (a
    tenth of case creation's CPU), so its result is kept per root path with the id slotted in."""
    root = (str(request.scope.get("app_root_path", "")), str(request.scope.get("root_path", "")))
    template = _locations.get(root)
    if template is None:
        template = _locations[root] = request.url_for("get_citizen_case", case_id=_LOCATION_SLOT).path
    return template.replace(_LOCATION_SLOT, str(case_id))


@router.get("/units", response_model=UnitPage, responses=responses(401, 422))
async def contactable_units(
    conn: Conn,
    actor: CitizenUser,
    q: Annotated[str | None, Query(max_length=200, description="part of the unit's name")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await svc.contactable_units(conn, actor, q, limit, cursor)


@router.get("/units/{unit_id}/case-types", response_model=CaseTypePage, responses=responses(401, 404, 422))
async def open_case_types(
    conn: Conn, actor: CitizenUser, unit_id: UUID, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await svc.open_case_types(conn, actor, unit_id, limit, cursor)


@router.post(
    "/cases",
    status_code=201,
    response_model=CaseOut,
    responses=responses(401, 404, 422),
)
async def create_case(
    conn: Conn, actor: CitizenUser, body: NewCaseIn, idem: Idempotent, request: Request
) -> Response:
    async def work() -> Reply:
        case = await svc.create_case(
            conn,
            actor,
            unit_id=body.unit_id,
            case_type_id=body.case_type_id,
            answers=body.answers,
            message=body.message,
            attachment_ids=body.attachment_ids,
        )
        location = _case_location(request, case["id"])
        return 201, case, {"ETag": etag(case["version"]), "Location": location}

    return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, CaseOut)


@router.get("/cases", response_model=CasePage, responses=responses(401, 422))
async def list_cases(
    conn: Conn, actor: CitizenUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await svc.list_cases(conn, actor, limit, cursor)


@router.get("/cases/{case_id}", response_model=CaseOut, responses=responses(401, 404))
async def get_citizen_case(
    conn: Conn, actor: CitizenUser, case_id: UUID, response: Response
) -> dict[str, Any]:
    case = await svc.get_case(conn, actor, case_id)
    response.headers["ETag"] = etag(case["version"])
    return case


@router.post(
    "/cases/{case_id}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=responses(401, 404, 409, 412, 422),
)
async def reply(
    conn: Conn, actor: CitizenUser, case_id: UUID, body: ReplyIn, idem: Idempotent, if_match: IfMatch = None
) -> Response:
    async def work() -> Reply:
        message, version = await svc.reply(
            conn,
            actor,
            case_id,
            body=body.body,
            answers=body.answers,
            attachment_ids=body.attachment_ids,
            expected_versions=if_match,
        )
        return 201, message, {"ETag": etag(version)}

    return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, MessageOut)
