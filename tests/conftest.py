"""Tests run on a real PostgreSQL: TEST_DATABASE_URL when set, else the embedded server.

Each pytest run migrates its own fresh database (so parallel runs never meet), and each test
runs inside a transaction that is rolled back. Tests that need real concurrency use
`committed_services`, which commits for real and truncates afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import Services, build_services
from app.db.engine import Database, create_engine, embedded_postgres_url, to_async_url
from app.db.migrations import upgrade_to_head
from app.domain import calendar
from app.main import attach_services, create_app
from tests.fixtures.clinic import SYSTEM_ADMIN_HSA

# Property tests (hypothesis) are derandomized unless asked otherwise: each test's examples
# follow from its own code, so a failure in CI comes back with the same command anywhere, and
# the falsifying example is printed. HYPOTHESIS_PROFILE=explore draws fresh examples (and prints
# the seed and a @reproduce_failure blob for anything it finds).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (HYPOTHESIS_PROFILE=explore for random examples)"


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return to_async_url(url)
    return embedded_postgres_url(os.environ.get("TEST_EMBEDDED_PG_DIR", "var/pgtest"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = make_url(_server_url())
    name = f"careinbox_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        engine = create_engine(
            server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT", pool_size=1
        )
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        app_env="test",
        database_url=database_url,
        bootstrap_system_admins=[SYSTEM_ADMIN_HSA],
        log_json=True,
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url, pool_size=5, max_overflow=25)
    yield eng
    await eng.dispose()


class RolledBackDatabase(Database):
    """Every unit of work is a savepoint inside the test's one transaction."""

    def __init__(self, engine: AsyncEngine, conn: AsyncConnection) -> None:
        super().__init__(engine)
        self.conn = conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.conn.begin_nested():
            yield self.conn


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        outer = await connection.begin()
        yield connection
        await outer.rollback()


@pytest.fixture
def services(settings: Settings, engine: AsyncEngine, conn: AsyncConnection) -> Services:
    return build_services(settings, RolledBackDatabase(engine, conn))


@pytest.fixture
async def client(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    attach_services(app, services)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def committed_services(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Services]:
    """Real transactions on a pool, for concurrency tests; the tables are emptied afterwards."""
    yield build_services(settings, Database(engine))
    async with engine.begin() as c:
        tables = (
            await c.execute(
                text(
                    "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ).scalar()
        # The PDL log refuses TRUNCATE by trigger; the test owner (a superuser) may set triggers
        # aside for this cleanup, which the app role may not.
        await c.execute(text("SET LOCAL session_replication_role = replica"))
        await c.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def committed_client(
    settings: Settings, committed_services: Services
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    attach_services(app, committed_services)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Stops the clock the date rules read (`app.domain.calendar.now`: a grant's last day, today)
    at a given instant, so a test that names a date cannot race a Stockholm midnight with the
    server. Deadlines are computed from the database's clock and are not affected."""

    def set_to(instant: datetime) -> None:
        if instant.utcoffset() is None:
            raise ValueError("give the instant a time zone")
        monkeypatch.setattr(calendar, "now", lambda: instant)

    return set_to


@pytest.fixture
def set_database_clock(conn: AsyncConnection) -> Callable[[datetime], Awaitable[None]]:
    """Stops the database's `now()` at a given instant for the test's transaction, so a row the
    app stamps with `now()` (a case's arrival, hence its deadline) has a time the test can name.
    How: a `now()` of our own in `public`, found first because search_path (SET LOCAL, rolled
    back with the test) puts pg_catalog after it. Column defaults keep the real clock."""

    async def set_to(instant: datetime) -> None:
        if instant.utcoffset() is None:
            raise ValueError("give the instant a time zone")
        await conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql STABLE"
            f" AS $$ SELECT timestamptz '{instant.isoformat()}' $$"
        )
        await conn.exec_driver_sql("SET LOCAL search_path = public, pg_catalog")

    return set_to
