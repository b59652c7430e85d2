"""GET /units/{unit_id}/cases: scope by role, filters, keyset pages, audited citizen search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import encode_cursor
from tests.fixtures.cases import add_case, add_case_type, add_citizen, add_group
from tests.fixtures.clinic import API, Clinic, make_clinic

ROLES = {
    "rec": ["case_receiver"],
    "h1": ["case_handler"],
    "h2": ["case_handler"],
    "admin": ["local_admin"],
    "rev": ["reviewer"],
}
SUMMARY_FIELDS = {
    "id",
    "reference",
    "status",
    "origin",
    "subject",
    "case_type",
    "citizen",
    "assignee",
    "created_at",
    "due_at",
    "closed_at",
    "closure",
    "unread_by_citizen",
    "version",
}


async def _list(client: httpx.AsyncClient, clinic: Clinic, who: str, **params: Any) -> httpx.Response:
    return await client.get(f"{API}/units/{clinic.unit_id}/cases", headers=clinic[who].headers, params=params)


def _ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["items"]]


async def _audit_count(conn: AsyncConnection, action: str) -> int:
    q = text("SELECT count(*) FROM audit_events WHERE action = :a")
    return int((await conn.execute(q, {"a": action})).scalar_one())


async def test_receiver_sees_all_handler_only_own_groups_and_taken_part(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, ROLES)
    u, h1, h2 = clinic.unit_id, clinic["h1"].staff_id, clinic["h2"].staff_id
    citizen, _ = await add_citizen(conn)
    group = await add_group(conn, u, [h1])
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    new = await add_case(conn, u, citizen, created_at=t0)
    mine = await add_case(
        conn, u, citizen, status="assigned", assignee_staff_id=h1, created_at=t0 + timedelta(1)
    )
    grp = await add_case(
        conn, u, citizen, status="assigned", assignee_group_id=group, created_at=t0 + timedelta(2)
    )
    other = await add_case(
        conn, u, citizen, status="assigned", assignee_staff_id=h2, created_at=t0 + timedelta(3)
    )
    took_part = await add_case(
        conn, u, citizen, status="assigned", assignee_staff_id=h2, created_at=t0 + timedelta(4)
    )
    await conn.execute(
        text("INSERT INTO case_participants (case_id, staff_id) VALUES (:c, :s)"), {"c": took_part, "s": h1}
    )

    assert _ids(await _list(client, clinic, "rec")) == [str(x) for x in (took_part, other, grp, mine, new)]
    assert _ids(await _list(client, clinic, "h1")) == [str(x) for x in (took_part, grp, mine)]
    assert _ids(await _list(client, clinic, "h2")) == [str(x) for x in (took_part, other)]
    assert (await _list(client, clinic, "admin")).status_code == 403
    assert (await _list(client, clinic, "rev")).status_code == 403
    # Another unit's staff do not reach this unit at all.
    elsewhere = await make_clinic(client, {"rec": ["case_receiver"]})
    r = await client.get(f"{API}/units/{u}/cases", headers=elsewhere["rec"].headers)
    assert r.status_code == 404
    assert (await client.get(f"{API}/units/{u}/cases")).status_code == 401
    # The ordinary list is not a citizen search: no audit event.
    assert await _audit_count(conn, "case_list_search") == 0


async def test_summary_has_exactly_the_contract_fields(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, ROLES)
    citizen, number = await add_citizen(conn, given_name="Greta", family_name="Garbo")
    case_type = await add_case_type(
        conn, clinic.unit_id, name="Förnya recept", category="prescription_renewal"
    )
    group = await add_group(conn, clinic.unit_id, [clinic["h1"].staff_id], name="Sjuksköterskor")
    await add_case(
        conn, clinic.unit_id, citizen, case_type_id=case_type, status="assigned", assignee_group_id=group
    )
    r = await _list(client, clinic, "rec")
    item = r.json()["items"][0]
    assert set(item) == SUMMARY_FIELDS
    assert item["case_type"] == {
        "id": str(case_type),
        "name": "Förnya recept",
        "category": "prescription_renewal",
    }
    assert item["citizen"] == {"personal_number": number, "name": "Greta Garbo", "protected_identity": False}
    assert item["assignee"] == {"type": "group", "id": str(group), "name": "Sjuksköterskor"}
    assert item["status"] == "assigned" and item["origin"] == "citizen" and item["version"] == 1
    assert item["created_at"].endswith("Z") and item["due_at"].endswith("Z")
    assert r.json()["next_cursor"] is None
    assert "messages" not in item and "answers" not in item


async def test_filters(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(client, ROLES)
    u, h1, h2 = clinic.unit_id, clinic["h1"].staff_id, clinic["h2"].staff_id
    citizen, _ = await add_citizen(conn)
    group = await add_group(conn, u, [h1])
    recipe = await add_case_type(conn, u, category="prescription_renewal")
    booking = await add_case_type(conn, u, name="Boka tid", category="book_appointment")
    now = datetime.now(UTC)
    overdue = await add_case(conn, u, citizen, created_at=now - timedelta(days=10), case_type_id=booking)
    late_closed = await add_case(
        conn, u, citizen, status="closed", closure="answered", created_at=now - timedelta(days=9)
    )
    a1 = await add_case(conn, u, citizen, status="assigned", assignee_staff_id=h1, case_type_id=recipe)
    a2 = await add_case(conn, u, citizen, status="assigned", assignee_staff_id=h2)
    g = await add_case(conn, u, citizen, status="awaiting_citizen", assignee_group_id=group)

    assert set(_ids(await _list(client, clinic, "rec", status="assigned"))) == {str(a1), str(a2)}
    assert set(_ids(await _list(client, clinic, "rec", status="closed"))) == {str(late_closed)}
    assert _ids(await _list(client, clinic, "h1", assignee="me")) == [str(a1)]
    assert _ids(await _list(client, clinic, "rec", assignee=str(h2))) == [str(a2)]
    assert _ids(await _list(client, clinic, "rec", assignee=f"group:{group}")) == [str(g)]
    assert _ids(await _list(client, clinic, "rec", case_type_id=str(recipe))) == [str(a1)]
    assert _ids(await _list(client, clinic, "rec", category="book_appointment")) == [str(overdue)]
    assert _ids(await _list(client, clinic, "rec", overdue="true")) == [str(overdue)]
    assert len(_ids(await _list(client, clinic, "rec", overdue="false"))) == 5
    # A handler's filter never widens the scope: h2's case stays out of h1's list.
    assert _ids(await _list(client, clinic, "h1", assignee=str(h2))) == []
    await conn.execute(
        text("UPDATE cases SET updated_at = :t WHERE id = :id"), {"t": now - timedelta(days=3), "id": a2}
    )
    cut = (now - timedelta(days=1)).isoformat()
    before = set(_ids(await _list(client, clinic, "rec", updated_before=cut)))
    assert before == {str(overdue), str(late_closed), str(a2)}
    after = set(_ids(await _list(client, clinic, "rec", updated_after=cut)))
    assert after == {str(a1), str(g)}
    for bad in (
        {"assignee": "someone"},
        {"assignee": "group:nope"},
        {"status": "lost"},
        {"case_type_id": "x"},
        {"personal_number": "19851340-1234"},
        {"updated_after": "2026-01-01T00:00:00"},  # no offset: ambiguous
        {"limit": 0},
        {"limit": 201},
        {"cursor": "not-a-cursor"},
    ):
        r = await _list(client, clinic, "rec", **bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_personal_number_search_shows_all_that_citizens_cases_and_is_audited(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, ROLES)
    u, h2 = clinic.unit_id, clinic["h2"].staff_id
    citizen, number = await add_citizen(conn)
    someone_else, _ = await add_citizen(conn)
    theirs = [
        await add_case(conn, u, citizen),
        await add_case(conn, u, citizen, assignee_staff_id=h2, status="assigned"),
    ]
    await add_case(conn, u, someone_else)
    written = f"{number[2:8]}-{number[8:]}"  # 10 digits with a dash
    for who in ("rec", "h1"):
        r = await _list(client, clinic, who, personal_number=written)
        assert set(_ids(r)) == {str(x) for x in theirs}, who
        assert all(c["citizen"]["personal_number"] == number for c in r.json()["items"])
    assert (await _list(client, clinic, "admin", personal_number=number)).status_code == 403
    rows = (
        await conn.execute(
            text(
                "SELECT staff_id, personal_number, case_id, unit_hsa_id FROM audit_events "
                "WHERE action = 'case_list_search' ORDER BY id"
            )
        )
    ).all()
    assert [(str(r.staff_id), r.personal_number, r.case_id) for r in rows] == [
        (clinic["rec"].staff_id, number, None),
        (clinic["h1"].staff_id, number, None),
    ]
    # The handler still cannot open a case outside their reach.
    r = await client.get(f"{API}/units/{u}/cases/{theirs[0]}", headers=clinic["h1"].headers)
    assert r.status_code == 404


async def test_keyset_pages_are_stable_under_concurrent_inserts(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, ROLES)
    citizen, _ = await add_citizen(conn)
    t0 = datetime(2026, 10, 1, 8, tzinfo=UTC)
    # Two cases share a created_at: the id breaks the tie, so none is lost between pages.
    created = [t0 + timedelta(minutes=i // 2) for i in range(7)]
    ids = [await add_case(conn, clinic.unit_id, citizen, created_at=c) for c in created]
    expected = [
        str(i)
        for _, i in sorted(zip(created, ids, strict=True), key=lambda p: (p[0], str(p[1])), reverse=True)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = await _list(client, clinic, "rec", **params)
        seen += _ids(r)
        cursor = r.json()["next_cursor"]
        pages += 1
        if pages == 1:
            # A case arriving while the receiver pages lands before page 1, not inside the rest.
            await add_case(conn, clinic.unit_id, citizen)
        if cursor is None:
            break
    assert seen == expected and pages == 3
    assert (await _list(client, clinic, "rec")).json()["next_cursor"] is None


async def test_out_of_range_times_and_control_characters_are_422_not_500(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"rec": ["case_receiver"]})
    far = encode_cursor(["0001-01-01T00:00:00+14:00", "00000000-0000-0000-0000-000000000000"])
    for params in (
        {"updated_before": "0001-01-01T00:00:00+14:00"},  # no such instant in UTC
        {"updated_after": "9999-12-31T23:59:59-14:00"},
        {"cursor": far},
        {"category": "\x00"},
        {"assignee": "group:\x00"},
    ):
        r = await _list(client, clinic, "rec", **params)
        assert r.status_code == 422, (params, r.text)
