"""The citizen writes only while the clinic awaits them (domain.md "Case life cycle")."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.tables import case_events, cases, messages, outbox, staff
from tests.fixtures.citizen import Citizen, Setup, citizen, open_clinic, send_case, staff_writes
from tests.fixtures.clinic import API

FORM = [
    {"key": "weight", "label": "Vikt (kg)", "type": "text", "required": True, "options": []},
    {"key": "smoker", "label": "Röker du?", "type": "yes_no", "required": True, "options": []},
]


async def _awaiting(
    client: httpx.AsyncClient, conn: AsyncConnection, **kw: Any
) -> tuple[Setup, Citizen, str, str]:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who = await citizen(client)
    case = await send_case(client, who, setup)
    nurse = setup.clinic["nurse"].staff_id
    assert nurse is not None
    await staff_writes(conn, case["id"], nurse, **kw)
    return setup, who, case["id"], nurse


def _url(case_id: str) -> str:
    return f"{API}/citizen/cases/{case_id}/messages"


async def test_reply_to_a_counter_question(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    _, who, case_id, nurse = await _awaiting(client, conn)
    await conn.execute(
        update(staff)
        .where(staff.c.id == nurse)
        .values(notify_on_assigned=True, notification_email="N@vc.example.se")
    )
    r = await client.post(_url(case_id), headers=who.headers, json={"body": "Sedan i måndags.\u200b"})
    assert r.status_code == 201, r.text
    assert r.headers["etag"] == '"3"'
    message = r.json()
    assert message["body"] == "Sedan i måndags." and message["kind"] == "citizen"
    assert message["author"] == {"type": "citizen", "display_name": "Sven Svensson"}
    row = (await conn.execute(select(cases).where(cases.c.id == case_id))).one()
    assert (row.status, str(row.assignee_staff_id), row.version) == ("assigned", nurse, 3)
    event = (
        await conn.execute(
            select(case_events).where(
                case_events.c.case_id == case_id, case_events.c.action == "citizen_replied"
            )
        )
    ).one()
    assert (event.actor_type, event.from_status, event.to_status) == (
        "citizen",
        "awaiting_citizen",
        "assigned",
    )
    notified = (await conn.execute(select(outbox).where(outbox.c.template == "case_citizen_replied"))).all()
    assert [(n.recipient, n.payload["case_id"]) for n in notified] == [("n@vc.example.se", case_id)]

    # Now the clinic has the ball: a second message is a conflict naming the status.
    r = await client.post(_url(case_id), headers=who.headers, json={"body": "Och en sak till"})
    assert r.status_code == 409, r.text
    assert r.json()["case_status"] == "assigned" and r.json()["status"] == 409


async def test_no_reply_unless_awaiting_citizen(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    case = await send_case(client, who, setup)
    r = await client.post(_url(case["id"]), headers=who.headers, json={"body": "Hallå?"})
    assert r.status_code == 409 and r.json()["case_status"] == "new"
    await conn.execute(
        update(cases).where(cases.c.id == case["id"]).values(status="closed", closure="answered")
    )
    r = await client.post(_url(case["id"]), headers=who.headers, json={"body": "Tack"})
    assert r.status_code == 409 and r.json()["case_status"] == "closed"
    count = (await conn.execute(select(messages.c.id).where(messages.c.case_id == case["id"]))).all()
    assert count == []


async def test_reply_refusals(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup, who, case_id, _ = await _awaiting(client, conn)
    other = await citizen(client)
    assert (await client.post(_url(case_id), headers=other.headers, json={"body": "x"})).status_code == 404
    r = await client.post(_url(case_id), headers=setup.clinic["nurse"].headers, json={"body": "x"})
    assert r.status_code == 401
    for bad in (
        {"body": "x", "extra": 1},
        {},
        {"body": " \u200b "},
        {"body": "x", "answers": {"a": "b"}},
        {"body": "x", "attachment_ids": ["00000000-0000-0000-0000-000000000000"]},
    ):
        r = await client.post(_url(case_id), headers=who.headers, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert (
        await conn.execute(select(cases.c.status).where(cases.c.id == case_id))
    ).scalar() == "awaiting_citizen"


async def test_if_match(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    _, who, case_id, _ = await _awaiting(client, conn)
    for stale in ('"1"', "abc", 'W/"7"'):
        r = await client.post(_url(case_id), headers={**who.headers, "If-Match": stale}, json={"body": "x"})
        assert r.status_code == 412, r.text
    r = await client.post(_url(case_id), headers={**who.headers, "If-Match": '"2"'}, json={"body": "x"})
    assert r.status_code == 201, r.text


async def test_answers_to_a_questions_form(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    _, who, case_id, _ = await _awaiting(client, conn, kind="questions", form=FORM, origin="outbound")
    for bad in (
        {"body": ""},
        {"body": "", "answers": {"weight": "80"}},
        {"body": "", "answers": {"weight": "80", "smoker": "ja"}},
    ):
        r = await client.post(_url(case_id), headers=who.headers, json=bad)
        assert r.status_code == 422, (bad, r.text)
    r = await client.post(
        _url(case_id), headers=who.headers, json={"body": "", "answers": {"weight": " 80 ", "smoker": False}}
    )
    assert r.status_code == 201, r.text
    assert r.json()["answers"] == {"weight": "80", "smoker": False}
    stored = (await conn.execute(select(messages.c.answers).where(messages.c.id == r.json()["id"]))).scalar()
    assert stored == {"weight": "80", "smoker": False}


async def test_simultaneous_replies_one_wins(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        setup = await open_clinic(committed_client, conn, {"nurse": ["case_handler"]})
    who = await citizen(committed_client)
    case = await send_case(committed_client, who, setup)
    async with engine.begin() as conn:
        assert setup.clinic["nurse"].staff_id is not None
        await staff_writes(conn, case["id"], setup.clinic["nurse"].staff_id)
    results = await asyncio.gather(
        *(
            committed_client.post(_url(case["id"]), headers=who.headers, json={"body": f"svar {i}"})
            for i in range(8)
        )
    )
    assert sorted(r.status_code for r in results) == [201] + [409] * 7
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(cases.c.status, cases.c.version).where(cases.c.id == case["id"]))
        ).one()
        replies = (
            await conn.execute(
                select(messages.c.id).where(
                    messages.c.case_id == case["id"], messages.c.author_type == "citizen"
                )
            )
        ).all()
    assert tuple(row) == ("assigned", 3) and len(replies) == 1


async def test_citizen_if_match_takes_a_list_of_tags(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who = await citizen(client)
    case = await send_case(client, who, setup)
    nurse = setup.clinic["nurse"].staff_id
    assert nurse is not None
    await staff_writes(conn, case["id"], nurse)  # version 2, awaiting the citizen
    r = await client.post(
        f"{API}/citizen/cases/{case['id']}/messages",
        headers={**who.headers, "If-Match": '"1", "2"'},
        json={"body": "Sedan i måndags."},
    )
    assert r.status_code == 201, r.text
