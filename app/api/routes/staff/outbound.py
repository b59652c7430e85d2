"""Outbound sends: a handler sends to up to 250 citizens; handlers and receivers follow sends up."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import Conn, requires
from app.api.idempotency import Idempotent, Reply
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.outbound import OutboundDetail, OutboundIn, OutboundReceipt, OutboundSummary
from app.api.strict_json import StrictJSONRoute
from app.container import Services
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import outbound

router = APIRouter(prefix="/units/{unit_id}/outbound", tags=["outbound"], route_class=StrictJSONRoute)

Sender = Annotated[StaffActor, Depends(requires(P.OUTBOUND_SEND))]
# Those who send, and those who see every case of the unit. A send names no citizen.
Follower = Annotated[StaffActor, Depends(requires(P.OUTBOUND_SEND, P.CASE_READ_ALL))]


@router.post(
    "",
    operation_id="send_outbound",
    status_code=201,
    response_model=OutboundReceipt,
    responses=responses(401, 403, 404, 409, 422, 429),
    summary="Send a case to 1–250 citizens (a message template or free text)",
    description="All or nothing, in one transaction: one case per distinct recipient with its "
    "first message (signed by the sender per their name setting), case event, PDL audit event "
    "and the citizen's e-mail/SMS notice. `kind: information` closes each case at once "
    "(closure `information_sent`; the citizen cannot reply); `kind: questions` leaves it "
    "`awaiting_citizen`, assigned to the sender, until the citizen answers the form. Recipients "
    "who never logged in are created from the population register and find the case at first "
    "login. A handler may send RATE_LIMIT_OUTBOUND times per clock hour (default 20); "
    "beyond that 429 with `Retry-After`. `Idempotency-Key`: a repeat returns the same `case_ids`.",
)
async def send(
    conn: Conn,
    unit_id: UUID,
    actor: Sender,
    body: OutboundIn,
    idem: Idempotent,
    request: Request,
) -> Response:
    # From the app, not the Svc dependency: one node less to solve on a hot path (app/api/deps.py).
    """- **Changes:** creates one case per recipient (`Location` names the send).
    - **Audit:** `outbound_sent`, one per case.
    """
    services: Services = request.app.state.services

    async def work() -> Reply:
        created = await outbound.send(
            conn,
            actor,
            unit_id,
            recipients=body.recipients,
            template_id=body.template_id,
            subject=body.subject,
            body=body.body,
            kind=body.kind,
            questions=[q.model_dump() for q in body.questions] if body.questions is not None else None,
            attachment_ids=body.attachment_ids,
            limits=services.limits,
        )
        location = request.url_for("get_outbound_send", unit_id=unit_id, send_id=created["id"]).path
        return 201, created, {"Location": location}

    return await idem.run(conn, f"staff:{actor.staff_id}", body, work, OutboundReceipt)


@router.get(
    "",
    operation_id="list_outbound_sends",
    response_model=Page[OutboundSummary],
    responses=responses(401, 403, 404, 422),
    summary="The unit's outbound sends, newest first, with their cases counted by status",
)
async def list_sends(
    conn: Conn, unit_id: UUID, actor: Follower, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 neither handler nor receiver.
    """
    return await outbound.list_sends(conn, unit_id, limit, cursor)


@router.get(
    "/{send_id}",
    operation_id="get_outbound_send",
    response_model=OutboundDetail,
    responses=responses(401, 403, 404, 422),
    summary="One outbound send: when, by whom, what, and how its cases stand",
)
async def get_outbound_send(conn: Conn, unit_id: UUID, send_id: UUID, actor: Follower) -> dict[str, Any]:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a send of this unit.
    """
    return await outbound.get_send(conn, unit_id, send_id)
