"""The citizen's own PDL access-log extract (`/citizen/access-log`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import CitizenUser, Conn
from app.api.problems import responses
from app.api.schemas.audit import AccessLogEntry
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.services import audit_log

router = APIRouter(tags=["citizen"], route_class=StrictJSONRoute)


@router.get(
    "/citizen/access-log",
    operation_id="get_citizen_access_log",
    response_model=Page[AccessLogEntry],
    responses=responses(401, 422),
    summary="The citizen's own PDL log extract: when, which unit, what was done",
)
async def citizen_access_log(
    conn: Conn, actor: CitizenUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """- **Changes:** nothing.
    - **Audit:** none; this *is* the extract of the PDL log about you (staff named per the unit's policy).
    - **Errors:** 422 a bad cursor or limit.
    """
    return await audit_log.citizen_extract(conn, actor, limit, cursor)
