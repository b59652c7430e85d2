"""Idempotency-Key (api.md "Conventions"): a repeat returns the first response, creates nothing.

Transport-agnostic: the caller names the actor ("citizen:<id>", "staff:<id>") and the scope (the
method and path), hands over the request body and a callable doing the work. The key row is
claimed *first*, inside the request's transaction, so two simultaneous requests with one key
serialise on its row lock: the second sees the first's stored response once that commits.

Only responses of work that completed are stored: a request that fails (a domain error) rolls
back its transaction, key row included, so the client may retry the same key after fixing the
cause. Keys live 24 h; an expired row is taken over by the next request with that key.

Why in app/services: this is the use case "run a change at most once per key" — it depends on
the key store (app/db/repos/idempotency.py: all its SQL) and a domain error, knows nothing of
HTTP, and would serve a non-HTTP caller (a queue consumer) unchanged. Reading the header and
replaying the stored bytes is transport, so that part is app/api/idempotency.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import idempotency as repo
from app.domain.errors import Conflict, ValidationFailed

KEEP_HEADERS = ("location", "etag")


class IdempotencyKeyReused(ValidationFailed):
    type_slug = "idempotency-key-reused"
    title = "The Idempotency-Key was used with another request"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


def request_hash(body: Any) -> str:
    """sha256 of the canonical JSON body: key order and white space do not matter."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def scoped_key(scope: str, key: str) -> str:
    """The stored key: the client's key within one method + path (fits the 255-char column)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


async def execute(
    conn: AsyncConnection,
    *,
    actor: str,
    scope: str,
    key: str | None,
    body: Any,
    work: Callable[[], Awaitable[StoredResponse]],
) -> StoredResponse:
    if key is None:
        return await work()
    stored_key = scoped_key(scope, key)
    digest = request_hash(body)
    if await repo.claim(conn, actor, stored_key, digest):
        response = await work()
        headers = _kept(response.headers)
        await repo.record_response(conn, actor, stored_key, response.status_code, response.body, headers)
        return response
    row = await repo.stored(conn, actor, stored_key)
    if row is None or row["status_code"] is None:
        # Only possible while the first request's transaction is still open on this connection.
        raise Conflict("a request with this Idempotency-Key is still in progress")
    if row["request_hash"] != digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request body",
            errors=[
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": "key reused with another body",
                    "type": "value_error",
                }
            ],
        )
    return StoredResponse(
        row["status_code"], bytes(row["response_body"]), row["response_headers"] or {}, True
    )


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in KEEP_HEADERS}
