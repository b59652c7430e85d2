"""A region's case-type templates (`/regions/{region_id}/case-type-templates`): content the
region's units copy into their own drafts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from app.api.deps import AnyStaff, Conn
from app.api.etag import IfMatch
from app.api.problems import responses
from app.api.schemas.case_types import CaseTypeIn, CaseTypePatch, CaseTypeTemplate
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.services import case_type_templates

router = APIRouter(tags=["case types"])

REGION = "/regions/{region_id}/case-type-templates"


# Regional templates: the guard is any staff member; the service decides by the region's scope
# (regional admins write; they and the local admins of the region's units read; 404 outside).
@router.get(REGION, response_model=Page[CaseTypeTemplate], responses=responses(401, 403, 404, 422))
async def list_templates(
    conn: Conn, region_id: UUID, actor: AnyStaff, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await case_type_templates.list_templates(conn, actor, region_id, limit, cursor)


@router.post(
    REGION, status_code=201, response_model=CaseTypeTemplate, responses=responses(401, 403, 404, 422)
)
async def create_template(conn: Conn, region_id: UUID, actor: AnyStaff, body: CaseTypeIn) -> dict[str, Any]:
    return await case_type_templates.create_template(conn, actor, region_id, body.model_dump())


@router.get(f"{REGION}/{{id}}", response_model=CaseTypeTemplate, responses=responses(401, 403, 404))
async def get_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> dict[str, Any]:
    return await case_type_templates.get_template(conn, actor, region_id, id)


@router.patch(
    f"{REGION}/{{id}}", response_model=CaseTypeTemplate, responses=responses(401, 403, 404, 412, 422)
)
async def update_template(
    conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff, body: CaseTypePatch, if_match: IfMatch = None
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return await case_type_templates.update_template(conn, actor, region_id, id, changes, if_match)


@router.delete(f"{REGION}/{{id}}", status_code=204, responses=responses(401, 403, 404))
async def delete_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> Response:
    await case_type_templates.delete_template(conn, actor, region_id, id)
    return Response(status_code=204)
