"""The live inbox: `GET /units/{unit_id}/cases/stream`, Server-Sent Events.

Registered before the case routes, so `stream` is not read as a case id. The guard and the
request's transaction end before the stream starts (the transaction dependency closes when this
function returns its response); the stream reads through the service with short transactions
of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from app.api.deps import Svc, requires
from app.api.problems import responses
from app.api.schemas.events import ENVELOPES
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import case_stream
from app.services.case_stream import StreamItem

router = APIRouter(prefix="/units/{unit_id}/cases", tags=["cases"], route_class=StrictJSONRoute)

CaseReader = Annotated[StaffActor, Depends(requires(P.CASE_READ_ALL, P.CASE_READ_ASSIGNED))]
MAX_ID = 2**63 - 1

_EVENT_DATA = {
    "oneOf": [{"$ref": f"#/components/schemas/{model.__name__}"} for model in ENVELOPES.values()],
    "discriminator": {"propertyName": "type"},
}
STREAM_RESPONSE = {
    "description": (
        "`text/event-stream`. Each event: `id` (the stream position, for Last-Event-ID) and "
        "`data`, one event envelope (the same JSON a webhook receives). `event: reset` with "
        "`data` `{reason, last_event_id}`: the events since Last-Event-ID are no longer kept "
        "(older than the retention): refetch the inbox. Comment lines are heartbeats."
    ),
    "content": {
        "text/event-stream": {
            "schema": {"type": "string", "description": "Server-Sent Events, as `x-itemSchema` describes"},
            # OpenAPI 3.2's `itemSchema`; the document is 3.1, where only an extension may carry it.
            "x-itemSchema": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "event": {"type": "string", "enum": ["reset"]},
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": _EVENT_DATA,
                    },
                    "retry": {"type": "integer"},
                },
            },
            "example": 'id: 1042\ndata: {"id":"9a4c1b2e-…","type":"case.assigned",…}\n\n: heartbeat\n\n',
        }
    },
}


async def _wire(items: AsyncIterator[StreamItem]) -> AsyncIterator[bytes]:
    async for item in items:
        yield format_sse_event(
            data_str=item.data.decode() if item.data is not None else None,
            event=item.event,
            id=str(item.id) if item.id is not None else None,
            retry=item.retry,
            comment=item.comment,
        )


@router.get(
    "/stream",
    operation_id="stream_unit_cases",
    response_class=StreamingResponse,
    summary="Live events of the cases the caller may see (Server-Sent Events)",
    description=(
        "The event envelopes of the unit's cases the caller reaches (receivers: all; handlers: "
        "their own, their groups' and those they took part in), as they happen. Resume with the "
        "`Last-Event-ID` header (or `last_event_id`, for clients that cannot set headers): "
        "nothing committed within the retention window is lost. A heartbeat comment comes at "
        "least every SSE_HEARTBEAT_SECONDS; the server ends a stream after "
        "SSE_MAX_STREAM_SECONDS, when the client falls behind, and on shutdown — reconnect with "
        "the last id."
    ),
    responses={200: STREAM_RESPONSE, **responses(401, 403, 404, 422, 503)},
)
async def stream(
    unit_id: UUID,
    svc: Svc,
    actor: CaseReader,
    last_event_id_header: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=MAX_ID)] = None,
    last_event_id: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="as Last-Event-ID; the header wins")
    ] = None,
) -> StreamingResponse:
    """- **Changes:** nothing.
    - **Audit:** none (events carry ids and statuses only, no patient data).
    """
    resume = last_event_id_header if last_event_id_header is not None else last_event_id
    opened = await case_stream.open_stream(svc, actor, unit_id, resume)
    return StreamingResponse(
        _wire(opened.items()),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
