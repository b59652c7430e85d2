"""domain.md Notifications, "Case assigned": an outbox row for the assignee (or each member of the
group) who asked for it; nothing for those who did not, nor for the one who assigned."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import outbox
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, make_clinic


async def _assigned_to(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(select(outbox.c.recipient).where(outbox.c.template == "case_assigned"))
    return sorted(rows.scalars().all())


async def test_assignment_notifies_who_asked(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(
        client, {"rec": ["case_receiver", "case_handler"], "h1": ["case_handler"], "h2": ["case_handler"]}
    )
    for name in ("rec", "h1"):  # h2 did not ask
        r = await client.patch(
            f"{API}/me/settings", headers=clinic[name].headers, json={"notify_on_assigned": True}
        )
        assert r.status_code == 200, r.text
    h1_mail = f"{clinic['h1'].hsa_id.lower()}@example.se"
    citizen, _ = await add_citizen(conn)
    url = f"{API}/units/{clinic.unit_id}/cases"

    case = await add_case(conn, clinic.unit_id, citizen)
    r = await client.post(
        f"{url}/{case}/assignment",
        headers=clinic["rec"].headers,
        json={"assignee": {"type": "staff", "id": clinic["h2"].staff_id}},
    )
    assert r.status_code == 200, r.text
    assert await _assigned_to(conn) == []  # h2 did not ask for it

    r = await client.post(
        f"{url}/{case}/assignment",
        headers=clinic["rec"].headers,
        json={"assignee": {"type": "staff", "id": clinic["h1"].staff_id}},
    )
    assert r.status_code == 200, r.text
    assert await _assigned_to(conn) == [h1_mail]

    group = await add_group(
        conn, clinic.unit_id, [clinic["h1"].staff_id, clinic["h2"].staff_id, clinic["rec"].staff_id]
    )
    await conn.execute(text("DELETE FROM outbox"))
    other = await add_case(conn, clinic.unit_id, citizen)
    r = await client.post(
        f"{url}/{other}/assignment",
        headers=clinic["rec"].headers,
        json={"assignee": {"type": "group", "id": str(group)}},
    )
    assert r.status_code == 200, r.text
    assert await _assigned_to(conn) == [h1_mail]  # not h2 (did not ask), not rec (assigned it)
