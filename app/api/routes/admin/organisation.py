"""National administration (system_admin): regions, units and the HSA directory stand-in."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from app.api.deps import Conn, Svc, SystemAdmin
from app.api.problems import responses
from app.api.schemas.admin import AdminUnit, AdminUnitIn, DirectoryStaffIn, Region, RegionIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.identity.ports import DirectoryPerson
from app.services import organisation

router = APIRouter(tags=["national administration"], route_class=StrictJSONRoute)


@router.post(
    "/admin/regions",
    operation_id="create_region",
    status_code=201,
    response_model=Region,
    responses=responses(401, 403, 409, 422),
)
async def create_region(conn: Conn, actor: SystemAdmin, body: RegionIn) -> dict[str, Any]:
    """Create a region

    - **Changes:** adds the region.
    - **Audit:** none (no patient data).
    - **Errors:** 409 the HSA-id or county code is taken.
    """
    return await organisation.create_region(conn, body.name, body.county_code, body.hsa_id)


@router.get(
    "/admin/regions",
    operation_id="list_regions",
    response_model=Page[Region],
    responses=responses(401, 403, 422),
)
async def list_regions(
    conn: Conn, actor: SystemAdmin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """All regions

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a system admin.
    """
    return await organisation.list_regions(conn, limit, cursor)


@router.post(
    "/admin/units",
    operation_id="create_unit",
    status_code=201,
    response_model=AdminUnit,
    responses=responses(401, 403, 409, 422),
)
async def create_unit(conn: Conn, actor: SystemAdmin, body: AdminUnitIn) -> dict[str, Any]:
    """Create a unit in a region

    - **Changes:** adds the unit; a system admin then grants its first local admin.
    - **Audit:** none (no patient data).
    - **Errors:** 409 the HSA-id is taken; 422 unknown region.
    """
    return await organisation.create_unit(conn, body.hsa_id, body.name, body.region_id)


@router.get(
    "/admin/units",
    operation_id="list_units",
    response_model=Page[AdminUnit],
    responses=responses(401, 403, 422),
)
async def list_units(
    conn: Conn,
    actor: SystemAdmin,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    region_id: Annotated[UUID | None, Query()] = None,
) -> dict[str, Any]:
    """All units

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a system admin.
    """
    return await organisation.list_units(conn, limit, cursor, region_id)


@router.post(
    "/admin/directory/staff",
    operation_id="add_directory_staff",
    status_code=204,
    responses=responses(401, 403, 404, 422),
)
async def add_directory_staff(conn: Conn, svc: Svc, actor: SystemAdmin, body: DirectoryStaffIn) -> Response:
    """Add a person to the stub HSA directory

    Only with the stub directory (404 with a real one): the person can then be given roles.

    - **Changes:** the stub directory.
    - **Audit:** none (no patient data).
    - **Errors:** 404 a real directory is configured.
    """
    await organisation.add_directory_person(conn, svc, DirectoryPerson(**body.model_dump()))
    return Response(status_code=204)
