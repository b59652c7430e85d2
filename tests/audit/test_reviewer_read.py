"""Reading the PDL log: the reviewer's list, filters, pagination and CSV export; the citizen's
extract; and the database itself refusing to change or delete an event."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import audit
from app.db.tables import audit_events, units
from tests.fixtures.clinic import API, Clinic, Person, add_staff, citizen_token, make_clinic, pnr

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def unit_hsa(conn: AsyncConnection, unit_id: str) -> str:
    value: str = (await conn.execute(select(units.c.hsa_id).where(units.c.id == UUID(unit_id)))).scalar_one()
    return value


async def log(
    conn: AsyncConnection,
    clinic: Clinic,
    who: Person,
    personal_number: str | None,
    action: str,
    at: datetime,
    **extra: Any,
) -> None:
    await conn.execute(
        insert(audit_events).values(
            occurred_at=at,
            staff_id=UUID(who.staff_id) if who.staff_id else None,
            staff_hsa_id=who.hsa_id,
            unit_id=UUID(clinic.unit_id),
            unit_hsa_id=await unit_hsa(conn, clinic.unit_id),
            personal_number=personal_number,
            action=action,
            **extra,
        )
    )


@pytest.fixture
async def setup(client: httpx.AsyncClient, conn: AsyncConnection) -> dict[str, Any]:
    clinic = await make_clinic(
        client,
        {
            "reviewer": ["reviewer"],
            "receiver": ["case_receiver"],
            "handler": ["case_handler"],
            "admin": ["local_admin"],
        },
    )
    clinic.people["hidden"] = await add_staff(
        client, clinic, ["case_handler"], protected=True, title="Läkare"
    )
    alice, bob = pnr(1980, 1, 2), pnr(1975, 6, 7)
    # Five events over five days, plus one at another unit that must never show up here.
    await log(conn, clinic, clinic["receiver"], alice, "case_list_search", T0)
    await log(conn, clinic, clinic["handler"], alice, "case_read", T0 + timedelta(days=1))
    await log(conn, clinic, clinic["hidden"], alice, "message_sent", T0 + timedelta(days=2))
    await log(conn, clinic, clinic["receiver"], bob, "case_read", T0 + timedelta(days=3))
    await log(conn, clinic, clinic["handler"], bob, "case_distributed", T0 + timedelta(days=4))
    other = await make_clinic(client, {"reviewer": ["reviewer"], "handler": ["case_handler"]})
    await log(conn, other, other["handler"], alice, "case_read", T0 + timedelta(days=2, hours=1))
    return {"clinic": clinic, "other": other, "alice": alice, "bob": bob}


def url(clinic: Clinic) -> str:
    return f"{API}/units/{clinic.unit_id}/audit-events"


async def test_reviewer_lists_the_units_events_newest_first(client: httpx.AsyncClient, setup: Any) -> None:
    clinic = setup["clinic"]
    r = await client.get(url(clinic), headers=clinic["reviewer"].headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["action"] for i in items] == [
        "case_distributed",
        "case_read",
        "message_sent",
        "case_read",
        "case_list_search",
    ]
    assert items[1]["personal_number"] == setup["bob"]
    assert items[1]["staff_hsa_id"] == clinic["receiver"].hsa_id
    assert items[1]["staff_name"] == "Anna Andersson"
    assert items[0]["outcome"] == "success"
    assert r.json()["next_cursor"] is None


@pytest.mark.parametrize("role", ["receiver", "handler", "admin"])
async def test_other_roles_are_forbidden(client: httpx.AsyncClient, setup: Any, role: str) -> None:
    clinic = setup["clinic"]
    r = await client.get(url(clinic), headers=clinic[role].headers)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_another_units_reviewer_and_the_system_admin_get_404(
    client: httpx.AsyncClient, setup: Any
) -> None:
    clinic, other = setup["clinic"], setup["other"]
    assert (await client.get(url(clinic), headers=other["reviewer"].headers)).status_code == 404
    assert (await client.get(url(clinic), headers=clinic.admin.headers)).status_code == 404


async def test_a_citizen_token_or_none_is_401(client: httpx.AsyncClient, setup: Any) -> None:
    token = await citizen_token(client, setup["alice"])
    r = await client.get(url(setup["clinic"]), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert (await client.get(url(setup["clinic"]))).status_code == 401


async def test_filter_by_personal_number_in_any_written_form(client: httpx.AsyncClient, setup: Any) -> None:
    clinic, alice = setup["clinic"], setup["alice"]
    for form in (alice, alice[2:8] + "-" + alice[8:], alice[2:], alice[:8] + "-" + alice[8:]):
        r = await client.get(
            url(clinic), headers=clinic["reviewer"].headers, params={"personal_number": form}
        )
        assert r.status_code == 200, (form, r.text)
        assert [i["action"] for i in r.json()["items"]] == ["message_sent", "case_read", "case_list_search"]


async def test_filter_by_staff_action_and_period(client: httpx.AsyncClient, setup: Any) -> None:
    clinic = setup["clinic"]
    h = clinic["reviewer"].headers

    async def actions(**params: str) -> list[str]:
        r = await client.get(url(clinic), headers=h, params=params)
        assert r.status_code == 200, r.text
        return [i["action"] for i in r.json()["items"]]

    assert await actions(staff_hsa_id=f"  {clinic['handler'].hsa_id} ") == ["case_distributed", "case_read"]
    assert await actions(action="case_read") == ["case_read", "case_read"]
    # Dates are whole Stockholm days, both ends inclusive.
    assert await actions(**{"from": "2026-11-21", "to": "2026-11-22"}) == ["message_sent", "case_read"]
    # Timestamps: from inclusive, to inclusive of the instant; '+' may arrive unescaped as ' '.
    assert await actions(**{"from": "2026-11-21T10:00:00+01:00", "to": "2026-11-22T09:00:00Z"}) == [
        "message_sent",
        "case_read",
    ]
    assert await actions(**{"from": "2026-11-21T10:00:00 01:00"}) == [
        "case_distributed",
        "case_read",
        "message_sent",
        "case_read",
    ]
    assert await actions(action="case_read", staff_hsa_id=clinic["handler"].hsa_id) == ["case_read"]


@pytest.mark.parametrize(
    "params",
    [
        {"personal_number": "191212121213"},
        {"staff_hsa_id": "not-an-hsa-id"},
        {"action": "drop_table"},
        {"from": "yesterday"},
        {"to": "2026-11-21T10:00:00"},  # no zone
        {"from": "2026-02-30"},
        {"cursor": "bm90LWEtY3Vyc29y"},
        {"cursor": "WyIyMDI2LTExLTIwVDEwOjAwOjAwIiwgMV0"},  # a naive time inside
        {"cursor": "WyIyMDI2LTExLTIwVDEwOjAwOjAwKzAwOjAwIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTld"},
        {"limit": "0"},
        {"limit": "201"},
    ],
)
async def test_bad_filters_are_422_problems(
    client: httpx.AsyncClient, setup: Any, params: dict[str, str]
) -> None:
    clinic = setup["clinic"]
    r = await client.get(url(clinic), headers=clinic["reviewer"].headers, params=params)
    assert r.status_code == 422, (params, r.text)
    assert r.json()["status"] == 422


async def test_keyset_pages_cover_everything_once(
    client: httpx.AsyncClient, setup: Any, conn: AsyncConnection
) -> None:
    clinic = setup["clinic"]
    # Ties on occurred_at are broken by id, so equal timestamps never get lost between pages.
    for _ in range(3):
        await log(conn, clinic, clinic["handler"], setup["bob"], "note_added", T0 + timedelta(days=5))
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(url(clinic), headers=clinic["reviewer"].headers, params=params)
        assert r.status_code == 200, r.text
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 8 == len(set(seen))


async def test_csv_export_of_the_filtered_events_is_itself_logged(
    client: httpx.AsyncClient, setup: Any, conn: AsyncConnection
) -> None:
    clinic, alice = setup["clinic"], setup["alice"]
    h = {**clinic["reviewer"].headers, "Accept": "text/csv"}
    r = await client.get(url(clinic), headers=h, params={"personal_number": alice})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="audit-events-SE')
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:6] == [
        "occurred_at",
        "staff_hsa_id",
        "staff_name",
        "unit_hsa_id",
        "personal_number",
        "action",
    ]
    assert [row[5] for row in rows[1:]] == ["message_sent", "case_read", "case_list_search"]
    assert {row[4] for row in rows[1:]} == {alice}
    logged = (
        await conn.execute(
            select(audit_events.c.staff_hsa_id, audit_events.c.personal_number, audit_events.c.detail).where(
                audit_events.c.action == "audit_log_exported"
            )
        )
    ).all()
    assert [(x.staff_hsa_id, x.personal_number, x.detail["rows"]) for x in logged] == [
        (clinic["reviewer"].hsa_id, alice, 3)
    ]
    # The JSON list itself is not an export and is not logged again.
    await client.get(url(clinic), headers=clinic["reviewer"].headers)
    n = (
        await conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'audit_log_exported'"))
    ).scalar()
    assert n == 1


async def test_csv_cells_that_look_like_formulas_are_defused(
    client: httpx.AsyncClient, setup: Any, conn: AsyncConnection
) -> None:
    clinic = setup["clinic"]
    evil = await add_staff(client, clinic, ["case_handler"], given="=HYPERLINK(1)", family="x")
    await log(conn, clinic, evil, setup["bob"], "case_read", T0 + timedelta(days=9))
    h = {**clinic["reviewer"].headers, "Accept": "text/csv"}
    rows = list(csv.reader(io.StringIO((await client.get(url(clinic), headers=h)).text)))
    assert rows[1][2] == "'=HYPERLINK(1) x"


async def test_forbidden_roles_cannot_export_either(client: httpx.AsyncClient, setup: Any) -> None:
    clinic = setup["clinic"]
    r = await client.get(url(clinic), headers={**clinic["receiver"].headers, "Accept": "text/csv"})
    assert r.status_code == 403


async def test_audit_events_are_append_only_in_the_database(setup: Any, conn: AsyncConnection) -> None:
    for sql in (
        "UPDATE audit_events SET action = 'nothing' WHERE action = 'case_read'",
        "DELETE FROM audit_events WHERE action = 'case_read'",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with conn.begin_nested():
                await conn.execute(text(sql))
    n = (await conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'case_read'"))).scalar()
    assert n == 3


async def test_record_writes_one_row(setup: Any, conn: AsyncConnection) -> None:
    clinic = setup["clinic"]
    before = (await conn.execute(text("SELECT count(*) FROM audit_events"))).scalar()
    await audit.record(
        conn,
        staff_id=UUID(clinic["handler"].staff_id),
        staff_hsa_id=clinic["handler"].hsa_id,
        unit_id=UUID(clinic.unit_id),
        unit_hsa_id=await unit_hsa(conn, clinic.unit_id),
        action="case_read",
        personal_number=setup["alice"],
    )
    assert (await conn.execute(text("SELECT count(*) FROM audit_events"))).scalar() == before + 1


NASTY = [
    "",
    " ",
    "\x00",
    "'; DROP TABLE audit_events; --",
    "9" * 500,
    "２０２６-11-21",  # full-width digits
    "2026-11-21T25:61:00Z",
    "2026-13-01",
    "0000-01-01",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31",
    "0001-01-01T00:00:00-14:00",
    "-1",
    "1e309",
    "null",
    "ö\u202e\ufeff",
    "%00",
    "[]",
]


@pytest.mark.parametrize(
    "param", ["personal_number", "staff_hsa_id", "action", "from", "to", "cursor", "limit"]
)
async def test_no_input_makes_a_500(client: httpx.AsyncClient, setup: Any, param: str) -> None:
    clinic = setup["clinic"]
    for value in NASTY:
        for accept in ("application/json", "text/csv"):
            headers = {**clinic["reviewer"].headers, "Accept": accept}
            r = await client.get(url(clinic), headers=headers, params={param: value})
            assert r.status_code in (200, 422), (param, value, accept, r.status_code, r.text)
            if r.status_code == 422:
                assert r.headers["content-type"].startswith("application/problem+json")
