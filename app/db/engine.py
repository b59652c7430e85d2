"""Engine, embedded PostgreSQL and the request's transaction."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.config import Settings

log = logging.getLogger(__name__)


def to_async_url(url: str) -> str:
    """Accept postgres:// or postgresql:// URLs and use the asyncpg driver."""
    u = make_url(url)
    if u.drivername in {"postgres", "postgresql", "postgresql+psycopg2"}:
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def embedded_postgres_url(data_dir: str) -> str:
    """Start (or reuse) the embedded server from the pgserver package; return its URL.

    pgserver keeps the server running across processes that share the data folder and stops it
    when the last one exits, so a second `make run` reuses the data.
    """
    import pgserver

    path = Path(data_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(path), cleanup_mode="stop")  # type: ignore[attr-defined]
    _embedded_servers.append(server)
    uri: str = server.get_uri()
    # pgserver gives postgresql://postgres:@/postgres?host=/socket/dir
    return to_async_url(uri)


_embedded_servers: list[Any] = []


def resolve_database_url(database_url: str | None, embedded_dir: str) -> str:
    if database_url:
        return to_async_url(database_url)
    return embedded_postgres_url(embedded_dir)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", False)
    return create_async_engine(url, **kwargs)


# The client-side bound on one statement: the server's statement_timeout plus this. It answers for
# a server that stops answering altogether (frozen, or the network gone), which never cancels
# anything itself.
COMMAND_TIMEOUT_MARGIN_SECONDS = 2.0


def engine_options(settings: Settings) -> dict[str, Any]:
    """How the app's engine connects: as its least-privilege role, and failing fast.

    - the pool hands out a connection within DATABASE_POOL_TIMEOUT_SECONDS or gives up (503);
    - connecting (TCP, TLS, authentication) takes at most DATABASE_CONNECT_TIMEOUT_SECONDS;
    - the server cancels a statement after DATABASE_STATEMENT_TIMEOUT_SECONDS (waiting for a lock
      included) and ends a session left idle inside a transaction after
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS, so a stuck request frees its locks;
    - `role` as a start-up parameter is `SET ROLE` for the whole session (RESET ROLE and RESET
      ALL return to it): the app never acts as the login role, e.g. the superuser of the
      embedded or CI server. Migrations use their own engine and run as the owner.
    """
    server_settings = {
        "statement_timeout": str(round(settings.database_statement_timeout_seconds * 1000)),
        "idle_in_transaction_session_timeout": str(
            round(settings.database_idle_in_transaction_timeout_seconds * 1000)
        ),
    }
    if settings.database_app_role:
        server_settings["role"] = settings.database_app_role
    return {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_timeout": settings.database_pool_timeout_seconds,
        "connect_args": {
            "timeout": settings.database_connect_timeout_seconds,
            "command_timeout": settings.database_statement_timeout_seconds + COMMAND_TIMEOUT_MARGIN_SECONDS,
            "server_settings": server_settings,
        },
    }


class Database:
    """Hands out one connection in one transaction per unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()
