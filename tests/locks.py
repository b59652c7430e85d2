"""Observing row locks in concurrency tests: wait until another transaction is actually blocked
on a lock a given connection holds (pg_locks, pg_blocking_pids), instead of sleeping and hoping
it got there."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_WAITERS = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND :holder = ANY(pg_blocking_pids(pid))")


async def backend_pid(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def until_blocked_by(engine: AsyncEngine, holder_pid: int) -> None:
    """Returns once some backend waits for a lock held by `holder_pid`; fails after 10 s."""
    try:
        async with asyncio.timeout(10), engine.connect() as watcher:
            while (await watcher.execute(_WAITERS, {"holder": holder_pid})).scalar_one() == 0:
                await watcher.rollback()  # a fresh look at pg_locks each time
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"no transaction waited for a lock of backend {holder_pid}") from None
