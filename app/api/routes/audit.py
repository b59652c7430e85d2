"""PDL audit log for reviewers, the citizen's access log, and follow-up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel

from app.api.deps import CitizenUser, Conn, requires
from app.api.problems import responses
from app.api.schemas import DEFAULT_PAGE, Cursor, Limit
from app.api.strict_json import StrictJSONRoute
from app.api.types import HsaId, PersonalNumber
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.policy import Permission as P
from app.services import audit_log, follow_up

router = APIRouter(route_class=StrictJSONRoute)

Reviewer = Annotated[StaffActor, Depends(requires(P.AUDIT_READ))]
FollowUp = Annotated[StaffActor, Depends(requires(P.CASE_FOLLOW_UP))]


class AuditEventOut(BaseModel):
    id: int
    occurred_at: datetime
    staff_hsa_id: str
    staff_id: UUID | None
    staff_name: str | None
    unit_hsa_id: str
    personal_number: str | None
    action: str
    case_id: UUID | None
    case_reference: str | None
    outcome: str
    detail: dict[str, Any]


class AuditEventPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None


_CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the events as CSV"}


@router.get(
    "/units/{unit_id}/audit-events",
    tags=["audit"],
    response_model=AuditEventPage,
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
    from_: Annotated[str | None, Query(alias="from", max_length=40, description="date or timestamp")] = None,
    to: Annotated[str | None, Query(max_length=40, description="date or timestamp, inclusive")] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    f = audit_log.build_filter(personal_number, staff_hsa_id, action, from_, to)
    if accept and "text/csv" in accept.lower():
        filename, body = await audit_log.export_csv(conn, actor, unit_id, f)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return await audit_log.unit_events(conn, unit_id, f, limit, cursor)


class AccessLogUnit(BaseModel):
    id: UUID
    name: str


class AccessLogStaff(BaseModel):
    title: str
    name: str | None


class AccessLogEntry(BaseModel):
    id: int
    occurred_at: datetime
    unit: AccessLogUnit
    action: str
    description: str
    staff: AccessLogStaff | None


class AccessLogPage(BaseModel):
    items: list[AccessLogEntry]
    next_cursor: str | None


@router.get(
    "/citizen/access-log",
    tags=["citizen"],
    response_model=AccessLogPage,
    responses=responses(401, 422),
    summary="The citizen's own PDL log extract: when, which unit, what was done",
)
async def citizen_access_log(
    conn: Conn, actor: CitizenUser, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None
) -> dict[str, Any]:
    return await audit_log.citizen_extract(conn, actor, limit, cursor)


class Assignee(BaseModel):
    type: Literal["staff", "group"]
    id: UUID
    name: str


class AssigneeCount(BaseModel):
    assignee: Assignee
    count: int


class OverdueCase(BaseModel):
    id: UUID
    reference: str
    status: str
    subject: str
    due_at: datetime
    assignee: Assignee | None


class FollowUpOut(BaseModel):
    new: int
    assigned: list[AssigneeCount]
    assigned_total: int
    awaiting_citizen: int
    overdue: int
    overdue_cases: list[OverdueCase]
    next_cursor: str | None
    as_of: datetime


@router.get(
    "/units/{unit_id}/follow-up",
    tags=["cases"],
    response_model=FollowUpOut,
    responses=responses(401, 403, 404, 422),
    summary="Open cases by status and assignee; the overdue ones, oldest deadline first",
)
async def unit_follow_up(
    conn: Conn, unit_id: UUID, actor: FollowUp, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None
) -> dict[str, Any]:
    return await follow_up.unit_follow_up(conn, unit_id, limit, cursor)
