"""A unit as its staff see it; role assignments and the staff picker."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, Svc, requires
from app.api.etag import IfNoneMatch, content_tagged
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.unit_admin import RoleAssignment, RoleAssignmentIn, Unit, UnitStaffMember
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import organisation
from app.services.units import unit_view

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"], route_class=StrictJSONRoute)

ReadUnit = Annotated[StaffActor, Depends(requires(P.UNIT_READ))]
ManageRoles = Annotated[
    StaffActor, Depends(requires(P.ROLES_MANAGE_ALL, P.ROLES_MANAGE_CASE_ROLES, system_ok=True))
]


@router.get("", operation_id="get_unit", response_model=Unit, responses=responses(401, 404))
async def get_unit(conn: Conn, unit_id: UUID, actor: ReadUnit, if_none_match: IfNoneMatch = None) -> Response:
    """The unit with its settings

    Tagged with an `ETag`; `If-None-Match` with it → 304 while nothing changed.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a unit where you hold a role.
    """
    return content_tagged(Unit, await unit_view(conn, unit_id), if_none_match)


@router.get(
    "/role-assignments",
    operation_id="list_role_assignments",
    response_model=Page[RoleAssignment],
    responses=responses(401, 403, 404, 422),
)
async def list_role_assignments(
    conn: Conn, unit_id: UUID, actor: ManageRoles, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Who holds which role at the unit

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 may not manage roles here.
    """
    return await organisation.list_unit_roles(conn, unit_id, limit, cursor)


@router.post(
    "/role-assignments",
    operation_id="grant_role",
    status_code=201,
    response_model=RoleAssignment,
    responses=responses(401, 403, 404, 409, 422),
)
async def grant_role(
    conn: Conn, svc: Svc, unit_id: UUID, actor: ManageRoles, body: RoleAssignmentIn
) -> dict[str, Any]:
    """Give a staff member a role at the unit

    A permission admin may give only `case_receiver` and `case_handler`; the staff member is looked
    up in the HSA directory by `hsa_id`.

    - **Changes:** adds the role assignment (and the staff member on first use).
    - **Audit:** none (no patient data).
    - **Errors:** 403 a role you may not grant; 404 unknown HSA-id; 409 already held.
    """
    return await organisation.grant_unit_role(conn, svc, actor, unit_id, body.hsa_id, body.role)


@router.delete(
    "/role-assignments/{id}",
    operation_id="revoke_role",
    status_code=204,
    responses=responses(401, 403, 404, 409),
)
async def revoke_role(conn: Conn, unit_id: UUID, id: UUID, actor: ManageRoles) -> Response:
    """Take a role away

    - **Changes:** removes the role assignment.
    - **Audit:** none (no patient data).
    - **Errors:** 403 a role you may not manage; 409 the unit's last local admin.
    """
    await organisation.revoke_unit_role(conn, actor, unit_id, id)
    return Response(status_code=204)


@router.get(
    "/staff",
    operation_id="list_unit_staff",
    response_model=Page[UnitStaffMember],
    responses=responses(401, 404, 422),
)
async def list_staff(
    conn: Conn, unit_id: UUID, actor: ReadUnit, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Staff with their roles at the unit (for assignment pickers)

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 unit out of reach.
    """
    return await organisation.unit_staff(conn, unit_id, limit, cursor)
