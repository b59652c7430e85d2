"""A unit's follow-up: open cases by status and assignee, the overdue ones."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit
from app.api.schemas.follow_up import FollowUp
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import follow_up

router = APIRouter(route_class=StrictJSONRoute)

FollowUpReader = Annotated[StaffActor, Depends(requires(P.CASE_FOLLOW_UP))]


@router.get(
    "/units/{unit_id}/follow-up",
    operation_id="get_follow_up",
    tags=["cases"],
    response_model=FollowUp,
    responses=responses(401, 403, 404, 422),
    summary="Open cases by status and assignee; the overdue ones, oldest deadline first",
)
async def unit_follow_up(
    conn: Conn, unit_id: UUID, actor: FollowUpReader, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Counts of open cases (`new`, `assigned` per assignee, `awaiting_citizen`, `overdue`) and the
    overdue cases with their citizens.

    - **Changes:** nothing.
    - **Audit:** `follow_up_read`, one event per page naming the citizens of its overdue cases.
    - **Errors:** 403 not a receiver.
    """
    return await follow_up.unit_follow_up(conn, actor, unit_id, limit, cursor)
