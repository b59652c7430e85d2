"""The database down, starting, frozen or slow (docs/operations.md; docs/security.md, "database
outage or freeze"): 503 problems with Retry-After instead of 500s, answers within the configured
timeouts, `/readyz` saying why, and recovery without restarting the app.

The stop/start test runs its own throwaway PostgreSQL (pgserver) so the machine's shared server
is never touched; the frozen-server tests use TCP stand-ins on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import httpx
import pgserver  # type: ignore[import-untyped]
import pytest
from pgserver._commands import pg_ctl  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.container import build_services
from app.db.engine import Database, create_engine, engine_options, to_async_url
from app.db.migrations import upgrade_to_head
from app.main import attach_services, create_app
from tests.fixtures.clinic import API, bearer, citizen_token, pnr


class Throwaway:
    """A PostgreSQL server of the test's own, to stop and start at will."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="careinbox-outage-")
        self.server = pgserver.get_server(self.dir, cleanup_mode="delete")
        self.url = to_async_url(self.server.get_uri())

    def stop(self) -> None:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture(scope="module")
def throwaway() -> Iterator[Throwaway]:
    pg = Throwaway()
    upgrade_to_head(pg.url)
    yield pg
    with suppress(Exception):
        pg.start()
    pg.server.cleanup()


@asynccontextmanager
async def _served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app as it starts for real (lifespan: its own engine from the settings)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


def _assert_503(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["type"].endswith("/service-unavailable")


async def test_a_stopped_database_is_503_and_the_app_recovers_without_restart(
    throwaway: Throwaway, settings: Settings
) -> None:
    s = settings.model_copy(update={"database_url": throwaway.url})
    async with _served(s) as client:
        headers = bearer(await citizen_token(client, pnr()))
        assert (await client.get(f"{API}/citizen/me", headers=headers)).status_code == 200
        throwaway.stop()
        try:
            # The pooled connection died with the server; new ones cannot be made.
            for _ in range(3):
                _assert_503(await client.get(f"{API}/citizen/me", headers=headers))
                _assert_503(await client.post(f"{API}/auth/citizen/token", json={"personal_number": pnr()}))
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
            assert ready.json()["detail"].startswith("the database")  # lost, or unreachable
        finally:
            throwaway.start()
        # Back: the very next requests work, on the same app and engine.
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get(f"{API}/citizen/me", headers=headers)).status_code == 200
        assert (
            await client.post(f"{API}/auth/citizen/token", json={"personal_number": pnr()})
        ).status_code == 200


async def test_a_request_held_up_by_a_lock_is_503_at_the_statement_timeout(
    settings: Settings, database_url: str
) -> None:
    s = settings.model_copy(update={"database_statement_timeout_seconds": 0.5})
    db = Database(create_engine(database_url, **engine_options(s)))
    app = create_app(s)
    attach_services(app, build_services(s, db))
    owner = create_engine(database_url, pool_size=1)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = bearer(await citizen_token(client, pnr()))
            async with owner.connect() as locker:
                await locker.begin()
                await locker.execute(text("LOCK TABLE citizens IN ACCESS EXCLUSIVE MODE"))
                started = time.monotonic()
                r = await client.get(f"{API}/citizen/me", headers=headers)
                waited = time.monotonic() - started
                await locker.rollback()
            _assert_503(r)
            assert "did not answer in time" in r.json()["detail"]
            assert waited < 0.5 + 5, waited  # the statement timeout, not forever
            assert (await client.get(f"{API}/citizen/me", headers=headers)).status_code == 200
    finally:
        await owner.dispose()
        await db.dispose()
        async with create_engine(database_url, pool_size=1).begin() as c:
            await c.execute(text("SET LOCAL session_replication_role = replica"))
            await c.execute(text("TRUNCATE citizens, register_entries, rate_limit_counters CASCADE"))


class FrozenProxy:
    """A TCP proxy to the real server that can freeze: it stops passing bytes either way (a
    server stopped with SIGSTOP, a network that drops everything), or, with no upstream at all,
    accepts connections and never answers."""

    def __init__(self, upstream: tuple[str, int] | None) -> None:
        self.upstream = upstream
        self.frozen = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FrozenProxy:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self.server is not None
        self.server.close()
        with suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(Exception):
            while data := await reader.read(65536):
                if self.frozen.is_set():
                    await asyncio.sleep(3600)  # swallowed; the test's end cancels it
                writer.write(data)
                await writer.drain()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.upstream is None:
                await asyncio.sleep(3600)
                return
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except asyncio.CancelledError:
            writer.close()  # the test is over; ending quietly keeps asyncio from logging it


def _via(database_url: str, port: int) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


async def test_readyz_answers_within_its_timeout_when_the_server_never_answers(settings: Settings) -> None:
    async with FrozenProxy(None) as frozen:
        s = settings.model_copy(
            update={
                "database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{frozen.port}/x",
                "readyz_timeout_seconds": 0.5,
                "database_connect_timeout_seconds": 1.0,
            }
        )
        db = Database(create_engine(s.database_url or "", **engine_options(s)))
        app = create_app(s)
        attach_services(app, build_services(s, db))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                started = time.monotonic()
                r = await client.get("/readyz")
                assert time.monotonic() - started < 0.5 + 2
                assert r.status_code == 503 and "did not answer within 0.5 s" in r.json()["detail"]
                # A request waits for the connect timeout, then gets a 503.
                started = time.monotonic()
                _assert_503(await client.post(f"{API}/auth/citizen/token", json={"personal_number": pnr()}))
                assert time.monotonic() - started < 1.0 + 3
        finally:
            await db.dispose()


async def test_a_server_that_freezes_mid_request_is_503_at_the_command_timeout(
    settings: Settings, database_url: str
) -> None:
    """statement_timeout cannot help when the server itself stops answering; the client-side
    bound (statement timeout + 2 s) does, and new connections give up at the connect timeout."""
    target = make_url(database_url)
    async with FrozenProxy((target.host or "127.0.0.1", target.port or 5432)) as proxy:
        s = settings.model_copy(
            update={
                "database_statement_timeout_seconds": 0.5,
                "database_connect_timeout_seconds": 1.0,
                "readyz_timeout_seconds": 0.5,
                "database_pool_size": 1,
                "database_max_overflow": 0,
            }
        )
        db = Database(create_engine(_via(database_url, proxy.port), **engine_options(s)))
        app = create_app(s)
        attach_services(app, build_services(s, db))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                headers = bearer(await citizen_token(client, pnr()))  # warms the one connection
                proxy.frozen.set()
                started = time.monotonic()
                _assert_503(await client.get(f"{API}/citizen/me", headers=headers))
                # The statement gives up at 0.5 s + 2 s, and so does the rollback on the same
                # frozen connection: bounded by the settings, not asyncpg's 60 s default.
                assert time.monotonic() - started < 2 * (0.5 + 2) + 3
                started = time.monotonic()
                ready = await client.get("/readyz")
                assert ready.status_code == 503
                assert time.monotonic() - started < 0.5 + 2
        finally:
            with suppress(Exception):
                await asyncio.wait_for(db.dispose(), 5)
