"""ETag / If-Match for versioned resources (api.md "Concurrency").

A case's ETag is `"<version>"`. If-Match may list several tags, weak ones too (`W/"3"` matches
version 3: the version is the whole state, so weak and strong comparison agree) or be `*`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Response


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
            description='The case\'s ETag (`"<version>"`) from your last read; a stale one → 412.',
        ),
    ] = None,
) -> frozenset[int] | None:
    return parse_if_match(if_match)


IfMatch = Annotated[frozenset[int] | None, Depends(_if_match)]
