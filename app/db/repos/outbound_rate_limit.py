"""The outbound rate limit's counter: one row per handler, a fixed one-hour window.

A send counts in the same transaction as the send itself, so a refused or failed send (rolled
back) never counts, and two simultaneous sends by one handler queue on the row's lock and are
counted one after the other.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, case, func, literal
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import outbound_rate_limits as t


def _count_send() -> Prepared:
    # The clock hour in UTC (date_trunc in the session's zone would differ in zones offset by
    # half hours).
    window = func.date_trunc("hour", func.now(), literal("UTC"))
    stmt = insert(t).values(
        staff_id=bindparam("staff_id", type_=PgUUID(as_uuid=True)), window_start=window, sends=1
    )
    same_window = t.c.window_start == stmt.excluded.window_start
    return Prepared(
        stmt.on_conflict_do_update(
            index_elements=[t.c.staff_id],
            set_={
                "sends": case((same_window, t.c.sends + 1), else_=1),
                "window_start": stmt.excluded.window_start,
            },
        ).returning(t.c.sends, t.c.window_start, func.now())
    )


_COUNT_SEND = _count_send()


async def count_send(conn: AsyncConnection, staff_id: UUID) -> tuple[int, datetime, datetime]:
    """Count one send for the handler; returns (sends in this window, so far including this
    one; the window's start; now)."""
    (row,) = await _COUNT_SEND.rows(conn, staff_id=staff_id)
    return int(row[0]), row[1], row[2]
