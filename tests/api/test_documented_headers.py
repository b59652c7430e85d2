"""The response headers the contract documents are the ones the app sends (api.md "Concurrency",
"Idempotency"): a client generated from the document reads ETag, Location, Idempotent-Replayed and
X-Request-ID where it says they are."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from app.main import create_app
from tests.fixtures.citizen import citizen, new_case_body, open_clinic
from tests.fixtures.clinic import API


def _documented(op_id: str, status: str) -> set[str]:
    doc: dict[str, Any] = create_app().openapi()
    op = next(o for item in doc["paths"].values() for o in item.values() if o["operationId"] == op_id)
    return {name.lower() for name in op["responses"][status].get("headers", {})}


async def test_case_creation_and_a_replay_send_the_documented_headers(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"rita": ["case_receiver", "case_handler"]})
    tolvan = await citizen(client)
    headers = {**tolvan.headers, "Idempotency-Key": "skicka-1"}
    body = new_case_body(setup)
    created = await client.post(f"{API}/citizen/cases", headers=headers, json=body)
    assert created.status_code == 201, created.text
    replayed = await client.post(f"{API}/citizen/cases", headers=headers, json=body)
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"

    documented = _documented("create_citizen_case", "201")
    assert {"etag", "location", "idempotent-replayed", "x-request-id"} <= documented
    assert documented - {"idempotent-replayed"} <= set(created.headers)  # replay marker: replays only
    assert documented <= set(replayed.headers)
    assert created.headers["location"].endswith(f"/citizen/cases/{created.json()['id']}")

    rita = setup.clinic["rita"]
    read = await client.get(f"{API}/units/{setup.unit_id}/cases/{created.json()['id']}", headers=rita.headers)
    assert _documented("get_unit_case", "200") <= set(read.headers)
    refused = await client.get(f"{API}/citizen/cases/{created.json()['id']}")
    assert refused.status_code == 401 and _documented("get_citizen_case", "401") <= set(refused.headers)
