"""Using uploads (docs/attachments.md): by id, on one message (or one outbound send), the caller's
own unused ones only, at most 10 per staff message, and one winner when two race for one."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.db.tables import cases, message_attachments, messages, outbound_sends
from app.domain.actors import StaffActor
from app.domain.errors import ValidationFailed
from app.services import attachments as svc
from tests.fixtures.attachments import PDF, PNG, case_setup, staff_message, upload
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import API, make_clinic


async def _ids(client: httpx.AsyncClient, path: str, headers: dict[str, str], n: int) -> list[str]:
    out = []
    for i in range(n):
        r = await upload(client, path, headers, PDF, f"bilaga-{i}.pdf")
        assert r.status_code == 201, r.text
        out.append(r.json()["id"])
    return out


async def test_a_staff_message_carries_the_senders_uploads_and_both_views_list_them(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    ids = await _ids(client, f"{s.unit}/attachments", s.clinic["h1"].headers, 2)
    r = await staff_message(client, s, "h1", ids)
    assert r.status_code == 201, r.text
    listed = [
        {"id": i, "filename": f"bilaga-{n}.pdf", "content_type": "application/pdf", "size": len(PDF)}
        for n, i in enumerate(ids)
    ]
    assert r.json()["attachments"] == listed
    staff_view = (
        await client.get(f"{API}{s.unit}/cases/{s.case_id}", headers=s.clinic["rec"].headers)
    ).json()
    assert staff_view["messages"][-1]["attachments"] == listed
    events = [e for e in staff_view["events"] if e["detail"].get("attachment_ids")]
    assert events[0]["detail"]["attachment_ids"] == ids
    citizen_view = (await client.get(f"{API}/citizen/cases/{s.case_id}", headers=s.citizen)).json()
    assert citizen_view["messages"][-1]["attachments"] == listed
    # Used once: the same id on a second message is refused, naming it.
    r = await staff_message(client, s, "h1", ids[:1])
    assert r.status_code == 422 and ids[0] in r.json()["detail"]


async def test_only_your_own_unused_unexpired_uploads_at_this_unit(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    [h2s] = await _ids(client, f"{s.unit}/attachments", s.clinic["h2"].headers, 1)
    [citizens] = await _ids(client, "/citizen/attachments", s.citizen, 1)
    [expired, mine] = await _ids(client, f"{s.unit}/attachments", s.clinic["h1"].headers, 2)
    await conn.execute(
        text("UPDATE attachments SET created_at = now() - interval '24 hours 1 second' WHERE id = :i"),
        {"i": expired},
    )
    unknown = str(uuid.uuid4())
    before = await _message_count(conn, s.case_id)
    r = await staff_message(client, s, "h1", [mine, h2s, citizens, expired, unknown])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert [e["loc"] for e in problem["errors"]] == [["body", "attachment_ids", i] for i in (1, 2, 3, 4)]
    for bad in (h2s, citizens, expired, unknown):
        assert bad in problem["detail"]
    assert await _message_count(conn, s.case_id) == before  # nothing written
    # Eleven is one too many for a staff message (ten is fine).
    ten = await _ids(client, f"{s.unit}/attachments", s.clinic["h1"].headers, 9)
    r = await staff_message(client, s, "h1", [*ten, mine, str(uuid.uuid4())])
    assert r.status_code == 422
    r = await staff_message(client, s, "h1", [*ten, mine])
    assert r.status_code == 201 and len(r.json()["attachments"]) == 10


async def test_an_upload_made_at_another_unit_does_not_go_here(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    other = await make_clinic(client, {})
    r = await client.post(
        f"{API}/units/{other.unit_id}/role-assignments",
        headers=other.admin.headers,
        json={"hsa_id": s.clinic["h1"].hsa_id, "role": "case_handler"},
    )
    assert r.status_code == 201, r.text
    [elsewhere] = await _ids(client, f"/units/{other.unit_id}/attachments", s.clinic["h1"].headers, 1)
    r = await staff_message(client, s, "h1", [elsewhere])
    assert r.status_code == 422 and elsewhere in r.json()["detail"]


async def test_a_citizen_reply_names_the_uploads_it_cannot_use(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    await conn.execute(text("UPDATE cases SET status = 'awaiting_citizen' WHERE id = :c"), {"c": s.case_id})
    [theirs] = await _ids(client, f"{s.unit}/attachments", s.clinic["h1"].headers, 1)
    r = await client.post(
        f"{API}/citizen/cases/{s.case_id}/messages",
        headers=s.citizen,
        json={"body": "Här", "attachment_ids": [theirs]},
    )
    # The case has no case type allowing citizen files: refused whoever uploaded it.
    assert r.status_code == 422 and "attachment" in r.json()["detail"]


async def _message_count(conn: AsyncConnection, case_id: Any) -> int:
    stmt = select(func.count()).select_from(messages).where(messages.c.case_id == case_id)
    return int((await conn.execute(stmt)).scalar_one())


async def test_two_messages_racing_for_one_upload_one_wins(
    committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    clinic = await make_clinic(committed_client, {"h1": ["case_handler"]})
    async with committed_services.db.engine.begin() as c:
        citizen, _ = await add_citizen(c)
        h1 = clinic["h1"].staff_id
        case_ids = [
            await add_case(c, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
            for _ in range(2)
        ]
    r = await upload(committed_client, f"/units/{clinic.unit_id}/attachments", clinic["h1"].headers, PNG)
    file_id = r.json()["id"]

    async def send(case_id: Any) -> httpx.Response:
        return await committed_client.post(
            f"{API}/units/{clinic.unit_id}/cases/{case_id}/messages",
            headers=clinic["h1"].headers,
            json={"kind": "partial_reply", "body": "Bilaga", "attachment_ids": [file_id]},
        )

    results = await asyncio.gather(*(send(c) for c in case_ids))
    assert sorted(r.status_code for r in results) == [201, 422]
    async with committed_services.db.engine.connect() as c:
        links = (await c.execute(select(func.count()).select_from(message_attachments))).scalar_one()
        counts = [await _message_count(c, case_id) for case_id in case_ids]
    assert links == 1 and sorted(counts) == [0, 1]


async def test_an_outbound_send_shows_one_stored_file_on_every_recipients_first_message(
    client: httpx.AsyncClient, conn: AsyncConnection, services: Services
) -> None:
    """The function an outbound send calls after writing its cases and first messages."""
    s = await case_setup(client, conn)
    ids = await _ids(client, f"{s.unit}/attachments", s.clinic["h1"].headers, 2)
    outbound_id = uuid.uuid4()
    # The send the cases point to (cases.outbound_id and attachments.outbound_id are foreign keys).
    send = {
        "id": outbound_id,
        "unit_id": s.clinic.unit_id,
        "sender_staff_id": s.clinic["h1"].staff_id,
        "kind": "information",
        "subject": "Vaccination",
        "body": "Vaccination",
        "recipient_count": 3,
    }
    await conn.execute(insert(outbound_sends).values(send))
    first_messages = []
    for _ in range(3):
        citizen, _ = await add_citizen(conn)
        case_id = await add_case(conn, s.clinic.unit_id, citizen, status="closed", closure="information_sent")
        await conn.execute(
            cases.update().where(cases.c.id == case_id).values(outbound_id=outbound_id, origin="outbound")
        )
        row = {
            "case_id": case_id,
            "kind": "information",
            "body": "Vaccination",
            "author_type": "staff",
            "author_display_name": "Vårdcentralen",
        }
        first_messages.append(
            (await conn.execute(insert(messages).values(row).returning(messages.c.id))).scalar_one()
        )
    actor = await _actor(client, conn, s, "h1")
    claimed = await svc.attach_to_outbound(
        conn, actor, uuid.UUID(s.clinic.unit_id), [uuid.UUID(i) for i in ids], outbound_id
    )
    assert [str(c["id"]) for c in claimed] == ids
    links = await conn.execute(select(message_attachments.c.message_id, message_attachments.c.attachment_id))
    assert sorted((m, str(a)) for m, a in links.all()) == sorted((m, i) for m in first_messages for i in ids)
    stored = (
        await conn.execute(
            text("SELECT count(*), count(DISTINCT outbound_id) FROM attachments WHERE id = ANY(:i)"),
            {"i": [uuid.UUID(i) for i in ids]},
        )
    ).one()
    assert tuple(stored) == (2, 1)
    # Used by the send: no second send (or message) may take them.
    try:
        await svc.attach_to_outbound(
            conn, actor, uuid.UUID(s.clinic.unit_id), [uuid.UUID(ids[0])], uuid.uuid4()
        )
    except ValidationFailed as exc:
        assert ids[0] in exc.detail
    else:
        raise AssertionError("a used upload was taken twice")


async def _actor(client: httpx.AsyncClient, conn: AsyncConnection, s: Any, who: str) -> StaffActor:
    from app.domain.policy import Role

    person = s.clinic[who]
    return StaffActor(
        staff_id=uuid.UUID(person.staff_id),
        hsa_id=person.hsa_id,
        unit_roles={uuid.UUID(s.clinic.unit_id): frozenset({Role.CASE_HANDLER})},
    )
