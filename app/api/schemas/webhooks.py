"""A unit's webhooks and their delivery log (api.md "Unit administration", "Events")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.types import Line, StrictModel
from app.domain.events import EventType
from app.domain.webhooks import MAX_URL_LENGTH, DeliveryStatus, WebhookStatus

Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH, strip_whitespace=True)]


class WebhookIn(StrictModel):
    url: Url = Field(
        description="Where events are POSTed. https only in production, to public addresses only",
        examples=["https://helpdesk.example.se/hooks/careinbox"],
    )
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))
    description: Line = ""


class Webhook(BaseModel):
    id: UUID
    url: str
    events: list[EventType]
    description: str
    status: WebhookStatus
    failing_since: datetime | None = Field(description="since when deliveries are given up")
    last_error: str | None = Field(description="why the last delivery given up failed")
    created_at: datetime


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="The signing secret (`whsec_` + base64 key, Standard Webhooks). Shown only now",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookDelivery(BaseModel):
    id: UUID
    event_id: UUID = Field(description="the envelope `id`, sent as `webhook-id`")
    event_type: EventType
    case_id: UUID
    status: DeliveryStatus
    attempts: int
    response_status: int | None = Field(description="the receiver's HTTP status at the last attempt")
    latency_ms: int | None = Field(description="how long the last attempt took")
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="when it is tried again (pending only)")
    delivered_at: datetime | None
    created_at: datetime
