"""case_participants keeps copies of its case's unit and creation time (migration b8d2e6f1a4c9),
so a handler's "took part" branch of the inbox reads one index in page order. The copies must
hold whoever writes: a writer that passes nothing, a change of the case's time, a staff change
through the API (which passes them) and an outbound send (whose participants are inserted in
the same statement as their cases, where the trigger could not read the case)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import httpx
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_participants, cases
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import API, make_clinic


async def _copies(conn: AsyncConnection, case_id: UUID) -> set[tuple[UUID, datetime]]:
    rows = await conn.execute(
        select(case_participants.c.unit_id, case_participants.c.case_created_at).where(
            case_participants.c.case_id == case_id
        )
    )
    return {(r[0], r[1]) for r in rows}


async def _case(conn: AsyncConnection, case_id: UUID) -> tuple[UUID, datetime]:
    row = (await conn.execute(select(cases.c.unit_id, cases.c.created_at).where(cases.c.id == case_id))).one()
    return row[0], row[1]


async def test_an_insert_without_the_copies_gets_them_from_the_case(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    citizen, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen, created_at=datetime(2026, 3, 1, 8, tzinfo=UTC))
    await conn.execute(insert(case_participants).values(case_id=case_id, staff_id=clinic["h"].staff_id))
    assert await _copies(conn, case_id) == {await _case(conn, case_id)}


async def test_a_change_of_the_cases_time_reaches_the_copies(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"], "h2": ["case_handler"]})
    citizen, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen)
    for who in ("h", "h2"):
        await conn.execute(insert(case_participants).values(case_id=case_id, staff_id=clinic[who].staff_id))
    moved = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    await conn.execute(update(cases).where(cases.c.id == case_id).values(created_at=moved))
    assert await _copies(conn, case_id) == {(UUID(str(clinic.unit_id)), moved)}


async def test_a_staff_change_writes_the_copies(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(client, {"r": ["case_receiver"], "h": ["case_handler"]})
    citizen, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen)
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case_id}/assignment",
        headers={**clinic["r"].headers, "If-Match": '"1"'},
        json={"assignee": {"type": "staff", "id": str(clinic["h"].staff_id)}},
    )
    assert r.status_code == 200, r.text
    assert await _copies(conn, case_id) == {await _case(conn, case_id)}
