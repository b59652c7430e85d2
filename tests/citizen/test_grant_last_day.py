"""A citizen grant holds through its last day, a Swedish calendar date (domain.md glossary
"citizen grant" and "Service area"; api.md "Cases, citizen side").

On `valid_until` itself the grant opens the unit, or the restricted case type, on every citizen
path: the unit list, the unit's case types and case creation. From the next Stockholm day on it
opens none of them, although the UTC date may still be the last day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.citizen import Citizen, add_case_type, add_grant, citizen, open_clinic
from tests.fixtures.clinic import API

LAST_DAY = date(2026, 3, 10)
# Stockholm is at UTC+1 in March.
LATE_ON_THE_LAST_DAY = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 on 10 March in Stockholm
EARLY_THE_NEXT_DAY = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on 11 March; UTC: still the 10th
OPEN, CLOSED = (True, True, True), (False, False, False)


async def _paths_open(
    client: httpx.AsyncClient, who: Citizen, unit_id: str, case_type_id: str
) -> tuple[bool, bool, bool]:
    """(the unit is listed, the case type is offered, a case of that type can be sent)."""
    r = await client.get(f"{API}/citizen/units", headers=who.headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    listed = unit_id in [u["id"] for u in r.json()["items"]]
    r = await client.get(f"{API}/citizen/units/{unit_id}/case-types", headers=who.headers)
    assert r.status_code in (200, 404), r.text
    offered = r.status_code == 200 and case_type_id in [t["id"] for t in r.json()["items"]]
    body = {
        "unit_id": unit_id,
        "case_type_id": case_type_id,
        "answers": {"medicine": "Levaxin"},
        "terms_accepted": True,
    }
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
    assert r.status_code in (201, 404), r.text
    return listed, offered, r.status_code == 201


@pytest.mark.parametrize(
    ("instant", "expected"), [(LATE_ON_THE_LAST_DAY, OPEN), (EARLY_THE_NEXT_DAY, CLOSED)]
)
async def test_a_unit_grant_opens_the_unit_through_its_last_day(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    set_clock: Callable[[datetime], None],
    instant: datetime,
    expected: tuple[bool, bool, bool],
) -> None:
    setup = await open_clinic(client, conn, scope="none")  # no one finds it without a grant
    who = await citizen(client)
    await add_grant(conn, setup.unit_id, who.personal_number, valid_until=LAST_DAY)
    set_clock(instant)
    assert await _paths_open(client, who, setup.unit_id, setup.case_type_id) == expected


@pytest.mark.parametrize(
    ("instant", "expected"), [(LATE_ON_THE_LAST_DAY, OPEN), (EARLY_THE_NEXT_DAY, CLOSED)]
)
async def test_a_case_type_grant_opens_the_restricted_type_through_its_last_day(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    set_clock: Callable[[datetime], None],
    instant: datetime,
    expected: tuple[bool, bool, bool],
) -> None:
    setup = await open_clinic(client, conn, scope="none")  # its open case type is for no one
    restricted = await add_case_type(conn, setup.unit_id, name="Provsvar", restricted=True)
    who = await citizen(client, county="14")
    await add_grant(conn, setup.unit_id, who.personal_number, case_type_id=restricted, valid_until=LAST_DAY)
    set_clock(instant)
    assert await _paths_open(client, who, setup.unit_id, restricted) == expected


async def test_a_grant_without_an_end_date_holds_on_any_day(
    client: httpx.AsyncClient, conn: AsyncConnection, set_clock: Callable[[datetime], None]
) -> None:
    setup = await open_clinic(client, conn, scope="none")
    who = await citizen(client)
    await add_grant(conn, setup.unit_id, who.personal_number)
    set_clock(datetime(2099, 12, 31, 23, 30, tzinfo=UTC))
    assert await _paths_open(client, who, setup.unit_id, setup.case_type_id) == OPEN
