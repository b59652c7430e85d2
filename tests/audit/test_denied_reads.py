"""Refused accesses in the PDL log: a staff member of a unit who asks for one
of its cases and is refused — 404 because the case is out of their reach, 403 because their role
(or the case's assignment) does not allow the action — leaves one audit event with outcome
`denied`, naming the citizen and the case, written although the request's transaction rolled
back. The answer is the same 404 as for a case that does not exist. A case id that does not
exist, or is another unit's, leaves nothing in this unit's log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.tables import audit_events
from tests.fixtures.attachments import PDF, CaseSetup, case_setup, staff_message, upload
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, add_staff, make_clinic

a = audit_events


async def _events(conn: AsyncConnection, case_id: UUID | str | None = None) -> list[dict[str, Any]]:
    stmt = select(
        a.c.action,
        a.c.outcome,
        a.c.staff_hsa_id,
        a.c.personal_number,
        a.c.case_id,
        a.c.unit_id,
        a.c.detail,
    ).order_by(a.c.id)
    if case_id is not None:
        stmt = stmt.where(a.c.case_id == UUID(str(case_id)))
    return [dict(r._mapping) for r in await conn.execute(stmt)]


async def _count(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT count(*) FROM audit_events"))).scalar_one())


def _case_url(s: CaseSetup, case_id: object = None, tail: str = "") -> str:
    return f"{API}{s.unit}/cases/{case_id or s.case_id}{tail}"


async def test_a_case_view_out_of_reach_is_404_and_logged_as_denied(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)  # assigned to h1; h2 is another handler of the unit
    h2 = s.clinic["h2"]
    r = await client.get(_case_url(s), headers=h2.headers)
    assert r.status_code == 404
    [event] = await _events(conn, s.case_id)
    assert event == {
        "action": "case_read",
        "outcome": "denied",
        "staff_hsa_id": h2.hsa_id,
        "personal_number": s.personal_number,
        "case_id": s.case_id,
        "unit_id": UUID(s.clinic.unit_id),
        "detail": {"reason": "out_of_reach"},
    }
    # No information leak: the same problem as for a case id that does not exist.
    missing = await client.get(_case_url(s, uuid4()), headers=h2.headers)
    assert missing.status_code == 404
    assert r.json() == missing.json()
    assert "Svensson" not in r.text and s.personal_number not in r.text


async def test_case_ids_that_do_not_exist_or_are_another_units_are_not_logged(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    citizen_id, _ = await add_citizen(conn)
    elsewhere = await add_case(conn, other.unit_id, citizen_id)
    before = await _count(conn)
    for who in ("rec", "h2"):
        headers = s.clinic[who].headers
        assert (await client.get(_case_url(s, uuid4()), headers=headers)).status_code == 404
        # Another unit's case through this unit's path: not a patient of this unit.
        assert (await client.get(_case_url(s, elsewhere), headers=headers)).status_code == 404
        r = await client.post(_case_url(s, elsewhere, "/notes"), headers=headers, json={"body": "x"})
        assert r.status_code == 404
    # A unit the staff member does not belong to: refused by the guard, no unit log to write to.
    r = await client.get(f"{API}/units/{other.unit_id}/cases/{elsewhere}", headers=s.clinic["h2"].headers)
    assert r.status_code == 404
    assert await _count(conn) == before


async def test_refused_changes_are_logged_as_denied_and_change_nothing(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    h2 = s.clinic["h2"].headers
    state = text("SELECT status, version, assignee_staff_id FROM cases WHERE id = :c")
    before = (await conn.execute(state, {"c": s.case_id})).one()
    attempts = {
        "note_added": ("/notes", {"body": "Kolla journalen."}),
        "message_sent": ("/messages", {"kind": "answer", "body": "Klart."}),
        "case_closed": ("/close", {"reason": "closed_without_answer"}),
        "case_reassigned": ("/assignment", {"assignee": None}),
        "case_claimed": ("/claim", None),
    }
    for tail, body in attempts.values():
        r = await client.post(_case_url(s, tail=tail), headers=h2, json=body)
        assert r.status_code == 404, (tail, r.text)
    events = await _events(conn, s.case_id)
    assert [e["action"] for e in events] == list(attempts)
    assert {(e["outcome"], e["personal_number"]) for e in events} == {("denied", s.personal_number)}
    assert {e["detail"]["reason"] for e in events} == {"out_of_reach"}
    assert (await conn.execute(state, {"c": s.case_id})).one() == before


async def test_a_role_or_assignment_that_does_not_allow_it_is_403_and_logged(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    reviewer = await add_staff(client, s.clinic, ["reviewer"])
    # The reviewer's role holds no case content (the guard's 403).
    assert (await client.get(_case_url(s), headers=reviewer.headers)).status_code == 403
    # A receiver may not close (the guard); a group member must claim first (the aggregate).
    r = await client.post(
        _case_url(s, tail="/close"), headers=s.clinic["rec"].headers, json={"reason": "closed_without_answer"}
    )
    assert r.status_code == 403
    h2 = s.clinic["h2"]
    group = await add_group(conn, s.clinic.unit_id, [h2.staff_id], "Sköterskor")
    citizen_id, number = await add_citizen(conn)
    grouped = await add_case(conn, s.clinic.unit_id, citizen_id, status="assigned", assignee_group_id=group)
    r = await client.post(
        _case_url(s, grouped, "/messages"), headers=h2.headers, json={"kind": "answer", "body": "Klart."}
    )
    assert r.status_code == 403, r.text
    events = await _events(conn)
    denied = [(e["action"], e["staff_hsa_id"], e["personal_number"], e["detail"]) for e in events]
    reason = {"reason": "not_permitted"}
    assert denied == [
        ("case_read", reviewer.hsa_id, s.personal_number, reason),
        ("case_closed", s.clinic["rec"].hsa_id, s.personal_number, reason),
        ("message_sent", h2.hsa_id, number, reason),
    ]
    assert {e["outcome"] for e in events} == {"denied"}


async def test_an_attachment_of_a_case_out_of_reach_is_logged_a_wrong_file_id_is_not(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, PDF, "remiss.pdf")
    file_id = r.json()["id"]
    assert (await staff_message(client, s, "h1", [file_id])).status_code == 201
    before = await _count(conn)
    # h1 reaches the case: a file id that is not on it is a 404 but no refusal of the case.
    assert (
        await client.get(_case_url(s, tail=f"/attachments/{uuid4()}"), headers=s.clinic["h1"].headers)
    ).status_code == 404
    assert await _count(conn) == before
    r = await client.get(_case_url(s, tail=f"/attachments/{file_id}"), headers=s.clinic["h2"].headers)
    assert r.status_code == 404
    [event] = (await _events(conn, s.case_id))[-1:]
    assert (event["action"], event["outcome"], event["staff_hsa_id"]) == (
        "attachment_read",
        "denied",
        s.clinic["h2"].hsa_id,
    )
    assert await _count(conn) == before + 1


async def test_the_reviewer_filters_denied_events_the_citizen_extract_leaves_them_out(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    reviewer = await add_staff(client, s.clinic, ["reviewer"])
    assert (await client.get(_case_url(s), headers=s.clinic["h2"].headers)).status_code == 404
    assert (await client.get(_case_url(s), headers=s.clinic["h1"].headers)).status_code == 200
    url = f"{API}{s.unit}/audit-events"
    r = await client.get(url, headers=reviewer.headers, params={"outcome": "denied"})
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert (item["outcome"], item["action"], item["staff_hsa_id"]) == (
        "denied",
        "case_read",
        s.clinic["h2"].hsa_id,
    )
    assert item["personal_number"] == s.personal_number and item["case_id"] == str(s.case_id)
    r = await client.get(url, headers=reviewer.headers, params={"outcome": "success"})
    assert [(i["action"], i["staff_hsa_id"]) for i in r.json()["items"]] == [
        ("case_read", s.clinic["h1"].hsa_id)
    ]
    assert (await client.get(url, headers=reviewer.headers, params={"outcome": "maybe"})).status_code == 422
    # The citizen's extract lists accesses to their data: h1's read, not h2's refusal.
    log = (await client.get(f"{API}/citizen/access-log", headers=s.citizen)).json()["items"]
    assert [e["action"] for e in log] == ["case_read"]


async def test_a_failure_to_log_the_refusal_still_answers_404(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    await conn.exec_driver_sql(
        "CREATE FUNCTION test_refuse_denied() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'no denied events (test)'; END $$"
    )
    await conn.exec_driver_sql(
        "CREATE TRIGGER test_refuse_denied BEFORE INSERT ON audit_events FOR EACH ROW"
        " WHEN (NEW.outcome = 'denied') EXECUTE FUNCTION test_refuse_denied()"
    )
    r = await client.get(_case_url(s), headers=s.clinic["h2"].headers)
    assert r.status_code == 404 and r.json()["type"].endswith("/not-found")
    assert await _events(conn, s.case_id) == []


async def test_the_denied_event_outlives_the_rolled_back_request(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """With real transactions (not the tests' savepoints): the refused request's transaction is
    rolled back, its event is committed and seen from another connection."""
    clinic = await make_clinic(committed_client, {"h1": ["case_handler"], "h2": ["case_handler"]})
    async with engine.begin() as c:
        citizen_id, number = await add_citizen(c)
        case_id = await add_case(
            c, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=clinic["h1"].staff_id
        )
    r = await committed_client.get(
        f"{API}/units/{clinic.unit_id}/cases/{case_id}", headers=clinic["h2"].headers
    )
    assert r.status_code == 404
    async with engine.connect() as c:
        rows = (
            await c.execute(
                select(a.c.action, a.c.outcome, a.c.personal_number).where(a.c.case_id == case_id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [("case_read", "denied", number)]
