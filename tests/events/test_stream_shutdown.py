"""A server asked to stop (SIGTERM, as Docker and systemd do) ends its streams at once and
cleanly — a stream never ends by itself, so otherwise every stop would wait out the whole grace
period and then cut them. A real uvicorn process, as in production."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import httpx

from app.container import Services
from app.notify.sink import free_port
from tests.events.conftest import Inbox
from tests.events.sse import open_stream
from tests.notify.conftest import ROOT, until


async def test_sigterm_ends_open_streams_at_once(
    database_url: str, inbox: Inbox, committed_services: Services
) -> None:
    port = free_port()
    env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": database_url, "LOG_JSON": "true"}
    args = ["-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--timeout-graceful-shutdown", "30", "--log-level", "warning"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        async def up() -> bool:
            try:
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"{base}/healthz")).status_code == 200
            except httpx.HTTPError:
                return False

        await until(up, within=30)
        async with open_stream(base, inbox.unit_id, inbox.clinic["karin"].headers) as stream:
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            goodbye = await stream.next(within=10)
            assert goodbye is not None and goodbye.comments == ["the server is shutting down"]
            assert await stream.next(within=10) is None  # ended, not cut
            assert time.monotonic() - started < 5  # not the 30 s grace period
        # uvicorn hands the signal it caught back to the process once it has shut down.
        assert await asyncio.wait_for(proc.wait(), 15) in (0, -signal.SIGTERM)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
