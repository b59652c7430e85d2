"""A unit as its staff see it; role assignments and the staff picker."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, Svc, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.unit_admin import RoleAssignment, RoleAssignmentIn, Unit, UnitStaffMember
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import organisation
from app.services.units import unit_view

router = APIRouter(prefix="/units/{unit_id}", tags=["units"])

ReadUnit = Annotated[StaffActor, Depends(requires(P.UNIT_READ))]
ManageRoles = Annotated[
    StaffActor, Depends(requires(P.ROLES_MANAGE_ALL, P.ROLES_MANAGE_CASE_ROLES, system_ok=True))
]


@router.get("", response_model=Unit, responses=responses(401, 404))
async def get_unit(conn: Conn, unit_id: UUID, actor: ReadUnit) -> dict[str, Any]:
    return await unit_view(conn, unit_id)


@router.get("/role-assignments", response_model=Page[RoleAssignment], responses=responses(401, 403, 404, 422))
async def list_role_assignments(
    conn: Conn, unit_id: UUID, actor: ManageRoles, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.list_unit_roles(conn, unit_id, limit, cursor)


@router.post(
    "/role-assignments",
    status_code=201,
    response_model=RoleAssignment,
    responses=responses(401, 403, 404, 409, 422),
)
async def grant_role(
    conn: Conn, svc: Svc, unit_id: UUID, actor: ManageRoles, body: RoleAssignmentIn
) -> dict[str, Any]:
    return await organisation.grant_unit_role(conn, svc, actor, unit_id, body.hsa_id, body.role)


@router.delete("/role-assignments/{id}", status_code=204, responses=responses(401, 403, 404))
async def revoke_role(conn: Conn, unit_id: UUID, id: UUID, actor: ManageRoles) -> Response:
    await organisation.revoke_unit_role(conn, actor, unit_id, id)
    return Response(status_code=204)


@router.get("/staff", response_model=Page[UnitStaffMember], responses=responses(401, 404, 422))
async def list_staff(
    conn: Conn, unit_id: UUID, actor: ReadUnit, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.unit_staff(conn, unit_id, limit, cursor)
