"""Groups of case handlers: /units/{unit_id}/groups (+ /{id})."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.tables import cases, citizens
from tests.fixtures.clinic import API, Clinic, add_staff, make_clinic, pnr
from tests.fixtures.locks import backend_pid, until_blocked_by


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(
        client,
        {
            "admin": ["local_admin"],
            "rec": ["case_receiver"],
            "h1": ["case_handler"],
            "h2": ["case_handler", "case_receiver"],
            "reviewer": ["reviewer"],
        },
    )


def groups_url(c: Clinic, group_id: str | None = None) -> str:
    return f"{API}/units/{c.unit_id}/groups" + (f"/{group_id}" if group_id else "")


async def create(client: httpx.AsyncClient, c: Clinic, name: str, members: list[str]) -> dict[str, Any]:
    r = await client.post(
        groups_url(c), headers=c["admin"].headers, json={"name": name, "member_ids": members}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def add_case(conn: AsyncConnection, c: Clinic, group_id: str, status: str) -> uuid.UUID:
    citizen = (
        await conn.execute(insert(citizens).values(personal_number=pnr()).returning(citizens.c.id))
    ).scalar_one()
    case_id = (
        await conn.execute(
            insert(cases)
            .values(
                unit_id=uuid.UUID(c.unit_id),
                citizen_id=citizen,
                reference=f"T{uuid.uuid4().hex[:10]}",
                status=status,
                origin="citizen",
                subject="Förnya recept",
                assignee_group_id=uuid.UUID(group_id),
            )
            .returning(cases.c.id)
        )
    ).scalar_one()
    return uuid.UUID(str(case_id))


async def test_admin_creates_a_group_and_any_role_reads_it(client: httpx.AsyncClient, clinic: Clinic) -> None:
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    assert h1 and h2
    group = await create(client, clinic, "  Diabetes\u200b  team ", [h1, h2, h1])
    assert group["name"] == "Diabetes team"  # pasted invisible characters and spaces cleaned
    assert {m["id"] for m in group["members"]} == {h1, h2} and len(group["members"]) == 2
    member = group["members"][0]
    assert set(member) == {"id", "hsa_id", "given_name", "family_name", "title"}
    assert set(group) == {"id", "name", "members", "created_at"}
    for who in ("rec", "h1", "reviewer", "admin"):
        r = await client.get(groups_url(clinic), headers=clinic[who].headers)
        assert r.status_code == 200, who
        assert r.json() == {"items": [group], "next_cursor": None}
        r = await client.get(groups_url(clinic, group["id"]), headers=clinic[who].headers)
        assert r.status_code == 200 and r.json() == group


async def test_an_empty_group_is_allowed(client: httpx.AsyncClient, clinic: Clinic) -> None:
    r = await client.post(groups_url(clinic), headers=clinic["admin"].headers, json={"name": "Nya"})
    assert r.status_code == 201 and r.json()["members"] == []


async def test_members_must_be_handlers_at_the_unit(client: httpx.AsyncClient, clinic: Clinic) -> None:
    other = await make_clinic(client, {"h": ["case_handler"]})
    stranger, receiver, admin = other["h"].staff_id, clinic["rec"].staff_id, clinic["admin"].staff_id
    unknown = str(uuid.uuid4())
    r = await client.post(
        groups_url(clinic),
        headers=clinic["admin"].headers,
        json={"name": "Team", "member_ids": [clinic["h1"].staff_id, receiver, stranger, unknown, admin]},
    )
    assert r.status_code == 422, r.text
    detail = r.json()["errors"][0]["msg"]
    for bad in (receiver, stranger, unknown, admin):
        assert str(bad) in detail
    assert str(clinic["h1"].staff_id) not in detail
    r = await client.get(groups_url(clinic), headers=clinic["admin"].headers)
    assert r.json()["items"] == []  # nothing created


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": " \u200b "},
        {"name": "x" * 201},
        {"member_ids": []},
        {"name": "A", "member_ids": ["not-a-uuid"]},
        {"name": "A", "members": []},
        {"name": None},
    ],
)
async def test_bad_bodies_are_422(client: httpx.AsyncClient, clinic: Clinic, body: dict[str, Any]) -> None:
    r = await client.post(groups_url(clinic), headers=clinic["admin"].headers, json=body)
    assert r.status_code == 422, r.text


async def test_names_are_unique_per_unit(client: httpx.AsyncClient, clinic: Clinic) -> None:
    await create(client, clinic, "Team", [])
    second = await create(client, clinic, "Team 2", [])
    r = await client.post(groups_url(clinic), headers=clinic["admin"].headers, json={"name": "Team"})
    assert r.status_code == 409
    r = await client.patch(
        groups_url(clinic, second["id"]), headers=clinic["admin"].headers, json={"name": "Team"}
    )
    assert r.status_code == 409
    r = await client.get(groups_url(clinic, second["id"]), headers=clinic["admin"].headers)
    assert r.json()["name"] == "Team 2"
    other = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(groups_url(other), headers=other["admin"].headers, json={"name": "Team"})
    assert r.status_code == 201  # another unit may use the name


async def test_rename_and_change_members(client: httpx.AsyncClient, clinic: Clinic) -> None:
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    group = await create(client, clinic, "Team", [h1])
    url, headers = groups_url(clinic, group["id"]), clinic["admin"].headers
    r = await client.patch(url, headers=headers, json={"name": "Hjärtteamet"})
    assert r.status_code == 200 and r.json()["name"] == "Hjärtteamet"
    assert [m["id"] for m in r.json()["members"]] == [h1]  # members untouched
    r = await client.patch(url, headers=headers, json={"member_ids": [h2]})
    assert [m["id"] for m in r.json()["members"]] == [h2] and r.json()["name"] == "Hjärtteamet"
    r = await client.patch(url, headers=headers, json={"member_ids": [clinic["rec"].staff_id]})
    assert r.status_code == 422
    r = await client.patch(url, headers=headers, json={"member_ids": []})
    assert r.json()["members"] == []
    for bad in ({"name": None}, {"member_ids": None}, {"colour": "red"}):
        assert (await client.patch(url, headers=headers, json=bad)).status_code == 422


@pytest.mark.parametrize("who", ["rec", "h1", "reviewer"])
async def test_only_local_admins_write(client: httpx.AsyncClient, clinic: Clinic, who: str) -> None:
    group = await create(client, clinic, "Team", [])
    headers = clinic[who].headers
    assert (await client.post(groups_url(clinic), headers=headers, json={"name": "B"})).status_code == 403
    r = await client.patch(groups_url(clinic, group["id"]), headers=headers, json={"name": "B"})
    assert r.status_code == 403
    assert (await client.delete(groups_url(clinic, group["id"]), headers=headers)).status_code == 403


async def test_other_units_groups_are_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    group = await create(client, clinic, "Team", [])
    other = await make_clinic(client, {"admin": ["local_admin"]})
    oh = other["admin"].headers
    # Someone with no role at the unit.
    assert (await client.get(groups_url(clinic), headers=oh)).status_code == 404
    assert (await client.post(groups_url(clinic), headers=oh, json={"name": "X"})).status_code == 404
    assert (await client.get(groups_url(clinic, group["id"]), headers=oh)).status_code == 404
    assert (
        await client.patch(groups_url(clinic, group["id"]), headers=oh, json={"name": "X"})
    ).status_code == 404
    assert (await client.delete(groups_url(clinic, group["id"]), headers=oh)).status_code == 404
    # The other unit's admin naming this unit's group under their own unit.
    foreign = f"{groups_url(other)}/{group['id']}"
    assert (await client.get(foreign, headers=oh)).status_code == 404
    assert (await client.patch(foreign, headers=oh, json={"name": "X"})).status_code == 404
    assert (await client.delete(foreign, headers=oh)).status_code == 404
    assert (
        await client.get(groups_url(clinic, group["id"]), headers=clinic["rec"].headers)
    ).status_code == 200


async def test_delete(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    group = await create(client, clinic, "Team", [clinic["h1"].staff_id])
    url, headers = groups_url(clinic, group["id"]), clinic["admin"].headers
    closed = await add_case(conn, clinic, group["id"], "closed")
    await conn.execute(cases.update().where(cases.c.id == closed).values(closure="answered"))
    open_case = await add_case(conn, clinic, group["id"], "awaiting_citizen")
    r = await client.delete(url, headers=headers)
    assert r.status_code == 409 and r.json()["open_cases"] == 1
    assert (await client.get(url, headers=headers)).status_code == 200
    # Once the open case has gone elsewhere the group can go; closed cases keep no dangling group.
    await conn.execute(
        cases.update().where(cases.c.id == open_case).values(assignee_group_id=None, status="new")
    )
    assert (await client.delete(url, headers=headers)).status_code == 204
    assert (await client.get(url, headers=headers)).status_code == 404
    assert (await client.delete(url, headers=headers)).status_code == 404
    group_of_closed = (
        await conn.execute(select(cases.c.assignee_group_id).where(cases.c.id == closed))
    ).scalar()
    assert group_of_closed is None


async def test_revoking_the_handler_role_leaves_the_units_groups(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    person = await add_staff(client, clinic, ["case_handler", "case_receiver"])
    other = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(
        f"{API}/units/{other.unit_id}/role-assignments",
        headers=other["admin"].headers,
        json={"hsa_id": person.hsa_id, "role": "case_handler"},
    )
    assert r.status_code == 201
    here = await create(client, clinic, "Team", [str(person.staff_id), str(clinic["h1"].staff_id)])
    there = await create(client, other, "Team", [str(person.staff_id)])
    r = await client.get(f"{API}/units/{clinic.unit_id}/role-assignments", headers=clinic["admin"].headers)
    assignment = next(
        a for a in r.json()["items"] if a["hsa_id"] == person.hsa_id and a["role"] == "case_handler"
    )
    r = await client.delete(
        f"{API}/units/{clinic.unit_id}/role-assignments/{assignment['id']}", headers=clinic["admin"].headers
    )
    assert r.status_code == 204
    r = await client.get(groups_url(clinic, here["id"]), headers=clinic["admin"].headers)
    assert [m["id"] for m in r.json()["members"]] == [clinic["h1"].staff_id]
    r = await client.get(groups_url(other, there["id"]), headers=other["admin"].headers)
    assert [m["id"] for m in r.json()["members"]] == [person.staff_id]  # other units untouched


async def test_delete_waits_for_a_concurrent_assignment_and_then_refuses(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The group row lock: a case assigned to the group in a transaction still open when the
    delete starts is counted once it commits, so no case is left `assigned` to nobody."""
    client = committed_client
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    group = await create(client, clinic, "Team", [])
    async with engine.begin() as setup:
        case_id = await add_case(setup, clinic, group["id"], "new")
        await setup.execute(cases.update().where(cases.c.id == case_id).values(assignee_group_id=None))
    async with engine.connect() as other:
        await other.begin()
        await other.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values(assignee_group_id=uuid.UUID(group["id"]), status="assigned")
        )
        deleting = asyncio.create_task(
            client.delete(groups_url(clinic, group["id"]), headers=clinic["admin"].headers)
        )
        await until_blocked_by(engine, await backend_pid(other))
        assert not deleting.done()  # waits for the assignment's transaction
        await other.commit()
    r = await asyncio.wait_for(deleting, 10)
    assert r.status_code == 409, r.text
    async with engine.connect() as check:
        row = (
            await check.execute(
                select(cases.c.status, cases.c.assignee_group_id).where(cases.c.id == case_id)
            )
        ).one()
    assert row.status == "assigned" and str(row.assignee_group_id) == group["id"]
