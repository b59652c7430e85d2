"""The demo inbox (`make run`): every status, some overdue, threads and events; a second load
adds nothing. Runs the real `load_demo` into a database of its own, since it commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db.engine import create_engine
from app.db.migrations import upgrade_to_head
from app.demo.identities import SYSTEM_ADMIN, UNITS
from app.demo.load import load_demo


def _admin(url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def demo_url(database_url: str) -> Iterator[str]:
    server = make_url(database_url)
    name = f"careinbox_demo_{uuid.uuid4().hex[:10]}"
    admin_url = server.render_as_string(hide_password=False)
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(sql), {"hsa": UNITS["north"]["hsa_id"]})
            return [tuple(r) for r in result]
    finally:
        await engine.dispose()


async def test_demo_inbox(demo_url: str) -> None:
    settings = Settings(app_env="test", database_url=demo_url, bootstrap_system_admins=[SYSTEM_ADMIN])
    first = await load_demo(demo_url, settings)
    assert len(first["demo_cases"]) == 10
    second = await load_demo(demo_url, settings)
    assert "demo_cases" not in second  # the unit already had cases: nothing added
    north = "SELECT id FROM units WHERE hsa_id = :hsa"
    by_status = dict(
        await _rows(demo_url, f"SELECT status, count(*) FROM cases WHERE unit_id = ({north}) GROUP BY status")
    )
    assert by_status == {"new": 2, "assigned": 4, "awaiting_citizen": 1, "closed": 3}
    [(group_cases, overdue, closures)] = await _rows(
        demo_url,
        "SELECT count(*) FILTER (WHERE assignee_group_id IS NOT NULL),"
        " count(*) FILTER (WHERE status <> 'closed' AND due_at < now()),"
        " array_agg(DISTINCT closure) FILTER (WHERE closure IS NOT NULL)"
        f" FROM cases WHERE unit_id = ({north})",
    )
    assert group_cases == 1
    assert overdue >= 2  # 7 and 8 days back are past any deadline, even over Easter
    assert sorted(closures) == ["answered", "closed_without_answer"]
    kinds = {k for (k,) in await _rows(demo_url, "SELECT DISTINCT kind FROM messages")}
    assert {"citizen", "partial_reply", "counter_question", "answer"} <= kinds
    [(events, audited)] = await _rows(
        demo_url, "SELECT (SELECT count(*) FROM case_events), (SELECT count(*) FROM audit_events)"
    )
    # A created event per case and one per step (16, the citizens' 2 replies included); one PDL
    # event per staff step (14), none for the citizens' own.
    assert (events, audited) == (10 + 16, 14)
    # Threads moved back in time with their case: nothing happened before the case arrived.
    [(early,)] = await _rows(
        demo_url,
        "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.created_at < c.created_at",
    )
    assert early == 0
