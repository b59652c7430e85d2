"""A unit's groups of case handlers, to which cases can be distributed."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.unit_admin import Group, GroupIn, GroupPatch
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import groups

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"])

GroupRead = Annotated[StaffActor, Depends(requires(P.GROUP_READ))]
GroupWrite = Annotated[StaffActor, Depends(requires(P.GROUP_WRITE))]


@router.get("/groups", response_model=Page[Group], responses=responses(401, 403, 404, 422))
async def list_groups(
    conn: Conn, unit_id: UUID, actor: GroupRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await groups.list_groups(conn, unit_id, limit, cursor)


@router.post(
    "/groups", status_code=201, response_model=Group, responses=responses(401, 403, 404, 409, 422)
)
async def create_group(conn: Conn, unit_id: UUID, actor: GroupWrite, body: GroupIn) -> dict[str, Any]:
    return await groups.create_group(conn, unit_id, body.name, body.member_ids)


@router.get("/groups/{id}", response_model=Group, responses=responses(401, 403, 404, 422))
async def get_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupRead) -> dict[str, Any]:
    return await groups.get_group(conn, unit_id, id)


@router.patch("/groups/{id}", response_model=Group, responses=responses(401, 403, 404, 409, 422))
async def update_group(
    conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite, body: GroupPatch
) -> dict[str, Any]:
    return await groups.update_group(conn, unit_id, id, sent_fields(body))


@router.delete(
    "/groups/{id}",
    status_code=204,
    responses=responses(401, 403, 404, 409, 422),
    description="Refused with 409 while an open case is assigned to the group.",
)
async def delete_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite) -> Response:
    await groups.delete_group(conn, unit_id, id)
    return Response(status_code=204)
