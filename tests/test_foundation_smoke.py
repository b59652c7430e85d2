from __future__ import annotations

import httpx

from tests.helpers import API, make_clinic


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


async def test_clinic_roles_and_me(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"rec": ["case_receiver", "case_handler"]})
    r = await client.get(f"{API}/me", headers=clinic["rec"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["units"][0]["roles"] == ["case_handler", "case_receiver"]
    assert body["settings"]["signature"].startswith("Med vänlig hälsning\nAnna Andersson")
    r = await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic["rec"].headers)
    assert r.status_code == 200 and r.json()["settings"]["service_area"]["scope"] == "none"
