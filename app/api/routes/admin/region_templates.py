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
from app.api.strict_json import StrictJSONRoute
from app.services import case_type_templates

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)

REGION = "/regions/{region_id}/case-type-templates"


# Regional templates: the guard is any staff member; the service decides by the region's scope
# (regional admins write; they and the local admins of the region's units read; 404 outside).
@router.get(
    REGION,
    operation_id="list_region_templates",
    response_model=Page[CaseTypeTemplate],
    responses=responses(401, 403, 404, 422),
)
async def list_templates(
    conn: Conn, region_id: UUID, actor: AnyStaff, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The region's case type templates

    Regional admins of the region, and local admins of its units (to copy one).

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not your region.
    """
    return await case_type_templates.list_templates(conn, actor, region_id, limit, cursor)


@router.post(
    REGION,
    operation_id="create_region_template",
    status_code=201,
    response_model=CaseTypeTemplate,
    responses=responses(401, 403, 404, 422),
)
async def create_template(conn: Conn, region_id: UUID, actor: AnyStaff, body: CaseTypeIn) -> dict[str, Any]:
    """Create a case type template for the region's units

    Regional admins of the region only (others: 403/404).

    - **Changes:** adds the template.
    - **Audit:** none (no patient data).
    - **Errors:** 422 invalid questions.
    """
    return await case_type_templates.create_template(conn, actor, region_id, body.model_dump())


@router.get(
    f"{REGION}/{{id}}",
    operation_id="get_region_template",
    response_model=CaseTypeTemplate,
    responses=responses(401, 403, 404),
)
async def get_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> dict[str, Any]:
    """One case type template

    Regional admins of the region, and local admins of its units.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a template of your region.
    """
    return await case_type_templates.get_template(conn, actor, region_id, id)


@router.patch(
    f"{REGION}/{{id}}",
    operation_id="update_region_template",
    response_model=CaseTypeTemplate,
    responses=responses(401, 403, 404, 412, 422),
)
async def update_template(
    conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff, body: CaseTypePatch, if_match: IfMatch = None
) -> dict[str, Any]:
    """Change a case type template

    Regional admins of the region only. Copies already made are unaffected. `If-Match` optional
    (stale → 412).

    - **Changes:** the fields sent.
    - **Audit:** none (no patient data).
    - **Errors:** 412 stale `If-Match`; 422 invalid questions.
    """
    changes = body.model_dump(exclude_unset=True)
    return await case_type_templates.update_template(conn, actor, region_id, id, changes, if_match)


@router.delete(
    f"{REGION}/{{id}}",
    operation_id="delete_region_template",
    status_code=204,
    responses=responses(401, 403, 404),
)
async def delete_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> Response:
    """Delete a case type template

    Regional admins of the region only; copies already made stay.

    - **Changes:** removes the template.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a template of your region.
    """
    await case_type_templates.delete_template(conn, actor, region_id, id)
    return Response(status_code=204)
