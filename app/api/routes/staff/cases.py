"""Cases, staff side: inbox, case view, transitions, messages, notes.

Routes parse, guard and make one service call. Lists and the case view are serialised once
with orjson (the response models document them); changes answer with the new ETag.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Response
from pydantic import AfterValidator, AwareDatetime

from app.api.deps import Conn, requires
from app.api.etag import IfMatch, IfNoneMatch, etag, none_match, not_modified
from app.api.idempotency import Idempotent, Reply
from app.api.problems import responses
from app.api.schemas.cases import (
    AssignmentIn,
    CaseDetail,
    CaseSummary,
    CloseIn,
    Message,
    MessageIn,
    Note,
    NoteIn,
)
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.api.types import PersonalNumber
from app.db.repos.case_reads import CaseFilters
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.case import Assignee, CaseStatus, MessageKind
from app.domain.errors import ValidationFailed
from app.domain.policy import Permission as P
from app.services import case_queries, cases_staff

router = APIRouter(prefix="/units/{unit_id}/cases", tags=["cases"], route_class=StrictJSONRoute)

CaseReader = Annotated[StaffActor, Depends(requires(P.CASE_READ_ALL, P.CASE_READ_ASSIGNED))]
# The guards of routes on one case: a member of the unit whose role may not act on cases (403)
# is PDL-logged as a denied access to that case (app/api/deps.py `requires`).
_READ = (P.CASE_READ_ALL, P.CASE_READ_ASSIGNED)
CaseViewer = Annotated[StaffActor, Depends(requires(*_READ, case_access=AuditAction.CASE_READ))]
NoteWriter = Annotated[StaffActor, Depends(requires(*_READ, case_access=AuditAction.NOTE_ADDED))]
Assigner = Annotated[
    StaffActor,
    Depends(requires(P.CASE_DISTRIBUTE, P.CASE_HANDLE, case_access=AuditAction.CASE_DISTRIBUTED)),
]
Claimer = Annotated[StaffActor, Depends(requires(P.CASE_CLAIM, case_access=AuditAction.CASE_CLAIMED))]
Sender = Annotated[StaffActor, Depends(requires(P.CASE_HANDLE, case_access=AuditAction.MESSAGE_SENT))]
Closer = Annotated[StaffActor, Depends(requires(P.CASE_HANDLE, case_access=AuditAction.CASE_CLOSED))]

_JSON_OPTS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _json(content: Any, status_code: int = 200, version: int | None = None) -> Response:
    headers = {"ETag": etag(version)} if version is not None else None
    # asyncpg's UUID subclasses uuid.UUID, which orjson only knows by exact type: `str` it.
    body = orjson.dumps(content, default=str, option=_JSON_OPTS)
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # year 1 at +14:00 has no UTC instant; the driver would fail
        raise ValueError("the time is out of range") from exc


UtcTime = Annotated[AwareDatetime, AfterValidator(_utc)]
Category = Annotated[str, Query(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]


def _assignee_filter(value: str | None) -> tuple[bool, UUID | None, UUID | None]:
    """`me`, a staff id, or `group:<id>` → (me, staff id, group id)."""
    if value is None:
        return False, None, None
    try:
        if value == "me":
            return True, None, None
        if value.startswith("group:"):
            return False, None, UUID(value.removeprefix("group:"))
        return False, UUID(value), None
    except ValueError as exc:
        raise ValidationFailed(
            "assignee is `me`, a staff id or `group:<id>`",
            errors=[{"loc": ["query", "assignee"], "msg": "invalid assignee", "type": "value_error"}],
        ) from exc


@router.get(
    "",
    operation_id="list_unit_cases",
    response_model=Page[CaseSummary],
    summary="The unit's cases (receivers: all; handlers: theirs, their groups', taken part in)",
    responses=responses(401, 403, 404, 422),
)
async def list_cases(
    unit_id: UUID,
    conn: Conn,
    actor: CaseReader,
    status: CaseStatus | None = None,
    assignee: Annotated[
        str | None, Query(max_length=80, description="`me`, a staff id or `group:<id>`")
    ] = None,
    case_type_id: UUID | None = None,
    category: Category | None = None,
    personal_number: Annotated[
        PersonalNumber | None,
        Query(description="any written form; all that citizen's cases at the unit (audited)"),
    ] = None,
    overdue: Annotated[
        bool, Query(description="true: only open cases past their due_at; false: no filter")
    ] = False,
    updated_before: UtcTime | None = None,
    updated_after: UtcTime | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Filters by status, assignee (`me`, a staff id, `group:<id>`), case type, category, overdue and
    update time; summaries only, no message bodies. A `personal_number` search returns all that
    citizen's cases at the unit.

    - **Changes:** nothing.
    - **Audit:** one event per page naming the citizens it shows (`case_list_read`); a
      `personal_number` search is logged as `case_list_search` even when it finds nothing.
    - **Errors:** 404 unit out of reach; 403 no case role; 422 a bad filter or cursor.
    """
    me, staff_id, group_id = _assignee_filter(assignee)
    filters = CaseFilters(
        status=status.value if status else None,
        assignee_staff_id=staff_id,
        assignee_group_id=group_id,
        case_type_id=case_type_id,
        category=category,
        personal_number=personal_number,
        overdue=overdue,
        updated_before=updated_before,
        updated_after=updated_after,
    )
    page = await case_queries.list_cases(
        conn, actor, unit_id, filters, assignee_me=me, limit=limit, cursor=cursor
    )
    return _json(page)


