"""Case types, categories, regional templates, central case types, export and import.

Case-type lists are keyset pages ordered by name; a unit has few, so one page usually holds all.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from app.api.case_type_schemas import (
    ActivateCentralIn,
    CaseTypeDocument,
    CaseTypeIn,
    CaseTypeOut,
    CaseTypePatch,
    CategoryOut,
    CentralIn,
    CentralOut,
    FromTemplateIn,
    TemplateOut,
    UnitCentralOut,
)
from app.api.deps import AnyStaff, Conn, Public, SystemAdmin, requires
from app.api.etag import IfMatch, etag
from app.api.problems import responses
from app.api.schemas import Cursor, Limit, Page
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.categories import all_categories
from app.domain.policy import Permission as P
from app.services import case_type_io, case_type_templates, case_types, central_case_types

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)

ReadTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_READ))]
WriteTypes = Annotated[StaffActor, Depends(requires(P.CASE_TYPE_WRITE))]
UNIT = "/units/{unit_id}/case-types"
REGION = "/regions/{region_id}/case-type-templates"
_CENTRAL_ERRORS = responses(401, 403, 404, 409, 422)


def _tagged(response: Response, body: dict[str, Any]) -> dict[str, Any]:
    response.headers["ETag"] = etag(body["version"])
    return body


@router.get("/case-type-categories", response_model=Page[CategoryOut], dependencies=[Public])
async def list_categories() -> dict[str, Any]:
    """The fixed list; codes are stable (statistics use them), labels are Swedish."""
    return {"items": all_categories(), "next_cursor": None}


@router.get(UNIT, response_model=Page[CaseTypeOut], responses=responses(401, 403, 404, 422))
async def list_case_types(
    conn: Conn,
    unit_id: UUID,
    actor: ReadTypes,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[str | None, Query(pattern="^(draft|active|inactive)$")] = None,
) -> dict[str, Any]:
    return await case_types.list_case_types(conn, unit_id, limit, cursor, status)


@router.post(UNIT, status_code=201, response_model=CaseTypeOut, responses=responses(401, 403, 404, 422))
async def create_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeIn, response: Response
) -> dict[str, Any]:
    return _tagged(response, await case_types.create_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/import", status_code=201, response_model=CaseTypeOut, responses=responses(401, 403, 404, 422)
)
async def import_case_type(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: CaseTypeDocument, response: Response
) -> dict[str, Any]:
    """An export document (any unit's) becomes a new local draft here."""
    return _tagged(response, await case_type_io.import_case_type(conn, unit_id, body.model_dump()))


@router.post(
    f"{UNIT}/from-template",
    status_code=201,
    response_model=CaseTypeOut,
    responses=responses(401, 403, 404, 422),
)
async def copy_template(
    conn: Conn, unit_id: UUID, actor: WriteTypes, body: FromTemplateIn, response: Response
) -> dict[str, Any]:
    """A draft copy of a template of the unit's region."""
    return _tagged(response, await case_type_templates.copy_to_unit(conn, unit_id, body.template_id))


@router.get(f"{UNIT}/{{id}}", response_model=CaseTypeOut, responses=responses(401, 403, 404))
async def get_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: ReadTypes, response: Response
) -> dict[str, Any]:
    return _tagged(response, await case_types.get_case_type(conn, unit_id, id))


@router.patch(f"{UNIT}/{{id}}", response_model=CaseTypeOut, responses=responses(401, 403, 404, 412, 422))
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
    return _tagged(response, await case_types.update_case_type(conn, unit_id, id, changes, if_match))


@router.delete(f"{UNIT}/{{id}}", status_code=204, responses=responses(401, 403, 404, 409, 412))
async def delete_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, if_match: IfMatch = None
) -> Response:
    """Only while no case uses it (409 otherwise): deactivate a used one instead."""
    await case_types.delete_case_type(conn, unit_id, id, if_match)
    return Response(status_code=204)


