"""Every list is a keyset page (api.md "Lists": limit default 50, max 200, opaque cursor): the
unit's role assignments, staff, groups and message templates and a region's role assignments
are pages too: none returns everything or ignores `limit` and `cursor`."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import groups, message_templates
from tests.fixtures.clinic import API, Clinic, add_person, make_clinic

ROLES = {
    "admin": ["local_admin"],
    "h1": ["case_handler"],
    "h2": ["case_handler", "case_receiver"],
    "h3": ["case_handler"],
}


async def _walk(client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int) -> list[Any]:
    seen: list[Any] = []
    cursor: str | None = None
    for _ in range(50):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(url, headers=headers, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


async def _check_paged(client: httpx.AsyncClient, url: str, headers: dict[str, str], key: str) -> None:
    r = await client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    everything = r.json()["items"]
    assert len(everything) >= 3 and r.json()["next_cursor"] is None
    paged = await _walk(client, url, headers, 2)
    assert [x[key] for x in paged] == [x[key] for x in everything]
    for bad in ({"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}):
        r = await client.get(url, headers=headers, params=bad)
        assert r.status_code == 422, (url, bad, r.text)


async def test_unit_lists_are_pages(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic: Clinic = await make_clinic(client, ROLES)
    unit = f"{API}/units/{clinic.unit_id}"
    h = clinic["admin"].headers
    await _check_paged(client, f"{unit}/role-assignments", h, "id")
    await _check_paged(client, f"{unit}/staff", h, "id")
    for n in range(3):
        r = await client.post(f"{unit}/groups", headers=h, json={"name": f"Grupp {n}"})
        assert r.status_code == 201, r.text
        body = {"name": f"Mall {n}", "kind": "information", "subject": "Hej", "body": "Information."}
        r = await client.post(f"{unit}/message-templates", headers=h, json=body)
        assert r.status_code == 201, r.text
    await _check_paged(client, f"{unit}/groups", h, "id")
    await _check_paged(client, f"{unit}/message-templates", h, "id")


async def test_default_page_is_50(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    await conn.execute(insert(groups), [{"unit_id": clinic.unit_id, "name": f"G{n:03d}"} for n in range(51)])
    rows = [
        {"unit_id": clinic.unit_id, "name": f"M{n:03d}", "kind": "information", "subject": "s", "body": "b"}
        for n in range(51)
    ]
    await conn.execute(insert(message_templates), rows)
    for what in ("groups", "message-templates"):
        r = await client.get(f"{API}/units/{clinic.unit_id}/{what}", headers=clinic["admin"].headers)
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == 50 and r.json()["next_cursor"] is not None


async def test_region_role_assignments_are_pages(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    url = f"{API}/regions/{clinic.region_id}/role-assignments"
    for _ in range(3):
        hsa_id = await add_person(client, clinic.admin)
        r = await client.post(
            url, headers=clinic.admin.headers, json={"hsa_id": hsa_id, "role": "regional_admin"}
        )
        assert r.status_code == 201, r.text
    await _check_paged(client, url, clinic.admin.headers, "id")
