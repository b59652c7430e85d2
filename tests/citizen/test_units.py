"""Which units and case types a citizen can find (domain.md "Service area", citizen grants)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.citizen import add_case_type, add_grant, citizen, new_case_body, open_clinic, set_unit
from tests.fixtures.clinic import API, make_clinic

LAPSED = date.today() - timedelta(days=2)  # a margin for the Stockholm/UTC date boundary
NEXT_WEEK = date.today() + timedelta(days=7)


async def _unit_ids(client: httpx.AsyncClient, headers: dict[str, str], q: str | None = None) -> list[str]:
    params = {"q": q} if q is not None else {}
    r = await client.get(f"{API}/citizen/units", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [u["id"] for u in r.json()["items"]]


async def test_service_area_decides_who_finds_the_unit(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    national = await open_clinic(client, conn, scope="national")
    counties = await open_clinic(client, conn, scope="counties", counties=["12", "14"])
    hidden = await open_clinic(client, conn, scope="none")
    in_county = await citizen(client, county="14")
    elsewhere = await citizen(client, county="01")
    no_county = await citizen(client, county=None)

    seen = await _unit_ids(client, in_county.headers)
    assert national.unit_id in seen and counties.unit_id in seen and hidden.unit_id not in seen
    seen = await _unit_ids(client, elsewhere.headers)
    assert national.unit_id in seen and counties.unit_id not in seen
    seen = await _unit_ids(client, no_county.headers)
    assert national.unit_id in seen and counties.unit_id not in seen


async def test_a_valid_grant_opens_a_unit_out_of_area(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    hidden = await open_clinic(client, conn, scope="none")
    far = await open_clinic(client, conn, scope="counties", counties=["25"])
    granted, expired, until_next_week, other = [await citizen(client) for _ in range(4)]
    await add_grant(conn, hidden.unit_id, granted.personal_number)
    await add_grant(conn, far.unit_id, granted.personal_number)
    await add_grant(conn, hidden.unit_id, expired.personal_number, valid_until=LAPSED)
    await add_grant(conn, hidden.unit_id, until_next_week.personal_number, valid_until=NEXT_WEEK)

    assert {hidden.unit_id, far.unit_id} <= set(await _unit_ids(client, granted.headers))
    assert hidden.unit_id not in await _unit_ids(client, expired.headers)
    assert hidden.unit_id in await _unit_ids(client, until_next_week.headers)
    assert hidden.unit_id not in await _unit_ids(client, other.headers)


async def test_a_unit_grant_opens_that_unit_only(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    """The list, the case types and case creation agree: a grant at one hidden unit is no key to
    another (the list once asked whether the citizen held a valid grant at any unit)."""
    granted_here = await open_clinic(client, conn, scope="none")
    hidden_elsewhere = await open_clinic(client, conn, scope="none")
    who = await citizen(client)
    await add_grant(conn, granted_here.unit_id, who.personal_number)
    seen = await _unit_ids(client, who.headers)
    assert granted_here.unit_id in seen and hidden_elsewhere.unit_id not in seen
    r = await client.get(f"{API}/citizen/units/{hidden_elsewhere.unit_id}/case-types", headers=who.headers)
    assert r.status_code == 404
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=new_case_body(hidden_elsewhere))
    assert r.status_code == 404


async def test_a_unit_without_an_open_case_type_is_not_listed(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client)
    await set_unit(conn, clinic.unit_id, scope="national")
    await add_case_type(conn, clinic.unit_id, status="draft")
    await add_case_type(conn, clinic.unit_id, status="inactive")
    restricted = await add_case_type(conn, clinic.unit_id, restricted=True)
    who, holder = await citizen(client), await citizen(client)
    await add_grant(conn, clinic.unit_id, holder.personal_number, case_type_id=restricted)
    assert clinic.unit_id not in await _unit_ids(client, who.headers)
    assert clinic.unit_id in await _unit_ids(client, holder.headers)
    r = await client.get(f"{API}/citizen/units/{clinic.unit_id}/case-types", headers=who.headers)
    assert r.status_code == 404


async def test_name_search_ignores_case_and_accents_and_ranks_prefix_first(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    names = ["Mölndals vårdcentral", "Vårdcentralen Åby", "Barnmorskemottagningen Väst", "Öron-näsa-hals"]
    setups = [await open_clinic(client, conn, name=n) for n in names]
    by_id = {s.unit_id: n for s, n in zip(setups, names, strict=True)}
    who = await citizen(client)

    found = [by_id[i] for i in await _unit_ids(client, who.headers, "VARDCENTRAL") if i in by_id]
    assert found == ["Vårdcentralen Åby", "Mölndals vårdcentral"]  # prefix before infix
    found = [by_id[i] for i in await _unit_ids(client, who.headers, "  ABY ") if i in by_id]
    assert found == ["Vårdcentralen Åby"]
    found = [by_id[i] for i in await _unit_ids(client, who.headers, "vast") if i in by_id]
    assert found == ["Barnmorskemottagningen Väst"]
    # LIKE wildcards are matched literally.
    assert not [i for i in await _unit_ids(client, who.headers, "%") if i in by_id]
    assert not [i for i in await _unit_ids(client, who.headers, "_") if i in by_id]
    r = await client.get(f"{API}/citizen/units", headers=who.headers, params={"q": "x" * 201})
    assert r.status_code == 422


async def test_units_page_by_cursor(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setups = [await open_clinic(client, conn, name=f"Sidmottagning {n}") for n in range(3)]
    who = await citizen(client)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "sidmottagning", "limit": "1", **({"cursor": cursor} if cursor else {})}
        r = await client.get(f"{API}/citizen/units", headers=who.headers, params=params)
        assert r.status_code == 200, r.text
        seen += [u["id"] for u in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [s.unit_id for s in setups]
    r = await client.get(f"{API}/citizen/units", headers=who.headers, params={"cursor": "bm9wZQ"})
    assert r.status_code == 422


async def test_citizen_endpoints_refuse_staff_and_anonymous(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"rec": ["case_receiver"]})
    for path in ("/citizen/units", f"/citizen/units/{setup.unit_id}/case-types", "/citizen/cases"):
        assert (await client.get(f"{API}{path}")).status_code == 401
        r = await client.get(f"{API}{path}", headers=setup.clinic["rec"].headers)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    body = new_case_body(setup)
    r = await client.post(f"{API}/citizen/cases", headers=setup.clinic["rec"].headers, json=body)
    assert r.status_code == 401


async def test_case_types_open_to_the_citizen(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    unit = setup.unit_id
    await add_case_type(conn, unit, name="Utkast", status="draft")
    await add_case_type(conn, unit, name="Avslutad", status="inactive")
    restricted = await add_case_type(conn, unit, name="Provsvar", restricted=True, attachments=True)
    lapsed = await add_case_type(conn, unit, name="Gammal", restricted=True)
    who, holder = await citizen(client), await citizen(client)
    await add_grant(conn, unit, holder.personal_number, case_type_id=restricted, valid_until=NEXT_WEEK)
    await add_grant(conn, unit, holder.personal_number, case_type_id=lapsed, valid_until=LAPSED)
    url = f"{API}/citizen/units/{unit}/case-types"

    r = await client.get(url, headers=who.headers)
    assert r.status_code == 200, r.text
    assert [t["name"] for t in r.json()["items"]] == ["Förnya recept"]
    item = r.json()["items"][0]
    assert set(item) == {
        "id",
        "name",
        "category",
        "description",
        "terms_text",
        "questions",
        "citizen_attachments_allowed",
    }
    assert item["questions"][0] == {
        "key": "medicine",
        "label": "Vilket läkemedel?",
        "type": "text",
        "required": True,
        "options": [],
    }
    r = await client.get(url, headers=holder.headers)
    assert [t["name"] for t in r.json()["items"]] == ["Förnya recept", "Provsvar"]

    # A unit out of the citizen's reach, or none at all: 404.
    far = await open_clinic(client, conn, scope="counties", counties=["25"])
    assert (
        await client.get(f"{API}/citizen/units/{far.unit_id}/case-types", headers=who.headers)
    ).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert (
        await client.get(f"{API}/citizen/units/{missing}/case-types", headers=who.headers)
    ).status_code == 404
    assert (await client.get(f"{API}/citizen/units/nope/case-types", headers=who.headers)).status_code == 422


async def test_a_case_type_grant_opens_only_that_type_out_of_area(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    far = await open_clinic(client, conn, scope="counties", counties=["25"])
    restricted = await add_case_type(conn, far.unit_id, name="Särskild", restricted=True)
    holder = await citizen(client, county="14")
    await add_grant(conn, far.unit_id, holder.personal_number, case_type_id=restricted)
    r = await client.get(f"{API}/citizen/units/{far.unit_id}/case-types", headers=holder.headers)
    assert [t["name"] for t in r.json()["items"]] == ["Särskild"]
