"""Fixtures of the notification tests: real local servers, and a worker on the test's database."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.db.engine import Database
from app.db.tables import outbox
from app.notify.relay import build_senders
from app.notify.worker import Worker
from tests.fixtures.servers import SmsGateway, SmtpServer

_rows = itertools.count(1)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


def relay_settings(
    settings: Settings, smtp: SmtpServer | None = None, sms: SmsGateway | None = None, **extra: Any
) -> Settings:
    """The test settings pointed at the local servers (unset ones stay switched off)."""
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1" if smtp else None,
        "smtp_port": smtp.port if smtp else 25,
        "smtp_timeout_seconds": 5.0,
        "sms_gateway_url": sms.url if sms else None,
        "sms_gateway_token": SecretStr("gateway-token") if sms else None,
        "sms_timeout_seconds": 1.0,
        **extra,
    }
    return settings.model_copy(update=values)


def make_worker(
    settings: Settings,
    db: Database,
    smtp: SmtpServer | None = None,
    sms: SmsGateway | None = None,
    **worker: Any,
) -> Worker:
    """A worker built as production builds it (relay.build_senders), with a long lease by
    default: in a rolled-back test its heartbeat must not share the test's connection."""
    s = relay_settings(settings, smtp, sms)
    options: dict[str, Any] = {"lease_seconds": 600.0, "poll_seconds": 0.05, **worker}
    return Worker(db, build_senders(s), **options)


async def add_row(
    conn: AsyncConnection,
    *,
    channel: str = "email",
    recipient: str = "mottagning@vc.example.se",
    template: str = "unit_new_case",
    payload: dict[str, Any] | None = None,
    dedup_key: str | None = None,
) -> int:
    """An outbox row as the writers leave it (who writes which is tested on its own)."""
    n = next(_rows)
    row_id: int = (
        await conn.execute(
            insert(outbox)
            .values(
                channel=channel,
                recipient=recipient,
                template=template,
                payload=payload or {},
                dedup_key=dedup_key or f"test:{n}:{recipient}:{channel}",
            )
            .returning(outbox.c.id)
        )
    ).scalar_one()
    return row_id


async def row(conn: AsyncConnection, row_id: int) -> Any:
    return (await conn.execute(select(outbox).where(outbox.c.id == row_id))).one()


async def make_due(conn: AsyncConnection) -> None:
    """Time passes: every pending row is due now (the test's transaction clock stands still)."""
    await conn.execute(update(outbox).where(outbox.c.status == "pending").values(next_attempt_at=func.now()))


async def until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    """Wait for `check` to hold (real servers and processes take their time), or fail."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


ROOT = Path(__file__).resolve().parents[2]
Spawn = Callable[[dict[str, str]], Awaitable[asyncio.subprocess.Process]]


@pytest.fixture
async def spawn(
    tmp_path: Path,
) -> AsyncIterator[Spawn]:
    procs: list[asyncio.subprocess.Process] = []

    async def start(env: dict[str, str]) -> asyncio.subprocess.Process:
        log = (tmp_path / f"worker-{len(procs)}.log").open("wb")  # read by tests
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "worker", cwd=ROOT, env=env, stdout=log, stderr=log
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
