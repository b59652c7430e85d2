"""Unit statistics (api.md "Unit administration", statistics): which cases count, each figure, the
roles, the CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.calendar import due_at
from tests.fixtures.cases import add_case_type, add_citizen
from tests.fixtures.clinic import API, Clinic, make_clinic

ROLES = {
    "admin": ["local_admin"],
    "receiver": ["case_receiver"],
    "handler": ["case_handler"],
    "reviewer": ["reviewer"],
}
PERIOD = {"from": "2026-03-02", "to": "2026-03-15"}  # ISO weeks 10 and 11, CET (UTC+1)


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


async def add_case(
    conn: AsyncConnection,
    unit_id: str | UUID,
    case_type_id: UUID | None,
    created: str,
    *,
    closed: str | None = None,
    closure: str = "answered",
    origin: str = "citizen",
    responses: tuple[tuple[str, str], ...] = (),
) -> UUID:
    """A case as it arrived at `created`, closed at `closed`; each response is (kind, time), a
    staff message written then (the trigger keeps `first_response_at`)."""
    citizen_id, _ = await add_citizen(conn)
    arrived = utc(created)
    case_id: UUID = (
        await conn.execute(
            text(
                "INSERT INTO cases (unit_id, citizen_id, case_type_id, reference, status, origin, subject,"
                " due_at, created_at, updated_at, closed_at, closure) VALUES (:u, :z, :t,"
                " 'S-' || nextval('case_reference_seq'), :s, :o, 'Ärende', :due, :c, :c, :closed, :closure)"
                " RETURNING id"
            ),
            {
                "u": UUID(str(unit_id)),
                "z": citizen_id,
                "t": case_type_id,
                "s": "closed" if closed else "new",
                "o": origin,
                "due": due_at(arrived) if origin == "citizen" else None,
                "c": arrived,
                "closed": utc(closed) if closed else None,
                "closure": closure if closed else None,
            },
        )
    ).scalar_one()
    await conn.execute(
        text(
            "INSERT INTO messages (case_id, kind, body, author_type, author_display_name, created_at)"
            " VALUES (:c, 'citizen', 'Hej', 'citizen', 'Sven', :t)"
        ),
        {"c": case_id, "t": arrived},
    )
    for kind, when in responses:
        await conn.execute(
            text(
                "INSERT INTO messages (case_id, kind, body, author_type, author_display_name, created_at)"
                " VALUES (:c, :k, 'Svar', 'staff', 'Anna', :t)"
            ),
            {"c": case_id, "k": kind, "t": utc(when)},
        )
    return case_id


@pytest.fixture
async def clinic(client: httpx.AsyncClient, conn: AsyncConnection) -> Clinic:
    c = await make_clinic(client, ROLES)
    rx = await add_case_type(conn, c.unit_id, name="Förnya recept", category="prescription_renewal")
    tests = await add_case_type(conn, c.unit_id, name="Provsvar", category="test_results")
    # Week 10 (2 March, Monday, to 8 March)
    await add_case(
        conn,
        c.unit_id,
        rx,
        "2026-03-02T09:00+01:00",
        closed="2026-03-03T10:00+01:00",
        responses=(("partial_reply", "2026-03-02T10:00+01:00"), ("answer", "2026-03-03T10:00+01:00")),
    )
    await add_case(
        conn,
        c.unit_id,
        rx,
        "2026-03-03T10:00+01:00",
        closed="2026-03-06T10:00+01:00",
        responses=(("answer", "2026-03-06T10:00+01:00"),),
    )  # after its deadline (5 March)
    await add_case(conn, c.unit_id, rx, "2026-03-02T00:30+01:00")  # 1 March in UTC: in the period
    # Week 11 (9 to 15 March)
    await add_case(conn, c.unit_id, tests, "2026-03-10T08:00+01:00")  # never answered, deadline past
    await add_case(
        conn,
        c.unit_id,
        tests,
        "2026-03-10T12:00+01:00",
        responses=(("counter_question", "2026-03-10T12:30+01:00"),),
    )
    # Received before the period, closed in it (week 11) without an answer.
    await add_case(
        conn,
        c.unit_id,
        rx,
        "2026-02-20T10:00+01:00",
        closed="2026-03-09T10:00+01:00",
        closure="closed_without_answer",
    )
    # Not counted: 16 March in Stockholm (15 March in UTC), an outbound case, another unit's case.
    await add_case(conn, c.unit_id, rx, "2026-03-16T00:30+01:00", closed="2026-03-16T01:00+01:00")
    await add_case(
        conn,
        c.unit_id,
        None,
        "2026-03-05T10:00+01:00",
        closed="2026-03-05T10:00+01:00",
        closure="information_sent",
        origin="outbound",
    )
    other = await make_clinic(client)
    await add_case(conn, other.unit_id, None, "2026-03-05T10:00+01:00", closed="2026-03-05T11:00+01:00")
    return c  # fmt: skip


def stats_url(c: Clinic) -> str:
    return f"{API}/units/{c.unit_id}/statistics"


def figures(received: int, closed: int, within: int, of: int, median: float | None) -> dict[str, Any]:
    return {
        "received": received,
        "closed": closed,
        "answered_within_deadline": {
            "count": within,
            "of": of,
            "share": round(within / of, 4) if of else None,
        },
        "median_first_response_minutes": median,
    }


def _only(item: dict[str, Any]) -> dict[str, Any]:
    return {
        k: item[k]
        for k in ("received", "closed", "answered_within_deadline", "median_first_response_minutes")
    }


async def test_the_figures_of_a_period(client: httpx.AsyncClient, clinic: Clinic) -> None:
    r = await client.get(stats_url(clinic), headers=clinic["admin"].headers, params=PERIOD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"]) == ("2026-03-02", "2026-03-15")
    # Arrivals 1, 2, 3 (rx) and 4, 5 (tests); answered within the deadline: 1 (60 min), 5 (30 min);
    # 2 answered after 3 days (4320 min).
    assert _only(body) == figures(5, 3, 2, 5, 60.0)
    categories = {c["category"]: c for c in body["by_category"]}
    assert [c["category"] for c in body["by_category"]][:3] == [
        "prescription_renewal", "book_appointment", "change_appointment"
    ]  # fmt: skip
    assert _only(categories["prescription_renewal"]) == figures(3, 3, 1, 3, 2190.0)
    assert categories["prescription_renewal"]["label"] == "Förnya recept"
    assert _only(categories["test_results"]) == figures(2, 0, 1, 2, 30.0)
    assert _only(categories["certificate"]) == figures(0, 0, 0, 0, None)
    types = [(t["case_type"]["name"], t["case_type"]["category"], _only(t)) for t in body["by_case_type"]]
    assert types == [
        ("Förnya recept", "prescription_renewal", figures(3, 3, 1, 3, 2190.0)),
        ("Provsvar", "test_results", figures(2, 0, 1, 2, 30.0)),
    ]
    weeks = [(w["week"], w["starts_on"], _only(w)) for w in body["by_week"]]
    assert weeks == [
        ("2026-W10", "2026-03-02", figures(3, 2, 1, 3, 2190.0)),
        ("2026-W11", "2026-03-09", figures(2, 1, 1, 2, 30.0)),
    ]


async def test_weeks_without_cases_are_listed_and_partial_weeks_count_only_the_period(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    r = await client.get(stats_url(clinic), headers=clinic["receiver"].headers,
                         params={"from": "2026-03-04", "to": "2026-03-24"})  # fmt: skip
    weeks = [(w["week"], w["received"], w["closed"]) for w in r.json()["by_week"]]
    # Week 10 from Wednesday 4 March: case 2 (3 March) is outside, its closure (6 March) inside.
    assert weeks == [("2026-W10", 0, 1), ("2026-W11", 2, 1), ("2026-W12", 1, 1), ("2026-W13", 0, 0)]


async def test_a_case_within_its_deadline_and_unanswered_is_not_yet_counted_either_way(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    rx = (await conn.execute(text("SELECT id FROM case_types WHERE unit_id = :u AND name = 'Förnya recept'"),
                             {"u": UUID(clinic.unit_id)})).scalar_one()  # fmt: skip
    await add_case(conn, clinic.unit_id, rx, datetime.now(UTC).isoformat())
    r = await client.get(stats_url(clinic), headers=clinic["admin"].headers)  # default: the last 30 days
    body = r.json()
    today = datetime.now(UTC).date()
    assert body["to"] in (today.isoformat(), (today + timedelta(days=1)).isoformat())
    assert body["received"] == 1
    assert body["answered_within_deadline"] == {"count": 0, "of": 0, "share": None}
    assert body["median_first_response_minutes"] is None


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"from": "2026-03-16", "to": "2026-03-15"}, ["query", "from"]),
        ({"from": "2023-03-15", "to": "2026-03-15"}, ["query", "from"]),  # three years and a day
        ({"from": "2026-02-30", "to": "2026-03-15"}, ["query", "from"]),
        ({"from": "2026-03-01", "to": "15/3/2026"}, ["query", "to"]),
    ],
)
async def test_bad_periods_are_422(
    client: httpx.AsyncClient, clinic: Clinic, params: dict[str, str], loc: list[str]
) -> None:
    r = await client.get(stats_url(clinic), headers=clinic["admin"].headers, params=params)
    assert r.status_code == 422, r.text
    assert loc in [e["loc"] for e in r.json()["errors"]]


async def test_three_years_exactly_are_allowed(client: httpx.AsyncClient, clinic: Clinic) -> None:
    r = await client.get(stats_url(clinic), headers=clinic["admin"].headers,
                         params={"from": "2023-03-16", "to": "2026-03-15"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["received"] == 6 and len(r.json()["by_week"]) == 157


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("receiver", 200), ("handler", 403), ("reviewer", 403)]
)
async def test_local_admins_and_receivers_read_statistics(
    client: httpx.AsyncClient, clinic: Clinic, who: str, status: int
) -> None:
    r = await client.get(stats_url(clinic), headers=clinic[who].headers, params=PERIOD)
    assert r.status_code == status, r.text


async def test_another_units_statistics_are_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    other = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.get(stats_url(clinic), headers=other["admin"].headers, params=PERIOD)
    assert r.status_code == 404


async def test_csv_for_swedish_excel(client: httpx.AsyncClient, clinic: Clinic) -> None:
    headers = {**clinic["admin"].headers, "Accept": "text/csv"}
    r = await client.get(stats_url(clinic), headers=headers, params=PERIOD)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    disposition = r.headers["content-disposition"]
    unit = r.content.decode("utf-8-sig").splitlines()[1].split(";")[2]
    assert unit.startswith("Vårdcentralen ")
    ascii_name = unit.replace("å", "a").replace(" ", "-")
    assert f'filename="statistik-{ascii_name}-2026-03-02_2026-03-15.csv"' in disposition
    assert "filename*=UTF-8''statistik-V%C3%A5rdcentralen-" in disposition
    rows = [line.split(";") for line in r.content.decode("utf-8-sig").split("\r\n") if line]
    assert rows[0] == [
        "group", "key", "label", "received", "closed", "answered_within_deadline",
        "answered_within_deadline_of", "answered_within_deadline_share", "median_first_response_minutes",
    ]  # fmt: skip
    assert rows[1][3:] == ["5", "3", "2", "5", "0,4", "60,0"]
    by_key = {(row[0], row[1]): row for row in rows[2:]}
    assert by_key[("category", "prescription_renewal")][3:] == ["3", "3", "1", "3", "0,3333", "2190,0"]
    assert by_key[("category", "certificate")][3:] == ["0", "0", "0", "0", "", ""]
    assert by_key[("week", "2026-W11")][2:] == ["2026-03-09", "2", "1", "1", "2", "0,5", "30,0"]
    assert [row[2] for row in rows if row[0] == "case_type"] == ["Förnya recept", "Provsvar"]


async def test_statistics_write_no_pdl_event(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    count = text("SELECT count(*) FROM audit_events")
    before = (await conn.execute(count)).scalar_one()
    for accept in ("application/json", "text/csv"):
        headers = {**clinic["receiver"].headers, "Accept": accept}
        assert (await client.get(stats_url(clinic), headers=headers, params=PERIOD)).status_code == 200
    assert (await conn.execute(count)).scalar_one() == before


async def test_the_first_response_is_the_first_staff_message_to_the_citizen(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    case_id = await add_case(conn, clinic.unit_id, None, "2026-04-01T08:00+02:00",
                             responses=(("information", "2026-04-01T08:10+02:00"),))  # fmt: skip
    first = text("SELECT first_response_at FROM cases WHERE id = :c")
    assert (await conn.execute(first, {"c": case_id})).scalar_one() is None
    for kind, when in (("answer", "2026-04-02T09:00+02:00"), ("partial_reply", "2026-04-01T09:00+02:00"),
                       ("counter_question", "2026-04-03T09:00+02:00")):  # fmt: skip
        await conn.execute(
            text(
                "INSERT INTO messages (case_id, kind, body, author_type, author_display_name, created_at)"
                " VALUES (:c, :k, 'Svar', 'staff', 'Anna', :t)"
            ),
            {"c": case_id, "k": kind, "t": utc(when)},
        )
    assert (await conn.execute(first, {"c": case_id})).scalar_one() == utc("2026-04-01T09:00+02:00")
    # A message moved in time (the demo data ages its cases) moves the figure with it.
    await conn.execute(
        text("UPDATE messages SET created_at = created_at - interval '1 day' WHERE case_id = :c"),
        {"c": case_id},
    )
    assert (await conn.execute(first, {"c": case_id})).scalar_one() == utc("2026-03-31T09:00+02:00")