@router.get(
    "/{case_id}",
    operation_id="get_unit_case",
    response_model=CaseDetail,
    summary="The full case: answers, messages, internal notes and events (audited)",
    responses=responses(401, 403, 404),
)
async def get_case(
    unit_id: UUID, case_id: UUID, conn: Conn, actor: CaseViewer, if_none_match: IfNoneMatch = None
) -> Response:
    """Answers, messages with authors and attachments, internal notes and events. Tagged with the
    case's `ETag` (`"<version>"`); `If-None-Match` with it → 304 (the read is still logged).

    - **Changes:** nothing.
    - **Audit:** `case_read`, every time.
    - **Errors:** 404 the case is out of your reach (a handler's own, group and taken-part cases);
      403 a role without case content. Both are logged as `case_read` with outcome `denied`.
    """
    case = await case_queries.case_detail(conn, actor, unit_id, case_id)  # audited, 304 or not
    if none_match(if_none_match, etag(case["version"])):
        return not_modified(etag(case["version"]))
    return _json(case, version=case["version"])


async def _summary_reply(conn: Conn, unit_id: UUID, case_id: UUID, version: int) -> Response:
    return _json(await case_queries.case_summary(conn, unit_id, case_id), version=version)


_CHANGE = responses(401, 403, 404, 409, 412, 422)


@router.post(
    "/{case_id}/assignment",
    operation_id="assign_case",
    response_model=CaseSummary,
    summary="Distribute (receiver, optionally with a partial reply) or reassign (assigned handler)",
    responses=_CHANGE,
)
async def assign(
    unit_id: UUID, case_id: UUID, body: AssignmentIn, conn: Conn, actor: Assigner, if_match: IfMatch
) -> Response:
    """`{"assignee": {"type": "staff"|"group", "id"}}` distributes, `null` puts the case back in the
    inbox; a receiver may add a `partial_reply` to the citizen. `If-Match` optional (stale → 412).

    - **Changes:** the case's assignee and status; notifies the new assignee.
    - **Audit:** `case_distributed` (receiver) or `case_reassigned` (assigned handler).
    - **Errors:** 403 neither a receiver nor the assignee; 409 a closed case; 422 an assignee who is not a
      handler or group of the unit.
    """
    assignee = Assignee(body.assignee.type, body.assignee.id) if body.assignee else None
    partial = body.partial_reply.body if body.partial_reply else None
    version = await cases_staff.assign(conn, actor, unit_id, case_id, assignee, partial, if_match)
    return await _summary_reply(conn, unit_id, case_id, version)


