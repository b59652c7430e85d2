"""Role assignments at a region (`regional_admin`), granted by the national administration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from app.api.deps import Conn, Svc, SystemAdmin
from app.api.problems import responses
from app.api.schemas.admin import RegionRoleAssignment, RegionRoleAssignmentIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.services import organisation

router = APIRouter(tags=["national administration"], route_class=StrictJSONRoute)


@router.get(
    "/regions/{region_id}/role-assignments",
    operation_id="list_region_role_assignments",
    response_model=Page[RegionRoleAssignment],
    responses=responses(401, 403, 404, 422),
)
async def list_region_roles(
    conn: Conn, actor: SystemAdmin, region_id: UUID, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Who holds `regional_admin` in the region

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 unknown region.
    """
    return await organisation.list_region_roles(conn, region_id, limit, cursor)


@router.post(
    "/regions/{region_id}/role-assignments",
    operation_id="grant_region_role",
    status_code=201,
    response_model=RegionRoleAssignment,
    responses=responses(401, 403, 404, 409, 422),
)
async def grant_region_role(
    conn: Conn, svc: Svc, actor: SystemAdmin, region_id: UUID, body: RegionRoleAssignmentIn
) -> dict[str, Any]:
    """Make a staff member regional admin

    - **Changes:** adds the region role assignment.
    - **Audit:** none (no patient data).
    - **Errors:** 404 unknown region or HSA-id; 409 already held.
    """
    return await organisation.grant_region_role(conn, svc, region_id, body.hsa_id, body.role)


@router.delete(
    "/regions/{region_id}/role-assignments/{id}",
    operation_id="revoke_region_role",
    status_code=204,
    responses=responses(401, 403, 404),
)
async def revoke_region_role(conn: Conn, actor: SystemAdmin, region_id: UUID, id: UUID) -> Response:
    """Take the regional admin role away

    - **Changes:** removes the region role assignment.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not an assignment of this region.
    """
    await organisation.revoke_region_role(conn, region_id, id)
    return Response(status_code=204)
