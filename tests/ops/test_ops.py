"""Operations: liveness, readiness, start-up refusal, metrics, request ids and JSON logs."""

from __future__ import annotations

import gc
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import ConfigurationError, Settings
from app.container import build_services
from app.db.engine import Database, create_engine
from app.main import attach_services, create_app
from tests.fixtures.clinic import API, system_admin


async def _admin_sql(database_url: str, sql: str) -> None:
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=1)
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


@pytest.fixture
async def empty_database_url(database_url: str) -> AsyncIterator[str]:
    """A database on the same server that no migration has touched."""
    name = f"careinbox_empty_{uuid.uuid4().hex[:10]}"
    await _admin_sql(database_url, f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    await _admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_readyz_when_ready(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready" and body["database"] == "reachable"
    assert body["schema_revision"] == body["newest_revision"] is not None


async def test_readyz_is_503_when_the_schema_is_behind(settings: Settings, empty_database_url: str) -> None:
    db = Database(create_engine(empty_database_url, pool_size=1))
    app = create_app(settings)
    attach_services(app, build_services(settings, db))
    try:
        async with _client(app) as c:
            r = await c.get("/readyz")
    finally:
        await db.dispose()
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and body["schema_revision"] is None
    assert "run migrations" in body["detail"]


async def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    db = Database(create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none", pool_size=1))
    app = create_app(settings)
    attach_services(app, build_services(settings, db))
    async with _client(app) as c:
        r = await c.get("/readyz")
    await db.dispose()
    assert r.status_code == 503 and r.json()["database"] == "unreachable"
    assert r.json()["detail"] == "the database is unreachable (ConnectionRefusedError)"


async def test_the_app_refuses_to_start_when_the_schema_is_behind(
    settings: Settings, empty_database_url: str
) -> None:
    app = create_app(settings.model_copy(update={"database_url": empty_database_url}))
    with pytest.raises(ConfigurationError, match="refusing to start"):
        async with app.router.lifespan_context(app):
            pass


async def test_the_app_starts_on_a_migrated_database(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app), _client(app) as c:
        assert (await c.get("/readyz")).status_code == 200
        # What start-up built is frozen out of the cyclic collector: its full collections
        # walked it under load (an inbox p99 of 100 ms where the median is 15).
        assert gc.get_freeze_count() > 0


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    admin = await system_admin(client)
    await client.get(f"{API}/me", headers=admin.headers)
    await client.get(f"{API}/units/{uuid.uuid4()}", headers=admin.headers)
    await client.get("/no/such/path/12345")
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert 'careinbox_http_requests_total{method="GET",route="/api/v1/me",status="200"}' in r.text
    assert 'route="/api/v1/units/{unit_id}",status="404"' in r.text
    assert "careinbox_http_request_seconds_bucket" in r.text
    assert "/no/such/path/12345" not in r.text  # unmatched paths do not explode the label set
    assert 'route="unmatched"' in r.text


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123.def:7"})
    assert r.headers["x-request-id"] == "abc-123.def:7"


@pytest.mark.parametrize("incoming", [None, "", "has spaces", "x" * 200, "<script>", "ünicode"])
async def test_request_id_is_generated_when_absent_or_invalid(
    client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {"X-Request-ID": incoming.encode("utf-8")} if incoming is not None else {}
    r = await client.get("/healthz", headers=headers)  # type: ignore[arg-type]
    generated = r.headers["x-request-id"]
    assert generated != incoming and len(generated) == 32 and int(generated, 16) >= 0


async def test_errors_carry_the_request_id_too(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{API}/me", headers={"X-Request-ID": "req-401"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "req-401"


async def test_access_log_is_json_with_request_id(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)  # configures JSON logging
    attach_services(
        app, build_services(settings, Database(create_engine(settings.database_url or "", pool_size=1)))
    )
    async with _client(app) as c:
        await c.get("/healthz", headers={"X-Request-ID": "log-test-1"})
    await app.state.services.db.dispose()
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r.get("request_id") == "log-test-1"]
    assert access, lines
    entry = access[-1]
    assert entry["event"] == "request" and entry["route"] == "/healthz" and entry["status"] == 200
    assert entry["method"] == "GET" and entry["level"] == "info" and "timestamp" in entry


async def test_an_unexpected_error_is_a_logged_500_problem_with_the_request_id(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    async with _client(app) as c:
        r = await c.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"] == "boom-1"
    assert r.json()["type"].endswith("/internal-error") and "secret" not in r.text
    records = [json.loads(x) for x in capfd.readouterr().err.splitlines() if x.startswith("{")]
    errors = [x for x in records if x.get("event") == "unhandled error"]
    assert errors and errors[-1]["request_id"] == "boom-1"
    assert "RuntimeError: secret internals" in errors[-1]["exception"]
    access = [x for x in records if x.get("event") == "request" and x.get("request_id") == "boom-1"]
    assert access and access[-1]["status"] == 500
