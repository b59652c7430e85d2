"""Cases, citizen side: own cases and messages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from app.api.deps import CitizenUser, Conn, services_of
from app.api.etag import IfMatch, IfNoneMatch, etag, none_match, not_modified
from app.api.idempotency import Idempotent, Reply
from app.api.problems import responses
from app.api.schemas.citizen import (
    CitizenCaseDetail,
    CitizenCaseIn,
    CitizenCaseSummary,
    CitizenMessage,
    CitizenReplyIn,
)
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.services import cases_citizen as svc

router = APIRouter(prefix="/citizen", tags=["citizen"], route_class=StrictJSONRoute)


_LOCATION_SLOT = "00000000-0000-0000-0000-000000000000"
_locations: dict[tuple[str, str], str] = {}


def _case_location(request: Request, case_id: UUID) -> str:
    """`url_for("get_citizen_case")`'s path. url_for walks the app's routes on every call (a
    tenth of case creation's CPU), so its result is kept per root path with the id slotted in."""
    root = (str(request.scope.get("app_root_path", "")), str(request.scope.get("root_path", "")))
    template = _locations.get(root)
    if template is None:
        template = _locations[root] = request.url_for("get_citizen_case", case_id=_LOCATION_SLOT).path
    return template.replace(_LOCATION_SLOT, str(case_id))


@router.post(
    "/cases",
    operation_id="create_citizen_case",
    status_code=201,
    response_model=CitizenCaseDetail,
    responses=responses(401, 404, 422, 429),
)
async def create_case(
    conn: Conn, actor: CitizenUser, body: CitizenCaseIn, idem: Idempotent, request: Request
) -> Response:
    """Send a case to a unit

    Answers to the case type's questions, an optional message, attachments uploaded before, and
    `terms_accepted: true`. Answers 201 with the case (`status: "new"`, `due_at`), its `ETag` and its
    `Location`. `Idempotency-Key` makes a repeat safe: the same key and body return the first answer
    (`Idempotent-Replayed: true`).

    - **Changes:** creates the case, its first message and its events; notifies the unit.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 404 the unit or case type is not open to you; 422 missing answers, terms not accepted or
      a key reused with another body; 429 too many cases this hour.
    """

    async def work() -> Reply:
        case = await svc.create_case(
            conn,
            actor,
            limits=services_of(request).limits,
            unit_id=body.unit_id,
            case_type_id=body.case_type_id,
            answers=body.answers,
            message=body.message,
            attachment_ids=body.attachment_ids,
        )
        location = _case_location(request, case["id"])
        return 201, case, {"ETag": etag(case["version"]), "Location": location}

    return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, CitizenCaseDetail)


@router.get(
    "/cases",
    operation_id="list_citizen_cases",
    response_model=Page[CitizenCaseSummary],
    responses=responses(401, 422),
)
async def list_cases(
    conn: Conn, actor: CitizenUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Your cases, most recently changed first

    Summaries with the unit, case type, status and how many staff messages you have not read.

    - **Changes:** nothing.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 422 a bad cursor or limit.
    """
    return await svc.list_cases(conn, actor, limit, cursor)


@router.get(
    "/cases/{case_id}",
    operation_id="get_citizen_case",
    response_model=CitizenCaseDetail,
    responses=responses(401, 404),
)
async def get_citizen_case(
    conn: Conn, actor: CitizenUser, case_id: UUID, response: Response, if_none_match: IfNoneMatch = None
) -> Any:
    """One of your cases with its messages

    Staff appear as their name setting allows. Tagged with the case's `ETag`; `If-None-Match` with it
    → 304 while the case's version is unchanged.

    - **Changes:** marks the staff messages as read (the case's version stays).
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 404 not your case.
    """
    case = await svc.get_case(conn, actor, case_id)  # marks staff messages read, 304 or not
    if none_match(if_none_match, etag(case["version"])):
        return not_modified(etag(case["version"]))
    response.headers["ETag"] = etag(case["version"])
    return case


@router.post(
    "/cases/{case_id}/messages",
    operation_id="reply_to_citizen_case",
    status_code=201,
    response_model=CitizenMessage,
    responses=responses(401, 404, 409, 412, 422),
)
async def reply(
    conn: Conn,
    actor: CitizenUser,
    case_id: UUID,
    body: CitizenReplyIn,
    idem: Idempotent,
    if_match: IfMatch = None,
) -> Response:
    """Reply to a counter-question

    Only while the case is `awaiting_citizen`. `If-Match` (optional) guards against a case that moved
    on; `Idempotency-Key` makes a repeat safe.

    - **Changes:** adds your message (and answers), the case goes back to the handler.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 404 not your case; 409 the case is not awaiting you; 412 stale `If-Match`; 422 invalid
      body.
    """

    async def work() -> Reply:
        message, version = await svc.reply(
            conn,
            actor,
            case_id,
            body=body.body,
            answers=body.answers,
            attachment_ids=body.attachment_ids,
            expected_versions=if_match,
        )
        return 201, message, {"ETag": etag(version)}

    return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, CitizenMessage)
