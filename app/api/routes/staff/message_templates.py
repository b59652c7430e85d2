"""A unit's message templates: reusable outbound content, with export and import.

Updates pass only the fields the caller sent (`sent_fields`).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.message_templates import (
    MessageTemplate,
    MessageTemplateDocument,
    MessageTemplateDocumentIn,
    MessageTemplateIn,
    MessageTemplatePatch,
)
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import message_templates

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"])

TemplateRead = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_READ))]
TemplateWrite = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_WRITE))]
R = responses(401, 403, 404, 422)


@router.get(
    "/message-templates", response_model=Page[MessageTemplate], responses=responses(401, 403, 404, 422)
)
async def list_templates(
    conn: Conn, unit_id: UUID, actor: TemplateRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await message_templates.list_templates(conn, unit_id, limit, cursor)


@router.post("/message-templates", status_code=201, response_model=MessageTemplate, responses=R)
async def create_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: MessageTemplateIn
) -> dict[str, Any]:
    return await message_templates.create_template(conn, unit_id, body.model_dump())


@router.post(
    "/message-templates/import",
    status_code=201,
    response_model=MessageTemplate,
    responses=R,
    description="An export document (`careinbox.message-template/1`) → a new template.",
)
async def import_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: MessageTemplateDocumentIn
) -> dict[str, Any]:
    return await message_templates.import_template(conn, unit_id, body.model_dump())


@router.get("/message-templates/{id}", response_model=MessageTemplate, responses=R)
async def get_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateRead) -> dict[str, Any]:
    return await message_templates.get_template(conn, unit_id, id)


@router.patch("/message-templates/{id}", response_model=MessageTemplate, responses=R)
async def update_template(
    conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite, body: MessageTemplatePatch
) -> dict[str, Any]:
    return await message_templates.update_template(conn, unit_id, id, sent_fields(body))


@router.delete("/message-templates/{id}", status_code=204, responses=R)
async def delete_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> Response:
    await message_templates.delete_template(conn, unit_id, id)
    return Response(status_code=204)


@router.get("/message-templates/{id}/export", response_model=MessageTemplateDocument, responses=R)
async def export_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> dict[str, Any]:
    return await message_templates.export_template(conn, unit_id, id)
