"""A unit's webhook subscriptions and their delivery log, for its local admin."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.deps import Conn, Svc, requires
from app.api.problems import responses
from app.api.schemas.common import DEFAULT_LIMIT, Cursor, Limit, Page
from app.api.schemas.webhooks import Webhook, WebhookDelivery, WebhookIn, WebhookWithSecret
from app.api.strict_json import StrictJSONRoute
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import webhooks

router = APIRouter(prefix="/units/{unit_id}/webhooks", tags=["webhooks"], route_class=StrictJSONRoute)

Admin = Annotated[StaffActor, Depends(requires(P.WEBHOOK_MANAGE))]


@router.post(
    "",
    operation_id="create_webhook",
    status_code=201,
    response_model=WebhookWithSecret,
    summary="Subscribe a URL to the unit's events; the signing secret is shown only in this answer",
    description=(
        "Events are POSTed as signed JSON envelopes (Standard Webhooks; see the `webhooks` "
        "section and docs/webhooks.md). In production the URL must be https and its host must "
        "resolve to public addresses only (422 otherwise)."
    ),
    responses=responses(401, 403, 404, 422),
)
async def create_webhook(
    conn: Conn, svc: Svc, unit_id: UUID, actor: Admin, body: WebhookIn
) -> dict[str, Any]:
    """- **Changes:** adds the subscription.
    - **Audit:** none (no patient data).
    """
    return await webhooks.create_webhook(
        conn, svc.settings, actor, unit_id, url=body.url, events=body.events, description=body.description
    )


@router.get(
    "", operation_id="list_webhooks", response_model=Page[Webhook], responses=responses(401, 403, 404, 422)
)
async def list_webhooks(
    conn: Conn, unit_id: UUID, actor: Admin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """The unit's webhook subscriptions (without secrets)

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a local admin.
    """
    return await webhooks.list_webhooks(conn, unit_id, limit, cursor)


@router.get(
    "/{id}", operation_id="get_webhook", response_model=Webhook, responses=responses(401, 403, 404, 422)
)
async def get_webhook(conn: Conn, unit_id: UUID, id: UUID, actor: Admin) -> dict[str, Any]:
    """One webhook subscription

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a webhook of this unit.
    """
    return await webhooks.get_webhook(conn, unit_id, id)


@router.delete(
    "/{id}",
    operation_id="delete_webhook",
    status_code=204,
    description="The webhook and its delivery log; pending deliveries are not sent.",
    responses=responses(401, 403, 404, 422),
)
async def delete_webhook(conn: Conn, unit_id: UUID, id: UUID, actor: Admin) -> Response:
    """Delete a webhook subscription

    - **Changes:** removes the subscription and its log.
    - **Audit:** none (no patient data).
    """
    await webhooks.delete_webhook(conn, unit_id, id)
    return Response(status_code=204)


@router.get(
    "/{id}/deliveries",
    operation_id="list_webhook_deliveries",
    response_model=Page[WebhookDelivery],
    summary="The delivery log: newest event first, with attempts, status codes and latency",
    responses=responses(401, 403, 404, 422),
)
async def list_deliveries(
    conn: Conn, unit_id: UUID, id: UUID, actor: Admin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 404 not a webhook of this unit.
    """
    return await webhooks.deliveries(conn, unit_id, id, limit, cursor)


@router.post(
    "/{id}/deliveries/{delivery_id}/redeliver",
    operation_id="redeliver_webhook_delivery",
    status_code=202,
    response_model=WebhookDelivery,
    summary="Send a delivery again, now, with a fresh retry window (same webhook-id)",
    description="409 while a worker is sending it at this very moment.",
    responses=responses(401, 403, 404, 409, 422),
)
async def redeliver(conn: Conn, unit_id: UUID, id: UUID, delivery_id: UUID, actor: Admin) -> dict[str, Any]:
    """- **Changes:** queues the delivery again.
    - **Audit:** none (no patient data).
    """
    return await webhooks.redeliver(conn, unit_id, id, delivery_id)
