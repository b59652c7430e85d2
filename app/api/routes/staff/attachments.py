"""Attachments, staff side: upload at a unit (receivers and handlers), download on a case the
staff member reaches (PDL-audited)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import Conn, Svc, requires
from app.api.file_download import IfNoneMatch, file_response
from app.api.multipart_upload import read_file
from app.api.schemas.attachments import (
    DOWNLOAD_DESCRIPTION,
    UPLOAD_BODY,
    UPLOAD_DESCRIPTION,
    UploadedAttachment,
    download_responses,
    upload_responses,
)
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.policy import Permission as P
from app.services import attachments as svc

router = APIRouter(prefix="/units/{unit_id}", tags=["cases"], route_class=StrictJSONRoute)

Uploader = Annotated[StaffActor, Depends(requires(P.ATTACHMENT_UPLOAD))]
# A member of the unit whose role may not read cases (403) is PDL-logged as a denied access.
CaseReader = Annotated[
    StaffActor,
    Depends(requires(P.CASE_READ_ALL, P.CASE_READ_ASSIGNED, case_access=AuditAction.ATTACHMENT_READ)),
]


@router.post(
    "/attachments",
    operation_id="upload_staff_attachment",
    status_code=201,
    response_model=UploadedAttachment,
    summary="Upload a file to attach to a message (receivers and handlers)",
    description=UPLOAD_DESCRIPTION,
    openapi_extra=UPLOAD_BODY,
    responses=upload_responses(401, 403, 404),
)
async def staff_upload(
    unit_id: UUID, request: Request, conn: Conn, actor: Uploader, services: Svc
) -> dict[str, Any]:
    """- **Changes:** stores the file, unused until a message refers to it.
    - **Audit:** `attachment_uploaded`.
    """
    upload = await read_file(request)
    owner = svc.staff_owner(actor, unit_id)
    idle = services.settings.attachment_upload_idle_seconds
    return await svc.upload(
        conn, services.attachment_store, owner, upload.filename, upload.chunks, idle_seconds=idle
    )


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    operation_id="download_staff_attachment",
    response_class=Response,
    summary="Download an attachment of a case (audited)",
    description=DOWNLOAD_DESCRIPTION,
    responses=download_responses(401, 403),
)
async def staff_download(
    unit_id: UUID,
    case_id: UUID,
    attachment_id: UUID,
    conn: Conn,
    actor: CaseReader,
    services: Svc,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """- **Changes:** nothing.
    - **Audit:** `attachment_read`.
    """
    found = await svc.staff_download(conn, actor, unit_id, case_id, attachment_id)
    return file_response(found, services.attachment_store, if_none_match)
