"""Central case types, nationally (system_admin): web booking and jump-out links units can offer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import Conn, SystemAdmin
from app.api.problems import responses
from app.api.schemas.case_types import CentralCaseType, CentralCaseTypeIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.services import central_case_types

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)


@router.post(
    "/admin/central-case-types",
    operation_id="create_central_case_type",
    status_code=201,
    response_model=CentralCaseType,
    responses=responses(401, 403, 422),
)
async def create_central(conn: Conn, actor: SystemAdmin, body: CentralCaseTypeIn) -> dict[str, Any]:
    """Create a central case type every unit can activate

    - **Changes:** adds the central case type.
    - **Audit:** none (no patient data).
    - **Errors:** 422 an invalid URL or category.
    """
    return await central_case_types.create_central(conn, body.kind, body.name, body.category.value, body.url)


@router.get(
    "/admin/central-case-types",
    operation_id="list_central_case_types",
    response_model=Page[CentralCaseType],
    responses=responses(401, 403, 422),
)
async def list_central(
    conn: Conn, actor: SystemAdmin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The national central case types (web booking, jump-out links)

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a system admin.
    """
    return await central_case_types.list_central(conn, limit, cursor)
