"""A unit's groups of case handlers, to which cases can be distributed."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.unit_admin import Group, GroupIn, GroupPatch
from app.api.strict_json import StrictJSONRoute
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import groups

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"], route_class=StrictJSONRoute)

GroupRead = Annotated[StaffActor, Depends(requires(P.GROUP_READ))]
GroupWrite = Annotated[StaffActor, Depends(requires(P.GROUP_WRITE))]


@router.get(
    "/groups", operation_id="list_groups", response_model=Page[Group], responses=responses(401, 403, 404, 422)
)
async def list_groups(
    conn: Conn, unit_id: UUID, actor: GroupRead, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The unit's groups of handlers

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 unit out of reach.
    """
    return await groups.list_groups(conn, unit_id, limit, cursor)


@router.post(
    "/groups",
    operation_id="create_group",
    status_code=201,
    response_model=Group,
    responses=responses(401, 403, 404, 409, 422),
)
async def create_group(conn: Conn, unit_id: UUID, actor: GroupWrite, body: GroupIn) -> dict[str, Any]:
    """Create a group of handlers

    - **Changes:** adds the group; members must hold `case_handler`.
    - **Audit:** none (no patient data).
    - **Errors:** 409 the name is taken; 422 a member who is not a handler.
    """
    return await groups.create_group(conn, unit_id, body.name, body.member_ids)


@router.get(
    "/groups/{id}", operation_id="get_group", response_model=Group, responses=responses(401, 403, 404, 422)
)
async def get_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupRead) -> dict[str, Any]:
    """One group with its members

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a group of this unit.
    """
    return await groups.get_group(conn, unit_id, id)


@router.patch(
    "/groups/{id}",
    operation_id="update_group",
    response_model=Group,
    responses=responses(401, 403, 404, 409, 422),
)
async def update_group(
    conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite, body: GroupPatch
) -> dict[str, Any]:
    """Rename a group or change its members

    - **Changes:** the group's name and members.
    - **Audit:** none (no patient data).
    - **Errors:** 409 the name is taken; 422 a member who is not a handler.
    """
    return await groups.update_group(conn, unit_id, id, sent_fields(body))


@router.delete(
    "/groups/{id}",
    operation_id="delete_group",
    status_code=204,
    responses=responses(401, 403, 404, 409, 422),
    description="Refused with 409 while an open case is assigned to the group.",
)
async def delete_group(conn: Conn, unit_id: UUID, id: UUID, actor: GroupWrite) -> Response:
    """Delete a group

    - **Changes:** removes the group.
    - **Audit:** none (no patient data).
    """
    await groups.delete_group(conn, unit_id, id)
    return Response(status_code=204)
