"""Unit settings, groups, message templates and citizen grants (api.md "Unit administration").

Routes parse, guard and make one service call. Partial updates pass only the fields the caller
sent (`model_fields_set`), so an explicit null (e.g. reminders off) differs from leaving it out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, Strict

from app.api.case_type_schemas import QuestionKey
from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.routes.units import UnitOut
from app.api.schemas import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.types import CountyCode, Email, Flag, NonEmptyLine, NonEmptyText, PersonalNumber, StrictModel
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import citizen_grants, groups, message_templates, unit_settings

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"])

SettingsAdmin = Annotated[StaffActor, Depends(requires(P.UNIT_SETTINGS))]
GroupRead = Annotated[StaffActor, Depends(requires(P.GROUP_READ))]
GroupWrite = Annotated[StaffActor, Depends(requires(P.GROUP_WRITE))]
TemplateRead = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_READ))]
TemplateWrite = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_WRITE))]
Grant = Annotated[StaffActor, Depends(requires(P.CITIZEN_GRANT))]
R = responses(401, 403, 404, 422)


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(include=body.model_fields_set)


# --- settings -------------------------------------------------------------------------------


class ServiceAreaIn(StrictModel):
    scope: Literal["national", "counties", "none"]
    county_codes: list[CountyCode] = Field(default=[], max_length=25)


class SettingsIn(StrictModel):
    service_area: ServiceAreaIn = None  # type: ignore[assignment]  # optional, but never null
    notification_emails: list[Email] = Field(default=[], max_length=20)
    # Strict: lax mode reads `true` as 1 day and "5" as 5.
    citizen_reminder_after_days: Annotated[int, Strict()] | None = Field(default=None, ge=1, le=30)
    provider_reminder_enabled: Flag = False


@router.patch("/settings", response_model=UnitOut, responses=R)
async def update_settings(
    conn: Conn, unit_id: UUID, actor: SettingsAdmin, body: SettingsIn
) -> dict[str, Any]:
    return await unit_settings.update_settings(conn, unit_id, _sent(body))


# --- groups ---------------------------------------------------------------------------------


class GroupIn(StrictModel):
    name: NonEmptyLine
    member_ids: list[UUID] = Field(default=[], max_length=500)


class GroupPatch(StrictModel):
    name: NonEmptyLine = None  # type: ignore[assignment]
    member_ids: list[UUID] = Field(default=None, max_length=500)  # type: ignore[arg-type]


class MemberOut(BaseModel):
    id: UUID
    hsa_id: str
    given_name: str
    family_name: str
    title: str


class GroupOut(BaseModel):
    id: UUID
    name: str
    members: list[MemberOut]
    created_at: datetime


@router.get("/groups", response_model=Page[GroupOut], responses=responses(401, 403, 404, 422))
async def list_groups(
    conn: Conn, unit_id: UUID, actor: GroupRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await groups.list_groups(conn, unit_id, limit, cursor)


@router.post(
    "/groups", status_code=201, response_model=GroupOut, responses=responses(401, 403, 404, 409, 422)
)
async def create_group(conn: Conn, unit_id: UUID, actor: GroupWrite, body: GroupIn) -> dict[str, Any]:
    return await groups.create_group(conn, unit_id, body.name, body.member_ids)


@router.get("/groups/{id}", response_model=GroupOut, responses=responses(401, 403, 404, 422))
async def get_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupRead) -> dict[str, Any]:
    return await groups.get_group(conn, unit_id, id)


@router.patch("/groups/{id}", response_model=GroupOut, responses=responses(401, 403, 404, 409, 422))
async def update_group(
    conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite, body: GroupPatch
) -> dict[str, Any]:
    return await groups.update_group(conn, unit_id, id, _sent(body))


@router.delete(
    "/groups/{id}",
    status_code=204,
    responses=responses(401, 403, 404, 409, 422),
    description="Refused with 409 while an open case is assigned to the group.",
)
async def delete_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite) -> Response:
    await groups.delete_group(conn, unit_id, id)
    return Response(status_code=204)


# --- message templates ----------------------------------------------------------------------


class QuestionIn(StrictModel):
    """Checked in full by app/domain/forms.py (types, unique keys, options)."""

    key: QuestionKey  # cleaned like a case type's question key
    label: str = Field(max_length=1000)
    type: str = Field(max_length=32)
    required: Flag = False
    options: list[str] = Field(default=[], max_length=100)


class TemplateIn(StrictModel):
    name: NonEmptyLine
    kind: Literal["information", "questions"]
    subject: NonEmptyLine
    body: NonEmptyText
    questions: list[QuestionIn] = Field(default=[], max_length=100)


class TemplatePatch(StrictModel):
    name: NonEmptyLine = None  # type: ignore[assignment]
    kind: Literal["information", "questions"] = None  # type: ignore[assignment]
    subject: NonEmptyLine = None  # type: ignore[assignment]
    body: NonEmptyText = None  # type: ignore[assignment]
    questions: list[QuestionIn] = Field(default=None, max_length=100)  # type: ignore[arg-type]


class TemplateDocument(TemplateIn):
    format: Literal["careinbox.message-template/1"]


class QuestionOut(BaseModel):
    key: str
    label: str
    type: str
    required: bool
    options: list[str]


class TemplateOut(BaseModel):
    id: UUID
    name: str
    kind: str
    subject: str
    body: str
    questions: list[QuestionOut]
    version: int
    created_at: datetime
    updated_at: datetime


class TemplateExport(BaseModel):
    format: str
    name: str
    kind: str
    subject: str
    body: str
    questions: list[QuestionOut]


@router.get("/message-templates", response_model=Page[TemplateOut], responses=responses(401, 403, 404, 422))
async def list_templates(
    conn: Conn, unit_id: UUID, actor: TemplateRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await message_templates.list_templates(conn, unit_id, limit, cursor)


@router.post("/message-templates", status_code=201, response_model=TemplateOut, responses=R)
async def create_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: TemplateIn
) -> dict[str, Any]:
    return await message_templates.create_template(conn, unit_id, body.model_dump())


@router.post(
    "/message-templates/import",
    status_code=201,
    response_model=TemplateOut,
    responses=R,
    description="An export document (`careinbox.message-template/1`) → a new template.",
)
async def import_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: TemplateDocument
) -> dict[str, Any]:
    return await message_templates.import_template(conn, unit_id, body.model_dump())


@router.get("/message-templates/{id}", response_model=TemplateOut, responses=R)
async def get_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateRead) -> dict[str, Any]:
    return await message_templates.get_template(conn, unit_id, id)


@router.patch("/message-templates/{id}", response_model=TemplateOut, responses=R)
async def update_template(
    conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite, body: TemplatePatch
) -> dict[str, Any]:
    return await message_templates.update_template(conn, unit_id, id, _sent(body))


@router.delete("/message-templates/{id}", status_code=204, responses=R)
async def delete_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> Response:
    await message_templates.delete_template(conn, unit_id, id)
    return Response(status_code=204)


@router.get("/message-templates/{id}/export", response_model=TemplateExport, responses=R)
async def export_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> dict[str, Any]:
    return await message_templates.export_template(conn, unit_id, id)


# --- citizen grants -------------------------------------------------------------------------


class GrantIn(StrictModel):
    personal_number: PersonalNumber
    case_type_id: UUID | None = None
    valid_until: date | None = None


class GrantOut(BaseModel):
    id: UUID
    personal_number: str
    case_type_id: UUID | None
    valid_until: date | None
    created_at: datetime
    active: bool


class RevokeIn(StrictModel):
    ids: list[UUID] = Field(min_length=1, max_length=citizen_grants.MAX_BULK)


class RevokeOut(BaseModel):
    revoked: int
    revoked_ids: list[UUID]


@router.get("/citizen-grants", response_model=Page[GrantOut], responses=R)
async def list_grants(
    conn: Conn,
    unit_id: UUID,
    actor: Grant,
    personal_number: Annotated[PersonalNumber | None, Query(description="any written form")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await citizen_grants.list_grants(conn, actor, unit_id, personal_number, limit, cursor)


@router.post("/citizen-grants", status_code=201, response_model=GrantOut, responses=R)
async def create_grant(conn: Conn, unit_id: UUID, actor: Grant, body: GrantIn) -> dict[str, Any]:
    return await citizen_grants.create_grant(
        conn, actor, unit_id, body.personal_number, body.case_type_id, body.valid_until
    )


@router.post(
    "/citizen-grants/revoke",
    response_model=RevokeOut,
    responses=R,
    description="Revokes those of `ids` that belong to this unit; other ids are left untouched. "
    "200 with the revoked ids, possibly none.",
)
async def revoke_grants(conn: Conn, unit_id: UUID, actor: Grant, body: RevokeIn) -> dict[str, Any]:
    return await citizen_grants.revoke_grants(conn, actor, unit_id, body.ids)


@router.delete("/citizen-grants/{id}", status_code=204, responses=R)
async def delete_grant(conn: Conn, unit_id: UUID, id: UUID, actor: Grant) -> Response:
    await citizen_grants.delete_grant(conn, actor, unit_id, id)
    return Response(status_code=204)
