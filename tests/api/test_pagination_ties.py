"""Keyset pages must not lose rows whose sort key ties (same name): the id breaks the tie."""

from __future__ import annotations

import httpx

from tests.fixtures.clinic import API, hsa, make_clinic


async def _walk(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(url, headers=headers, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen


async def test_units_with_the_same_name_all_appear_across_pages(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    created = []
    for _ in range(3):
        r = await client.post(
            f"{API}/admin/units",
            headers=clinic.admin.headers,
            json={"name": "Samma namn", "hsa_id": hsa(), "region_id": clinic.region_id},
        )
        assert r.status_code == 201, r.text
        created.append(r.json()["id"])
    seen = await _walk(client, f"{API}/admin/units?region_id={clinic.region_id}", clinic.admin.headers)
    assert set(created) <= set(seen)
    assert len(seen) == len(set(seen)) == 4


async def test_case_types_with_the_same_name_all_appear_across_pages(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    headers = clinic["admin"].headers
    created = []
    for _ in range(3):
        r = await client.post(
            f"{API}/units/{clinic.unit_id}/case-types",
            headers=headers,
            json={"name": "Förnya recept", "category": "prescription_renewal"},
        )
        assert r.status_code == 201, r.text
        created.append(r.json()["id"])
    seen = await _walk(client, f"{API}/units/{clinic.unit_id}/case-types", headers)
    assert sorted(seen) == sorted(created)
