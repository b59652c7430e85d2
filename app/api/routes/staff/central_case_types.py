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
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import central_case_types

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)

WriteTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_WRITE))]
_CENTRAL_ERRORS = responses(401, 403, 404, 409, 422)


@router.get(
    "/units/{unit_id}/central-case-types",
    operation_id="list_unit_central_case_types",
    response_model=Page[UnitCentralCaseType],
    responses=responses(401, 403, 404, 422),
)
async def list_unit_central(
    conn: Conn, unit_id: UUID, actor: WriteTypes, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Central case types, each with this unit's `case_type_id` (null until activated)

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a local admin.
    """
    return await central_case_types.list_for_unit(conn, unit_id, limit, cursor)


@router.post(
    "/units/{unit_id}/central-case-types/{id}/activate",
    operation_id="activate_central_case_type",
    status_code=201,
    response_model=CaseType,
    responses={200: {"description": "an inactive activation was activated again"}, **_CENTRAL_ERRORS},
)
async def activate_central(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, body: ActivateCentralIn, response: Response
) -> dict[str, Any]:
    """Offer a central case type at the unit

    - **Changes:** creates or reactivates the unit's case type for it.
    - **Audit:** none (no patient data).
    """
    row, created = await central_case_types.activate_for_unit(conn, unit_id, id, body.terms_text)
    response.status_code = 201 if created else 200
    return tagged(response, row)
