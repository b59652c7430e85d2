"""A unit as its staff see it; role assignments and the staff picker."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.api.deps import Conn, Svc, requires
from app.api.problems import responses
from app.api.schemas import Cursor, Limit
from app.api.strict_json import StrictJSONRoute
from app.api.types import HsaId, StrictModel
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.domain.policy import Role
from app.services import organisation
from app.services.units import unit_view

router = APIRouter(prefix="/units/{unit_id}", tags=["units"], route_class=StrictJSONRoute)

ReadUnit = Annotated[StaffActor, Depends(requires(P.UNIT_READ))]
ManageRoles = Annotated[
    StaffActor, Depends(requires(P.ROLES_MANAGE_ALL, P.ROLES_MANAGE_CASE_ROLES, system_ok=True))
]


class ServiceArea(BaseModel):
    scope: str
    county_codes: list[str]


class UnitSettings(BaseModel):
    service_area: ServiceArea
    notification_emails: list[str]
    citizen_reminder_after_days: int | None
    provider_reminder_enabled: bool


class UnitOut(BaseModel):
    id: UUID
    hsa_id: str
    name: str
    region_id: UUID
    settings: UnitSettings
    searchable: bool


class RoleAssignmentIn(StrictModel):
    hsa_id: HsaId
    role: Role


class RoleAssignmentOut(BaseModel):
    id: UUID
    staff_id: UUID
    hsa_id: str
    role: str
    created_at: datetime


class UnitStaffOut(BaseModel):
    id: UUID
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    roles: list[str]


class RoleAssignmentPage(BaseModel):
    items: list[RoleAssignmentOut]
    next_cursor: str | None


class UnitStaffPage(BaseModel):
    items: list[UnitStaffOut]
    next_cursor: str | None


@router.get("", response_model=UnitOut, responses=responses(401, 404))
async def get_unit(conn: Conn, unit_id: UUID, actor: ReadUnit) -> dict[str, Any]:
    return await unit_view(conn, unit_id)


@router.get("/role-assignments", response_model=RoleAssignmentPage, responses=responses(401, 403, 404, 422))
async def list_role_assignments(
    conn: Conn, unit_id: UUID, actor: ManageRoles, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.list_unit_roles(conn, unit_id, limit, cursor)


@router.post(
    "/role-assignments",
    status_code=201,
    response_model=RoleAssignmentOut,
    responses=responses(401, 403, 404, 409, 422),
)
async def grant_role(
    conn: Conn, svc: Svc, unit_id: UUID, actor: ManageRoles, body: RoleAssignmentIn
) -> dict[str, Any]:
    return await organisation.grant_unit_role(conn, svc, actor, unit_id, body.hsa_id, body.role)


@router.delete("/role-assignments/{id}", status_code=204, responses=responses(401, 403, 404, 409))
async def revoke_role(conn: Conn, unit_id: UUID, id: UUID, actor: ManageRoles) -> Response:
    await organisation.revoke_unit_role(conn, actor, unit_id, id)
    return Response(status_code=204)


@router.get("/staff", response_model=UnitStaffPage, responses=responses(401, 404, 422))
async def list_staff(
    conn: Conn, unit_id: UUID, actor: ReadUnit, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.unit_staff(conn, unit_id, limit, cursor)
