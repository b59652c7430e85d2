"""Workers on committed rows: several at once, a relay that goes down and comes back while the
API keeps serving, a worker process killed mid-batch (and one stopped with SIGTERM), and the
operators' `python -m app.cli outbox`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.container import Services
from app.db.repos import notifications
from app.db.tables import outbox, regions, units
from app.notify import admin
from app.notify.email import message_id
from app.notify.policy import RetryPolicy
from app.notify.senders import Notice
from app.notify.texts import StaffFacts
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import add_case_type, citizen, new_case_body
from tests.fixtures.clinic import API, make_clinic
from tests.fixtures.servers import SmtpServer
from tests.notify.conftest import ROOT, Spawn, add_row, make_worker, until


async def _rows(engine: AsyncEngine, n: int, **kw: Any) -> list[int]:
    async with engine.begin() as c:
        return [await add_row(c, recipient=f"r{i}@vc.example.se", **kw) for i in range(n)]


async def _statuses(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as c:
        rows = (await c.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))).all()
    return {status: count for status, count in rows}


def _expected_ids(engine_rows: list[Any]) -> set[str]:
    facts = StaffFacts(None, None)
    return {
        message_id(
            Notice(r.id, "email", r.recipient, r.template, {}, r.dedup_key, 0, facts),
            "no-reply@careinbox.example",
        )
        for r in engine_rows
    }


async def test_two_workers_send_each_row_once(
    settings: Settings, committed_services: Services, smtp_server: SmtpServer
) -> None:
    engine = committed_services.db.engine
    smtp_server.delay = 0.01
    await _rows(engine, 40)
    workers = [make_worker(settings, committed_services.db, smtp_server, batch_size=4) for _ in range(2)]
    claimed = await asyncio.gather(*(w.drain() for w in workers))
    assert sum(claimed) == 40 and min(claimed) > 0, claimed  # both worked, neither took a row twice
    assert len(smtp_server.received) == 40 == len(set(smtp_server.message_ids()))
    assert await _statuses(engine) == {"sent": 40}


async def test_smtp_down_then_up_loses_and_doubles_nothing_and_the_api_serves_meanwhile(
    settings: Settings,
    committed_services: Services,
    committed_client: httpx.AsyncClient,
    smtp_server: SmtpServer,
) -> None:
    engine = committed_services.db.engine
    clinic = await make_clinic(committed_client)
    async with engine.begin() as c:
        await c.execute(
            update(units)
            .where(units.c.id == clinic.unit_id)
            .values(service_area_scope="national", notification_emails=["a@vc.example.se", "b@vc.example.se"])
        )
        case_type_id = await add_case_type(c, clinic.unit_id)
    smtp_server.stop()
    policy = RetryPolicy(base_seconds=0.2, cap_seconds=0.4, max_attempts=100)
    worker = make_worker(settings, committed_services.db, smtp_server, policy=policy, lease_seconds=30)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        who = await citizen(committed_client)
        body = new_case_body(type("S", (), {"unit_id": clinic.unit_id, "case_type_id": case_type_id})())
        for _ in range(3):  # the relay is down and the worker busy failing: the API is not held up
            r = await committed_client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
            assert r.status_code == 201, r.text

        async def retried() -> bool:
            async with engine.connect() as c:
                attempts = (await c.execute(select(func.min(outbox.c.attempts)))).scalar()
            return bool(attempts and attempts >= 2)

        await until(retried)
        assert await _statuses(engine) == {"pending": 6} and smtp_server.received == []
        smtp_server.start()

        async def all_sent() -> bool:
            return await _statuses(engine) == {"sent": 6}

        await until(all_sent)
    finally:
        stop.set()
        await running
    assert len(smtp_server.received) == 6 == len(set(smtp_server.message_ids()))


async def test_a_rolled_back_change_sends_nothing(
    settings: Settings, committed_services: Services, smtp_server: SmtpServer
) -> None:
    engine = committed_services.db.engine
    clinic_unit = await _unit(engine)
    async with engine.begin() as c:
        citizen_id, _ = await add_citizen(c, email="sven@example.se", notify_by_email=True)
        case_id = await add_case(c, clinic_unit, citizen_id, status="assigned")
    with pytest.raises(RuntimeError):
        async with committed_services.db.transaction() as conn:
            await notifications.enqueue_citizen_notice(conn, case_id, uuid.uuid4())
            assert (await conn.execute(select(func.count()).select_from(outbox))).scalar() == 1
            raise RuntimeError("the request failed after writing its notification")
    assert await make_worker(settings, committed_services.db, smtp_server).drain() == 0
    assert smtp_server.received == [] and await _statuses(engine) == {}


async def _unit(engine: AsyncEngine) -> Any:
    async with engine.begin() as c:
        region = (
            await c.execute(
                insert(regions)
                .values(name="R", county_code="14", hsa_id="SE2321000131-R999999999999")
                .returning(regions.c.id)
            )
        ).scalar_one()
        return (
            await c.execute(
                insert(units)
                .values(hsa_id="SE2321000131-U999999999999", name="U", name_search="u", region_id=region)
                .returning(units.c.id)
            )
        ).scalar_one()


def _worker_env(database_url: str, smtp: SmtpServer, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "OUTBOX_BATCH_SIZE": "5",
        "OUTBOX_LEASE_SECONDS": "2",
        "OUTBOX_POLL_SECONDS": "0.1",
        "LOG_JSON": "true",
        **extra,
    }


async def test_a_worker_killed_mid_batch_delivers_each_notification_once_after_restart(
    database_url: str,
    committed_services: Services,
    smtp_server: SmtpServer,
    spawn: Spawn,
) -> None:
    engine = committed_services.db.engine
    await _rows(engine, 12)
    smtp_server.delay = 0.3  # a slow relay: the worker spends its time waiting for "250"
    env = _worker_env(database_url, smtp_server)
    first = await spawn(env)
    await until(lambda: asyncio.sleep(0, len(smtp_server.received) >= 3))
    first.kill()  # SIGKILL: no clean-up at all, mid-batch and mid-send
    await first.wait()
    async with engine.connect() as c:
        held = (await c.execute(select(func.count()).where(outbox.c.locked_by.isnot(None)))).scalar()
    assert held and (await _statuses(engine)).get("pending", 0) > 0  # it died holding a batch

    second = await spawn(env)

    async def drained() -> bool:
        return await _statuses(engine) == {"sent": 12}

    await until(drained, within=60)
    second.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(second.wait(), 15) == 0
    async with engine.connect() as c:
        rows = (await c.execute(select(outbox))).all()
    # Exactly once per notification at the receiver: a copy re-sent after the kill carries the
    # same Message-ID, which is how a receiver drops it.
    assert set(smtp_server.message_ids()) == _expected_ids(rows)
    assert all(r.locked_by is None for r in rows)


async def test_sigterm_finishes_the_row_in_flight_and_hands_back_the_rest(
    database_url: str,
    committed_services: Services,
    smtp_server: SmtpServer,
    spawn: Spawn,
) -> None:
    engine = committed_services.db.engine
    await _rows(engine, 6)
    smtp_server.delay = 0.5
    proc = await spawn(_worker_env(database_url, smtp_server, OUTBOX_LEASE_SECONDS="600"))
    await until(lambda: asyncio.sleep(0, len(smtp_server.received) >= 2))
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 15) == 0
    async with engine.connect() as c:
        rows = (await c.execute(select(outbox).order_by(outbox.c.id))).all()
    sent = [r for r in rows if r.status == "sent"]
    assert len(sent) == len(smtp_server.received) >= 2  # what reached the relay is marked sent
    rest = [r for r in rows if r.status == "pending"]
    assert rest and len(sent) + len(rest) == 6
    # Handed back: no lease to wait out (the lease here is 10 minutes), no attempt counted.
    assert all(r.locked_by is None and r.locked_until is None and r.attempts == 0 for r in rest)


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "outbox",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_outbox_command_lists_masked_rows_and_retries_one(
    database_url: str, committed_services: Services
) -> None:
    engine = committed_services.db.engine
    async with engine.begin() as c:
        pending = await add_row(c, recipient="pending.person@vc.example.se")
        failed = await add_row(c, channel="sms", recipient="+46701234567", template="citizen_new_message")
        sent = await add_row(c, recipient="sent.person@vc.example.se")
        await c.execute(
            update(outbox)
            .where(outbox.c.id == failed)
            .values(
                status="failed", attempts=10, last_error="gave up after 10 attempts: SMS gateway answered 503"
            )
        )
        await c.execute(update(outbox).where(outbox.c.id == sent).values(status="sent", sent_at=func.now()))

    code, out = await _cli(database_url)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("2 pending") is False and "1 pending" in lines[0]
    assert lines[1].split()[:3] == ["id", "channel", "template"]
    listed = {line.split()[0]: line for line in lines[2:]}
    assert set(listed) == {str(pending), str(failed)}  # sent rows are not listed by default
    assert "gave up after 10 attempts: SMS gateway answered 503" in listed[str(failed)]
    assert "+46*****67" in listed[str(failed)] and "p***@***.se" in listed[str(pending)]
    assert "pending.person" not in out and "46701234567" not in out  # addresses are masked

    code, out = await _cli(database_url, "retry", str(failed))
    assert code == 0 and "pending again" in out
    async with engine.connect() as c:
        again = (await c.execute(select(outbox).where(outbox.c.id == failed))).one()
    assert (again.status, again.attempts) == ("pending", 0)
    assert not await admin.retry(committed_services.db, sent)  # only failed or skipped rows
    with pytest.raises(ValueError, match="usage"):
        admin.parse(["bogus"])
    assert admin.parse(["all", "--limit", "5"]) == ("all", 5)
