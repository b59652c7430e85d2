"""The Idempotency-Key mechanism on its own (the routes using it are tested with them)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.services import idempotency
from app.services.idempotency import IdempotencyKeyReused, StoredResponse

SCOPE = "POST /api/v1/citizen/cases"


class Work:
    """Counts how often the guarded work really ran."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay

    async def __call__(self) -> StoredResponse:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return StoredResponse(201, f'{{"n":{self.calls}}}'.encode(), {"ETag": '"1"', "X-Other": "dropped"})


async def run(
    conn: AsyncConnection,
    work: Work,
    body: object,
    actor: str = "citizen:a",
    key: str | None = "k1",
    scope: str = SCOPE,
) -> StoredResponse:
    return await idempotency.execute(conn, actor=actor, scope=scope, key=key, body=body, work=work)


async def test_replay_returns_first_response_and_runs_work_once(conn: AsyncConnection) -> None:
    work = Work()
    first = await run(conn, work, {"a": 1, "b": [1, 2]})
    again = await run(conn, work, {"b": [1, 2], "a": 1})  # key order does not matter
    assert work.calls == 1
    assert not first.replayed and again.replayed
    assert (again.status_code, again.body) == (201, b'{"n":1}')
    # Location/ETag are kept, anything else is not stored.
    assert again.headers == {"ETag": '"1"'}


async def test_same_key_other_body_is_422(conn: AsyncConnection) -> None:
    work = Work()
    await run(conn, work, {"a": 1})
    with pytest.raises(IdempotencyKeyReused) as err:
        await run(conn, work, {"a": 2})
    assert err.value.status == 422
    assert work.calls == 1


async def test_keys_are_scoped_to_actor_and_endpoint(conn: AsyncConnection) -> None:
    work = Work()
    await run(conn, work, {"a": 1}, actor="citizen:a")
    await run(conn, work, {"a": 1}, actor="citizen:b")
    await run(conn, work, {"a": 1}, actor="staff:a")
    await run(conn, work, {"a": 1}, scope="POST /api/v1/citizen/cases/x/messages")
    assert work.calls == 4


async def test_without_key_every_request_runs(conn: AsyncConnection) -> None:
    work = Work()
    await run(conn, work, {"a": 1}, key=None)
    await run(conn, work, {"a": 1}, key=None)
    assert work.calls == 2


async def test_expired_key_is_taken_over(conn: AsyncConnection) -> None:
    work = Work()
    await run(conn, work, {"a": 1})
    await conn.execute(text("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"))
    # After 24 h the key is free again, even with another body.
    fresh = await run(conn, work, {"a": 2})
    assert not fresh.replayed and work.calls == 2
    assert (await run(conn, work, {"a": 2})).replayed
    await conn.execute(text("UPDATE idempotency_keys SET created_at = now() - interval '23 hours'"))
    with pytest.raises(IdempotencyKeyReused):
        await run(conn, work, {"a": 3})


async def test_failed_work_leaves_the_key_free(engine: AsyncEngine) -> None:
    actor = f"citizen:{uuid.uuid4()}"

    async def boom() -> StoredResponse:
        raise RuntimeError("failed")

    with pytest.raises(RuntimeError):
        async with engine.begin() as c:
            await idempotency.execute(c, actor=actor, scope=SCOPE, key="k", body={}, work=boom)
    work = Work()
    async with engine.begin() as c:
        assert not (await run(c, work, {}, actor=actor, key="k")).replayed
        await c.execute(text("DELETE FROM idempotency_keys WHERE actor = :a"), {"a": actor})


async def test_simultaneous_requests_with_one_key_run_once(engine: AsyncEngine) -> None:
    actor = f"citizen:{uuid.uuid4()}"
    work = Work(delay=0.3)
    claimed = asyncio.Event()

    async def first() -> StoredResponse:
        async with engine.begin() as c:

            async def signalling() -> StoredResponse:
                claimed.set()  # the key row is inserted, not yet committed
                return await work()

            return await idempotency.execute(
                c, actor=actor, scope=SCOPE, key="k", body={"a": 1}, work=signalling
            )

    async def second() -> StoredResponse:
        await claimed.wait()
        async with engine.begin() as c:
            return await run(c, work, {"a": 1}, actor=actor, key="k")

    a, b = await asyncio.gather(first(), second())
    assert work.calls == 1
    assert b.replayed and b.body == a.body
    async with engine.begin() as c:
        await c.execute(text("DELETE FROM idempotency_keys WHERE actor = :a"), {"a": actor})


async def test_purge_drops_only_expired_keys(conn) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import func, insert, select

    from app.db.repos.idempotency import purge_expired
    from app.db.tables import idempotency_keys as ik

    for key, age in (("old", timedelta(hours=25)), ("new", timedelta(0))):
        await conn.execute(
            insert(ik).values(actor="citizen:x", key=key, request_hash="h", created_at=func.now() - age)
        )
    assert await purge_expired(conn) == 1
    assert (await conn.execute(select(ik.c.key).where(ik.c.actor == "citizen:x"))).scalars().all() == ["new"]
