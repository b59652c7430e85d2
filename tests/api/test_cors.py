"""CORS for the SPA (issue 11): origins from CORS_ORIGINS, no credentials, the headers a client
reads exposed; another origin's preflight is refused; `*` is refused in production."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.config import ConfigurationError, Settings
from app.container import Services
from app.main import attach_services, create_app
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA

SPA = "https://vard.example"


@pytest.fixture
async def spa_client(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"cors_origins": [SPA]}))
    attach_services(app, services)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key",
    }


async def test_a_configured_origin_is_allowed(spa_client: httpx.AsyncClient) -> None:
    r = await spa_client.options(f"{API}/citizen/cases", headers=_preflight(SPA))
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == SPA
    assert "access-control-allow-credentials" not in r.headers
    allowed = r.headers["access-control-allow-headers"].lower()
    assert {"authorization", "if-match", "idempotency-key"} <= set(allowed.replace(" ", "").split(","))
    r = await spa_client.post(
        f"{API}/auth/staff/token", json={"hsa_id": SYSTEM_ADMIN_HSA}, headers={"Origin": SPA}
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == SPA
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "retry-after", "x-request-id"} <= exposed


async def test_another_origin_is_refused(spa_client: httpx.AsyncClient) -> None:
    r = await spa_client.options(f"{API}/citizen/cases", headers=_preflight("https://evil.example"))
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    r = await spa_client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


async def test_without_configuration_no_origin_is_allowed(client: httpx.AsyncClient) -> None:
    r = await client.options(f"{API}/citizen/cases", headers=_preflight(SPA))
    assert "access-control-allow-origin" not in r.headers


def test_cors_origins_is_a_json_list_and_star_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", f'["{SPA}", "http://localhost:5173"]')
    assert Settings().cors_origins == [SPA, "http://localhost:5173"]
    monkeypatch.setenv("CORS_ORIGINS", '["https://vard.example/app/"]')
    with pytest.raises(ValueError, match="not an origin"):
        Settings()
    monkeypatch.delenv("CORS_ORIGINS")
    assert Settings().cors_origins == []
    production = Settings(
        app_env="production",
        staff_identity_provider="oidc",
        citizen_identity_provider="oidc",
        token_signing_key="4f9c2b7e1a8d3f6c0b5e9a2d7c4f1b8e3a6d9c2f5b8e1a4d7c0f3b6e9a2d5c8f",
        database_url="postgresql://app@db/careinbox",
        cors_origins=["*"],
    )
    with pytest.raises(ConfigurationError, match="CORS_ORIGINS"):
        production.check_production()
    production.cors_origins = [SPA]
    production.check_production()
