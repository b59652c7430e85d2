"""Attachments, citizen side: upload, and download on the citizen's own case."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from app.api.deps import CitizenUser, Conn, Svc
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
from app.services import attachments as svc

router = APIRouter(prefix="/citizen", tags=["citizen"], route_class=StrictJSONRoute)


@router.post(
    "/attachments",
    operation_id="upload_citizen_attachment",
    status_code=201,
    response_model=UploadedAttachment,
    summary="Upload a file to attach to a case or reply",
    description=UPLOAD_DESCRIPTION,
    openapi_extra=UPLOAD_BODY,
    responses=upload_responses(401),
)
async def citizen_upload(request: Request, conn: Conn, actor: CitizenUser, services: Svc) -> dict[str, Any]:
    """- **Changes:** stores the file, unused until a case or reply refers to it (expires otherwise).
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    """
    upload = await read_file(request)
    owner = svc.citizen_owner(actor)
    idle = services.settings.attachment_upload_idle_seconds
    return await svc.upload(
        conn, services.attachment_store, owner, upload.filename, upload.chunks, idle_seconds=idle
    )


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    operation_id="download_citizen_attachment",
    response_class=Response,
    summary="Download an attachment of your case",
    description=DOWNLOAD_DESCRIPTION,
    responses=download_responses(401),
)
async def citizen_download(
    case_id: UUID,
    attachment_id: UUID,
    conn: Conn,
    actor: CitizenUser,
    services: Svc,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """- **Changes:** nothing.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    """
    found = await svc.citizen_download(conn, actor, case_id, attachment_id)
    return file_response(found, services.attachment_store, if_none_match)
