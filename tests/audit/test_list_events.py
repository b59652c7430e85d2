"""PDL list events: every page of the inbox (all, filtered, a handler's) and
of the follow-up's overdue cases writes ONE audit event naming exactly the citizens whose cases
the page showed — in the page's own statement — so each citizen's extract and the reviewer's
personal-number filter find it. An empty page logs nothing; a personal-number search keeps its
own event (naming the searched citizen, even when nothing is found).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.audit_read import AuditFilter, citizen_events_statement, unit_events_statement
from app.db.tables import audit_events
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import API, Clinic, bearer, citizen_token, make_clinic, pnr

a = audit_events
NOW = datetime.now(UTC)


class World:
    def __init__(self, clinic: Clinic, numbers: list[str], case_ids: list[UUID]) -> None:
        self.clinic = clinic
        self.numbers = numbers  # the citizens of case_ids, newest case first
        self.case_ids = case_ids

    @property
    def cases(self) -> str:
        return f"{API}/units/{self.clinic.unit_id}/cases"


@pytest.fixture
async def world(client: httpx.AsyncClient, conn: AsyncConnection) -> World:
    """Five cases of four citizens (the second-newest and the oldest are Anna's), h1 assigned the
    newest two; all overdue but the newest."""
    clinic = await make_clinic(
        client, {"rec": ["case_receiver"], "h1": ["case_handler"], "reviewer": ["reviewer"]}
    )
    people = [pnr(1970 + i, 3, 4 + i) for i in range(4)]
    owners = [people[1], people[0], people[2], people[3], people[0]]  # newest first
    case_ids = []
    for age, number in enumerate(owners):
        citizen_id, _ = await add_citizen(conn, number, given_name=f"Person{age}")
        created = NOW - timedelta(days=10 + age)
        case_ids.append(
            await add_case(
                conn,
                clinic.unit_id,
                citizen_id,
                status="assigned" if age < 2 else "new",
                assignee_staff_id=clinic["h1"].staff_id if age < 2 else None,
                created_at=created,
                due_at=NOW + timedelta(days=1) if age == 0 else created + timedelta(days=1),
            )
        )
    return World(clinic, owners, case_ids)


async def _new_events(conn: AsyncConnection, after: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(
            a.c.id,
            a.c.action,
            a.c.outcome,
            a.c.staff_hsa_id,
            a.c.unit_id,
            a.c.unit_hsa_id,
            a.c.personal_number,
            a.c.personal_numbers,
            a.c.case_id,
            a.c.detail,
        )
        .where(a.c.id > after)
        .order_by(a.c.id)
    )
    return [dict(r._mapping) for r in rows]


async def _last_id(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_events"))).scalar_one())


def _shown(r: httpx.Response, w: World) -> list[str]:
    """The distinct personal numbers a page showed, sorted (as the event stores them)."""
    assert r.status_code == 200, r.text
    items = r.json()["items"] if "items" in r.json() else r.json()["overdue_cases"]
    if "items" in r.json():
        return sorted({i["citizen"]["personal_number"] for i in items})
    return sorted({w.numbers[w.case_ids.index(UUID(i["id"]))] for i in items})


async def test_one_event_per_inbox_page_naming_exactly_the_citizens_shown(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    rec = world.clinic["rec"]
    start = await _last_id(conn)
    r = await client.get(world.cases, headers=rec.headers, params={"limit": 3})
    [event] = await _new_events(conn, start)
    # The newest three cases: Bo, Anna, Cilla (Anna's older case and Dan's are not on the page).
    assert _shown(r, world) == sorted(world.numbers[:3])
    assert event["personal_numbers"] == sorted(world.numbers[:3])
    assert (event["action"], event["outcome"], event["staff_hsa_id"]) == (
        "case_list_read",
        "success",
        rec.hsa_id,
    )
    assert (event["unit_id"], event["personal_number"], event["case_id"]) == (
        UUID(world.clinic.unit_id),
        None,
        None,
    )
    assert event["unit_hsa_id"].startswith("SE") and event["detail"] == {"result_count": 3}

    # The next page: one more event, its own citizens (Anna appears again: a new page, a new view).
    start = await _last_id(conn)
    r = await client.get(
        world.cases, headers=rec.headers, params={"limit": 3, "cursor": r.json()["next_cursor"]}
    )
    assert r.json()["next_cursor"] is None
    [event] = await _new_events(conn, start)
    assert event["personal_numbers"] == _shown(r, world) == sorted({world.numbers[3], world.numbers[4]})


async def test_filtered_and_handler_pages_are_logged_and_empty_pages_are_not(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    rec, h1 = world.clinic["rec"], world.clinic["h1"]
    start = await _last_id(conn)
    r_new = await client.get(world.cases, headers=rec.headers, params={"status": "new"})
    r_h1 = await client.get(world.cases, headers=h1.headers)
    r_empty = await client.get(world.cases, headers=rec.headers, params={"status": "closed"})
    assert r_empty.status_code == 200 and r_empty.json()["items"] == []
    events = await _new_events(conn, start)
    assert [(e["action"], e["staff_hsa_id"], e["personal_numbers"]) for e in events] == [
        ("case_list_read", rec.hsa_id, _shown(r_new, world)),
        ("case_list_read", h1.hsa_id, _shown(r_h1, world)),
    ]
    assert _shown(r_h1, world) == sorted(world.numbers[:2])


async def test_a_personal_number_search_is_one_search_event(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    rec, anna = world.clinic["rec"], world.numbers[1]
    start = await _last_id(conn)
    r = await client.get(world.cases, headers=rec.headers, params={"personal_number": anna})
    assert len(r.json()["items"]) == 2
    nobody = pnr(1999, 9, 9)
    r = await client.get(world.cases, headers=rec.headers, params={"personal_number": nobody})
    assert r.json()["items"] == []
    events = await _new_events(conn, start)
    assert [(e["action"], e["personal_number"], e["personal_numbers"], e["detail"]) for e in events] == [
        ("case_list_search", anna, None, {"result_count": 2}),
        ("case_list_search", nobody, None, {"result_count": 0}),
    ]


async def test_a_follow_up_page_is_one_event_naming_its_overdue_cases_citizens(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    rec = world.clinic["rec"]
    url = f"{API}/units/{world.clinic.unit_id}/follow-up"
    start = await _last_id(conn)
    r = await client.get(url, headers=rec.headers, params={"limit": 2})
    assert len(r.json()["overdue_cases"]) == 2 and r.json()["next_cursor"]
    [event] = await _new_events(conn, start)
    # Oldest deadline first: Anna's oldest case, then Dan's.
    assert event["personal_numbers"] == _shown(r, world) == sorted([world.numbers[4], world.numbers[3]])
    assert (event["action"], event["staff_hsa_id"], event["detail"]) == (
        "follow_up_read",
        rec.hsa_id,
        {"result_count": 2},
    )
    # A unit with nothing overdue: the counts name nobody, nothing is logged.
    empty = await make_clinic(client, {"rec": ["case_receiver"]})
    start = await _last_id(conn)
    r = await client.get(f"{API}/units/{empty.unit_id}/follow-up", headers=empty["rec"].headers)
    assert r.status_code == 200 and r.json()["overdue_cases"] == []
    assert await _new_events(conn, start) == []


async def test_the_citizen_extract_and_the_reviewer_find_the_list_event(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    rec = world.clinic["rec"]
    r = await client.get(world.cases, headers=rec.headers, params={"limit": 1})
    bo, dan = world.numbers[0], world.numbers[3]
    assert _shown(r, world) == [bo]
    seen = (
        await client.get(f"{API}/citizen/access-log", headers=bearer(await citizen_token(client, bo)))
    ).json()
    [entry] = seen["items"]
    assert entry["action"] == "case_list_read" and entry["unit"]["id"] == world.clinic.unit_id
    assert entry["description"] == "Såg ditt ärende i ärendelistan"
    # Dan was not on the page: his extract is empty, and it never shows other citizens' numbers.
    unseen = (
        await client.get(f"{API}/citizen/access-log", headers=bearer(await citizen_token(client, dan)))
    ).json()
    assert unseen["items"] == []
    assert bo not in str(entry)

    url = f"{API}/units/{world.clinic.unit_id}/audit-events"
    reviewer = world.clinic["reviewer"].headers
    found = (await client.get(url, headers=reviewer, params={"personal_number": bo})).json()["items"]
    assert [(i["action"], i["staff_hsa_id"], i["personal_numbers"]) for i in found] == [
        ("case_list_read", rec.hsa_id, [bo])
    ]
    assert (await client.get(url, headers=reviewer, params={"personal_number": dan})).json()["items"] == []
    csv = await client.get(url, headers={**reviewer, "Accept": "text/csv"}, params={"personal_number": bo})
    header, row = csv.text.splitlines()[:2]
    assert header.endswith(",personal_numbers") and row.endswith(f",{bo}")


async def test_an_inbox_page_that_cannot_be_logged_is_not_served(
    client: httpx.AsyncClient, conn: AsyncConnection, world: World
) -> None:
    await conn.exec_driver_sql(
        "CREATE FUNCTION test_refuse_list() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'the audit log takes no writes (test)'; END $$"
    )
    await conn.exec_driver_sql(
        "CREATE TRIGGER test_refuse_list BEFORE INSERT ON audit_events FOR EACH ROW"
        " WHEN (NEW.action IN ('case_list_read', 'follow_up_read')) EXECUTE FUNCTION test_refuse_list()"
    )
    for url in (world.cases, f"{API}/units/{world.clinic.unit_id}/follow-up"):
        r = await client.get(url, headers=world.clinic["rec"].headers)
        assert r.status_code == 500 and r.json()["type"].endswith("/internal-error")
        assert all(n not in r.text for n in world.numbers)


async def _plan(conn: AsyncConnection, stmt: Any) -> str:
    """The plan PostgreSQL chooses for the statement with its parameters (no planner switches)."""
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ())
    rows = await conn.exec_driver_sql("EXPLAIN " + compiled.string, args)
    return "\n".join(r[0] for r in rows)


async def test_the_extract_and_the_reviewer_filter_read_both_indexes(conn: AsyncConnection) -> None:
    """With 20,000 list events of 50 citizens each beside the single-citizen events, a citizen's
    extract and the reviewer's personal-number filter are index scans: the btree on
    personal_number and the GIN index on personal_numbers, combined (never a scan of the log)."""
    clinic_unit = (await conn.execute(text("SELECT gen_random_uuid()"))).scalar_one()
    await conn.execute(
        text(
            "INSERT INTO audit_events (occurred_at, staff_hsa_id, unit_hsa_id, unit_id, action,"
            " personal_numbers)"
            " SELECT now() - g * interval '1 minute', 'SE2321000131-E000000000001',"
            " 'SE2321000131-U000000000001', :u, 'case_list_read',"
            " ARRAY(SELECT lpad(((g * 50 + k) % 100000)::text, 12, '1') FROM generate_series(1, 50) k)"
            " FROM generate_series(1, 20000) g"
        ),
        {"u": clinic_unit},
    )
    await conn.execute(text("ANALYZE audit_events"))
    number = "111111012345"
    for stmt in (
        citizen_events_statement(number, None, 51),
        unit_events_statement(clinic_unit, AuditFilter(personal_number=number), None, 51),
    ):
        plan = await _plan(conn, stmt)
        assert "ix_audit_events_shown_pnrs" in plan, plan
        assert "Seq Scan on audit_events" not in plan, plan
