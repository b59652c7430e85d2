"""Idempotency keys: one row per (actor, scoped key), claimed before the work it guards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import idempotency_keys as ik

TTL = text("interval '24 hours'")


async def claim(conn: AsyncConnection, actor: str, key: str, request_hash: str) -> bool:
    """Insert the key row, or take over an expired one. True when this request owns the key.

    A concurrent request holding the same key (uncommitted) makes this statement wait on its row
    lock; once it commits, the conflict branch runs and nothing is returned, so the caller reads
    the stored response instead of doing the work twice. If it rolled back, this insert wins.
    """
    stmt = insert(ik).values(actor=actor, key=key, request_hash=request_hash)
    upsert = stmt.on_conflict_do_update(
        index_elements=[ik.c.actor, ik.c.key],
        set_={
            "request_hash": stmt.excluded.request_hash,
            "status_code": None,
            "response_body": None,
            "response_headers": None,
            "created_at": func.now(),
        },
        where=ik.c.created_at < func.now() - TTL,
    ).returning(ik.c.key)
    return (await conn.execute(upsert)).first() is not None


async def stored(conn: AsyncConnection, actor: str, key: str) -> dict[str, Any] | None:
    stmt = select(ik.c.request_hash, ik.c.status_code, ik.c.response_body, ik.c.response_headers).where(
        ik.c.actor == actor, ik.c.key == key
    )
    row = (await conn.execute(stmt)).first()
    return dict(row._mapping) if row else None


async def record_response(
    conn: AsyncConnection, actor: str, key: str, status_code: int, body: bytes, headers: dict[str, str]
) -> None:
    await conn.execute(
        update(ik)
        .where(ik.c.actor == actor, ik.c.key == key)
        .values(status_code=status_code, response_body=body, response_headers=headers)
    )


async def purge_expired(conn: AsyncConnection) -> int:
    """For a periodic job: expired rows are already ignored, this only reclaims space."""
    result = await conn.execute(delete(ik).where(ik.c.created_at < func.now() - TTL))
    return int(result.rowcount)
