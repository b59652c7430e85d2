"""GET /units/{unit_id}/cases/{case_id}: the full case, scoped, audited, with an ETag."""

from __future__ import annotations

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.fixtures.cases import FORM, add_case, add_case_type, add_citizen, add_group
from tests.fixtures.clinic import API, make_clinic

ROLES = {
    "rec": ["case_receiver"],
    "h1": ["case_handler"],
    "h2": ["case_handler"],
    "admin": ["local_admin"],
    "rev": ["reviewer"],
}


async def _audits(conn: AsyncConnection) -> list[tuple[str, str | None, str | None]]:
    rows = await conn.execute(
        text("SELECT action, personal_number, case_id::text FROM audit_events ORDER BY id")
    )
    return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_full_case_with_messages_notes_events_and_one_audit_event(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, ROLES)
    u = clinic.unit_id
    citizen, number = await add_citizen(conn)
    case_type = await add_case_type(conn, u)
    case_id = await add_case(conn, u, citizen, case_type_id=case_type, answers={"medicine": "Alvedon"})
    rec = clinic["rec"].headers
    r = await client.post(
        f"{API}/units/{u}/cases/{case_id}/assignment",
        headers=rec,
        json={
            "assignee": {"type": "staff", "id": clinic["h1"].staff_id},
            "partial_reply": {"body": "Vi tittar på det."},
        },
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{API}/units/{u}/cases/{case_id}/notes", headers=rec, json={"body": "Ring apoteket"}
    )
    assert r.status_code == 201, r.text
    before = len(await _audits(conn))

    r = await client.get(f"{API}/units/{u}/cases/{case_id}", headers=rec)
    assert r.status_code == 200, r.text
    body = r.json()
    assert r.headers["etag"] == f'"{body["version"]}"' == '"3"'
    assert body["form"] == FORM and body["answers"] == {"medicine": "Alvedon"}
    assert body["status"] == "assigned" and body["assignee"]["id"] == clinic["h1"].staff_id
    [message] = body["messages"]
    assert message["kind"] == "partial_reply" and message["body"].startswith(
        "Vi tittar på det.\n\nMed vänlig hälsning"
    )
    assert message["author"]["type"] == "staff" and message["author"]["display_name"] == "Anna Andersson"
    assert message["read_at"] is None and message["attachments"] == []
    assert message["created_at"].endswith("Z")
    [note] = body["notes"]
    assert note["body"] == "Ring apoteket" and note["author"]["staff_id"] == clinic["rec"].staff_id
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("distributed", "new", "assigned"),
        ("note_added", "assigned", "assigned"),
    ]
    assert body["events"][0]["actor"]["staff_id"] == clinic["rec"].staff_id
    audits = await _audits(conn)
    assert audits[before:] == [("case_read", number, str(case_id))]


async def test_scope_roles_and_units(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(client, ROLES)
    u = clinic.unit_id
    citizen, _ = await add_citizen(conn)
    group = await add_group(conn, u, [clinic["h2"].staff_id])
    mine = await add_case(conn, u, citizen, status="assigned", assignee_staff_id=clinic["h1"].staff_id)
    grp = await add_case(conn, u, citizen, status="assigned", assignee_group_id=group)

    def get(who: str, case: object, unit: str = u) -> object:
        return client.get(f"{API}/units/{unit}/cases/{case}", headers=clinic[who].headers)

    assert (await get("rec", mine)).status_code == 200
    assert (await get("h1", mine)).status_code == 200
    assert (await get("h1", grp)).status_code == 404  # not theirs: out of reach, not 403
    assert (await get("h2", grp)).status_code == 200  # via the group
    assert (await get("h2", mine)).status_code == 404
    assert (await get("admin", mine)).status_code == 403
    assert (await get("rev", mine)).status_code == 403
    assert (await get("rec", "00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await get("rec", "not-a-uuid")).status_code == 422
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    # The case is at another unit than the path says → 404; staff of another unit → 404.
    assert (await get("rec", mine, other.unit_id)).status_code == 404
    r = await client.get(f"{API}/units/{u}/cases/{mine}", headers=other["rec"].headers)
    assert r.status_code == 404
    # The three reads that happened are logged as reads; the refusals of this unit's case by its
    # own staff (out of reach, or a role without case content) as denied. A case id that does
    # not exist, or a request from another unit, names no patient of this unit: not logged.
    rows = await conn.execute(
        text(
            "SELECT outcome, staff_id::text, case_id::text FROM audit_events"
            " WHERE action = 'case_read' ORDER BY id"
        )
    )
    assert [tuple(r) for r in rows.all()] == [
        ("success", clinic["rec"].staff_id, str(mine)),
        ("success", clinic["h1"].staff_id, str(mine)),
        ("denied", clinic["h1"].staff_id, str(grp)),
        ("success", clinic["h2"].staff_id, str(grp)),
        ("denied", clinic["h2"].staff_id, str(mine)),
        ("denied", clinic["admin"].staff_id, str(mine)),
        ("denied", clinic["rev"].staff_id, str(mine)),
    ]


async def test_case_view_is_one_statement_plus_the_audit_event(
    client: httpx.AsyncClient, conn: AsyncConnection, engine: AsyncEngine
) -> None:
    clinic = await make_clinic(client, ROLES)
    citizen, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, stmt: str, *_: object) -> None:
        if not stmt.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(stmt)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case_id}", headers=clinic["rec"].headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert r.status_code == 200
    # The actor's roles (1), the case with messages, notes and events (1), the audit event (1).
    assert len(statements) == 3, statements
