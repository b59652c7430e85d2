"""Citizen grants: one citizen approved to contact the unit, or to use one restricted case type."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.unit_admin import (
    CitizenGrant,
    CitizenGrantIn,
    CitizenGrantRevocation,
    CitizenGrantRevokeIn,
)
from app.api.strict_json import StrictJSONRoute
from app.api.types import PersonalNumber
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import citizen_grants

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"], route_class=StrictJSONRoute)

Grant = Annotated[StaffActor, Depends(requires(P.CITIZEN_GRANT))]
R = responses(401, 403, 404, 422)


@router.get(
    "/citizen-grants", operation_id="list_citizen_grants", response_model=Page[CitizenGrant], responses=R
)
async def list_grants(
    conn: Conn,
    unit_id: UUID,
    actor: Grant,
    personal_number: Annotated[PersonalNumber | None, Query(description="any written form")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Citizens granted access to the unit (or to a restricted case type)

    - **Changes:** nothing.
    - **Audit:** none; a grant names a citizen but holds no case content.
    - **Errors:** 403 neither receiver nor handler.
    """
    return await citizen_grants.list_grants(conn, actor, unit_id, personal_number, limit, cursor)


@router.post(
    "/citizen-grants",
    operation_id="create_citizen_grant",
    status_code=201,
    response_model=CitizenGrant,
    responses=R,
)
async def create_grant(conn: Conn, unit_id: UUID, actor: Grant, body: CitizenGrantIn) -> dict[str, Any]:
    """Let a citizen contact the unit

    `case_type_id: null` opens the unit at all; a restricted case type needs its own grant;
    `valid_until` ends it.

    - **Changes:** adds the grant.
    - **Audit:** `citizen_grant_changed`.
    - **Errors:** 404 a case type of another unit; 422 an invalid personal number or date.
    """
    return await citizen_grants.create_grant(
        conn, actor, unit_id, body.personal_number, body.case_type_id, body.valid_until
    )


@router.post(
    "/citizen-grants/revoke",
    operation_id="revoke_citizen_grants",
    response_model=CitizenGrantRevocation,
    responses=R,
    description="Revokes those of `ids` that belong to this unit; other ids are left untouched. "
    "200 with the revoked ids, possibly none.",
)
async def revoke_grants(
    conn: Conn, unit_id: UUID, actor: Grant, body: CitizenGrantRevokeIn
) -> dict[str, Any]:
    """Revoke several citizen grants at once

    - **Changes:** removes the grants.
    - **Audit:** `citizen_grant_changed`, one per grant.
    """
    return await citizen_grants.revoke_grants(conn, actor, unit_id, body.ids)


@router.delete("/citizen-grants/{id}", operation_id="delete_citizen_grant", status_code=204, responses=R)
async def delete_grant(conn: Conn, unit_id: UUID, id: UUID, actor: Grant) -> Response:
    """Revoke one citizen grant

    - **Changes:** removes the grant.
    - **Audit:** `citizen_grant_changed`.
    - **Errors:** 404 not a grant of this unit.
    """
    await citizen_grants.delete_grant(conn, actor, unit_id, id)
    return Response(status_code=204)
