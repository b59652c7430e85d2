"""Webhook deliveries as the worker sees them: claim, lease, finish — as the outbox's
(outbox.py), plus the order per case and the webhook's state.

In order per case: a delivery is claimable only when no earlier event of the same case is
still pending for the same webhook (retrying, or in another worker's hands), so a partner never
gets a case's later event before an earlier one was delivered or finally failed. Ids of one
case's events follow its changes (each change holds the case's row lock until it commits).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Interval, and_, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from app.db.repos.events import ROW
from app.db.tables import domain_events, webhook_deliveries, webhooks

d = webhook_deliveries.c
w = webhooks.c


def _seconds(value: float) -> Any:
    return literal(timedelta(seconds=value), Interval)


async def claim(
    conn: AsyncConnection, worker_id: str, limit: int, lease_seconds: float
) -> list[dict[str, Any]]:
    """Up to `limit` due deliveries, each the earliest pending one of its (webhook, case),
    leased to `worker_id`; with the webhook's URL and sealed secret and the event's row."""
    now = func.now()
    earlier = aliased(webhook_deliveries, name="earlier")
    blocked = exists().where(
        earlier.c.webhook_id == d.webhook_id,
        earlier.c.case_id == d.case_id,
        earlier.c.status == "pending",
        earlier.c.event_id < d.event_id,
    )
    due = (
        select(d.id)
        .where(
            d.status == "pending",
            d.next_attempt_at <= now,
            or_(d.locked_until.is_(None), d.locked_until < now),
            ~blocked,
        )
        .order_by(d.next_attempt_at, d.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=webhook_deliveries)
    )
    claimed = (
        update(webhook_deliveries)
        .where(d.id.in_(due.scalar_subquery()))
        .values(
            attempts=d.attempts + 1,
            locked_until=now + _seconds(lease_seconds),
            locked_by=worker_id,
            last_attempt_at=now,
        )
        .returning(d.id, d.webhook_id, d.event_id, d.attempts, d.retry_from)
        .cte("claimed")
    )
    stmt = (
        select(
            claimed.c.id.label("delivery_id"),
            claimed.c.webhook_id,
            claimed.c.attempts,
            claimed.c.retry_from,
            w.url,
            w.secret,
            *ROW,
            now.label("now"),
        )
        .select_from(
            claimed.join(webhooks, w.id == claimed.c.webhook_id).join(
                domain_events, domain_events.c.id == claimed.c.event_id
            )
        )
        .order_by(domain_events.c.id)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


def _held(ids: list[UUID], worker_id: str) -> Any:
    return and_(d.id.in_(ids), d.locked_by == worker_id, d.status == "pending")


async def extend_lease(conn: AsyncConnection, worker_id: str, ids: list[UUID], lease_seconds: float) -> None:
    await conn.execute(
        update(webhook_deliveries)
        .where(_held(ids, worker_id))
        .values(locked_until=func.now() + _seconds(lease_seconds))
    )


async def release(conn: AsyncConnection, worker_id: str, ids: list[UUID]) -> None:
    """Untried deliveries of a stopping worker: free at once, the claim not counted."""
    if ids:
        await conn.execute(
            update(webhook_deliveries)
            .where(_held(ids, worker_id))
            .values(locked_until=None, locked_by=None, attempts=d.attempts - 1)
        )


async def finish(
    conn: AsyncConnection,
    delivery_id: UUID,
    worker_id: str,
    *,
    status: str,
    error: str | None,
    retry_in: float | None,
    status_code: int | None,
    latency_ms: int | None,
) -> bool:
    """Record an attempt (`delivered`, `failed`, or `pending` again after `retry_in` s) and,
    in the same statement, the webhook's state: failing once a delivery is given up, active
    again once one gets through. False when the lease was lost meanwhile (nothing written)."""
    values: dict[str, Any] = {
        "status": status,
        "last_error": error,
        "response_status": status_code,
        "latency_ms": latency_ms,
        "locked_until": None,
        "locked_by": None,
    }
    if status == "delivered":
        values["delivered_at"] = func.now()
    if retry_in is not None:
        values["next_attempt_at"] = func.now() + _seconds(retry_in)
    done = (
        update(webhook_deliveries)
        .where(_held([delivery_id], worker_id))
        .values(values)
        .returning(d.webhook_id)
        .cte("done")
    )
    mark: Any = None
    if status == "failed":
        mark = (
            update(webhooks)
            .where(w.id.in_(select(done.c.webhook_id)))
            .values(
                status="failing", failing_since=func.coalesce(w.failing_since, func.now()), last_error=error
            )
        )
    elif status == "delivered":
        mark = (
            update(webhooks)
            .where(w.id.in_(select(done.c.webhook_id)), w.status == "failing")
            .values(status="active", failing_since=None, last_error=None)
        )
    stmt = select(func.count()).select_from(done)
    if mark is not None:
        stmt = stmt.add_cte(mark.cte("mark"))
    return int((await conn.execute(stmt)).scalar_one()) == 1


async def backlog(conn: AsyncConnection) -> tuple[int, float]:
    age = func.coalesce(func.extract("epoch", func.now() - func.min(d.created_at)), 0)
    row = (await conn.execute(select(func.count(), age).where(d.status == "pending"))).one()
    return int(row[0]), float(row[1])
