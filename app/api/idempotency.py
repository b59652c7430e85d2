"""HTTP glue for Idempotency-Key: read the header, serialise the route's result once, replay it.

Why in app/api: everything here is transport (the header, the response bytes and headers, the
`Idempotent-Replayed` marker); the rule itself — claim the key first, store only completed work,
refuse a reused key with another body — is the use case in app/services/idempotency.py.

A route wraps its service call in a few lines:

    async def create(conn: Conn, actor: CitizenUser, body: In, idem: Idempotent) -> Response:
        async def work() -> Reply:
            case = await service.create(conn, actor, ...)
            return 201, case, {"ETag": f'"{case["version"]}"'}
        return await idem.run(conn, f"citizen:{actor.citizen_id}", body, work, CaseOut)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from app.services import idempotency

Reply = tuple[int, Any, dict[str, str]]
MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class IdempotencyContext:
    key: str | None
    scope: str

    async def run(
        self,
        conn: AsyncConnection,
        actor: str,
        body: BaseModel,
        work: Callable[[], Awaitable[Reply]],
        response_model: type[BaseModel] | None = None,
    ) -> Response:
        async def serialised() -> idempotency.StoredResponse:
            status, content, headers = await work()
            return idempotency.StoredResponse(status, _encode(content, response_model), headers)

        result = await idempotency.execute(
            conn,
            actor=actor,
            scope=self.scope,
            key=self.key,
            # Only a keyed request needs the canonical body (for its hash).
            body=body.model_dump(mode="json") if self.key is not None else None,
            work=serialised,
        )
        headers = dict(result.headers)
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(result.body, status_code=result.status_code, headers=headers, media_type=MEDIA_TYPE)


def _encode(content: Any, model: type[BaseModel] | None) -> bytes:
    # Same filtering as FastAPI's response_model: the stored bytes are exactly what was sent.
    if model is not None:
        return model.model_validate(content).model_dump_json().encode()
    return json.dumps(jsonable_encoder(content), separators=(",", ":")).encode()


async def _context(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="A client-chosen key (printable ASCII, at most 255): a repeat with the same "
            "key and body returns the first response; another body with it is a 422. Kept 24 h.",
        ),
    ] = None,
) -> IdempotencyContext:
    return IdempotencyContext(idempotency_key, f"{request.method} {request.url.path}")


Idempotent = Annotated[IdempotencyContext, Depends(_context)]
