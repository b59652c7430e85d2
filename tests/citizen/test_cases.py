"""Creating, listing and reading a citizen's own cases (api.md "Cases, citizen side")."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_events, case_notes, cases, messages, outbox, staff
from tests.fixtures.citizen import (
    add_case_type,
    add_grant,
    citizen,
    new_case_body,
    open_clinic,
    send_case,
    set_unit,
    staff_writes,
)
from tests.fixtures.clinic import API

MISSING = "00000000-0000-0000-0000-000000000000"


async def test_create_case(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    set_database_clock: Callable[[datetime], Awaitable[None]],
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    # domain.md's "Deadline" example: in on 23 December, Christmas Eve, Christmas Day, Boxing Day
    # and a weekend off, due at 23:59:59 Stockholm time (CET) on Tuesday 29 December.
    await set_database_clock(datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    r = await client.post(
        f"{API}/citizen/cases",
        headers=who.headers,
        json=new_case_body(
            setup, message="Hej!\u200b Jag behöver\u202e förnya", answers={"medicine": " Levaxin "}
        ),
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"/api/v1/citizen/cases/{case['id']}"
    assert case["status"] == "new" and case["version"] == 1 and case["origin"] == "citizen"
    assert case["subject"] == "Förnya recept" == case["case_type"]["name"]
    assert re.fullmatch(r"2026-\d{7}", case["reference"])
    assert case["created_at"] == "2026-12-23T09:00:00Z"
    assert case["due_at"] == "2026-12-29T22:59:59Z"
    assert case["answers"] == [
        {"key": "medicine", "label": "Vilket läkemedel?", "type": "text", "value": "Levaxin"}
    ]
    [message] = case["messages"]
    assert message["body"] == "Hej! Jag behöver förnya"  # invisible formatting removed
    assert message["author"] == {"type": "citizen", "display_name": "Sven Svensson"}
    assert case["events"] == [
        {"action": "created", "from_status": None, "to_status": "new", "created_at": case["created_at"]}
    ]
    row = (await conn.execute(select(cases).where(cases.c.id == case["id"]))).one()
    assert row.form[0]["key"] == "medicine" and row.answers == {"medicine": "Levaxin"}
    assert row.due_at == datetime(2026, 12, 29, 22, 59, 59, tzinfo=UTC)
    kinds = (
        await conn.execute(
            select(messages.c.kind, messages.c.author_type).where(messages.c.case_id == row.id)
        )
    ).all()
    assert kinds == [("citizen", "citizen")]
    actions = (
        (await conn.execute(select(case_events.c.action).where(case_events.c.case_id == row.id)))
        .scalars()
        .all()
    )
    assert actions == ["created"]
    # The form snapshot stays as answered when the case type changes later.
    await conn.execute(
        text("UPDATE case_types SET questions = '[]' WHERE id = :id"), {"id": setup.case_type_id}
    )
    r = await client.get(f"{API}/citizen/cases/{case['id']}", headers=who.headers)
    assert r.json()["answers"][0]["label"] == "Vilket läkemedel?"


async def test_new_case_notifies_each_distinct_address_once(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(
        client,
        conn,
        {"rec": ["case_receiver"], "quiet": ["case_receiver"]},
        emails=["inbox@vc.example.se", "INBOX@vc.example.se", "chef@vc.example.se"],
    )
    rec_id = setup.clinic["rec"].staff_id
    await conn.execute(
        staff.update()
        .where(staff.c.id == rec_id)
        .values(notify_on_new_case=True, notification_email="rec@vc.example.se")
    )
    who = await citizen(client)
    case = await send_case(client, who, setup, message="Hemligt innehåll")
    rows = (await conn.execute(select(outbox).where(outbox.c.template == "unit_new_case"))).all()
    mine = [r for r in rows if r.payload.get("case_id") == case["id"]]
    assert sorted(r.recipient for r in mine) == [
        "chef@vc.example.se",
        "inbox@vc.example.se",
        "rec@vc.example.se",
    ]
    assert all(r.channel == "email" for r in mine)
    assert all(set(r.payload) == {"case_id", "unit_id"} for r in mine)  # ids only, no content


async def test_create_case_without_message_writes_no_message(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    case = await send_case(client, who, setup, message="  \u200b ")
    assert case["messages"] == []
    count = (await conn.execute(select(messages.c.id).where(messages.c.case_id == case["id"]))).all()
    assert count == []


async def _post(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{API}/citizen/cases", headers=headers, json=body)


async def test_create_case_refusals(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    body = new_case_body(setup)
    for bad, status in [
        ({**body, "terms_accepted": False}, 422),
        ({k: v for k, v in body.items() if k != "terms_accepted"}, 422),
        ({**body, "surprise": 1}, 422),
        ({**body, "answers": {}}, 422),  # a required question unanswered
        ({**body, "answers": {"medicine": "x", "dose": "7 mg"}}, 422),  # not an option
        ({**body, "answers": {"medicine": "x", "nope": "y"}}, 422),  # no such question
        ({**body, "answers": {"medicine": 5}}, 422),
        ({**body, "answers": {"medicine": "x" * 501}}, 422),
        ({**body, "attachment_ids": [MISSING]}, 422),
        ({**body, "attachment_ids": [MISSING] * 6}, 422),
        ({**body, "message": "x" * 20001}, 422),
        ({**body, "unit_id": "not-a-uuid"}, 422),
        ({**body, "case_type_id": MISSING}, 404),
        ({**body, "unit_id": MISSING}, 404),
    ]:
        r = await _post(client, who.headers, bad)
        assert r.status_code == status, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert (await conn.execute(select(cases.c.id).where(cases.c.unit_id == setup.unit_id))).all() == []


async def test_create_case_needs_the_type_open_to_the_citizen(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    other = await open_clinic(client, conn)
    who, holder = await citizen(client), await citizen(client)
    restricted = await add_case_type(conn, setup.unit_id, name="Begränsad", restricted=True)
    draft = await add_case_type(conn, setup.unit_id, name="Utkast", status="draft")
    await add_grant(conn, setup.unit_id, holder.personal_number, case_type_id=restricted)
    body = new_case_body(setup)
    # Restricted without a grant, a draft, another unit's case type: all simply not found.
    for case_type_id in (restricted, draft, other.case_type_id):
        r = await _post(client, who.headers, {**body, "case_type_id": case_type_id})
        assert r.status_code == 404, r.text
    assert (await _post(client, holder.headers, {**body, "case_type_id": restricted})).status_code == 201
    # A unit the citizen may not contact.
    await set_unit(conn, setup.unit_id, scope="counties", counties=["25"])
    assert (await _post(client, who.headers, body)).status_code == 404


async def test_attachments_only_where_the_case_type_allows(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    r = await _post(client, who.headers, new_case_body(setup, attachment_ids=[MISSING]))
    assert r.status_code == 422 and "attachment" in r.json()["detail"]
    allowing = await add_case_type(conn, setup.unit_id, name="Bilder", attachments=True)
    r = await _post(
        client, who.headers, new_case_body(setup, case_type_id=allowing, attachment_ids=[MISSING])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "attachment_ids", 0]
    assert MISSING in r.json()["detail"]


async def test_list_own_cases_newest_first(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    who, other = await citizen(client), await citizen(client)
    mine = [await send_case(client, who, setup) for _ in range(3)]
    theirs = await send_case(client, other, setup)
    # created_at is the transaction time, the same for all in this test: order by id within it.
    await conn.execute(
        text("UPDATE cases SET created_at = created_at - (interval '1 minute' * :n) WHERE id = :id"),
        [{"n": 3 - i, "id": c["id"]} for i, c in enumerate(mine)],
    )
    seen, cursor = [], None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        r = await client.get(f"{API}/citizen/cases", headers=who.headers, params=params)
        assert r.status_code == 200, r.text
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert [c["id"] for c in seen] == [c["id"] for c in reversed(mine)]
    assert theirs["id"] not in [c["id"] for c in seen]
    assert set(seen[0]) == {
        "id",
        "reference",
        "unit",
        "case_type",
        "subject",
        "status",
        "created_at",
        "updated_at",
        "unread_count",
    }
    assert seen[0]["unit"] == {"id": setup.unit_id, "name": mine[0]["unit"]["name"]}
    r = await client.get(f"{API}/citizen/cases", headers=who.headers, params={"cursor": "garbage!"})
    assert r.status_code == 422


async def test_list_is_one_statement_whatever_the_page_size(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    for _ in range(4):
        await send_case(client, who, setup)
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(conn.sync_connection, "before_cursor_execute", count)  # type: ignore[arg-type]
    try:
        for limit in ("1", "4"):
            statements.clear()
            r = await client.get(f"{API}/citizen/cases", headers=who.headers, params={"limit": limit})
            assert r.status_code == 200
            # The citizen as the database knows them (and whether the token is revoked), the page.
            assert len(statements) == 2, statements
        statements.clear()
        await send_case(client, who, setup, message="Hej")
        # The citizen; the per-citizen rate-limit count; load unit + case type + visibility;
        # then one statement writing everything.
        assert len(statements) == 4, statements
    finally:
        event.remove(conn.sync_connection, "before_cursor_execute", count)  # type: ignore[arg-type]


async def test_read_own_case_marks_clinic_messages_read(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who, other = await citizen(client), await citizen(client)
    case = await send_case(client, who, setup, message="Hej")
    nurse = setup.clinic["nurse"].staff_id
    assert nurse is not None
    await staff_writes(conn, case["id"], nurse, display_name="Sjuksköterska, Vårdcentralen")
    await conn.execute(
        case_notes.insert().values(case_id=case["id"], author_staff_id=nurse, body="INTERN ANTECKNING")
    )
    await conn.execute(
        case_events.insert().values(
            case_id=case["id"],
            action="distributed",
            actor_type="staff",
            actor_staff_id=nurse,
            from_status="new",
            to_status="assigned",
            detail={"assignee_id": str(nurse)},
        )
    )
    listed = (await client.get(f"{API}/citizen/cases", headers=who.headers)).json()["items"]
    assert listed[0]["unread_count"] == 1

    assert (await client.get(f"{API}/citizen/cases/{case['id']}", headers=other.headers)).status_code == 404
    assert (await client.get(f"{API}/citizen/cases/{MISSING}", headers=who.headers)).status_code == 404
    staff_headers = setup.clinic["nurse"].headers
    assert (await client.get(f"{API}/citizen/cases/{case['id']}", headers=staff_headers)).status_code == 401

    r = await client.get(f"{API}/citizen/cases/{case['id']}", headers=who.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert r.headers["etag"] == '"2"' and body["version"] == 2 and body["status"] == "awaiting_citizen"
    assert [m["kind"] for m in body["messages"]] == ["citizen", "counter_question"]
    staff_message = body["messages"][1]
    assert staff_message["author"] == {"type": "staff", "display_name": "Sjuksköterska, Vårdcentralen"}
    assert staff_message["read_at"] is not None and body["messages"][0]["read_at"] is None
    assert [(e["action"], e["to_status"]) for e in body["events"]] == [
        ("created", "new"),
        ("distributed", "assigned"),
    ]
    assert set(body["events"][1]) == {"action", "from_status", "to_status", "created_at"}
    # Never the staff name, HSA-id, staff id or internal notes.
    raw = r.text
    for secret in ("Hemlig", "INTERN ANTECKNING", nurse, setup.clinic["nurse"].hsa_id):
        assert secret not in raw

    row = (
        await conn.execute(select(cases.c.unread_by_citizen, cases.c.version).where(cases.c.id == case["id"]))
    ).one()
    assert tuple(row) == (0, 2)  # reading is not a change of the case
    read_at = (
        await conn.execute(
            select(messages.c.read_at).where(
                messages.c.case_id == case["id"], messages.c.author_type == "staff"
            )
        )
    ).scalar_one()
    assert read_at is not None
    listed = (await client.get(f"{API}/citizen/cases", headers=who.headers)).json()["items"]
    assert listed[0]["unread_count"] == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


async def _upload(client: httpx.AsyncClient, who: Any, name: str = "bild.png") -> str:
    r = await client.post(f"{API}/citizen/attachments", headers=who.headers, files={"file": (name, PNG)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_known_attachments_go_with_the_first_message(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    allowing = await add_case_type(conn, setup.unit_id, name="Bilder", attachments=True)
    who, other = await citizen(client), await citizen(client)
    mine, theirs = await _upload(client, who), await _upload(client, other)
    r = await _post(client, who.headers, new_case_body(setup, case_type_id=allowing, attachment_ids=[theirs]))
    assert r.status_code == 422
    case = await send_case(client, who, setup, case_type_id=allowing, attachment_ids=[mine])
    [message] = case["messages"]
    assert message["attachments"] == [
        {"id": mine, "filename": "bild.png", "content_type": "image/png", "size": len(PNG)}
    ]
    r = await client.get(f"{API}/citizen/cases/{case['id']}", headers=who.headers)
    assert r.json()["messages"][0]["attachments"] == message["attachments"]
    # A file goes with one message only.
    r = await _post(client, who.headers, new_case_body(setup, case_type_id=allowing, attachment_ids=[mine]))
    assert r.status_code == 422
