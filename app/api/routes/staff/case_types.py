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
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import case_type_io, case_type_templates, case_types

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)

ReadTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_READ))]
WriteTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_WRITE))]
UNIT = "/units/{unit_id}/case-types"


@router.get(
    UNIT,
    operation_id="list_case_types",
    response_model=Page[CaseType],
    responses=responses(401, 403, 404, 422),
)
async def list_case_types(
    conn: Conn,
    unit_id: UUID,
    actor: ReadTypes,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    status: Annotated[str | None, Query(pattern="^(draft|active|inactive)$")] = None,
) -> dict[str, Any]:
    """The unit's case types, all statuses

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 unit out of reach.
    """
    return await case_types.list_case_types(conn, unit_id, limit, cursor, status)


@router.post(
    UNIT,
    operation_id="create_case_type",
    status_code=201,
    response_model=CaseType,
    responses=responses(401, 403, 404, 422),
)
async def create_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeIn, response: Response
) -> dict[str, Any]:
    """Create a case type (a `draft`)

    - **Changes:** adds the case type; citizens see it once activated.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a local admin; 422 invalid questions (duplicate keys, options on a text
      question).
    """
    return tagged(response, await case_types.create_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/import",
    operation_id="import_case_type",
    status_code=201,
    response_model=CaseType,
    responses=responses(401, 403, 404, 422),
)
async def import_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeDocument, response: Response
) -> dict[str, Any]:
    """Import a case type from an export document

    - **Changes:** adds a draft case type.
    - **Audit:** none (no patient data).
    """
    return tagged(response, await case_type_io.import_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/from-template",
    operation_id="copy_region_template",
    status_code=201,
    response_model=CaseType,
    responses=responses(401, 403, 404, 422),
)
async def copy_template(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: FromTemplateIn, response: Response
) -> dict[str, Any]:
    """Copy a regional template as a draft case type

    - **Changes:** adds a draft case type.
    - **Audit:** none (no patient data).
    """
    return tagged(response, await case_type_templates.copy_to_unit(conn, unit_id, body.template_id))


@router.get(
    f"{UNIT}/{{id}}",
    operation_id="get_case_type",
    response_model=CaseType,
    responses=responses(401, 403, 404),
)
async def get_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: ReadTypes, response: Response
) -> dict[str, Any]:
    """One case type with its questions and answer templates

    Tagged with its `ETag`.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a case type of this unit.
    """
    return tagged(response, await case_types.get_case_type(conn, unit_id, id))


@router.patch(
    f"{UNIT}/{{id}}",
    operation_id="update_case_type",
    response_model=CaseType,
    responses=responses(401, 403, 404, 412, 422),
)
async def update_case_type(
    conn: Conn,
    unit_id: UUID,
    id: UUID,
    actor: WriteTypes,
    body: CaseTypePatch,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change a case type

    - **Changes:** the fields sent (the version moves). `If-Match` optional: stale → 412.
    - **Audit:** none (no patient data).
    """
    changes = body.model_dump(exclude_unset=True)
    return tagged(response, await case_types.update_case_type(conn, unit_id, id, changes, if_match))


@router.delete(
    f"{UNIT}/{{id}}",
    operation_id="delete_case_type",
    status_code=204,
    responses=responses(401, 403, 404, 409, 412),
)
async def delete_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, if_match: IfMatch = None
) -> Response:
    """Delete a case type that was never used

    - **Changes:** removes the case type. `If-Match` optional: stale → 412.
    - **Audit:** none (no patient data).
    """
    await case_types.delete_case_type(conn, unit_id, id, if_match)
    return Response(status_code=204)


@router.post(
    f"{UNIT}/{{id}}/activate",
    operation_id="activate_case_type",
    response_model=CaseType,
    responses=responses(401, 403, 404, 412, 422),
)
async def activate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    """Offer a case type to citizens

    - **Changes:** the status becomes `active`: citizens in the service area can send it.
    - **Audit:** none (no patient data).
    """
    return tagged(response, await case_types.activate(conn, unit_id, id, if_match))


@router.post(
    f"{UNIT}/{{id}}/deactivate",
    operation_id="deactivate_case_type",
    response_model=CaseType,
    responses=responses(401, 403, 404, 409, 412),
)
async def deactivate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    """Stop offering a case type

    Cases already sent are unaffected. `If-Match` optional (stale → 412).

    - **Changes:** the status becomes `inactive`.
    - **Audit:** none (no patient data).
    - **Errors:** 409 not active.
    """
    return tagged(response, await case_types.deactivate(conn, unit_id, id, if_match))


@router.get(
    f"{UNIT}/{{id}}/export",
    operation_id="export_case_type",
    response_model=CaseTypeDocument,
    responses=responses(401, 403, 404, 409),
)
async def export_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response
) -> dict[str, Any]:
    """A case type as a self-contained document (`careinbox.case-type/1`)

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 409 a central case type (not exportable).
    """
    response.headers["Content-Disposition"] = f'attachment; filename="case-type-{id}.json"'
    return await case_type_io.export_case_type(conn, unit_id, id)
