"""The outbox as the worker and operators see it: claim, lease, finish, list, retry.

A worker claims a few due rows at a time with `FOR UPDATE SKIP LOCKED` and, in the same short
statement, takes a lease on them (`locked_until`, `locked_by`); it sends with no transaction
open and finishes each row with a statement that only the lease holder's id matches. Why a lease
rather than a row lock held across the send is explained in app/notify/worker.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Interval, Text, and_, cast, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import cases, outbox, units

o = outbox.c


def _seconds(value: float) -> Any:
    return literal(timedelta(seconds=value), Interval)


def _held_by(row_id: int, worker_id: str) -> Any:
    """Only the lease holder finishes a row: a worker whose lease lapsed (and whose row another
    worker took over) must not overwrite the other's outcome."""
    return and_(o.id == row_id, o.locked_by == worker_id, o.status == "pending")


async def claim(
    conn: AsyncConnection, worker_id: str, channels: list[str], limit: int, lease_seconds: float
) -> list[dict[str, Any]]:
    """Up to `limit` due rows of `channels`, oldest due first, leased to `worker_id`; each claim
    counts as an attempt (so a row that kills its worker still reaches the attempt cap). Rows
    another worker is claiming right now are skipped, not waited for. With each row: the case
    reference and unit name, which only staff notices show."""
    now = func.now()
    due = (
        select(o.id)
        .where(
            o.status == "pending",
            o.next_attempt_at <= now,
            or_(o.locked_until.is_(None), o.locked_until < now),
            o.channel.in_(channels),
        )
        .order_by(o.next_attempt_at, o.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        update(outbox)
        .where(o.id.in_(due.scalar_subquery()))
        .values(attempts=o.attempts + 1, locked_until=now + _seconds(lease_seconds), locked_by=worker_id)
        .returning(o.id, o.channel, o.recipient, o.template, o.payload, o.dedup_key, o.attempts)
        .cte("claimed")
    )
    case_id = cast(claimed.c.payload["case_id"].astext, PgUUID(as_uuid=True))
    stmt = (
        select(claimed, cases.c.reference.label("case_reference"), units.c.name.label("unit_name"))
        .select_from(
            claimed.outerjoin(cases, cases.c.id == case_id).outerjoin(units, units.c.id == cases.c.unit_id)
        )
        .order_by(claimed.c.id)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def extend_lease(conn: AsyncConnection, worker_id: str, ids: list[int], lease_seconds: float) -> None:
    """The worker's heartbeat: rows still in its hands stay its own for another lease."""
    await conn.execute(
        update(outbox)
        .where(o.id.in_(ids), o.locked_by == worker_id, o.status == "pending")
        .values(locked_until=func.now() + _seconds(lease_seconds))
    )


async def finish(
    conn: AsyncConnection,
    row_id: int,
    worker_id: str,
    *,
    status: str,
    error: str | None = None,
    retry_in: float | None = None,
) -> bool:
    """Record an attempt's outcome: `sent`, `failed`, `skipped`, or `pending` again after
    `retry_in` seconds. False when the lease was lost meanwhile (nothing written)."""
    values: dict[str, Any] = {"status": status, "last_error": error, "locked_until": None, "locked_by": None}
    if status == "sent":
        values["sent_at"] = func.now()
    if retry_in is not None:
        values["next_attempt_at"] = func.now() + _seconds(retry_in)
    result = await conn.execute(update(outbox).where(_held_by(row_id, worker_id)).values(values))
    return result.rowcount == 1


async def release(conn: AsyncConnection, worker_id: str, ids: list[int]) -> None:
    """A stopping worker hands back the rows it claimed but did not try: no lease to wait out,
    and the claim does not count as an attempt."""
    if ids:
        await conn.execute(
            update(outbox)
            .where(o.id.in_(ids), o.locked_by == worker_id, o.status == "pending")
            .values(locked_until=None, locked_by=None, attempts=o.attempts - 1)
        )


async def backlog(conn: AsyncConnection) -> tuple[int, float]:
    """How many rows wait to be sent, and the age in seconds of the oldest (0 when none)."""
    age = func.coalesce(func.extract("epoch", func.now() - func.min(o.created_at)), 0)
    row = (await conn.execute(select(func.count(), age).where(o.status == "pending"))).one()
    return int(row[0]), float(row[1])


LISTED = (
    o.id,
    o.channel,
    o.template,
    o.status,
    o.attempts,
    o.next_attempt_at,
    o.locked_until,
    o.recipient,
    o.last_error,
    o.created_at,
)


async def listing(conn: AsyncConnection, statuses: list[str], limit: int) -> list[dict[str, Any]]:
    """Rows in `statuses`, oldest first (both partial indexes serve pending and failed)."""
    stmt = select(*LISTED).where(o.status.in_(statuses)).order_by(o.id).limit(limit)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def retry(conn: AsyncConnection, row_id: int) -> bool:
    """A failed or skipped row goes back to pending, due now, with a fresh attempt count (its
    last error stays until the next attempt replaces it). False when no such row."""
    stmt = (
        update(outbox)
        .where(o.id == row_id, o.status.in_(("failed", "skipped")))
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=func.now(),
            locked_until=None,
            locked_by=None,
            last_error=func.concat(literal("retried by an operator; before: ", Text), o.last_error),
        )
    )
    result = await conn.execute(stmt)
    return result.rowcount == 1
