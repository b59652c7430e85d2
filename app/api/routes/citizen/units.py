"""Citizen side: the units this citizen may contact, and the case types each offers them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from app.api.deps import CitizenUser, Conn
from app.api.problems import responses
from app.api.schemas.citizen import CitizenCaseType, CitizenUnit
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.services import cases_citizen as svc

router = APIRouter(prefix="/citizen", tags=["citizen"], route_class=StrictJSONRoute)


@router.get(
    "/units",
    operation_id="list_contactable_units",
    response_model=Page[CitizenUnit],
    responses=responses(401, 422),
)
async def contactable_units(
    conn: Conn,
    actor: CitizenUser,
    q: Annotated[str | None, Query(max_length=200, description="part of the unit's name")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Units you may contact

    Those whose service area covers you, and those that granted you access; `q` searches by name.

    - **Changes:** nothing.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 422 a bad query.
    """
    return await svc.contactable_units(conn, actor, q, limit, cursor)


@router.get(
    "/units/{unit_id}/case-types",
    operation_id="list_open_case_types",
    response_model=Page[CitizenCaseType],
    responses=responses(401, 404, 422),
)
async def open_case_types(
    conn: Conn, actor: CitizenUser, unit_id: UUID, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The case types you may send to a unit

    Active ones; a restricted one only with a valid grant. Each with its questions and terms.

    - **Changes:** nothing.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 404 the unit is not one you may contact.
    """
    return await svc.open_case_types(conn, actor, unit_id, limit, cursor)
