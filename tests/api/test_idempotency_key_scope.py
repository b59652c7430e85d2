"""An Idempotency-Key is the caller's within one request target (api.md "Conventions",
Idempotency): the same key and body sent to a second case's messages is a new message on that
case, never a replay of the first case's reply."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import messages
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import citizen, open_clinic, send_case, staff_writes
from tests.fixtures.clinic import API, make_clinic


async def _messages_on(conn: AsyncConnection, case_id: str, author_type: str) -> list[str]:
    rows = await conn.execute(
        select(messages.c.id).where(messages.c.case_id == case_id, messages.c.author_type == author_type)
    )
    return sorted(str(i) for i in rows.scalars())


async def test_a_citizen_key_on_a_second_case_is_a_new_reply(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    nurse = setup.clinic["nurse"].staff_id
    assert nurse is not None
    who = await citizen(client)
    first, second = [(await send_case(client, who, setup))["id"] for _ in range(2)]
    for case_id in (first, second):
        await staff_writes(conn, case_id, nurse)  # a counter-question: the citizen may answer
    headers = {**who.headers, "Idempotency-Key": "svar-1"}
    body = {"body": "Sedan i måndags."}

    a = await client.post(f"{API}/citizen/cases/{first}/messages", headers=headers, json=body)
    b = await client.post(f"{API}/citizen/cases/{second}/messages", headers=headers, json=body)
    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert "idempotent-replayed" not in b.headers
    assert b.json()["id"] != a.json()["id"]
    assert await _messages_on(conn, second, "citizen") == [b.json()["id"]]
    # Within one case the key still replays.
    again = await client.post(f"{API}/citizen/cases/{first}/messages", headers=headers, json=body)
    assert again.headers["idempotent-replayed"] == "true" and again.content == a.content
    assert await _messages_on(conn, first, "citizen") == [a.json()["id"]]


async def test_a_staff_key_on_a_second_case_is_a_new_message(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    handler = clinic["h"]
    citizen_id, _ = await add_citizen(conn)
    first, second = [
        str(
            await add_case(
                conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=handler.staff_id
            )
        )
        for _ in range(2)
    ]
    headers = {**handler.headers, "Idempotency-Key": "delsvar-1"}
    body = {"kind": "partial_reply", "body": "Vi tittar på det."}

    url = f"{API}/units/{clinic.unit_id}/cases/{{}}/messages"
    a = await client.post(url.format(first), headers=headers, json=body)
    b = await client.post(url.format(second), headers=headers, json=body)
    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert "idempotent-replayed" not in b.headers
    assert b.json()["id"] != a.json()["id"]
    assert await _messages_on(conn, second, "staff") == [b.json()["id"]]
    again = await client.post(url.format(first), headers=headers, json=body)
    assert again.headers["idempotent-replayed"] == "true" and again.content == a.content
    assert await _messages_on(conn, first, "staff") == [a.json()["id"]]
