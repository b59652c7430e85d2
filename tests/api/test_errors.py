"""RFC 9457 problem documents for every error, never a stack trace or a 500 for bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.deps import Conn
from app.config import Settings
from app.container import Services
from app.main import attach_services, create_app
from tests.fixtures.clinic import (
    API,
    Person,
    add_person,
    bearer,
    citizen_token,
    make_clinic,
    pnr,
    staff_token,
    system_admin,
)

JSON = {"content-type": "application/json"}


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str) and body[key], key
    assert body["type"].startswith("https://")
    for leak in ("Traceback", 'File "', "sqlalchemy", "asyncpg", "/app/"):
        assert leak not in r.text
    return body


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Person:
    return await system_admin(client)


async def test_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"{API}/no-such-thing"), 404)
    assert_problem(await client.get("/"), 404)


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    r = await client.delete(f"{API}/me")
    assert_problem(r, 405)
    assert "GET" in r.headers["allow"]
    assert_problem(await client.put("/healthz"), 405)


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{API}/admin/regions")
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


async def test_unknown_person_login_is_401(client: httpx.AsyncClient) -> None:
    r = await client.post(f"{API}/auth/staff/token", json={"hsa_id": "SE2321000131-Z999999999999"})
    assert_problem(r, 401)


async def test_role_that_does_not_allow_is_403(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"rec": ["case_receiver"]})
    assert_problem(await client.get(f"{API}/admin/regions", headers=clinic["rec"].headers), 403)
    r = await client.get(f"{API}/units/{clinic.unit_id}/role-assignments", headers=clinic["rec"].headers)
    assert_problem(r, 403)


async def test_duplicate_is_409(client: httpx.AsyncClient, admin: Person) -> None:
    body = {"name": "Region Dubblett", "county_code": "14", "hsa_id": "SE2321000131-R777777777777"}
    r = await client.post(f"{API}/admin/regions", headers=admin.headers, json=body)
    assert r.status_code == 201, r.text
    assert_problem(await client.post(f"{API}/admin/regions", headers=admin.headers, json=body), 409)


async def test_validation_422_lists_errors(client: httpx.AsyncClient, admin: Person) -> None:
    r = await client.post(
        f"{API}/admin/regions", headers=admin.headers, json={"name": "", "county_code": "99", "hsa_id": "x"}
    )
    body = assert_problem(r, 422)
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert {("body", "name"), ("body", "county_code"), ("body", "hsa_id")} <= locs
    for e in body["errors"]:
        assert set(e) == {"loc", "msg", "type"}
        assert isinstance(e["msg"], str) and isinstance(e["type"], str)


async def test_unknown_body_field_is_422(client: httpx.AsyncClient, admin: Person) -> None:
    body = {"name": "Region", "county_code": "14", "hsa_id": "SE2321000131-R1", "colour": "blue"}
    problem = assert_problem(await client.post(f"{API}/admin/regions", headers=admin.headers, json=body), 422)
    assert ["body", "colour"] in [e["loc"] for e in problem["errors"]]
    r = await client.post(f"{API}/auth/staff/token", json={"hsa_id": admin.hsa_id, "password": "x"})
    assert_problem(r, 422)
    r = await client.patch(f"{API}/me/settings", headers=admin.headers, json={"theme": "dark"})
    assert_problem(r, 422)


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad",
        b"",
        b"[]",
        b"null",
        b"\xff\xfe",
        b"d\xc3(%",  # not UTF-8 at all: FastAPI says 400, the contract says 422
        b'{"hsa_id": "\xff"}',
        b'{"hsa_id": 1}',
        b'{"\\ud800": 1}',
        b'{"hsa_id": "\\ud800"}',
    ],
)
async def test_malformed_json_is_422(client: httpx.AsyncClient, raw: bytes) -> None:
    assert_problem(await client.post(f"{API}/auth/staff/token", content=raw, headers=JSON), 422)


async def test_wrong_content_type_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        f"{API}/auth/staff/token",
        content=b"hsa_id=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_problem(r, 422)


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/units/not-a-uuid",
        f"{API}/admin/regions?limit=0",
        f"{API}/admin/regions?limit=201",
        f"{API}/admin/regions?limit=x",
        f"{API}/admin/regions?cursor=not-ours",
        f"{API}/admin/units?region_id=nope",
    ],
)
async def test_malformed_path_and_query_are_422(client: httpx.AsyncClient, admin: Person, url: str) -> None:
    body = assert_problem(await client.get(url, headers=admin.headers), 422)
    assert body["errors"]


async def test_out_of_scope_unit_is_404_not_403(client: httpx.AsyncClient) -> None:
    ours = await make_clinic(client, {"rec": ["case_receiver"]})
    theirs = await make_clinic(client)
    r = await client.get(f"{API}/units/{theirs.unit_id}", headers=ours["rec"].headers)
    assert_problem(r, 404)


async def test_a_database_constraint_never_surfaces_as_500(client: httpx.AsyncClient, admin: Person) -> None:
    # A unit in a region that does not exist: a foreign key would fail; the service says 422.
    r = await client.post(
        f"{API}/admin/units",
        headers=admin.headers,
        json={"name": "X", "hsa_id": "SE2321000131-U1", "region_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert_problem(r, 422)


async def test_problem_documents_are_also_given_to_a_token_for_a_vanished_account(
    client: httpx.AsyncClient, conn: AsyncConnection, admin: Person
) -> None:
    """A valid token whose account row is gone since it was issued: 401, not a 500."""
    hsa_id = await add_person(client, admin)
    staff = bearer(await staff_token(client, hsa_id))
    number = pnr()
    citizen = bearer(await citizen_token(client, number))
    assert (await client.get(f"{API}/me", headers=staff)).status_code == 200
    assert (await client.get(f"{API}/citizen/me", headers=citizen)).status_code == 200
    await conn.execute(text("DELETE FROM staff WHERE hsa_id = :h"), {"h": hsa_id})
    await conn.execute(text("DELETE FROM citizens WHERE personal_number = :p"), {"p": number})
    assert "no longer exists" in assert_problem(await client.get(f"{API}/me", headers=staff), 401)["detail"]
    r = await client.get(f"{API}/citizen/me", headers=citizen)
    assert "no longer exists" in assert_problem(r, 401)["detail"]


async def test_an_email_with_a_nul_is_422_not_500(client: httpx.AsyncClient) -> None:
    token = await citizen_token(client, pnr())
    r = await client.patch(f"{API}/citizen/me", headers=bearer(token), json={"email": "a\u0000b@example.se"})
    assert_problem(r, 422)


async def test_text_the_database_cannot_store_is_422_wherever_it_slips_through(
    settings: Settings, services: Services
) -> None:
    """The safety net behind the field types: PostgreSQL refuses NUL (SQLSTATE 22021)."""
    app = create_app(settings)
    attach_services(app, services)

    @app.post("/echo")
    async def echo(conn: Conn, value: str) -> None:
        await conn.execute(text("SELECT CAST(:v AS text)"), {"v": value})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert (await c.post("/echo", params={"value": "fine"})).status_code == 200
        assert_problem(await c.post("/echo", params={"value": "nul\u0000"}), 422)
