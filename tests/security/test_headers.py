"""Response headers (docs/security.md, "caching or sniffing of personal data"): no-store on every
response (tokens and personal data never cached), nosniff everywhere, and no `server: uvicorn` from
`make run` or the image."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import uvicorn

from app.cli import uvicorn_options
from app.config import Settings
from app.main import create_app
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, bearer

ROOT = Path(__file__).resolve().parents[2]


def _assert_safe(r: httpx.Response) -> None:
    assert r.headers["cache-control"] == "no-store", (r.request.url, r.headers)
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_tokens_personal_data_problems_and_ops_are_not_cached(client: httpx.AsyncClient) -> None:
    r = await client.post(f"{API}/auth/staff/token", json={"hsa_id": SYSTEM_ADMIN_HSA})
    assert r.status_code == 200
    _assert_safe(r)
    token = r.json()["access_token"]
    for response in (
        await client.get(f"{API}/me", headers=bearer(token)),
        await client.get(f"{API}/admin/units", headers=bearer(token)),
        await client.get(f"{API}/me"),  # a 401 problem
        await client.post(f"{API}/auth/staff/token", content=b"{"),  # a 422 problem
        await client.get("/healthz"),
        await client.get("/nowhere"),  # 404 outside any route
    ):
        _assert_safe(response)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_make_run_serves_without_a_server_header(settings: Settings) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), **uvicorn_options(port)))  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as c:
            r = await c.get(f"http://127.0.0.1:{port}/healthz")
        assert r.status_code == 200
        assert "server" not in r.headers, r.headers
        _assert_safe(r)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


def test_the_image_serves_without_a_server_header() -> None:
    entrypoint = next(
        line
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if "uvicorn" in line and "exec" in line
    )
    assert "--no-server-header" in entrypoint
