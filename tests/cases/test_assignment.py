"""Distribute, reassign, claim; If-Match; one case event and one audit event per change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, Clinic, add_staff, make_clinic

ROLES = {
    "rec": ["case_receiver"],
    "h1": ["case_handler"],
    "h2": ["case_handler"],
    "admin": ["local_admin"],
}


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


async def _post(
    client: httpx.AsyncClient,
    clinic: Clinic,
    who: str,
    case: UUID,
    action: str,
    body: Any = None,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/{action}",
        headers={**clinic[who].headers, **headers},
        json=body,
    )


def _to(kind: str, ident: object) -> dict[str, Any]:
    return {"assignee": {"type": kind, "id": str(ident)}}


async def _events(conn: AsyncConnection, case: UUID) -> list[tuple[Any, ...]]:
    q = text(
        "SELECT action, from_status, to_status, actor_staff_id::text FROM case_events "
        "WHERE case_id = :c ORDER BY id"
    )
    return [tuple(r) for r in (await conn.execute(q, {"c": case})).all()]


async def _audit_actions(conn: AsyncConnection, case: UUID, outcome: str = "success") -> list[str]:
    q = text("SELECT action FROM audit_events WHERE case_id = :c AND outcome = :o ORDER BY id")
    return [r[0] for r in (await conn.execute(q, {"c": case, "o": outcome})).all()]


async def _denied(conn: AsyncConnection, case: UUID) -> list[tuple[str, str]]:
    q = text(
        "SELECT action, staff_id::text FROM audit_events WHERE case_id = :c AND outcome = 'denied'"
        " ORDER BY id"
    )
    return [(r[0], r[1]) for r in (await conn.execute(q, {"c": case})).all()]


async def test_receiver_distributes_redistributes_and_puts_back(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    group = await add_group(conn, clinic.unit_id, [clinic["h2"].staff_id])
    case = await add_case(conn, clinic.unit_id, citizen)
    h1 = clinic["h1"].staff_id
    r = await _post(client, clinic, "rec", case, "assignment", _to("staff", h1))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "assigned" and r.json()["assignee"]["id"] == h1
    assert r.headers["etag"] == '"2"' and r.json()["version"] == 2
    r = await _post(client, clinic, "rec", case, "assignment", _to("group", group))
    assert r.json()["assignee"]["type"] == "group" and r.json()["version"] == 3
    r = await _post(client, clinic, "rec", case, "assignment", {"assignee": None})
    assert r.status_code == 200 and r.json()["status"] == "new" and r.json()["assignee"] is None
    rec = clinic["rec"].staff_id
    assert await _events(conn, case) == [
        ("distributed", "new", "assigned", rec),
        ("distributed", "assigned", "assigned", rec),
        ("distributed", "assigned", "new", rec),
    ]
    assert await _audit_actions(conn, case) == ["case_distributed"] * 3
    # h1 lost the case but took no part in it: it left their reach.
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case}", headers=clinic["h1"].headers)
    assert r.status_code == 404


async def test_assignee_must_be_a_handler_or_a_group_of_the_unit(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen)
    other = await make_clinic(client, {"h": ["case_handler"]})
    foreign_group = await add_group(conn, other.unit_id, [])
    for body in (
        _to("staff", clinic["rec"].staff_id),  # not a handler
        _to("staff", other["h"].staff_id),  # a handler elsewhere
        _to("group", foreign_group),
        _to("staff", "00000000-0000-0000-0000-000000000000"),
        {"assignee": {"type": "team", "id": clinic["h1"].staff_id}},
        {"assignee": {"type": "staff", "id": clinic["h1"].staff_id}, "extra": 1},
        {},
    ):
        r = await _post(client, clinic, "rec", case, "assignment", body)
        assert r.status_code == 422, (body, r.text)
    assert await _events(conn, case) == []


async def test_who_may_distribute(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    citizen, _ = await add_citizen(conn)
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    assert (await _post(client, clinic, "admin", case, "assignment", _to("staff", h2))).status_code == 403
    # h2 does not reach h1's case at all.
    assert (await _post(client, clinic, "h2", case, "assignment", _to("staff", h2))).status_code == 404
    await conn.execute(text("INSERT INTO case_participants VALUES (:c, :s)"), {"c": case, "s": h2})
    r = await _post(client, clinic, "h2", case, "assignment", _to("staff", h2))
    assert r.status_code == 403  # reaches it now, but is not the assignee
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/assignment",
        headers=other["rec"].headers,
        json=_to("staff", h2),
    )
    assert r.status_code == 404
    closed = await add_case(conn, clinic.unit_id, citizen, status="closed", closure="answered")
    r = await _post(client, clinic, "rec", closed, "assignment", _to("staff", h1))
    assert r.status_code == 409 and r.json()["case_status"] == "closed"


async def test_assigned_handler_reassigns(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="awaiting_citizen", assignee_staff_id=h1)
    r = await _post(
        client, clinic, "h1", case, "assignment", {**_to("staff", h2), "partial_reply": {"body": "Hej"}}
    )
    assert r.status_code == 422  # a partial reply with a distribution is the receiver's
    r = await _post(client, clinic, "h1", case, "assignment", _to("staff", h2))
    assert r.status_code == 200, r.text
    # The life-cycle table: reassigning leads to `assigned`, from awaiting_citizen too.
    assert r.json()["status"] == "assigned" and r.json()["assignee"]["id"] == h2
    r = await _post(client, clinic, "h2", case, "assignment", {"assignee": None})
    assert r.json()["status"] == "new"
    assert await _audit_actions(conn, case) == ["case_reassigned", "case_reassigned"]
    # h1 took part, so still reaches the case (read-only in practice: no longer the assignee).
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case}", headers=clinic["h1"].headers)
    assert r.status_code == 200


async def test_claim_a_groups_case(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    citizen, _ = await add_citizen(conn)
    h1 = clinic["h1"].staff_id
    group = await add_group(conn, clinic.unit_id, [h1])
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_group_id=group)
    assert (await _post(client, clinic, "rec", case, "claim")).status_code == 403  # receivers do not claim
    assert (await _post(client, clinic, "h2", case, "claim")).status_code == 404  # not in the group
    r = await _post(client, clinic, "h1", case, "claim")
    assert r.status_code == 200, r.text
    assert r.json()["assignee"] == {"type": "staff", "id": h1, "name": "Anna Andersson"}
    assert r.json()["status"] == "assigned"
    r = await _post(client, clinic, "h1", case, "claim")
    assert r.status_code == 409 and r.json()["case_status"] == "assigned"
    # A colleague in the group who comes second learns the case was taken, not that it is gone.
    colleague = await add_staff(client, clinic, ["case_handler"])
    clinic.people["h3"] = colleague
    await conn.execute(
        text("INSERT INTO group_members VALUES (:g, :s)"), {"g": group, "s": colleague.staff_id}
    )
    r = await _post(client, clinic, "h3", case, "claim")
    assert r.status_code == 409 and r.json()["case_status"] == "assigned"
    assert (await _post(client, clinic, "h2", case, "claim")).status_code == 404  # still not a member
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case}", headers=colleague.headers)
    assert r.status_code == 404  # and no read access came with it
    assert await _events(conn, case) == [("claimed", "assigned", "assigned", h1)]
    assert await _audit_actions(conn, case) == ["case_claimed"]
    # The one access that happened is h1's claim; the refusals of the case (the receiver's 403,
    # h2's 404s, the latecomer's read) are logged as denied, the latecomer's 409 is no refusal.
    q = text("SELECT staff_id::text FROM audit_events WHERE case_id = :c AND outcome = 'success'")
    assert [r[0] for r in (await conn.execute(q, {"c": case})).all()] == [h1]
    # Each refusal names who was refused, including those of a case whose assignee (staff or
    # group) is NULL on one side: reach is decided with IS NOT TRUE, never lost to SQL's NULL.
    rec, h2, late = clinic["rec"].staff_id, clinic["h2"].staff_id, colleague.staff_id
    assert await _denied(conn, case) == [
        ("case_claimed", rec),
        ("case_claimed", h2),
        ("case_claimed", h2),
        ("case_read", late),
    ]
    # Once the case moves on (h1 sends a partial reply), the old claim no longer opens it.
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages",
        headers=clinic["h1"].headers,
        json={"kind": "partial_reply", "body": "Vi tittar på det."},
    )
    assert r.status_code == 201, r.text
    assert (await _post(client, clinic, "h3", case, "claim")).status_code == 404


async def test_if_match(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    citizen, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen)
    h1 = clinic["h1"].staff_id
    r = await _post(client, clinic, "rec", case, "assignment", _to("staff", h1), **{"If-Match": '"7"'})
    assert r.status_code == 412 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["current_version"] == 1  # named alike on every versioned resource
    for tag in ('"1"', 'W/"2"', '"9", "3"', "*"):
        r = await _post(client, clinic, "rec", case, "assignment", _to("staff", h1), **{"If-Match": tag})
        assert r.status_code == 200, (tag, r.text)
    for tag in ("garbage", '"3"', "W/3"):
        r = await _post(client, clinic, "rec", case, "assignment", _to("staff", h1), **{"If-Match": tag})
        assert r.status_code == 412, tag
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case}", headers=clinic["rec"].headers)
    assert r.headers["etag"] == '"5"'
    # Stale requests changed nothing.
    assert len(await _events(conn, case)) == 4


async def test_distributing_a_case_awaiting_the_citizen_makes_it_assigned(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="awaiting_citizen", assignee_staff_id=h1)
    r = await _post(client, clinic, "rec", case, "assignment", _to("staff", h2))
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert await _events(conn, case) == [
        ("distributed", "awaiting_citizen", "assigned", clinic["rec"].staff_id)
    ]
