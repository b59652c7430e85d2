"""ETag / If-Match / If-None-Match (api.md "Concurrency").

A case's ETag is `"<version>"`. If-Match may list several tags, weak ones too (`W/"3"` matches
version 3: the version is the whole state, so weak and strong comparison agree) or be `*`.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import Depends, Header, Response
from pydantic import BaseModel


def etag(version: int) -> str:
    return f'"{version}"'


def tagged(response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """`body` unchanged, its `version` set as the response's ETag."""
    response.headers["ETag"] = etag(body["version"])
    return body


def parse_if_match(value: str | None) -> frozenset[int] | None:
    """None: no precondition (absent or `*`). Otherwise the versions that match; a malformed
    tag matches nothing, so the request fails with 412 rather than going through unchecked."""
    if value is None or not value.strip():
        return None
    versions: set[int] = set()
    for raw in value.split(","):
        tag = raw.strip()
        if tag == "*":
            return None
        if tag.startswith("W/"):
            tag = tag[2:]
        if len(tag) >= 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isascii() and tag[1:-1].isdigit():
            versions.add(int(tag[1:-1]))
    return frozenset(versions)


async def _if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=512,
            description='The ETag (`"<version>"`) from your last read; a stale one → 412. Optional '
            "within v1: without it the change is made unchecked, never a 428 (docs/api-versioning.md, "
            '"Preconditions", gives the reason per operation). Send it anyway.',
        ),
    ] = None,
) -> frozenset[int] | None:
    return parse_if_match(if_match)


IfMatch = Annotated[frozenset[int] | None, Depends(_if_match)]


IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=512,
        description="The ETag from your last read: unchanged → 304 with no body.",
    ),
]


def none_match(if_none_match: str | None, tag: str) -> bool:
    """If-None-Match lists `tag` (weak comparison, RFC 9110 §13.1.2) or is `*`."""
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return tag in tags or "*" in tags


def not_modified(tag: str) -> Response:
    return Response(status_code=304, headers={"ETag": tag})


def content_tagged(model: type[BaseModel], content: Any, if_none_match: str | None) -> Response:
    """`content` serialised once through `model` (as `response_model` would), tagged with a hash
    of those bytes, for resources without a version (profiles, a unit's settings); 304 when the
    client already has them."""
    body = model.model_validate(content).model_dump_json().encode()
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if none_match(if_none_match, tag):
        return not_modified(tag)
    return Response(body, media_type="application/json", headers={"ETag": tag})
