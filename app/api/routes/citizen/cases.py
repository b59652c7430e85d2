"""Cases, citizen side: own cases and messages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from app.api.deps import CitizenUser, Conn
from app.api.etag import IfMatch, etag
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
from app.services import cases_citizen as svc

router = APIRouter(prefix="/citizen", tags=["citizen cases"])


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
    status_code=201,
    response_model=CitizenCaseDetail,
    responses=responses(401, 404, 422),
)
async def create_case(
    conn: Conn, actor: CitizenUser, body: CitizenCaseIn, idem: Idempotent, request: Request
) -> Response:
    async def work() -> Reply:
        case = await svc.create_case(
            conn,
            actor,
            unit_id=body.unit_id,
            case_type_id=body.case_type_id,
            answers=body.answers,
            message=body.message,
            attachment_ids=body.attachment_ids,
        )
        location = _case_location(request, case["id"])
        return 201, case, {"ETag": etag(case["version"]), "Location": location}

    return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, CitizenCaseDetail)


@router.get("/cases", response_model=Page[CitizenCaseSummary], responses=responses(401, 422))
async def list_cases(
    conn: Conn, actor: CitizenUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    return await svc.list_cases(conn, actor, limit, cursor)


@router.get("/cases/{case_id}", response_model=CitizenCaseDetail, responses=responses(401, 404))
async def get_citizen_case(
    conn: Conn, actor: CitizenUser, case_id: UUID, response: Response
) -> dict[str, Any]:
    case = await svc.get_case(conn, actor, case_id)
    response.headers["ETag"] = etag(case["version"])
    return case


@router.post(
    "/cases/{case_id}/messages",
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
