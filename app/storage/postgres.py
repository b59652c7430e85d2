"""The default attachment store: bytes in PostgreSQL (`attachment_chunks`), one row per 256 KiB.

Writes go through the request's transaction, so a refused or failed upload leaves nothing. A
read takes a pooled connection per chunk and gives it back before the chunk is sent: a slow
client holds no connection while it downloads, and one that goes away leaks none.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.engine import Database
from app.db.repos import attachment_chunks as repo
from app.storage.ports import Digest, StoredBlob


class PostgresStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(self, conn: AsyncConnection, chunks: AsyncIterable[bytes]) -> StoredBlob:
        blob_id, digest = uuid.uuid4(), Digest()
        seq = 0
        async for piece in digest.pieces(chunks):
            await repo.write(conn, blob_id, seq, piece)
            seq += 1
        return digest.blob(str(blob_id))

    async def open(self, key: str) -> AsyncIterator[bytes]:
        blob_id, seq = UUID(key), 0
        while True:
            async with self.db.transaction() as conn:
                data = await repo.read(conn, blob_id, seq)
            if data is None:
                return
            yield data
            seq += 1

    async def delete(self, conn: AsyncConnection, keys: list[str]) -> None:
        if keys:
            await repo.remove(conn, [UUID(k) for k in keys])

    async def abandon(self, key: str) -> None:
        return None  # the transaction's rollback removes the rows

    async def close(self) -> None:
        return None
