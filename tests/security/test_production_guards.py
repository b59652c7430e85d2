"""`make run` cannot seed a production database (docs/security.md, "demo data in production"):
production settings are checked before anything touches a database, production never migrates or
loads the demo from `run`, and the demo loads only in dev into an empty database or the demo's own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.engine import Database, create_engine
from app.db.migrations import upgrade_to_head
from app.db.repos.demo_marker import claim_for_demo

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "5f0c9a3e7b1d24c86a0f9e3b7c2d51a4e8f60b3c9d7a2e15f4b8c06d3a9e7f21"


async def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


@pytest.fixture
async def fresh_url(database_url: str) -> AsyncIterator[str]:
    name = f"careinbox_cli_{uuid.uuid4().hex[:10]}"
    await _admin(database_url, f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    await _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_", "TOKEN_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**clean, "PORT": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _tables(url: str) -> object:
    return await _scalar(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")


async def test_production_run_with_stub_settings_writes_nothing(fresh_url: str) -> None:
    result = await asyncio.to_thread(_cli, "run", APP_ENV="production", DATABASE_URL=fresh_url)
    assert result.returncode != 0
    reason = result.stderr.strip().splitlines()[-1]
    assert "stub identity providers are refused in production" in reason
    assert await _tables(fresh_url) == 0


async def test_production_run_with_valid_settings_neither_migrates_nor_seeds(fresh_url: str) -> None:
    oidc = {
        f"{who}_{k}": v
        for who in ("STAFF", "CITIZEN")
        for k, v in (
            ("OIDC_ISSUER", "https://idp.invalid"),
            ("OIDC_AUDIENCE", "careinbox"),
            ("OIDC_JWKS_URL", "https://idp.invalid/jwks"),
            ("IDENTITY_PROVIDER", "oidc"),
        )
    }
    result = await asyncio.to_thread(
        _cli, "run", APP_ENV="production", DATABASE_URL=fresh_url, TOKEN_SIGNING_KEY=STRONG_KEY, **oidc
    )
    # The app refuses to start on a schema that is behind: migrating is the owner's deploy step.
    assert result.returncode != 0
    assert "refusing to start" in result.stderr + result.stdout
    assert await _tables(fresh_url) == 0


async def test_seed_refuses_outside_dev(fresh_url: str) -> None:
    result = await asyncio.to_thread(_cli, "seed", APP_ENV="test", DATABASE_URL=fresh_url)
    assert result.returncode != 0 and "the demo is for dev only" in result.stderr


async def test_dev_refuses_to_load_the_demo_into_foreign_data(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, fresh_url)
    await _admin(
        fresh_url,
        "INSERT INTO regions (name, county_code, hsa_id) "
        "VALUES ('Region Verklig', '01', 'SE2321000131-R999999999999')",
    )
    result = await asyncio.to_thread(_cli, "seed", APP_ENV="dev", DATABASE_URL=fresh_url)
    assert result.returncode != 0
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith("refusing to load the demo data: the database holds data the demo did not write")
    assert await _scalar(fresh_url, "SELECT count(*) FROM staff") == 0
    assert await _scalar(fresh_url, "SELECT count(*) FROM demo_marker") == 0


async def test_the_demo_claims_an_empty_database_and_keeps_it(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, fresh_url)
    db = Database(create_engine(fresh_url, pool_size=1))
    try:
        async with db.transaction() as conn:
            assert await claim_for_demo(conn) is None  # empty: marked as the demo's
            await conn.execute(
                text(
                    "INSERT INTO regions (name, county_code, hsa_id) "
                    "VALUES ('D', '14', 'SE2321000131-R000000000001')"
                )
            )
        async with db.transaction() as conn:
            assert await claim_for_demo(conn) is None  # the demo's own: reloads are fine
            await conn.execute(text("DELETE FROM demo_marker"))
        async with db.transaction() as conn:
            assert await claim_for_demo(conn) is not None  # data without the marker: refused
    finally:
        await db.dispose()
