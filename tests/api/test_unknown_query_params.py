"""Unknown query parameters are a 422 problem, like unknown body fields: a misspelt filter must
not silently return the unfiltered list."""

from __future__ import annotations

import httpx

from tests.fixtures.citizen import citizen
from tests.fixtures.clinic import API, make_clinic


async def test_unknown_query_parameters_are_422(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"rec": ["case_receiver"], "rev": ["reviewer"]})
    rec, unit = clinic["rec"].headers, f"{API}/units/{clinic.unit_id}"
    r = await client.get(f"{unit}/cases", headers=rec, params={"stauts": "new", "personal_numbr": "x"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["query", "personal_numbr"], ["query", "stauts"]]
    ok = {"status": "new", "assignee": "me", "overdue": "true", "limit": "5"}
    assert (await client.get(f"{unit}/cases", headers=rec, params=ok)).status_code == 200
    # Aliases (`from`) and parameters declared by dependencies (limit, cursor) are known.
    params = {"from": "2026-01-01", "to": "2026-12-31", "limit": "10"}
    r = await client.get(f"{unit}/audit-events", headers=clinic["rev"].headers, params=params)
    assert r.status_code == 200, r.text
    r = await client.get(
        f"{unit}/audit-events", headers=clinic["rev"].headers, params={"since": "2026-01-01"}
    )
    assert r.status_code == 422
    r = await client.get(f"{API}/me", headers=rec, params={"x": "1"})
    assert r.status_code == 422
    who = await citizen(client)
    assert (
        await client.get(f"{API}/citizen/units", headers=who.headers, params={"q": "vård"})
    ).status_code == 200
    assert (
        await client.get(f"{API}/citizen/units", headers=who.headers, params={"name": "vård"})
    ).status_code == 422
