"""The process's listener on committed rows: a rolled-back change announces and delivers
nothing, a committed one reaches the subscribers of its unit only, a slow client is dropped
rather than buffered without bound, and closing ends every stream."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.container import Services
from app.db.engine import Database
from app.db.repos import events as repo
from app.db.tables import domain_events, webhooks
from app.domain.events import CaseRef, case_created
from app.events.hub import Closed, EventHub
from app.events.secrets import SecretBox, new_secret
from tests.events.conftest import ALL_EVENTS, webhook_worker
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.servers import HttpReceiver
from tests.notify.test_workers import _unit


async def _case(db: Database) -> tuple[UUID, UUID]:
    unit = await _unit(db.engine)
    async with db.engine.begin() as c:
        citizen_id, _ = await add_citizen(c)
        return unit, await add_case(c, unit, citizen_id)


async def _emit(db: Database, unit: UUID, case: UUID, n: int = 1) -> None:
    async with db.transaction() as conn:
        for _ in range(n):
            await repo.emit(conn, unit, case, [case_created(CaseRef(case, "2026-0000001"), "citizen", None)])


async def test_a_rolled_back_change_emits_nothing_and_a_committed_one_arrives(
    settings: Settings, committed_services: Services
) -> None:
    db = committed_services.db
    unit, case = await _case(db)
    hub = EventHub(db, poll_seconds=60)  # no poll: only NOTIFY can wake it
    receiver = HttpReceiver(path="/hook").start()
    async with db.engine.begin() as c:
        sealed = SecretBox.from_settings(settings).seal(new_secret())
        await c.execute(
            webhooks.insert().values(unit_id=unit, url=receiver.url, events=ALL_EVENTS, secret=sealed)
        )
    try:
        sub = await hub.subscribe(unit)
        other = await hub.subscribe(uuid.uuid4())
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await repo.emit(conn, unit, case, [case_created(CaseRef(case, "R"), "citizen", None)])
                raise RuntimeError("the request failed after its change")
        assert await sub.next_batch(1.0) == []
        async with db.engine.connect() as c:
            assert (await c.execute(select(func.count()).select_from(domain_events))).scalar_one() == 0
        assert await webhook_worker(settings, db).drain() == 0 and receiver.requests == []

        await _emit(db, unit, case)
        [event] = await sub.next_batch(5.0)
        assert event.case_id == case and b'"case.created"' in event.body
        assert await other.next_batch(0.5) == []  # another unit's client hears nothing
        assert await webhook_worker(settings, db).drain() == 1 and len(receiver.requests) == 1
    finally:
        await hub.close()
        receiver.stop()


async def test_a_client_that_falls_behind_is_dropped_and_close_ends_the_rest(
    committed_services: Services,
) -> None:
    db = committed_services.db
    unit, case = await _case(db)
    hub = EventHub(db, queue_size=2, poll_seconds=60)
    try:
        slow = await hub.subscribe(unit)
        keeping_up = await hub.subscribe(unit)
        got = []
        for _ in range(4):
            await _emit(db, unit, case)
            got += await keeping_up.next_batch(5.0)
        assert len(got) == 4
        with pytest.raises(Closed, match="did not keep up"):
            await slow.next_batch(1.0)
        await hub.close()
        with pytest.raises(Closed, match="shutting down"):
            await keeping_up.next_batch(1.0)
        with pytest.raises(Closed):
            await hub.subscribe(unit)
    finally:
        await hub.close()
