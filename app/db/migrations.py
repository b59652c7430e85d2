"""Where the database schema stands against the newest alembic revision."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[2]


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

    @property
    def ready(self) -> bool:
        return self.reachable and self.current == self.head

    def as_dict(self) -> dict[str, object]:
        if not self.reachable:
            reason = "database unreachable"
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


async def schema_state(engine: AsyncEngine) -> SchemaState:
    head = head_revision()
    try:
        async with engine.connect() as conn:
            exists = (await conn.execute(text("SELECT to_regclass('alembic_version')"))).scalar()
            current = (
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
                if exists
                else None
            )
    except (SQLAlchemyError, OSError):
        return SchemaState(False, None, head)
    return SchemaState(True, current, head)


def upgrade_to_head(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")
