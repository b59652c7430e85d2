"""Sign-out and revocation take effect at once (docs/security.md, "stolen token" and "leaver keeps
access"): a signed-out token, an account that is gone and removed roles are refused from the next
request on, in every API process (each keeps its own verified-token cache; the database decides)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import build_services
from app.main import attach_services, create_app
from tests.conftest import RolledBackDatabase
from tests.fixtures.clinic import API, bearer, citizen_token, make_clinic, pnr, staff_token

LOGOUT = f"{API}/auth/logout"


@pytest.fixture
async def second_process(
    settings: Settings, engine: AsyncEngine, conn: AsyncConnection
) -> AsyncIterator[httpx.AsyncClient]:
    """Another API worker: its own services and token cache, the same database."""
    app = create_app(settings)
    attach_services(app, build_services(settings, RolledBackDatabase(engine, conn)))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_staff_sign_out_revokes_the_token_in_every_process(
    client: httpx.AsyncClient, second_process: httpx.AsyncClient
) -> None:
    clinic = await make_clinic(client, {"karin": ["case_receiver"]})
    karin = clinic["karin"]
    other_token = await staff_token(client, karin.hsa_id)
    inbox = f"{API}/units/{clinic.unit_id}/cases"
    # Both processes have verified (and remembered) the token.
    assert (await client.get(inbox, headers=karin.headers)).status_code == 200
    assert (await second_process.get(inbox, headers=karin.headers)).status_code == 200

    r = await client.post(LOGOUT, headers=karin.headers)
    assert r.status_code == 204 and r.content == b""
    for c in (client, second_process):
        for url in (inbox, f"{API}/me"):
            r = await c.get(url, headers=karin.headers)
            assert r.status_code == 401 and "signed out" in r.json()["detail"], r.text
    # Signing out again is refused like any use of the token; her other session goes on.
    assert (await client.post(LOGOUT, headers=karin.headers)).status_code == 401
    assert (await client.get(inbox, headers=bearer(other_token))).status_code == 200


async def test_citizen_sign_out(client: httpx.AsyncClient, second_process: httpx.AsyncClient) -> None:
    headers = bearer(await citizen_token(client, pnr()))
    assert (await second_process.get(f"{API}/citizen/me", headers=headers)).status_code == 200
    assert (await client.post(LOGOUT, headers=headers)).status_code == 204
    for url in (f"{API}/citizen/me", f"{API}/citizen/cases"):
        assert (await second_process.get(url, headers=headers)).status_code == 401
        assert (await client.get(url, headers=headers)).status_code == 401


async def test_sign_out_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    assert (await client.post(LOGOUT)).status_code == 401
    assert (await client.post(LOGOUT, headers=bearer("not.a.token"))).status_code == 401


async def test_removed_roles_and_accounts_lose_access_at_once(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "hans": ["case_handler"]})
    hans = clinic["hans"]
    inbox = f"{API}/units/{clinic.unit_id}/cases"
    assert (await client.get(inbox, headers=hans.headers)).status_code == 200
    assert (await client.get(f"{API}/me", headers=hans.headers)).json()["units"]

    roles = (
        await client.get(f"{API}/units/{clinic.unit_id}/role-assignments", headers=clinic["admin"].headers)
    ).json()["items"]
    mine = next(a for a in roles if a["hsa_id"] == hans.hsa_id)
    url = f"{API}/units/{clinic.unit_id}/role-assignments/{mine['id']}"
    assert (await client.delete(url, headers=clinic["admin"].headers)).status_code == 204
    # The same token, at once: no unit, no case list, and /me says so.
    assert (await client.get(inbox, headers=hans.headers)).status_code == 404
    me = (await client.get(f"{API}/me", headers=hans.headers)).json()
    assert me["units"] == [] and me["system_roles"] == []

    # The account itself removed (e.g. by the HSA integration): every route, /me too, is a 401.
    await conn.execute(text("DELETE FROM staff WHERE id = CAST(:s AS uuid)"), {"s": hans.staff_id})
    for path in ("/me", f"/units/{clinic.unit_id}"):
        r = await client.get(f"{API}{path}", headers=hans.headers)
        assert r.status_code == 401 and "no longer exists" in r.json()["detail"]
