"""Idempotency-Key on POST /citizen/cases and POST /citizen/cases/{id}/messages."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.tables import cases, messages
from tests.fixtures.citizen import Citizen, citizen, new_case_body, open_clinic, send_case, staff_writes
from tests.fixtures.clinic import API

CASES = f"{API}/citizen/cases"


def _key(who: Citizen, key: str) -> dict[str, str]:
    return {**who.headers, "Idempotency-Key": key}


async def _count(conn: AsyncConnection, unit_id: str) -> int:
    return int((await conn.execute(select(func.count()).where(cases.c.unit_id == unit_id))).scalar_one())


async def test_repeat_returns_the_first_response_and_creates_nothing(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    body = new_case_body(setup, message="Hej")
    first = await client.post(CASES, headers=_key(who, "abc-1"), json=body)
    again = await client.post(CASES, headers=_key(who, "abc-1"), json=dict(reversed(body.items())))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert (
        again.headers["etag"] == first.headers["etag"]
        and again.headers["location"] == first.headers["location"]
    )
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert await _count(conn, setup.unit_id) == 1
    # Without a key, a repeat is a new case.
    await client.post(CASES, headers=who.headers, json=body)
    await client.post(CASES, headers=who.headers, json=body)
    assert await _count(conn, setup.unit_id) == 3


async def test_same_key_other_body_is_422(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    assert (await client.post(CASES, headers=_key(who, "k"), json=new_case_body(setup))).status_code == 201
    r = await client.post(CASES, headers=_key(who, "k"), json=new_case_body(setup, message="annat"))
    assert r.status_code == 422 and r.json()["type"].endswith("/idempotency-key-reused")
    assert await _count(conn, setup.unit_id) == 1


async def test_keys_belong_to_the_caller(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    a, b = await citizen(client), await citizen(client)
    ra = await client.post(CASES, headers=_key(a, "shared"), json=new_case_body(setup))
    rb = await client.post(CASES, headers=_key(b, "shared"), json=new_case_body(setup))
    assert ra.status_code == rb.status_code == 201 and ra.json()["id"] != rb.json()["id"]
    assert "idempotent-replayed" not in rb.headers


async def test_keys_expire_after_24_hours(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    first = await client.post(CASES, headers=_key(who, "old"), json=new_case_body(setup))
    await conn.execute(
        text("UPDATE idempotency_keys SET created_at = created_at - interval '24 hours 1 second'")
    )
    later = await client.post(CASES, headers=_key(who, "old"), json=new_case_body(setup))
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert await _count(conn, setup.unit_id) == 2


async def test_a_failed_request_does_not_use_up_the_key(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    r = await client.post(CASES, headers=_key(who, "retry"), json=new_case_body(setup, answers={}))
    assert r.status_code == 422
    r = await client.post(CASES, headers=_key(who, "retry"), json=new_case_body(setup))
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers


async def test_bad_keys_are_422(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    for key in ("", "x" * 256, "has space", "åäö".encode()):
        r = await client.post(
            CASES, headers={**who.headers, "Idempotency-Key": key}, json=new_case_body(setup)
        )
        assert r.status_code == 422, (key, r.text)


async def test_reply_with_a_key_is_sent_once(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who = await citizen(client)
    case = await send_case(client, who, setup)
    assert setup.clinic["nurse"].staff_id is not None
    await staff_writes(conn, case["id"], setup.clinic["nurse"].staff_id)
    url = f"{CASES}/{case['id']}/messages"
    first = await client.post(url, headers=_key(who, "svar-1"), json={"body": "Svar"})
    again = await client.post(url, headers=_key(who, "svar-1"), json={"body": "Svar"})
    # The repeat replays the 201 instead of meeting the 409 the case's new status would give.
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert again.headers["etag"] == first.headers["etag"] == '"3"'
    mismatch = await client.post(url, headers=_key(who, "svar-1"), json={"body": "Annat svar"})
    assert mismatch.status_code == 422
    rows = (
        await conn.execute(
            select(messages.c.id).where(messages.c.case_id == case["id"], messages.c.author_type == "citizen")
        )
    ).all()
    assert len(rows) == 1
    # The same key value on another endpoint is another key.
    r = await client.post(CASES, headers=_key(who, "svar-1"), json=new_case_body(setup))
    assert r.status_code == 201


async def test_simultaneous_requests_with_one_key_create_one_case(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        setup = await open_clinic(committed_client, conn)
    who = await citizen(committed_client)
    body = new_case_body(setup, message="Samtidigt")
    results = await asyncio.gather(
        *(committed_client.post(CASES, headers=_key(who, "same"), json=body) for _ in range(8))
    )
    assert [r.status_code for r in results] == [201] * 8, [r.text for r in results]
    assert len({r.content for r in results}) == 1
    assert sum("idempotent-replayed" in r.headers for r in results) == 7
    async with engine.connect() as conn:
        assert await _count(conn, setup.unit_id) == 1
        assert (await conn.execute(select(func.count()).select_from(messages))).scalar_one() == 1
