"""SQL of the PostgreSQL attachment store: a blob's bytes as numbered 256 KiB rows."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import attachment_chunks as chunks


async def write(conn: AsyncConnection, blob_id: UUID, seq: int, data: bytes) -> None:
    await conn.execute(insert(chunks).values(blob_id=blob_id, seq=seq, data=data))


async def read(conn: AsyncConnection, blob_id: UUID, seq: int) -> bytes | None:
    stmt = select(chunks.c.data).where(chunks.c.blob_id == blob_id, chunks.c.seq == seq)
    data: bytes | None = (await conn.execute(stmt)).scalar()
    return data


async def remove(conn: AsyncConnection, blob_ids: list[UUID]) -> None:
    await conn.execute(delete(chunks).where(chunks.c.blob_id.in_(blob_ids)))
