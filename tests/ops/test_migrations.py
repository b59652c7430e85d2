"""Schema hygiene: every migration goes up and down cleanly, and tables.py mirrors the result."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.engine import create_engine
from app.db.migrations import alembic_config, head_revision
from app.db.tables import metadata

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _admin(database_url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=1)
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            names = {r[0] for r in rows}
        await engine.dispose()
        return names

    return asyncio.run(run())


@pytest.fixture
def fresh_database_url(database_url: str) -> Iterator[str]:
    name = f"careinbox_stairway_{uuid.uuid4().hex[:10]}"
    _admin(database_url, f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_stairway_up_down_up(fresh_database_url: str) -> None:
    """Each revision upgrades, downgrades to its parent and upgrades again; then the whole
    chain goes head → base → head. A downgrade that forgets a type or index fails here."""
    cfg = alembic_config(fresh_database_url)
    script = ScriptDirectory.from_config(cfg)
    revisions = list(reversed(list(script.walk_revisions("base", "heads"))))
    assert revisions, "no migrations found"
    for revision in revisions:
        command.upgrade(cfg, revision.revision)
        command.downgrade(cfg, revision.down_revision or "base")
        command.upgrade(cfg, revision.revision)
    command.downgrade(cfg, "base")
    assert _tables(fresh_database_url) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert set(metadata.tables) <= _tables(fresh_database_url)


def test_there_is_one_head_and_files_are_date_prefixed() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "merge the migration branches"
    assert head_revision() == script.get_current_head()
    for path in VERSIONS.glob("*.py"):
        assert re.fullmatch(r"\d{8}_[0-9a-f]+_[a-z0-9_]+\.py", path.name), path.name


async def test_tables_py_matches_the_migrated_schema(engine: AsyncEngine) -> None:
    def diff(sync_conn: Connection) -> list[Any]:
        context = MigrationContext.configure(
            sync_conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == [], "app/db/tables.py and the migrations disagree (add a revision):\n" + "\n".join(
        map(str, differences)
    )
