"""An upload's body may arrive slowly: its transaction waits ATTACHMENT_UPLOAD_IDLE_SECONDS between
writes, not the general fail-fast DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS, which would end
the session mid-upload (503) — with the S3 store after the first 30 s of any upload. Everything
else keeps the short bound. The served app (lifespan, real engine options), so the server's own
timeout is what is tested."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import text

from app.config import Settings
from app.container import Services
from app.main import create_app
from tests.fixtures.attachments import multipart
from tests.fixtures.clinic import API, bearer, citizen_token, pnr

PAUSE = 2.0  # the client stops sending for this long, mid-body


async def test_a_slow_upload_body_outlasts_the_general_idle_timeout(
    settings: Settings, committed_services: Services
) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "database_idle_in_transaction_timeout_seconds": PAUSE / 2,
                "attachment_upload_idle_seconds": PAUSE * 5,
            }
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = bearer(await citizen_token(client, pnr()))
            head, tail = multipart("slow", b"remiss.pdf")

            async def body() -> AsyncIterator[bytes]:
                yield head + b"%PDF-1.7\n" + b"a" * 1000
                await asyncio.sleep(PAUSE)
                yield b"b" * 1000 + tail

            r = await client.post(
                f"{API}/citizen/attachments",
                headers={**headers, "Content-Type": "multipart/form-data; boundary=slow"},
                content=body(),
            )
            assert r.status_code == 201, r.text
        services: Services = app.state.services
        async with services.db.transaction() as c:  # the allowance was the upload's alone
            assert (await c.execute(text("SHOW idle_in_transaction_session_timeout"))).scalar() == "1s"
