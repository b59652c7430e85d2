"""Central case types: the national admin offers them; a unit activates one with its own terms."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.fixtures.case_types import units_url
from tests.fixtures.clinic import API, Clinic, make_clinic

ADMIN_URL = f"{API}/admin/central-case-types"
BOOKING = {
    "kind": "web_booking",
    "name": "Boka tid för provtagning",
    "category": "book_appointment",
    "url": "https://tidbok.example.se/provtagning",
}


def unit_central(clinic: Clinic) -> str:
    return f"{API}/units/{clinic.unit_id}/central-case-types"


async def _central(client: httpx.AsyncClient, clinic: Clinic, **over: Any) -> dict[str, Any]:
    r = await client.post(ADMIN_URL, headers=clinic.admin.headers, json={**BOOKING, **over})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_system_admin_creates_and_lists(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    c = await _central(client, clinic, name="\u200bBoka tid")
    assert c["name"] == "Boka tid" and c["kind"] == "web_booking" and c["url"] == BOOKING["url"]
    await _central(client, clinic, kind="jump_out", name="Anmäl frånvaro", category="administrative")
    r = await client.get(ADMIN_URL, headers=clinic.admin.headers, params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["items"]) == 1 and r.json()["next_cursor"]
    r = await client.get(ADMIN_URL, headers=clinic.admin.headers, params={"cursor": r.json()["next_cursor"]})
    assert [i["name"] for i in r.json()["items"]] == ["Boka tid"]
    # A local admin is not the national administration.
    assert (await client.post(ADMIN_URL, headers=clinic["admin"].headers, json=BOOKING)).status_code == 403
    assert (await client.get(ADMIN_URL, headers=clinic["admin"].headers)).status_code == 403
    assert (await client.get(ADMIN_URL)).status_code == 401


async def test_bad_central_bodies_are_422(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    for over in (
        {"url": "javascript:alert(1)"},
        {"url": "ftp://example.se/x"},
        {"url": "https://"},
        {"url": "http://[::1"},
        {"url": "https://exa mple.se"},
        {"kind": "phone"},
        {"category": "nope"},
        {"name": "\u200b"},
        {"extra": True},
    ):
        r = await client.post(ADMIN_URL, headers=clinic.admin.headers, json={**BOOKING, **over})
        assert r.status_code == 422, (over, r.text)


async def test_unit_activates_with_its_own_terms(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    other = await make_clinic(client, {"admin": ["local_admin"]})
    c = await _central(client, clinic)
    h = clinic["admin"].headers

    r = await client.get(unit_central(clinic), headers=h)
    assert r.status_code == 200
    listed = {i["id"]: i for i in r.json()["items"]}
    assert listed[c["id"]]["case_type_id"] is None
    assert (await client.get(unit_central(clinic), headers=clinic["handler"].headers)).status_code == 403
    assert (await client.get(unit_central(clinic), headers=other["admin"].headers)).status_code == 404

    activate = f"{unit_central(clinic)}/{c['id']}/activate"
    for body in ({}, {"terms_text": ""}, {"terms_text": "\u200b \ufeff"}, {"terms_text": "x", "y": 1}):
        assert (await client.post(activate, headers=h, json=body)).status_code == 422, body
    terms = {"terms_text": "Bokningen är bindande.\u200b"}
    assert (await client.post(activate, headers=clinic["handler"].headers, json=terms)).status_code == 403
    assert (await client.post(activate, headers=other["admin"].headers, json=terms)).status_code == 404
    missing = f"{unit_central(clinic)}/00000000-0000-0000-0000-000000000001/activate"
    assert (await client.post(missing, headers=h, json=terms)).status_code == 404

    r = await client.post(activate, headers=h, json=terms)
    assert r.status_code == 201, r.text
    ct = r.json()
    assert ct["status"] == "active" and ct["origin"] == "central"
    assert ct["terms_text"] == "Bokningen är bindande." and ct["name"] == BOOKING["name"]
    assert ct["category"] == "book_appointment"
    assert ct["central"] == {"id": c["id"], "kind": "web_booking", "url": BOOKING["url"]}
    r = await client.get(unit_central(clinic), headers=h)
    item = {i["id"]: i for i in r.json()["items"]}[c["id"]]
    assert item["case_type_id"] == ct["id"] and item["case_type_status"] == "active"
    # The other unit still has it unactivated.
    r = await client.get(unit_central(other), headers=other["admin"].headers)
    assert {i["id"]: i for i in r.json()["items"]}[c["id"]]["case_type_id"] is None

    # Twice: a conflict naming the existing case type.
    r = await client.post(activate, headers=h, json=terms)
    assert r.status_code == 409 and r.json()["case_type_id"] == ct["id"]

    # Deactivated like any case type; activating the central one again reuses it.
    ct_url = f"{units_url(clinic.unit_id)}/{ct['id']}"
    assert (await client.post(f"{ct_url}/deactivate", headers=h)).json()["status"] == "inactive"
    r = await client.post(activate, headers=h, json={"terms_text": "Nya villkor"})
    assert r.status_code == 200 and r.json()["id"] == ct["id"]
    assert r.json()["status"] == "active" and r.json()["terms_text"] == "Nya villkor"

    # Name, category and form are national; the unit changes its terms and description.
    r = await client.patch(ct_url, headers=h, json={"name": "Eget namn", "questions": []})
    assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["errors"]} == {"name", "questions"}
    r = await client.patch(ct_url, headers=h, json={"terms_text": "Avboka senast dagen innan."})
    assert r.status_code == 200 and r.json()["terms_text"] == "Avboka senast dagen innan."
    # A central case type is activated per unit, not exported.
    assert (await client.get(f"{ct_url}/export", headers=h)).status_code == 409


async def test_concurrent_activations_give_one_case_type(committed_client: httpx.AsyncClient) -> None:
    client = committed_client
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    c = await _central(client, clinic)
    activate = f"{unit_central(clinic)}/{c['id']}/activate"
    results = await asyncio.gather(
        *(
            client.post(activate, headers=clinic["admin"].headers, json={"terms_text": "Villkor"})
            for _ in range(4)
        )
    )
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409], [r.text for r in results]
    r = await client.get(units_url(clinic.unit_id), headers=clinic["admin"].headers)
    assert len(r.json()["items"]) == 1
