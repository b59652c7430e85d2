"""Attachments: upload (citizen; receiver or handler at a unit) and download on a case."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.api.attachment_schemas import (
    DOWNLOAD_DESCRIPTION,
    UPLOAD_BODY,
    UPLOAD_DESCRIPTION,
    UploadedAttachment,
    download_responses,
    upload_responses,
)
from app.api.deps import CitizenUser, Conn, Svc, requires
from app.api.multipart_upload import read_file
from app.domain.actors import StaffActor
from app.domain.attachments import ascii_filename
from app.domain.policy import Permission as P
from app.services import attachments as svc
from app.storage.ports import AttachmentStore

router = APIRouter(tags=["attachments"])

Uploader = Annotated[StaffActor, Depends(requires(P.ATTACHMENT_UPLOAD))]
CaseReader = Annotated[StaffActor, Depends(requires(P.CASE_READ_ALL, P.CASE_READ_ASSIGNED))]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]


@router.post(
    "/citizen/attachments",
    status_code=201,
    response_model=UploadedAttachment,
    summary="Upload a file to attach to a case or reply",
    description=UPLOAD_DESCRIPTION,
    openapi_extra=UPLOAD_BODY,
    responses=upload_responses(401),
)
async def citizen_upload(request: Request, conn: Conn, actor: CitizenUser, services: Svc) -> dict[str, Any]:
    upload = await read_file(request)
    owner = svc.citizen_owner(actor)
    return await svc.upload(conn, services.attachment_store, owner, upload.filename, upload.chunks)


@router.post(
    "/units/{unit_id}/attachments",
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
    upload = await read_file(request)
    owner = svc.staff_owner(actor, unit_id)
    return await svc.upload(conn, services.attachment_store, owner, upload.filename, upload.chunks)


@router.get(
    "/units/{unit_id}/cases/{case_id}/attachments/{attachment_id}",
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
    found = await svc.staff_download(conn, actor, unit_id, case_id, attachment_id)
    return _file(found, services.attachment_store, if_none_match)


@router.get(
    "/citizen/cases/{case_id}/attachments/{attachment_id}",
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
    found = await svc.citizen_download(conn, actor, case_id, attachment_id)
    return _file(found, services.attachment_store, if_none_match)


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients, the exact UTF-8 name in RFC 5987's
    `filename*` (percent-encoded, so no quote, separator or control character reaches the
    header whatever the name holds)."""
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


class _ClosingStream(StreamingResponse):
    """Closes the body iterator however the response ends (a client that goes away included),
    so a store's open read (an S3 response body) is released at once, not at garbage
    collection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()


def _file(found: svc.Download, store: AttachmentStore, if_none_match: str | None) -> Response:
    tag = f'"{found.sha256}"'
    headers = {
        "ETag": tag,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition(found.filename),
    }
    if if_none_match is not None and tag in {t.strip().removeprefix("W/") for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(found.size)
    return _ClosingStream(store.open(found.storage_key), media_type=found.content_type, headers=headers)
