"""Citizen side: the units this citizen may contact, and the case types each offers them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from app.api.deps import CitizenUser, Conn
from app.api.problems import responses
from app.api.schemas.citizen import CitizenCaseType, CitizenUnit
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.services import cases_citizen as svc

router = APIRouter(prefix="/citizen", tags=["citizen cases"])


@router.get("/units", response_model=Page[CitizenUnit], responses=responses(401, 422))
async def contactable_units(
    conn: Conn,
    actor: CitizenUser,
    q: Annotated[str | None, Query(max_length=200, description="part of the unit's name")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await svc.contactable_units(conn, actor, q, limit, cursor)


@router.get(
    "/units/{unit_id}/case-types", response_model=Page[CitizenCaseType], responses=responses(401, 404, 422)
)
async def open_case_types(
    conn: Conn, actor: CitizenUser, unit_id: UUID, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await svc.open_case_types(conn, actor, unit_id, limit, cursor)