@router.post(
    "/{case_id}/claim",
    operation_id="claim_case",
    response_model=CaseSummary,
    summary="Claim a case assigned to one of your groups",
    responses=_CHANGE,
)
async def claim(unit_id: UUID, case_id: UUID, conn: Conn, actor: Claimer, if_match: IfMatch) -> Response:
    """`If-Match` optional (stale → 412).

    - **Changes:** you become the assignee.
    - **Audit:** `case_claimed`.
    - **Errors:** 403 not a member of the assigned group; 409 not assigned to a group, or closed.
    """
    version = await cases_staff.claim(conn, actor, unit_id, case_id, if_match)
    return await _summary_reply(conn, unit_id, case_id, version)


@router.post(
    "/{case_id}/messages",
    operation_id="send_case_message",
    status_code=201,
    response_model=Message,
    summary="Answer, partial reply or counter-question to the citizen (accepts Idempotency-Key)",
    responses=_CHANGE,
)
async def send_message(
    unit_id: UUID,
    case_id: UUID,
    body: MessageIn,
    conn: Conn,
    actor: Sender,
    if_match: IfMatch,
    idem: Idempotent,
) -> Response:
    """`kind` decides the life cycle: `answer` closes the case as answered, `counter_question` waits for
    the citizen, `partial_reply` keeps it open. `If-Match` optional; `Idempotency-Key` makes a repeat
    safe.

    - **Changes:** adds the message (and attachments), moves the case's status; notifies the citizen
      (without content).
    - **Audit:** `message_sent`.
    - **Errors:** 403 not the assignee; 409 closed or a transition not allowed now; 412 stale `If-Match`;
      422 invalid body or key reused.
    """

    async def work() -> Reply:
        message, version = await cases_staff.send_message(
            conn,
            actor,
            unit_id,
            case_id,
            kind=MessageKind(body.kind),
            body=body.body,
            attachment_ids=body.attachment_ids,
            answer_template_id=body.answer_template_id,
            if_match=if_match,
        )
        return 201, _message_out(message), {"ETag": etag(version)}

    return await idem.run(conn, f"staff:{actor.staff_id}", body, work, Message)


def _message_out(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": m["id"],
        "kind": m["kind"],
        "body": m["body"],
        "author": {
            "type": m["author_type"],
            "staff_id": m["author_staff_id"],
            "display_name": m["author_staff_name"] or m["author_display_name"],
            "citizen_facing_name": m["author_display_name"],
        },
        "created_at": m["created_at"],
        "read_at": m["read_at"],
        "attachments": m.get("attachments", []),
    }


@router.post(
    "/{case_id}/close",
    operation_id="close_case",
    response_model=CaseSummary,
    summary="Close without answer (assignee)",
    responses=_CHANGE,
)
async def close(
    unit_id: UUID, case_id: UUID, body: CloseIn, conn: Conn, actor: Closer, if_match: IfMatch
) -> Response:
    """`{"reason": "closed_without_answer", "note"?}`. `If-Match` optional (stale → 412).

    - **Changes:** closes the case.
    - **Audit:** `case_closed`.
    - **Errors:** 403 not the assignee; 409 already closed.
    """
    version = await cases_staff.close(conn, actor, unit_id, case_id, body.note, if_match)
    return await _summary_reply(conn, unit_id, case_id, version)


@router.post(
    "/{case_id}/notes",
    operation_id="add_case_note",
    status_code=201,
    response_model=Note,
    summary="An internal note (anyone who reaches the case); never shown to the citizen",
    responses=_CHANGE,
)
async def add_note(
    unit_id: UUID, case_id: UUID, body: NoteIn, conn: Conn, actor: NoteWriter, if_match: IfMatch
) -> Response:
    """- **Changes:** adds the note (the case's version moves).
    - **Audit:** `note_added`.
    - **Errors:** 404 case out of reach; 409 closed case; 412 stale `If-Match`.
    """
    note, version = await cases_staff.add_note(conn, actor, unit_id, case_id, body.body, if_match)
    out = {
        "id": note["id"],
        "body": note["body"],
        "author": {"staff_id": actor.staff_id, "name": note["author_name"]},
        "created_at": note["created_at"],
    }
    return _json(out, status_code=201, version=version)
