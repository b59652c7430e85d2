"""Webhook deliveries: the worker's second queue (queue.py), a signed POST per event.

Each request follows Standard Webhooks: the body is the event envelope (app/events/envelope.py),
`webhook-id` the envelope id (the same on every retry and redelivery, so a receiver drops a
copy), `webhook-timestamp` the attempt's time, `webhook-signature` `v1,` + base64 HMAC-SHA256
of `{id}.{timestamp}.{body}` under the webhook's secret (signed by the `standardwebhooks`
reference library). No redirect is followed (a 3xx is an answer that is not a 2xx), the answer's
body is never read, and each attempt ends after WEBHOOK_TIMEOUT_SECONDS.

Any 2xx is delivered; anything else, a time-out or a connection error is retried with backoff
until WEBHOOK_RETRY_HOURS after the event (or its redelivery), then the delivery fails and the
webhook is marked failing with the reason. A target refused by the SSRF rule
(app/domain/webhooks.py) — checked again before every attempt, on the addresses the host
resolves to now, and the connection made to the checked address — fails at once.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection
from standardwebhooks.webhooks import Webhook

from app.db.repos import webhook_deliveries as repo
from app.events.envelope import body
from app.events.secrets import SecretBox, SecretUnreadable
from app.events.targets import TargetRefused, checked_target
from app.notify import metrics
from app.notify.policy import RetryPolicy
from app.notify.queue import Result
from app.notify.senders import Outcome

USER_AGENT = "CareInbox-Webhooks/1"


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    id: UUID
    webhook_id: UUID
    attempts: int
    url: str
    sealed_secret: bytes
    message_id: str  # the envelope id: `webhook-id`
    event_type: str
    body: bytes
    retry_until: datetime
    claimed_at: datetime
    channel: str = "webhook"

    @classmethod
    def from_row(cls, row: dict[str, Any], retry_hours: float) -> DeliveryJob:
        return cls(
            id=row["delivery_id"],
            webhook_id=row["webhook_id"],
            attempts=row["attempts"],
            url=row["url"],
            sealed_secret=bytes(row["secret"]),
            message_id=str(row["envelope_id"]),
            event_type=row["type"],
            body=body(row),
            retry_until=row["retry_from"] + timedelta(hours=retry_hours),
            claimed_at=row["now"],
        )

    def log_fields(self) -> dict[str, Any]:
        return {
            "delivery": str(self.id),
            "webhook": str(self.webhook_id),
            "event_id": self.message_id,
            "type": self.event_type,
            "attempts": self.attempts,
        }


def signature_headers(secret: str, message_id: str, timestamp: int, payload: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    signed = Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), payload.decode())
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signed}


class WebhookSender:
    def __init__(self, box: SecretBox, *, production: bool, timeout: float = 10.0) -> None:
        self.box = box
        self.production = production
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
            )
        return self._client

    async def send(self, job: DeliveryJob) -> Outcome:
        try:
            secret = self.box.open(job.sealed_secret)
            target, addresses = await checked_target(job.url, production=self.production)
        except (SecretUnreadable, TargetRefused) as exc:
            return Outcome.failed(str(exc))
        except OSError as exc:
            return Outcome.retry(f"cannot resolve the host: {exc.strerror or type(exc).__name__}")
        # Connect to the address just checked, not to whatever the name resolves to a moment
        # later; the name still goes in Host and in TLS (SNI and the certificate check).
        address = addresses[0]
        literal = f"[{address}]" if ipaddress.ip_address(address.split("%")[0]).version == 6 else address
        url = f"{target.scheme}://{literal}:{target.port}{target.path}"
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if target.port == default_port else f"{target.host}:{target.port}"
        headers = {
            "Host": host,
            "Content-Type": "application/json",
            **signature_headers(secret, job.message_id, int(time.time()), job.body),
        }
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        started = time.monotonic()
        try:
            async with self._http().stream(
                "POST", url, content=job.body, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code
        except httpx.TimeoutException:
            return Outcome.retry(f"no answer within {self.timeout:g} s", latency_ms=_since(started))
        except httpx.HTTPError as exc:
            return Outcome.retry(f"could not deliver: {type(exc).__name__}", latency_ms=_since(started))
        if 200 <= status < 300:
            return Outcome.sent(status, _since(started))
        return Outcome.retry(f"answered {status}", status, _since(started))

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


class WebhookQueue:
    name = "webhooks"
    backlog_gauge = metrics.WEBHOOK_BACKLOG
    backlog_age_gauge = metrics.WEBHOOK_BACKLOG_AGE

    def __init__(self, sender: WebhookSender, policy: RetryPolicy, retry_hours: float = 24.0) -> None:
        self.sender = sender
        self.policy = policy
        self.retry_hours = retry_hours

    async def claim(
        self, conn: AsyncConnection, worker_id: str, limit: int, lease_seconds: float
    ) -> list[DeliveryJob]:
        rows = await repo.claim(conn, worker_id, limit, lease_seconds)
        return [DeliveryJob.from_row(row, self.retry_hours) for row in rows]

    async def send(self, job: DeliveryJob) -> Outcome:
        return await self.sender.send(job)

    def gives_up(self, job: DeliveryJob, retry_in: float) -> str | None:
        if job.claimed_at + timedelta(seconds=retry_in) > job.retry_until:
            return f"gave up after {self.retry_hours:g} h ({job.attempts} attempts)"
        return None

    async def finish(self, conn: AsyncConnection, job: DeliveryJob, worker_id: str, result: Result) -> bool:
        status = {"sent": "delivered", "retry": "pending"}.get(result.kind, result.kind)
        return await repo.finish(
            conn,
            job.id,
            worker_id,
            status="failed" if status == "skipped" else status,
            error=result.detail,
            retry_in=result.retry_in,
            status_code=result.outcome.status_code,
            latency_ms=result.outcome.latency_ms,
        )

    async def extend_lease(
        self, conn: AsyncConnection, worker_id: str, ids: list[Any], lease_seconds: float
    ) -> None:
        await repo.extend_lease(conn, worker_id, ids, lease_seconds)

    async def release(self, conn: AsyncConnection, worker_id: str, ids: list[Any]) -> None:
        await repo.release(conn, worker_id, ids)

    async def backlog(self, conn: AsyncConnection) -> tuple[int, float]:
        return await repo.backlog(conn)

    async def close(self) -> None:
        await self.sender.close()
