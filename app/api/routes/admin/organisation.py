"""National administration (system_admin): regions, units and the HSA directory stand-in."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from app.api.deps import Conn, Svc, SystemAdmin
from app.api.problems import responses
from app.api.schemas.admin import AdminUnit, AdminUnitIn, DirectoryStaffIn, Region, RegionIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.identity.ports import DirectoryPerson
from app.services import organisation

router = APIRouter(tags=["national administration"])


@router.post(
    "/admin/regions", status_code=201, response_model=Region, responses=responses(401, 403, 409, 422)
)
async def create_region(conn: Conn, actor: SystemAdmin, body: RegionIn) -> dict[str, Any]:
    return await organisation.create_region(conn, body.name, body.county_code, body.hsa_id)


@router.get("/admin/regions", response_model=Page[Region], responses=responses(401, 403, 422))
async def list_regions(
    conn: Conn, actor: SystemAdmin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await organisation.list_regions(conn, limit, cursor)


@router.post(
    "/admin/units", status_code=201, response_model=AdminUnit, responses=responses(401, 403, 409, 422)
)
async def create_unit(conn: Conn, actor: SystemAdmin, body: AdminUnitIn) -> dict[str, Any]:
    return await organisation.create_unit(conn, body.hsa_id, body.name, body.region_id)


@router.get("/admin/units", response_model=Page[AdminUnit], responses=responses(401, 403, 422))
async def list_units(
    conn: Conn,
    actor: SystemAdmin,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    region_id: Annotated[UUID | None, Query()] = None,
) -> dict[str, Any]:
    return await organisation.list_units(conn, limit, cursor, region_id)


@router.post("/admin/directory/staff", status_code=204, responses=responses(401, 403, 404, 422))
async def add_directory_staff(conn: Conn, svc: Svc, actor: SystemAdmin, body: DirectoryStaffIn) -> Response:
    await organisation.add_directory_person(conn, svc, DirectoryPerson(**body.model_dump()))
    return Response(status_code=204)
