"""Whether the demo loader may write into a database: only into an empty one (which it then
marks as the demo's) or one it marked before. A database with people or organisations the demo
did not write (a real one, pointed at by mistake) has no marker and is refused."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import citizens, demo_marker, directory_entries, regions, staff, units

# The tables a real deployment fills first: any row here is someone's data.
_OWNED_DATA = (regions, units, staff, citizens, directory_entries)


async def claim_for_demo(conn: AsyncConnection) -> str | None:
    """None when the demo may load (and the database is now marked as the demo's), else why not.
    Runs in the caller's transaction, which holds a lock on the marker table until it ends."""
    await conn.exec_driver_sql("LOCK TABLE demo_marker IN EXCLUSIVE MODE")
    if (await conn.execute(select(exists().where(demo_marker.c.id == 1)))).scalar():
        return None
    if (await conn.execute(select(or_(*(exists().select_from(t) for t in _OWNED_DATA))))).scalar():
        return "the database holds data the demo did not write (no demo marker); use an empty database"
    await conn.execute(insert(demo_marker).values(id=1).on_conflict_do_nothing())
    return None
