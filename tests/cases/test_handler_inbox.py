"""A handler's inbox merges three ways of reaching a case (assigned to them, to their group, took
part). Paging through it must return each reachable case exactly once, ties on created_at
included, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_participants
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, make_clinic


async def test_handler_pages_cover_every_reachable_case_once(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h1": ["case_handler"], "h2": ["case_handler"]})
    me, other = clinic["h1"].staff_id, clinic["h2"].staff_id
    group = await add_group(conn, clinic.unit_id, [me])
    citizen, _ = await add_citizen(conn)
    same_moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # every case ties on created_at
    reachable = set()
    for _ in range(3):
        reachable.add(
            str(
                await add_case(
                    conn,
                    clinic.unit_id,
                    citizen,
                    status="assigned",
                    assignee_staff_id=me,
                    created_at=same_moment,
                )
            )
        )
        reachable.add(
            str(
                await add_case(
                    conn,
                    clinic.unit_id,
                    citizen,
                    status="assigned",
                    assignee_group_id=group,
                    created_at=same_moment,
                )
            )
        )
        took_part = await add_case(
            conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=other, created_at=same_moment
        )
        await conn.execute(insert(case_participants).values(case_id=took_part, staff_id=me))
        reachable.add(str(took_part))
        # Reachable twice over (assigned to me and I took part): still listed once.
        both = await add_case(
            conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=me, created_at=same_moment
        )
        await conn.execute(insert(case_participants).values(case_id=both, staff_id=me))
        reachable.add(str(both))
        await add_case(
            conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=other, created_at=same_moment
        )

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(
            f"{API}/units/{clinic.unit_id}/cases", headers=clinic["h1"].headers, params=params
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen))  # no case twice
    assert set(seen) == reachable  # every reachable case, and none of the others
