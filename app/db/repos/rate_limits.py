"""Rate-limit counters in PostgreSQL: one prebuilt upsert per counted request.

A fixed window per key: the window a hit falls in is computed by the database from its own
clock (`now()`, the transaction's time), so every API process agrees on it. The upsert either
starts the key's new window at 1 or adds 1 to the current one, and returns the count with the
seconds left in the window (the `Retry-After` of a refusal).
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, case, extract, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import rate_limit_counters

_c = rate_limit_counters
_WINDOW = bindparam("window", type_=Integer)
_slot = func.floor(extract("epoch", func.now()) / _WINDOW)
_upsert = insert(_c).values(
    key=bindparam("key", type_=_c.c.key.type),
    window_start=func.to_timestamp(_slot * _WINDOW),
    hits=1,
    expires_at=func.to_timestamp((_slot + 1) * _WINDOW),
)
_HIT = Prepared(
    _upsert.on_conflict_do_update(
        index_elements=[_c.c.key],
        set_={
            "hits": case((_c.c.window_start == _upsert.excluded.window_start, _c.c.hits + 1), else_=1),
            "window_start": _upsert.excluded.window_start,
            "expires_at": _upsert.excluded.expires_at,
        },
    ).returning(_c.c.hits, func.ceil(extract("epoch", _c.c.expires_at - func.now())))
)


class PostgresCounters:
    """The counter store of app/services/rate_limits.py, in the caller's transaction."""

    async def hit(self, conn: AsyncConnection, key: str, window_seconds: int) -> tuple[int, int]:
        row = await _HIT.row(conn, key=key, window=window_seconds)
        assert row is not None  # an upsert always returns its row
        return int(row[0]), max(1, int(row[1]))


async def purge_expired(conn: AsyncConnection) -> int:
    """Counters whose window has ended: a new hit would start over anyway."""
    result = await conn.execute(_c.delete().where(_c.c.expires_at < func.now()))
    return int(result.rowcount)
