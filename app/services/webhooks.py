"""A unit's webhooks (api.md "Events"), managed by its local admin: create (the secret shown
once), list, read, delete, the delivery log and redelivery.

A target must pass the SSRF rule (app/domain/webhooks.py) when it is created, on what its host
resolves to then; the worker checks it again before every delivery. No patient data is behind
these operations (a delivery log holds event ids, types, case ids and status codes), so they
write no PDL audit event.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.db.keyset import cursor_id, cursor_time, decode_cursor, page
from app.db.repos import webhooks as repo
from app.domain.actors import StaffActor
from app.domain.errors import Conflict, NotFound, field_error
from app.domain.events import EventType
from app.events.secrets import SecretBox, new_secret
from app.events.targets import TargetRefused, checked_target


async def create_webhook(
    conn: AsyncConnection,
    settings: Settings,
    actor: StaffActor,
    unit_id: UUID,
    *,
    url: str,
    events: list[EventType],
    description: str,
) -> dict[str, Any]:
    """The new webhook with its signing secret: the only time the secret is shown."""
    try:
        await checked_target(url, production=settings.app_env == "production")
    except TargetRefused as exc:
        raise field_error(["url"], str(exc), "target_refused") from exc
    except OSError as exc:
        raise field_error(["url"], "the host cannot be resolved", "target_refused") from exc
    secret = new_secret()
    row = await repo.create(
        conn,
        unit_id,
        url=url,
        events=list(dict.fromkeys(e.value for e in events)),
        description=description,
        sealed_secret=SecretBox.from_settings(settings).seal(secret),
        created_by=actor.staff_id,
    )
    return {**row, "secret": secret}


async def list_webhooks(
    conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    before = decode_cursor(cursor, (cursor_time, cursor_id))
    rows = await repo.list_webhooks(conn, unit_id, limit + 1, before)
    return page(rows, limit, lambda r: (r["created_at"].isoformat(), r["id"]))


async def get_webhook(conn: AsyncConnection, unit_id: UUID, webhook_id: UUID) -> dict[str, Any]:
    row = await repo.get(conn, unit_id, webhook_id)
    if row is None:
        raise NotFound("webhook not found")
    return row


async def delete_webhook(conn: AsyncConnection, unit_id: UUID, webhook_id: UUID) -> None:
    if not await repo.remove(conn, unit_id, webhook_id):
        raise NotFound("webhook not found")


async def deliveries(
    conn: AsyncConnection, unit_id: UUID, webhook_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    await get_webhook(conn, unit_id, webhook_id)  # an unknown webhook is 404, not an empty log
    after = decode_cursor(cursor, (_position,))
    rows = await repo.deliveries(conn, unit_id, webhook_id, limit + 1, after[0] if after else None)
    return page(rows, limit, lambda r: (r["position"],))


def _position(raw: Any) -> int:
    """A cursor's stream position: a bigint (a forged one out of range is a 422, not a 500)."""
    value = int(raw)
    if not 0 <= value < 2**63 or isinstance(raw, bool):
        raise ValueError("cursor position out of range")
    return value


async def redeliver(
    conn: AsyncConnection, unit_id: UUID, webhook_id: UUID, delivery_id: UUID
) -> dict[str, Any]:
    row = await repo.redeliver(conn, unit_id, webhook_id, delivery_id)
    if row is not None:
        return row
    if await repo.exists_delivery(conn, unit_id, webhook_id, delivery_id):
        raise Conflict("the delivery is being sent right now; look at its outcome in a moment")
    raise NotFound("delivery not found")
