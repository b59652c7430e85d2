"""Central case types at a unit: those the national administration offers, and their activation
as the unit's own case type (with the unit's terms text)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, requires
from app.api.etag import tagged
from app.api.problems import responses
from app.api.schemas.case_types import ActivateCentralIn, CaseType, UnitCentralCaseType
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import central_case_types

router = APIRouter(tags=["case types"])

WriteTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_WRITE))]
_CENTRAL_ERRORS = responses(401, 403, 404, 409, 422)


@router.get(
    "/units/{unit_id}/central-case-types",
    response_model=Page[UnitCentralCaseType],
    responses=responses(401, 403, 404, 422),
)
async def list_unit_central(
    conn: Conn, unit_id: UUID, actor: WriteTypes, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await central_case_types.list_for_unit(conn, unit_id, limit, cursor)


@router.post(
    "/units/{unit_id}/central-case-types/{id}/activate",
    status_code=201,
    response_model=CaseType,
    responses={200: {"description": "an inactive activation was activated again"}, **_CENTRAL_ERRORS},
)
async def activate_central(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, body: ActivateCentralIn, response: Response
) -> dict[str, Any]:
    """201 with the unit's new active case type; 200 when an inactive one is activated again;
    409 when it is already active (change its terms text with PATCH)."""
    row, created = await central_case_types.activate_for_unit(conn, unit_id, id, body.terms_text)
    response.status_code = 201 if created else 200
    return tagged(response, row)
