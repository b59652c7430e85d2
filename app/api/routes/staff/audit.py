"""The unit's PDL audit log for reviewers; Accept: text/csv exports it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.audit import AuditEvent
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.api.types import HsaId, PersonalNumber
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction, AuditOutcome
from app.domain.policy import Permission as P
from app.services import audit_log

router = APIRouter(route_class=StrictJSONRoute)

Reviewer = Annotated[StaffActor, Depends(requires(P.AUDIT_READ))]

_CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the events as CSV"}


@router.get(
    "/units/{unit_id}/audit-events",
    operation_id="list_audit_events",
    tags=["audit"],
    response_model=Page[AuditEvent],
    responses={**responses(401, 403, 404, 422), 200: _CSV},
    summary="The unit's PDL log, newest first; Accept: text/csv exports the filtered events",
)
async def list_audit_events(
    conn: Conn,
    unit_id: UUID,
    actor: Reviewer,
    personal_number: Annotated[PersonalNumber | None, Query()] = None,
    staff_hsa_id: Annotated[HsaId | None, Query()] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    outcome: Annotated[AuditOutcome | None, Query(description="e.g. `denied`: refused accesses")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40, description="date or timestamp")] = None,
    to: Annotated[str | None, Query(max_length=40, description="date or timestamp, inclusive")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """Filters: `personal_number` (also found in list events naming several citizens),
    `staff_hsa_id`, `action`, `outcome` (`denied`: refused accesses), `from`, `to`.

    - **Changes:** nothing.
    - **Audit:** a CSV export is itself logged (`audit_log_exported`).
    - **Errors:** 403 not a reviewer; 422 a bad filter.
    """
    f = audit_log.build_filter(personal_number, staff_hsa_id, action, from_, to, outcome)
    if accept and "text/csv" in accept.lower():
        filename, body = await audit_log.export_csv(conn, actor, unit_id, f)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return await audit_log.unit_events(conn, unit_id, f, limit, cursor)
