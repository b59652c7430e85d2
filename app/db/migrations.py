"""Where the database schema stands against the newest alembic revision."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.availability import EXCEPTION_TYPES, unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
_UNREACHABLE: tuple[type[Exception], ...] = (SQLAlchemyError, *EXCEPTION_TYPES)


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class SchemaState:
    reachable: bool
    current: str | None
    head: str | None
    # Why the database is unreachable, when it is.
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.reachable and self.current == self.head

    def as_dict(self) -> dict[str, object]:
        if not self.reachable:
            reason = self.problem or "database unreachable"
        elif self.current != self.head:
            reason = f"schema at {self.current or 'nothing'}, newest is {self.head}: run migrations"
        else:
            reason = "ready"
        return {
            "status": "ready" if self.ready else "not_ready",
            "database": "reachable" if self.reachable else "unreachable",
            "schema_revision": self.current,
            "newest_revision": self.head,
            "detail": reason,
        }


async def schema_state(engine: AsyncEngine, timeout: float | None = None) -> SchemaState:  # noqa: ASYNC109
    """Where the schema stands; within `timeout` seconds or "unreachable" (a frozen server, an
    exhausted pool, a connection attempt that hangs must not hang the readiness probe)."""
    head = head_revision()
    if timeout is None:
        return await _schema_state(engine, head)
    # Not wait_for: it waits for the cancelled check to clean up, and closing a connection to a
    # frozen server can take as long again. The answer goes out at the time-out; the clean-up
    # finishes in the background.
    check = asyncio.ensure_future(_schema_state(engine, head))
    done, _ = await asyncio.wait({check}, timeout=timeout)
    if check in done:
        return check.result()
    check.cancel()
    _abandoned.add(check)
    check.add_done_callback(_abandoned.discard)
    return SchemaState(False, None, head, f"the database did not answer within {timeout:g} s")


# Checks given up on, referenced until their clean-up ends (asyncio keeps only weak references).
_abandoned: set[asyncio.Future[SchemaState]] = set()


async def _schema_state(engine: AsyncEngine, head: str | None) -> SchemaState:
    try:
        async with engine.connect() as conn:
            exists = (await conn.execute(text("SELECT to_regclass('alembic_version')"))).scalar()
            current = (
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
                if exists
                else None
            )
    except _UNREACHABLE as exc:
        return SchemaState(False, None, head, unavailable_reason(exc) or type(exc).__name__)
    return SchemaState(True, current, head)


def upgrade_to_head(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")
