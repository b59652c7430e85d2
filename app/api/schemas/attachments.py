"""Attachments: the upload's response, and the OpenAPI description of the multipart upload body
and the binary download, which FastAPI cannot derive from a streamed route by itself (both
audiences upload and download alike, so one description serves both route files)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.problems import PROBLEM_SCHEMA, responses
from app.domain.attachments import GIF, JPEG, MAX_BYTES, MAX_UNATTACHED, PDF, PNG

ACCEPTED_TYPES = (PDF, PNG, JPEG, GIF)


class UploadedAttachment(BaseModel):
    id: UUID
    filename: str = Field(description="the sent name, cleaned: no path, control characters or quotes")
    content_type: str = Field(description="judged by the content: " + ", ".join(ACCEPTED_TYPES))
    size: int = Field(description="bytes stored (a JPEG's without its metadata)")
    sha256: str = Field(description="hex SHA-256 of the bytes stored; the download's ETag")


UPLOAD_DESCRIPTION = (
    f"One file as `multipart/form-data` with a part named `file`. Accepted: PDF, PNG, JPEG and GIF, "
    f"judged by the content's first bytes (never the name or the declared type); anything else is a "
    f"415 naming the detected type. At most {MAX_BYTES} bytes (20 MiB); a larger file (or a declared "
    f"`Content-Length` over the limit) is a 413, cut off while streaming, and nothing is stored. An empty "
    f"file is a 422. JPEG photos lose their Exif/XMP/IPTC metadata (GPS position, device serial) before "
    f"they are stored, losslessly; the orientation is kept. PDF, PNG and GIF are stored byte for byte. "
    f"The upload is then named in `attachment_ids` of one message within 24 hours, or deleted. A caller "
    f"holds at most {MAX_UNATTACHED} unused uploads: one more is a 429 with `Retry-After` (seconds until "
    f"the oldest unused upload expires)."
)

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the file (one)"}
                    },
                }
            }
        },
    }
}

_RETRY_AFTER = {
    "Retry-After": {"description": "seconds until a place frees up", "schema": {"type": "integer"}}
}


def upload_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    out = responses(*codes, 413, 415, 422)
    out[429] = {**PROBLEM_SCHEMA, "description": "Too many unused uploads", "headers": _RETRY_AFTER}
    return out


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


DOWNLOAD_DESCRIPTION = (
    "The stored bytes, streamed, with the type judged at upload, `Content-Disposition: attachment` "
    "(an ASCII `filename` and the exact name in RFC 5987 `filename*`), `ETag` (the SHA-256), "
    "`X-Content-Type-Options: nosniff` and `Cache-Control: private, no-store`. `If-None-Match` with "
    "the ETag gives 304. 404 when the case is out of reach or the attachment is not on it."
)


def download_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        200: {
            "description": "The file",
            "content": {t: binary for t in ACCEPTED_TYPES},
            "headers": {
                "Content-Disposition": _header("attachment; filename=\"…\"; filename*=UTF-8''…"),
                "Content-Length": {"description": "bytes", "schema": {"type": "integer"}},
                "ETag": _header("the quoted SHA-256 of the bytes"),
                "Cache-Control": _header("private, no-store"),
                "X-Content-Type-Options": _header("nosniff"),
            },
        },
        304: {"description": "Not modified (If-None-Match)"},
        **responses(*codes, 404),
    }
