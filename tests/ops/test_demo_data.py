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
        await _rows(
            demo_url,
            f"SELECT status, count(*) FROM cases WHERE unit_id = ({north}) AND origin = 'citizen'"
            " GROUP BY status",
        )
    )
    assert by_status == {"new": 2, "assigned": 4, "awaiting_citizen": 1, "closed": 3}
    [(group_cases, overdue, closures)] = await _rows(
        demo_url,
        "SELECT count(*) FILTER (WHERE assignee_group_id IS NOT NULL),"
        " count(*) FILTER (WHERE status <> 'closed' AND due_at < now()),"
        " array_agg(DISTINCT closure) FILTER (WHERE closure IS NOT NULL)"
        f" FROM cases WHERE unit_id = ({north}) AND origin = 'citizen'",
    )
    assert group_cases == 1
    assert overdue >= 2  # 7 and 8 days back are past any deadline, even over Easter
    assert sorted(closures) == ["answered", "closed_without_answer"]
    kinds = {k for (k,) in await _rows(demo_url, "SELECT DISTINCT kind FROM messages")}
    assert {"citizen", "partial_reply", "counter_question", "answer"} <= kinds
    citizen_cases = "SELECT id FROM cases WHERE origin = 'citizen'"  # the outbound sends are apart
    [(events, audited)] = await _rows(
        demo_url,
        f"SELECT (SELECT count(*) FROM case_events WHERE case_id IN ({citizen_cases})),"
        f" (SELECT count(*) FROM audit_events WHERE case_id IN ({citizen_cases}))",
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


async def test_demo_outbound_sends(demo_url: str) -> None:
    """One information send (to a citizen who never logged in, too) and one questions send."""
    settings = Settings(app_env="test", database_url=demo_url, bootstrap_system_admins=[SYSTEM_ADMIN])
    await load_demo(demo_url, settings)
    again = await load_demo(demo_url, settings)
    assert "demo_outbound" not in again
    sends = await _rows(
        demo_url,
        "SELECT s.kind, s.recipient_count, s.template_name, array_agg(c.status ORDER BY c.status)"
        " FROM outbound_sends s JOIN cases c ON c.outbound_id = s.id GROUP BY s.id ORDER BY s.kind",
    )
    assert sends == [
        ("information", 4, None, ["closed"] * 4),
        ("questions", 2, "Uppföljning efter besök", ["assigned", "awaiting_citizen"]),
    ]
    # A created event and a PDL event per case of a send, and Maja's answer (a citizen's, unlogged).
    outbound_cases = "SELECT id FROM cases WHERE origin = 'outbound'"
    [(events, audited)] = await _rows(
        demo_url,
        f"SELECT (SELECT count(*) FROM case_events WHERE case_id IN ({outbound_cases})),"
        f" (SELECT count(*) FROM audit_events WHERE case_id IN ({outbound_cases}))",
    )
    assert (events, audited) == (6 + 1, 6)
    [(name,)] = await _rows(
        demo_url, "SELECT given_name FROM citizens WHERE personal_number = '194403152343'"
    )
    assert name == "Ingrid"
