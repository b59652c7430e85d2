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
from app.api.types import PersonalNumber
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import citizen_grants

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"])

Grant = Annotated[StaffActor, Depends(requires(P.CITIZEN_GRANT))]
R = responses(401, 403, 404, 422)


@router.get("/citizen-grants", response_model=Page[CitizenGrant], responses=R)
async def list_grants(
    conn: Conn,
    unit_id: UUID,
    actor: Grant,
    personal_number: Annotated[PersonalNumber | None, Query(description="any written form")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await citizen_grants.list_grants(conn, actor, unit_id, personal_number, limit, cursor)


@router.post("/citizen-grants", status_code=201, response_model=CitizenGrant, responses=R)
async def create_grant(conn: Conn, unit_id: UUID, actor: Grant, body: CitizenGrantIn) -> dict[str, Any]:
    return await citizen_grants.create_grant(
        conn, actor, unit_id, body.personal_number, body.case_type_id, body.valid_until
    )


@router.post(
    "/citizen-grants/revoke",
    response_model=CitizenGrantRevocation,
    responses=R,
    description="Revokes those of `ids` that belong to this unit; other ids are left untouched. "
    "200 with the revoked ids, possibly none.",
)
async def revoke_grants(
    conn: Conn, unit_id: UUID, actor: Grant, body: CitizenGrantRevokeIn
) -> dict[str, Any]:
    return await citizen_grants.revoke_grants(conn, actor, unit_id, body.ids)


@router.delete("/citizen-grants/{id}", status_code=204, responses=R)
async def delete_grant(conn: Conn, unit_id: UUID, id: UUID, actor: Grant) -> Response:
    await citizen_grants.delete_grant(conn, actor, unit_id, id)
    return Response(status_code=204)