@router.post(
    f"{UNIT}/{{id}}/activate", response_model=CaseTypeOut, responses=responses(401, 403, 404, 412, 422)
)
async def activate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    """Needs name, category and terms text (422 lists the missing ones in `missing_fields`)."""
    return _tagged(response, await case_types.activate(conn, unit_id, id, if_match))


@router.post(
    f"{UNIT}/{{id}}/deactivate", response_model=CaseTypeOut, responses=responses(401, 403, 404, 409, 412)
)
async def deactivate_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    return _tagged(response, await case_types.deactivate(conn, unit_id, id, if_match))


@router.get(f"{UNIT}/{{id}}/export", response_model=CaseTypeDocument, responses=responses(401, 403, 404, 409))
async def export_case_type(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, response: Response
) -> dict[str, Any]:
    response.headers["Content-Disposition"] = f'attachment; filename="case-type-{id}.json"'
    return await case_type_io.export_case_type(conn, unit_id, id)


@router.get(
    "/units/{unit_id}/central-case-types",
    response_model=Page[UnitCentralOut],
    responses=responses(401, 403, 404, 422),
)
async def list_unit_central(
    conn: Conn, unit_id: UUID, actor: WriteTypes, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await central_case_types.list_for_unit(conn, unit_id, limit, cursor)


@router.post(
    "/units/{unit_id}/central-case-types/{id}/activate",
    status_code=201,
    response_model=CaseTypeOut,
    responses={200: {"description": "an inactive activation was activated again"}, **_CENTRAL_ERRORS},
)
async def activate_central(
    conn: Conn, unit_id: UUID, id: UUID, actor: WriteTypes, body: ActivateCentralIn, response: Response
) -> dict[str, Any]:
    """201 with the unit's new active case type; 200 when an inactive one is activated again;
    409 when it is already active (change its terms text with PATCH)."""
    row, created = await central_case_types.activate_for_unit(conn, unit_id, id, body.terms_text)
    response.status_code = 201 if created else 200
    return _tagged(response, row)


@router.post(
    "/admin/central-case-types",
    status_code=201,
    response_model=CentralOut,
    responses=responses(401, 403, 422),
)
async def create_central(conn: Conn, actor: SystemAdmin, body: CentralIn) -> dict[str, Any]:
    return await central_case_types.create_central(conn, body.kind, body.name, body.category.value, body.url)


@router.get("/admin/central-case-types", response_model=Page[CentralOut], responses=responses(401, 403, 422))
async def list_central(
    conn: Conn, actor: SystemAdmin, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await central_case_types.list_central(conn, limit, cursor)


# Regional templates: the guard is any staff member; the service decides by the region's scope
# (regional admins write; they and the local admins of the region's units read; 404 outside).
@router.get(REGION, response_model=Page[TemplateOut], responses=responses(401, 403, 404, 422))
async def list_templates(
    conn: Conn, region_id: UUID, actor: AnyStaff, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    return await case_type_templates.list_templates(conn, actor, region_id, limit, cursor)


@router.post(REGION, status_code=201, response_model=TemplateOut, responses=responses(401, 403, 404, 422))
async def create_template(conn: Conn, region_id: UUID, actor: AnyStaff, body: CaseTypeIn) -> dict[str, Any]:
    return await case_type_templates.create_template(conn, actor, region_id, body.model_dump())


@router.get(f"{REGION}/{{id}}", response_model=TemplateOut, responses=responses(401, 403, 404))
async def get_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> dict[str, Any]:
    return await case_type_templates.get_template(conn, actor, region_id, id)


@router.patch(f"{REGION}/{{id}}", response_model=TemplateOut, responses=responses(401, 403, 404, 412, 422))
async def update_template(
    conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff, body: CaseTypePatch, if_match: IfMatch = None
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return await case_type_templates.update_template(conn, actor, region_id, id, changes, if_match)


@router.delete(f"{REGION}/{{id}}", status_code=204, responses=responses(401, 403, 404))
async def delete_template(conn: Conn, region_id: UUID, id: UUID, actor: AnyStaff) -> Response:
    await case_type_templates.delete_template(conn, actor, region_id, id)
    return Response(status_code=204)
