"""A unit's webhooks and their delivery log, as the local admin manages them. Every statement
is scoped to the unit: another unit's webhook is not found (404). The sealed secret is written
here and read only by the worker (webhook_deliveries.py), never by these reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import case, delete, exists, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import domain_events, webhook_deliveries, webhooks

w = webhooks.c
d = webhook_deliveries.c
WEBHOOK_COLS = (w.id, w.url, w.events, w.description, w.status, w.failing_since, w.last_error, w.created_at)
DELIVERY_COLS = (
    d.id,
    d.event_id.label("position"),
    domain_events.c.envelope_id.label("event_id"),
    domain_events.c.type.label("event_type"),
    d.case_id,
    d.status,
    d.attempts,
    d.response_status,
    d.latency_ms,
    d.last_error,
    d.last_attempt_at,
    case((d.status == "pending", d.next_attempt_at), else_=None).label("next_attempt_at"),
    d.delivered_at,
    d.created_at,
)


async def create(
    conn: AsyncConnection,
    unit_id: UUID,
    *,
    url: str,
    events: list[str],
    description: str,
    sealed_secret: bytes,
    created_by: UUID,
) -> dict[str, Any]:
    stmt = (
        insert(webhooks)
        .values(
            unit_id=unit_id,
            url=url,
            events=events,
            description=description,
            secret=sealed_secret,
            created_by=created_by,
        )
        .returning(*WEBHOOK_COLS)
    )
    return dict((await conn.execute(stmt)).one()._mapping)


async def list_webhooks(
    conn: AsyncConnection, unit_id: UUID, limit: int, before: tuple[datetime, UUID] | None
) -> list[dict[str, Any]]:
    """Newest first, keyset on (created_at, id); `limit` rows (the caller asks one more)."""
    stmt = (
        select(*WEBHOOK_COLS)
        .where(w.unit_id == unit_id)
        .order_by(w.created_at.desc(), w.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(tuple_(w.created_at, w.id) < tuple_(*before))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def get(conn: AsyncConnection, unit_id: UUID, webhook_id: UUID) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(*WEBHOOK_COLS).where(w.id == webhook_id, w.unit_id == unit_id))
    ).one_or_none()
    return dict(row._mapping) if row else None


async def remove(conn: AsyncConnection, unit_id: UUID, webhook_id: UUID) -> bool:
    """The webhook and its deliveries (pending ones are not sent: a worker holding one finds
    it gone when it records the attempt)."""
    result = await conn.execute(delete(webhooks).where(w.id == webhook_id, w.unit_id == unit_id))
    return result.rowcount == 1


def _of_unit(unit_id: UUID, webhook_id: UUID) -> Any:
    return exists().where(w.id == webhook_id, w.unit_id == unit_id)


async def deliveries(
    conn: AsyncConnection, unit_id: UUID, webhook_id: UUID, limit: int, before: int | None
) -> list[dict[str, Any]]:
    """The webhook's deliveries, newest event first (keyset on the event's stream position,
    unique per webhook); `limit` rows."""
    stmt = (
        select(*DELIVERY_COLS)
        .join(domain_events, domain_events.c.id == d.event_id)
        .where(d.webhook_id == webhook_id, _of_unit(unit_id, webhook_id))
        .order_by(d.event_id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(d.event_id < before)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def redeliver(
    conn: AsyncConnection, unit_id: UUID, webhook_id: UUID, delivery_id: UUID
) -> dict[str, Any] | None:
    """Send the delivery again, due now, with a fresh retry window, whatever its status — unless
    a worker is sending it at this moment (then None, as for an unknown delivery: the caller
    tells the two apart with `exists_delivery`). Keeps its attempt count (the log stays honest) and its
    `webhook-id`, so a receiver that already has it can drop the copy."""
    now = func.now()
    stmt = (
        update(webhook_deliveries)
        .where(
            d.id == delivery_id,
            d.webhook_id == webhook_id,
            _of_unit(unit_id, webhook_id),
            ~((d.status == "pending") & (d.locked_until > now)),
        )
        .values(
            status="pending",
            next_attempt_at=now,
            retry_from=now,
            delivered_at=None,
            locked_until=None,
            locked_by=None,
        )
        .returning(d.id)
    )
    if (await conn.execute(stmt)).first() is None:
        return None
    read = select(*DELIVERY_COLS).join(domain_events, domain_events.c.id == d.event_id)
    return dict((await conn.execute(read.where(d.id == delivery_id))).one()._mapping)


async def exists_delivery(conn: AsyncConnection, unit_id: UUID, webhook_id: UUID, delivery_id: UUID) -> bool:
    stmt = select(d.id).where(
        d.id == delivery_id, d.webhook_id == webhook_id, _of_unit(unit_id, webhook_id)
    )
    return (await conn.execute(stmt)).first() is not None
