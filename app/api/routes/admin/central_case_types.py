"""Central case types, nationally (system_admin): web booking and jump-out links units can offer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import Conn, SystemAdmin
from app.api.problems import responses
from app.api.schemas.case_types import CentralCaseType, CentralCaseTypeIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.services import central_case_types

router = APIRouter(tags=["case types"])


@router.post(
    "/admin/central-case-types",
    status_code=201,
    response_model=CentralCaseType,
    responses=responses(401, 403, 422),
)
async def create_central(conn: Conn, actor: SystemAdmin, body: CentralCaseTypeIn) -> dict[str, Any]:
    return await central_case_types.create_central(conn, body.kind, body.name, body.category.value, body.url)


@router.get(
    "/admin/central-case-types", response_model=Page[CentralCaseType], responses=responses(401, 403, 422)
)
async def list_central(
    conn: Conn, actor: SystemAdmin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await central_case_types.list_central(conn, limit, cursor)
