"""The SQL behind one request, captured from the app itself, and its replay through raw asyncpg.

The capture listens on the engine (`before_cursor_execute`) while one request runs in-process,
so the replay sends exactly the app's statements with the app's parameters — the actor's role
query, the reads, the writes and the audit insert — in one transaction, as the app does.
Values that must differ per request (a new case's id and reference, the case to view) are
substituted per replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

Statement = tuple[str, tuple[Any, ...]]


async def capture(
    client: httpx.AsyncClient, engine: AsyncEngine, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, list[Statement]]:
    seen: list[Statement] = []

    def listener(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        response = await client.request(method, path, **kwargs)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)
    return response, seen


def _sub(value: Any, subs: dict[Any, Any], text_subs: list[tuple[str, str]]) -> Any:
    if isinstance(value, list | tuple):
        return type(value)(_sub(v, subs, text_subs) for v in value)
    if isinstance(value, UUID | int) and not isinstance(value, bool) and value in subs:
        return subs[value]
    if isinstance(value, str):
        if value in subs:
            return subs[value]
        for old, new in text_subs:
            if old in value:
                value = value.replace(old, new)
    return value


def _both_spellings(subs: dict[Any, Any]) -> dict[Any, Any]:
    """A UUID is matched as a UUID parameter and as text (responses give ids as strings)."""
    out = dict(subs)
    for key, value in subs.items():
        if isinstance(key, UUID):
            out[str(key)] = str(value)
        elif isinstance(key, str):
            try:
                out[UUID(key)] = value if isinstance(value, UUID) else UUID(str(value))
            except ValueError:
                pass
    return out


class Replay:
    """The captured statements of one request, replayed with per-request substitutions.

    `substitutions(n)` gives {captured value: value for the n-th replay}; string parameters
    (JSON payloads, dedup keys) also get the textual replacement of every such value.
    """

    def __init__(
        self, statements: list[Statement], substitutions: Callable[[int], dict[Any, Any]] | None = None
    ) -> None:
        self.statements = statements
        self.substitutions = substitutions

    def params(self, n: int) -> list[tuple[Any, ...]]:
        if self.substitutions is None:
            return [p for _, p in self.statements]
        subs = _both_spellings(self.substitutions(n))
        text_subs = [(str(k), str(v)) for k, v in subs.items() if not isinstance(k, int)]
        return [_sub(p, subs, text_subs) for _, p in self.statements]

    async def run(self, pool: asyncpg.Pool, n: int) -> bool:
        params = self.params(n)
        async with pool.acquire() as conn, conn.transaction():
            for (sql, _), args in zip(self.statements, params, strict=True):
                await conn.fetch(sql, *args)
        return True


async def _codecs(conn: asyncpg.Connection) -> None:
    """The JSON codecs SQLAlchemy's asyncpg dialect installs, so both sides do the same work."""
    await conn.set_type_codec(
        "json",
        encoder=str.encode,
        decoder=lambda b: json.loads(b.decode()),
        schema="pg_catalog",
        format="binary",
    )
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda s: b"\x01" + s.encode(),
        decoder=lambda b: json.loads(b[1:].decode()),
        schema="pg_catalog",
        format="binary",
    )


async def raw_pool(dsn: str, size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=size, max_size=size, init=_codecs)
    assert pool is not None
    return pool
