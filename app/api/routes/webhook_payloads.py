"""The OpenAPI 3.1 `webhooks` section: what CareInbox POSTs to a subscribed URL, per event type.
Documentation only (these are not routes of the app): the partner implements them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.api.schemas.events import (
    CaseAssignedEvent,
    CaseCreatedEvent,
    CaseStatusChangedEvent,
    MessageCreatedEvent,
    OutboundSentEvent,
)

router = APIRouter()

DESCRIPTION = (
    "Headers per Standard Webhooks: `webhook-id` (the envelope id, the same on every retry: drop "
    "a copy you already have), `webhook-timestamp` (Unix seconds of this attempt) and "
    "`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` "
    "with the key of your `whsec_` secret). Answer any 2xx within WEBHOOK_TIMEOUT_SECONDS; "
    "anything else is retried with backoff for WEBHOOK_RETRY_HOURS, in order per case. "
    "See docs/webhooks.md."
)

WebhookId = Annotated[str, Header(alias="webhook-id")]
WebhookTimestamp = Annotated[str, Header(alias="webhook-timestamp")]
WebhookSignature = Annotated[str, Header(alias="webhook-signature")]


@router.post("case.created", status_code=204, description=DESCRIPTION)
def case_created(
    body: CaseCreatedEvent, id: WebhookId, timestamp: WebhookTimestamp, signature: WebhookSignature
) -> Response:
    """A citizen sent a new case to the unit."""
    return Response(status_code=204)


@router.post("case.assigned", status_code=204, description=DESCRIPTION)
def case_assigned(
    body: CaseAssignedEvent, id: WebhookId, timestamp: WebhookTimestamp, signature: WebhookSignature
) -> Response:
    """A case was distributed, reassigned, claimed or taken over."""
    return Response(status_code=204)


@router.post("case.status_changed", status_code=204, description=DESCRIPTION)
def case_status_changed(
    body: CaseStatusChangedEvent, id: WebhookId, timestamp: WebhookTimestamp, signature: WebhookSignature
) -> Response:
    """A case's status changed."""
    return Response(status_code=204)


@router.post("message.created", status_code=204, description=DESCRIPTION)
def message_created(
    body: MessageCreatedEvent, id: WebhookId, timestamp: WebhookTimestamp, signature: WebhookSignature
) -> Response:
    """A message was written in a case."""
    return Response(status_code=204)


@router.post("outbound.sent", status_code=204, description=DESCRIPTION)
def outbound_sent(
    body: OutboundSentEvent, id: WebhookId, timestamp: WebhookTimestamp, signature: WebhookSignature
) -> Response:
    """The unit started a case towards a citizen."""
    return Response(status_code=204)
