"""Transport of a stored file to the client: the headers every download carries (both
audiences), a conditional 304, and a streamed body that is closed however the response ends."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Header, Response
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.domain.attachments import ascii_filename
from app.services.attachments import Download
from app.storage.ports import AttachmentStore

IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]


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


def file_response(found: Download, store: AttachmentStore, if_none_match: str | None) -> Response:
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
