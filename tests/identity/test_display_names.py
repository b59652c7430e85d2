"""A person's display name is one rule: the same words whether a service or a statement writes
them (app/domain/names.py, app/db/repos/names.py), and the citizen-facing words around it stay
where they mean something ("Invånaren" for a citizen the register knows no name of)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Text, literal, null, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import names as sql_names
from app.domain.names import full_name
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import citizen, open_clinic, send_case
from tests.fixtures.clinic import API, make_clinic

PARTS = [
    ("Anna", "Andersson", "Anna Andersson"),
    ("Anna Maria", "af Klint", "Anna Maria af Klint"),
    ("", "Andersson", "Andersson"),
    ("Anna", "", "Anna"),
    ("", "", ""),
    (None, "Andersson", "Andersson"),
    ("Anna", None, "Anna"),
    (None, None, ""),
]


@pytest.mark.parametrize(("given", "family", "expected"), PARTS)
async def test_the_sql_name_is_the_python_name(
    conn: AsyncConnection, given: str | None, family: str | None, expected: str
) -> None:
    def part(value: str | None) -> object:
        return null() if value is None else literal(value, Text)

    in_sql = (await conn.execute(select(sql_names.full_name(part(given), part(family))))).scalar_one()
    assert full_name(given, family) == expected == in_sql


async def test_one_staff_name_in_the_summary_the_view_and_the_note(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    nameless, _ = await add_citizen(conn, given_name="", family_name="")
    case = await add_case(
        conn, clinic.unit_id, nameless, status="assigned", assignee_staff_id=clinic["h"].staff_id
    )
    cases = f"{API}/units/{clinic.unit_id}/cases"
    r = await client.post(f"{cases}/{case}/notes", headers=clinic["h"].headers, json={"body": "Ringt."})
    assert r.status_code == 201, r.text
    assert r.json()["author"]["name"] == "Anna Andersson"  # written by the INSERT's RETURNING
    view = (await client.get(f"{cases}/{case}", headers=clinic["h"].headers)).json()
    assert view["assignee"]["name"] == "Anna Andersson"  # put together by the service
    assert view["notes"][0]["author"]["name"] == "Anna Andersson"  # by the case view's SQL
    assert view["events"][-1]["actor"]["name"] == "Anna Andersson"
    # A citizen without a known name is shown to staff as such, not given words.
    assert view["citizen"]["name"] == ""


async def test_a_citizen_without_a_known_name_writes_as_the_resident(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    nameless = await citizen(client, given_name="", family_name="")
    case = await send_case(client, nameless, setup, message="Hej")
    assert case["messages"][0]["author"]["display_name"] == "Invånaren"
    given_only = await citizen(client, given_name="Sven", family_name="")
    case = await send_case(client, given_only, setup, message="Hej")
    assert case["messages"][0]["author"]["display_name"] == "Sven"
