"""Follow-up for case receivers: open cases by status and assignee, and the overdue ones.

Cases are written straight into the table here so the counts are known exactly and the test does
not depend on the life-cycle endpoints.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.tables import cases, citizens, groups
from tests.fixtures.clinic import API, Clinic, make_clinic, pnr

NOW = datetime.now(UTC)
_ref = itertools.count(1)


async def citizen(conn: AsyncConnection, given: str = "Maja") -> UUID:
    cid: UUID = (
        await conn.execute(
            insert(citizens)
            .values(personal_number=pnr(), given_name=given, family_name="Svensson")
            .returning(citizens.c.id)
        )
    ).scalar_one()
    return cid


async def add_case(
    conn: AsyncConnection,
    unit_id: str,
    citizen_id: UUID,
    status: str,
    *,
    due_in: timedelta = timedelta(days=2),
    staff_id: str | None = None,
    group_id: UUID | None = None,
    subject: str = "Förnya recept",
) -> UUID:
    case_id = uuid4()
    await conn.execute(
        insert(cases).values(
            id=case_id,
            unit_id=UUID(unit_id),
            citizen_id=citizen_id,
            reference=f"FU-{uuid4().hex[:6]}-{next(_ref)}",
            status=status,
            origin="citizen",
            subject=subject,
            assignee_staff_id=UUID(staff_id) if staff_id else None,
            assignee_group_id=group_id,
            due_at=NOW + due_in,
            created_at=NOW + due_in - timedelta(days=3),
            closure="answered" if status == "closed" else None,
        )
    )
    return case_id


@pytest.fixture
async def inbox(client: httpx.AsyncClient, conn: AsyncConnection) -> dict[str, Any]:
    clinic = await make_clinic(
        client,
        {
            "receiver": ["case_receiver"],
            "hans": ["case_handler"],
            "rita": ["case_handler"],
            "reviewer": ["reviewer"],
            "admin": ["local_admin"],
        },
    )
    group_id: UUID = (
        await conn.execute(
            insert(groups).values(unit_id=UUID(clinic.unit_id), name="Recept").returning(groups.c.id)
        )
    ).scalar_one()
    cit = await citizen(conn)
    u, late = clinic.unit_id, -timedelta(days=1)
    hans, rita = clinic["hans"].staff_id, clinic["rita"].staff_id
    ids = {
        "new": await add_case(conn, u, cit, "new"),
        "new_late": await add_case(conn, u, cit, "new", due_in=late - timedelta(days=2)),
        "hans1": await add_case(conn, u, cit, "assigned", staff_id=hans),
        "hans2": await add_case(conn, u, cit, "assigned", staff_id=hans),
        "hans_late": await add_case(conn, u, cit, "assigned", staff_id=hans, due_in=late),
        "rita": await add_case(conn, u, cit, "assigned", staff_id=rita),
        "group": await add_case(conn, u, cit, "assigned", group_id=group_id),
        "waiting_late": await add_case(conn, u, cit, "awaiting_citizen", staff_id=rita, due_in=2 * late),
        "closed_late": await add_case(conn, u, cit, "closed", due_in=5 * late),
    }
    other = await make_clinic(client, {"receiver": ["case_receiver"]})
    await add_case(conn, other.unit_id, cit, "new", due_in=late)
    return {"clinic": clinic, "other": other, "group_id": group_id, "ids": ids}


def url(clinic: Clinic) -> str:
    return f"{API}/units/{clinic.unit_id}/follow-up"


async def test_counts_by_status_and_assignee(client: httpx.AsyncClient, inbox: Any) -> None:
    clinic = inbox["clinic"]
    r = await client.get(url(clinic), headers=clinic["receiver"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["new"], body["awaiting_citizen"], body["overdue"], body["assigned_total"]) == (2, 1, 3, 5)
    assigned = {(a["assignee"]["type"], a["assignee"]["id"]): a["count"] for a in body["assigned"]}
    assert assigned == {
        ("staff", clinic["hans"].staff_id): 3,
        ("staff", clinic["rita"].staff_id): 1,
        ("group", str(inbox["group_id"])): 1,
    }
    assert body["assigned"][0]["assignee"]["name"] == "Anna Andersson"  # the largest count first
    names = {a["assignee"]["type"]: a["assignee"]["name"] for a in body["assigned"]}
    assert names["group"] == "Recept"


async def test_overdue_cases_oldest_deadline_first_without_closed_ones(
    client: httpx.AsyncClient, inbox: Any
) -> None:
    clinic, ids = inbox["clinic"], inbox["ids"]
    body = (await client.get(url(clinic), headers=clinic["receiver"].headers)).json()
    overdue = body["overdue_cases"]
    assert [o["id"] for o in overdue] == [
        str(ids["new_late"]),
        str(ids["waiting_late"]),
        str(ids["hans_late"]),
    ]
    assert overdue[0]["assignee"] is None
    assert overdue[1]["status"] == "awaiting_citizen"
    assert overdue[2]["assignee"] == {
        "type": "staff",
        "id": clinic["hans"].staff_id,
        "name": "Anna Andersson",
    }
    assert set(overdue[0]) == {"id", "reference", "status", "subject", "due_at", "assignee"}
    assert body["next_cursor"] is None


async def test_overdue_list_pages(client: httpx.AsyncClient, inbox: Any) -> None:
    clinic = inbox["clinic"]
    h = clinic["receiver"].headers
    first = (await client.get(url(clinic), headers=h, params={"limit": 2})).json()
    assert len(first["overdue_cases"]) == 2 and first["next_cursor"]
    second = (
        await client.get(url(clinic), headers=h, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [o["id"] for o in second["overdue_cases"]] == [str(inbox["ids"]["hans_late"])]
    assert second["next_cursor"] is None
    bad = await client.get(url(clinic), headers=h, params={"cursor": "WyJ4Il0"})
    assert bad.status_code == 422


@pytest.mark.parametrize("role", ["hans", "reviewer", "admin"])
async def test_other_roles_are_forbidden(client: httpx.AsyncClient, inbox: Any, role: str) -> None:
    clinic = inbox["clinic"]
    assert (await client.get(url(clinic), headers=clinic[role].headers)).status_code == 403


async def test_another_units_receiver_gets_404_and_sees_only_their_own(
    client: httpx.AsyncClient, inbox: Any
) -> None:
    clinic, other = inbox["clinic"], inbox["other"]
    assert (await client.get(url(clinic), headers=other["receiver"].headers)).status_code == 404
    assert (await client.get(url(clinic), headers=clinic.admin.headers)).status_code == 404
    assert (await client.get(url(clinic))).status_code == 401
    body = (await client.get(url(other), headers=other["receiver"].headers)).json()
    assert (body["new"], body["overdue"], body["assigned"]) == (1, 1, [])


async def test_an_empty_unit(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"receiver": ["case_receiver"]})
    body = (await client.get(url(clinic), headers=clinic["receiver"].headers)).json()
    assert (body["new"], body["assigned"], body["awaiting_citizen"], body["overdue"]) == (0, [], 0, 0)
    assert body["overdue_cases"] == []


async def test_follow_up_takes_two_statements_of_its_own(
    client: httpx.AsyncClient, inbox: Any, engine: AsyncEngine, conn: AsyncConnection
) -> None:
    clinic = inbox["clinic"]
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        r = await client.get(url(clinic), headers=clinic["receiver"].headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert r.status_code == 200
    on_cases = [s for s in seen if "FROM cases" in s or "FROM (SELECT cases" in s]
    assert len(on_cases) == 2, on_cases
    # Nothing about the follow-up is written to the PDL log: it carries no citizen identity.
    assert not [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    assert (await conn.execute(select(cases.c.id).where(cases.c.unit_id == UUID(clinic.unit_id)))).all()


async def test_no_cursor_or_limit_makes_a_500(client: httpx.AsyncClient, inbox: Any) -> None:
    from tests.audit.test_reviewer_read import NASTY

    clinic = inbox["clinic"]
    forged = ["WyIyMDI2LTExLTIwVDEwOjAwOjAwIiwgIngiXQ", "WyIyMDI2LTExLTIwVDEwOjAwOjAwWiIsIDFd", "W10"]
    for param, values in (("cursor", [*NASTY, *forged]), ("limit", NASTY)):
        for value in values:
            r = await client.get(url(clinic), headers=clinic["receiver"].headers, params={param: value})
            assert r.status_code in (200, 422), (param, value, r.status_code, r.text)
