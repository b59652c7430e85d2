"""The attachment store port: bytes in by stream, out by stream, never whole in memory."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

# Rows of the PostgreSQL store and reads of either store come in pieces of this size.
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class StoredBlob:
    key: str
    size: int
    sha256: str  # hex, of exactly the bytes stored


class AttachmentStore(Protocol):
    """`conn` is the caller's transaction: the PostgreSQL store writes and deletes in it (so a
    rollback undoes them); an object store works outside it."""

    async def put(self, conn: AsyncConnection, chunks: AsyncIterable[bytes]) -> StoredBlob: ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes in pieces of at most CHUNK_BYTES, read as they are sent."""
        ...

    async def delete(self, conn: AsyncConnection, keys: list[str]) -> None: ...

    async def abandon(self, key: str) -> None:
        """Forget bytes put in a transaction that is being rolled back (an object store keeps
        them otherwise; the PostgreSQL store's rollback removes them itself)."""
        ...

    async def close(self) -> None: ...


class Digest:
    """Size and SHA-256 of the bytes passing through, re-cut into CHUNK_BYTES pieces."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    async def pieces(self, chunks: AsyncIterable[bytes], piece: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        buffer = bytearray()
        async for chunk in chunks:
            self.size += len(chunk)
            self._hash.update(chunk)
            buffer += chunk
            while len(buffer) >= piece:
                yield bytes(buffer[:piece])
                del buffer[:piece]
        if buffer:
            yield bytes(buffer)

    def blob(self, key: str) -> StoredBlob:
        return StoredBlob(key, self.size, self._hash.hexdigest())
