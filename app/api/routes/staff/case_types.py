"""A unit's case types: drafts, activation, export and import, copies of regional templates.

Case-type lists are keyset pages ordered by name; a unit has few, so one page usually holds all.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import Conn, requires
from app.api.etag import IfMatch, tagged
from app.api.problems import responses
from app.api.schemas.case_types import CaseType, CaseTypeDocument, CaseTypeIn, CaseTypePatch, FromTemplateIn
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import case_type_io, case_type_templates, case_types

router = APIRouter(tags=["case types"])

ReadTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_READ))]
WriteTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_WRITE))]
UNIT = "/units/{unit_id}/case-types"


@router.get(UNIT, response_model=Page[CaseType], responses=responses(401, 403, 404, 422))
async def list_case_types(
    conn: Conn,
    unit_id: UUID,
    actor: ReadTypes,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    status: Annotated[str | None, Query(pattern="^(draft|active|inactive)$")] = None,
) -> dict[str, Any]:
    return await case_types.list_case_types(conn, unit_id, limit, cursor, status)


@router.post(UNIT, status_code=201, response_model=CaseType, responses=responses(401, 403, 404, 422))
async def create_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeIn, response: Response
) -> dict[str, Any]:
    return tagged(response, await case_types.create_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/import", status_code=201, response_model=CaseType, responses=responses(401, 403, 404, 422)
)
async def import_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeDocument, response: Response
) -> dict[str, Any]:
    """An export document (any unit's) becomes a new local draft here."""
    return tagged(response, await case_type_io.import_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/from-template",
    status_code=201,
    response_model=CaseType,
    responses=responses(401, 403, 404, 422),
)
async def copy_template(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: FromTemplateIn, response: Response
) -> dict[str, Any]:
    """A draft copy of a template of the unit's region."""
    return tagged(response, await case_type_templates.copy_to_unit(conn, unit_id, body.template_id))


@router.get(f"{UNIT}/{{id}}", response_model=CaseType, responses=responses(401, 403, 404))
async def get_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: ReadTypes, response: Response
) -> dict[str, Any]:
    return tagged(response, await case_types.get_case_type(conn, unit_id, id))


@router.patch(f"{UNIT}/{{id}}", response_model=CaseType, responses=responses(401, 403, 404, 412, 422))
async def update_case_type(
    conn: Conn,
    unit_id: UUID,
    id: UUID,
    actor: WriteTypes,
    body: CaseTypePatch,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Cases already sent keep the form they were answered with."""
    changes = body.model_dump(exclude_unset=True)
    return tagged(response, await case_types.update_case_type(conn, unit_id, id, changes, if_match))


@router.delete(f"{UNIT}/{{id}}", status_code=204, responses=responses(401, 403, 404, 409, 412))
async def delete_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, if_match: IfMatch = None
) -> Response:
    """Only while no case uses it (409 otherwise): deactivate a used one instead."""
    await case_types.delete_case_type(conn, unit_id, id, if_match)
    return Response(status_code=204)


@router.post(
    f"{UNIT}/{{id}}/activate", response_model=CaseType, responses=responses(401, 403, 404, 412, 422)
)
async def activate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    """Needs name, category and terms text (422 lists the missing ones in `missing_fields`)."""
    return tagged(response, await case_types.activate(conn, unit_id, id, if_match))


@router.post(
    f"{UNIT}/{{id}}/deactivate", response_model=CaseType, responses=responses(401, 403, 404, 409, 412)
)
async def deactivate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    return tagged(response, await case_types.deactivate(conn, unit_id, id, if_match))


@router.get(f"{UNIT}/{{id}}/export", response_model=CaseTypeDocument, responses=responses(401, 403, 404, 409))
async def export_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response
) -> dict[str, Any]:
    response.headers["Content-Disposition"] = f'attachment; filename="case-type-{id}.json"'
    return await case_type_io.export_case_type(conn, unit_id, id)
