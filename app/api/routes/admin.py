"""National administration (system_admin) and region role assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.deps import Conn, Svc, SystemAdmin
from app.api.problems import responses
from app.api.schemas import Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.api.types import CountyCode, Email, Flag, HsaId, NonEmptyLine, Phone, StrictModel
from app.identity.ports import DirectoryPerson
from app.services import organisation

router = APIRouter(tags=["national administration"], route_class=StrictJSONRoute)


class RegionIn(StrictModel):
    name: NonEmptyLine
    county_code: CountyCode
    hsa_id: HsaId


class RegionOut(BaseModel):
    id: UUID
    name: str
    county_code: str
    hsa_id: str
    created_at: datetime


class UnitIn(StrictModel):
    hsa_id: HsaId
    name: NonEmptyLine
    region_id: UUID


class UnitOut(BaseModel):
    id: UUID
    hsa_id: str
    name: str
    region_id: UUID
    created_at: datetime


class DirectoryStaffIn(StrictModel):
    hsa_id: HsaId
    given_name: NonEmptyLine
    family_name: NonEmptyLine
    title: NonEmptyLine
    email: Email | None = None
    phone: Phone | None = None
    protected_identity: Flag = False


class RegionRoleIn(StrictModel):
    hsa_id: HsaId
    role: Literal["regional_admin"]


class RegionRoleOut(BaseModel):
    id: UUID
    staff_id: UUID
    hsa_id: str
    role: str
    created_at: datetime


@router.post(
    "/admin/regions", status_code=201, response_model=RegionOut, responses=responses(401, 403, 409, 422)
)
async def create_region(conn: Conn, actor: SystemAdmin, body: RegionIn) -> dict[str, Any]:
    return await organisation.create_region(conn, body.name, body.county_code, body.hsa_id)


@router.get("/admin/regions", response_model=Page[RegionOut], responses=responses(401, 403, 422))
async def list_regions(
    conn: Conn, actor: SystemAdmin, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.list_regions(conn, limit, cursor)


@router.post("/admin/units", status_code=201, response_model=UnitOut, responses=responses(401, 403, 409, 422))
async def create_unit(conn: Conn, actor: SystemAdmin, body: UnitIn) -> dict[str, Any]:
    return await organisation.create_unit(conn, body.hsa_id, body.name, body.region_id)


@router.get("/admin/units", response_model=Page[UnitOut], responses=responses(401, 403, 422))
async def list_units(
    conn: Conn,
    actor: SystemAdmin,
    limit: Limit = 50,
    cursor: Cursor = None,
    region_id: Annotated[UUID | None, Query()] = None,
) -> dict[str, Any]:
    return await organisation.list_units(conn, limit, cursor, region_id)


@router.post("/admin/directory/staff", status_code=204, responses=responses(401, 403, 404, 422))
async def add_directory_staff(conn: Conn, svc: Svc, actor: SystemAdmin, body: DirectoryStaffIn) -> Response:
    await organisation.add_directory_person(conn, svc, DirectoryPerson(**body.model_dump()))
    return Response(status_code=204)


@router.get(
    "/regions/{region_id}/role-assignments",
    response_model=Page[RegionRoleOut],
    responses=responses(401, 403, 404, 422),
)
async def list_region_roles(
    conn: Conn, actor: SystemAdmin, region_id: UUID, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.list_region_roles(conn, region_id, limit, cursor)


@router.post(
    "/regions/{region_id}/role-assignments",
    status_code=201,
    response_model=RegionRoleOut,
    responses=responses(401, 403, 404, 409, 422),
)
async def grant_region_role(
    conn: Conn, svc: Svc, actor: SystemAdmin, region_id: UUID, body: RegionRoleIn
) -> dict[str, Any]:
    return await organisation.grant_region_role(conn, svc, region_id, body.hsa_id, body.role)


@router.delete(
    "/regions/{region_id}/role-assignments/{id}", status_code=204, responses=responses(401, 403, 404)
)
async def revoke_region_role(conn: Conn, actor: SystemAdmin, region_id: UUID, id: UUID) -> Response:
    await organisation.revoke_region_role(conn, region_id, id)
    return Response(status_code=204)
