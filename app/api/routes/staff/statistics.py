"""Unit statistics for local admins and case receivers, as JSON or (Accept: text/csv) CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.statistics import Statistics
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.domain.statistics import __doc__ as DEFINITIONS
from app.services import statistics

router = APIRouter(prefix="/units/{unit_id}/statistics", tags=["statistics"], route_class=StrictJSONRoute)

Reader = Annotated[StaffActor, Depends(requires(P.STATISTICS_READ))]

_CSV = {
    "content": {"text/csv": {"schema": {"type": "string"}}},
    "description": "with `Accept: text/csv`: the same figures, one row per group (total, category, "
    "case_type, week) under a header row; UTF-8 with a BOM, `;` separated, decimal comma "
    "(as Swedish Excel reads it), CRLF; `Content-Disposition` names the unit and the period",
}


@router.get(
    "",
    operation_id="get_unit_statistics",
    response_model=Statistics,
    response_model_by_alias=True,
    responses={**responses(401, 403, 404, 422), 200: _CSV},
    summary="Cases received, closed and answered within the two-working-day promise, for a period",
    description=(DEFINITIONS or "").split("\n\n", 1)[-1],
)
async def unit_statistics(
    conn: Conn,
    unit_id: UUID,
    actor: Reader,
    from_: Annotated[
        date | None, Query(alias="from", description="first day, inclusive (default: 29 days before `to`)")
    ] = None,
    to: Annotated[date | None, Query(description="last day, inclusive (default: today, Stockholm)")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    """
    if accept and "text/csv" in accept.lower():
        disposition, body = await statistics.unit_statistics_csv(conn, unit_id, from_, to)
        return Response(
            body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
        )
    result: dict[str, Any] = await statistics.unit_statistics(conn, unit_id, from_, to)
    return result
