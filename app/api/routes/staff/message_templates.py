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
from app.api.strict_json import StrictJSONRoute
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import message_templates

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"], route_class=StrictJSONRoute)

TemplateRead = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_READ))]
TemplateWrite = Annotated[StaffActor, Depends(requires(P.MESSAGE_TEMPLATE_WRITE))]
R = responses(401, 403, 404, 422)


@router.get(
    "/message-templates",
    operation_id="list_message_templates",
    response_model=Page[MessageTemplate],
    responses=responses(401, 403, 404, 422),
)
async def list_templates(
    conn: Conn, unit_id: UUID, actor: TemplateRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The unit's message templates for outbound sends

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 neither handler nor local admin.
    """
    return await message_templates.list_templates(conn, unit_id, limit, cursor)


@router.post(
    "/message-templates",
    operation_id="create_message_template",
    status_code=201,
    response_model=MessageTemplate,
    responses=R,
)
async def create_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: MessageTemplateIn
) -> dict[str, Any]:
    """Create a message template

    - **Changes:** adds the template.
    - **Audit:** none (no patient data).
    - **Errors:** 422 questions that do not fit the kind.
    """
    return await message_templates.create_template(conn, unit_id, body.model_dump())


@router.post(
    "/message-templates/import",
    operation_id="import_message_template",
    status_code=201,
    response_model=MessageTemplate,
    responses=R,
    description="An export document (`careinbox.message-template/1`) → a new template.",
)
async def import_template(
    conn: Conn, unit_id: UUID, actor: TemplateWrite, body: MessageTemplateDocumentIn
) -> dict[str, Any]:
    """Import a message template from an export document

    - **Changes:** adds the template.
    - **Audit:** none (no patient data).
    """
    return await message_templates.import_template(conn, unit_id, body.model_dump())


@router.get(
    "/message-templates/{id}",
    operation_id="get_message_template",
    response_model=MessageTemplate,
    responses=R,
)
async def get_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateRead) -> dict[str, Any]:
    """One message template

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a template of this unit.
    """
    return await message_templates.get_template(conn, unit_id, id)


@router.patch(
    "/message-templates/{id}",
    operation_id="update_message_template",
    response_model=MessageTemplate,
    responses=R,
)
async def update_template(
    conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite, body: MessageTemplatePatch
) -> dict[str, Any]:
    """Change a message template

    - **Changes:** the fields sent; sends already made keep their text.
    - **Audit:** none (no patient data).
    - **Errors:** 422 questions that do not fit the kind.
    """
    return await message_templates.update_template(conn, unit_id, id, sent_fields(body))


@router.delete(
    "/message-templates/{id}", operation_id="delete_message_template", status_code=204, responses=R
)
async def delete_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> Response:
    """Delete a message template

    - **Changes:** removes the template; sends made with it keep their text.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a template of this unit.
    """
    await message_templates.delete_template(conn, unit_id, id)
    return Response(status_code=204)


@router.get(
    "/message-templates/{id}/export",
    operation_id="export_message_template",
    response_model=MessageTemplateDocument,
    responses=R,
)
async def export_template(conn: Conn, unit_id: UUID, id: UUID, actor: TemplateWrite) -> dict[str, Any]:
    """A message template as a self-contained document for import elsewhere

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a template of this unit.
    """
    return await message_templates.export_template(conn, unit_id, id)
