"""The live inbox on a real server: reach per caller, resume with Last-Event-ID across a server
restart, the reset past retention, heartbeats, the stream's own end, no pool connection held."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text

from app.config import Settings
from app.container import Services
from tests.events.conftest import Inbox
from tests.events.sse import ApiServer, open_stream
from tests.fixtures.clinic import API, make_clinic
from tests.notify.conftest import until


@pytest.fixture
async def servers(
    settings: Settings, committed_services: Services
) -> AsyncIterator[Callable[..., ApiServer]]:
    """Start API servers on the committed database (stopped before its tables are emptied)."""
    started: list[ApiServer] = []

    def start(**overrides: Any) -> ApiServer:
        s = settings.model_copy(update={"sse_heartbeat_seconds": 5.0, **overrides})
        server = ApiServer(s).start()
        started.append(server)
        return server

    yield start
    for server in started:
        if server.thread.is_alive():
            await asyncio.to_thread(server.stop)


async def _reply(
    client: httpx.AsyncClient, inbox: Inbox, who: str, case: UUID, body: str = "Vi återkommer."
) -> None:
    r = await client.post(
        f"{API}/units/{inbox.unit_id}/cases/{case}/messages",
        headers=inbox.clinic[who].headers,
        json={"kind": "partial_reply", "body": body},
    )
    assert r.status_code == 201, r.text


async def test_a_handler_sees_events_of_their_case_and_none_of_another(
    committed_client: httpx.AsyncClient, inbox: Inbox, servers: Callable[..., ApiServer]
) -> None:
    server = servers()
    clinic = inbox.clinic
    async with (
        open_stream(server.url, inbox.unit_id, clinic["hans"].headers) as hans,
        open_stream(server.url, inbox.unit_id, clinic["karin"].headers) as karin,
    ):
        await _reply(committed_client, inbox, "hans", inbox.hans_case)
        await _reply(committed_client, inbox, "sara", inbox.sara_case)
        await _reply(committed_client, inbox, "hans", inbox.hans_case, "Snart klart.")
        # Ids are in commit order per unit: Sara's event would come before Hans's second.
        seen = await hans.events(2)
        assert [m.json["data"]["case_id"] for m in seen] == [str(inbox.hans_case)] * 2
        assert [m.json["type"] for m in seen] == ["message.created"] * 2
        assert int(seen[0].id or 0) < int(seen[1].id or 0)
        everything = await karin.events(3)
        assert [m.json["data"]["case_id"] for m in everything] == [
            str(inbox.hans_case),
            str(inbox.sara_case),
            str(inbox.hans_case),
        ]
        assert [m.id for m in everything if m.json["data"]["case_id"] == str(inbox.hans_case)] == [
            m.id for m in seen
        ]
        # The streams hold no pool connection while they wait (only the listener's short reads
        # take one, now and then).
        await until(lambda: asyncio.sleep(0, server.pool_checked_out() == 0), within=3)


async def test_resume_with_last_event_id_loses_nothing_across_a_restart(
    committed_client: httpx.AsyncClient, inbox: Inbox, servers: Callable[..., ApiServer]
) -> None:
    hans = inbox.clinic["hans"].headers
    first = servers()
    async with open_stream(first.url, inbox.unit_id, hans) as stream:
        await _reply(committed_client, inbox, "hans", inbox.hans_case, "Ett")
        [seen] = await stream.events(1)
    await asyncio.to_thread(first.stop)

    # While no API runs: Hans's case changes twice, Sara's once.
    await _reply(committed_client, inbox, "hans", inbox.hans_case, "Två")
    await _reply(committed_client, inbox, "sara", inbox.sara_case)
    r = await committed_client.post(
        f"{API}/units/{inbox.unit_id}/cases/{inbox.hans_case}/messages",
        headers=hans,
        json={"kind": "counter_question", "body": "Tre?"},
    )
    assert r.status_code == 201, r.text

    second = servers()  # a new process's lifespan, on the same committed database
    async with open_stream(second.url, inbox.unit_id, {**hans, "Last-Event-ID": seen.id or ""}) as stream:
        missed = await stream.events(3)
        assert [(m.json["type"], m.json["data"]["status"]) for m in missed] == [
            ("message.created", "assigned"),
            ("message.created", "awaiting_citizen"),
            ("case.status_changed", "awaiting_citizen"),
        ]
        assert {m.json["data"]["case_id"] for m in missed} == {str(inbox.hans_case)}
        ids = [int(m.id or 0) for m in missed]
        assert ids == sorted(ids) and ids[0] > int(seen.id or 0)
        # ... and then live: the next change comes after the missed ones.
        r = await committed_client.post(
            f"{API}/units/{inbox.unit_id}/cases/{inbox.hans_case}/assignment",
            headers=inbox.clinic["karin"].headers,
            json={"assignee": {"type": "staff", "id": inbox.clinic["sara"].staff_id}},
        )
        assert r.status_code == 200, r.text
        [live] = await stream.events(1)
        assert live.json["type"] == "case.assigned" and int(live.id or 0) > ids[-1]

    # The query parameter does the same, for clients that cannot set the header.
    async with open_stream(second.url, inbox.unit_id, hans, last_event_id=seen.id) as stream:
        again = await stream.events(3)
        assert [m.id for m in again] == [m.id for m in missed]


async def test_a_resume_past_the_retention_is_told_to_refetch(
    committed_client: httpx.AsyncClient,
    committed_services: Services,
    inbox: Inbox,
    servers: Callable[..., ApiServer],
) -> None:
    await _reply(committed_client, inbox, "hans", inbox.hans_case)
    async with committed_services.db.engine.begin() as c:
        head = (await c.execute(text("SELECT max(id) FROM domain_events"))).scalar_one()
        await c.execute(text("INSERT INTO event_retention (purged_through) VALUES (:h)"), {"h": head})
    server = servers()
    hans = inbox.clinic["hans"].headers
    async with open_stream(server.url, inbox.unit_id, {**hans, "Last-Event-ID": str(head - 1)}) as stream:
        reset = await stream.next()
        assert reset is not None and reset.event == "reset" and reset.id == str(head)
        assert reset.json["last_event_id"] == head and "refetch" in reset.json["reason"]
    # A Last-Event-ID beyond the unit's newest event (a restored database) is reset too.
    async with open_stream(server.url, inbox.unit_id, {**hans, "Last-Event-ID": str(head + 100)}) as stream:
        reset = await stream.next()
        assert reset is not None and reset.event == "reset"
    # Within the window: no reset, the events follow.
    await _reply(committed_client, inbox, "hans", inbox.hans_case)
    async with open_stream(server.url, inbox.unit_id, {**hans, "Last-Event-ID": str(head)}) as stream:
        [event] = await stream.events(1)
        assert event.event is None and int(event.id or 0) > head


async def test_heartbeats_and_the_stream_s_own_end(inbox: Inbox, servers: Callable[..., ApiServer]) -> None:
    server = servers(sse_heartbeat_seconds=0.2, sse_max_stream_seconds=1.0)
    async with open_stream(server.url, inbox.unit_id, inbox.clinic["karin"].headers) as stream:
        beat = await stream.next(within=2)
        assert beat is not None and beat.comments == ["heartbeat"]
        while (message := await stream.next(within=3)) is not None:
            assert message.comments == ["heartbeat"]  # until the server ends it, cleanly


async def test_who_may_open_a_stream(client: httpx.AsyncClient) -> None:
    """Refusals come before the stream starts, as problems (the in-process client suffices)."""
    clinic = await make_clinic(client, {"admin": ["local_admin"], "karin": ["case_receiver"]})
    other = await make_clinic(client, {"karin": ["case_receiver"]})
    path = f"{API}/units/{clinic.unit_id}/cases/stream"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=clinic["admin"].headers)).status_code == 403
    assert (await client.get(path, headers=other["karin"].headers)).status_code == 404
    for bad in ("abc", "-1", "9223372036854775808"):
        r = await client.get(path, headers={**clinic["karin"].headers, "Last-Event-ID": bad})
        assert r.status_code == 422, bad
        assert r.headers["content-type"] == "application/problem+json"
    r = await client.get(f"{path}?last_event_id=x", headers=clinic["karin"].headers)
    assert r.status_code == 422
