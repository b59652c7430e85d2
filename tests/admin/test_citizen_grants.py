"""Citizen grants: /units/{unit_id}/citizen-grants (+ /{id}, /revoke)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import audit_events, case_types, citizen_grants, units
from tests.fixtures.citizen import open_clinic
from tests.fixtures.clinic import API, Clinic, bearer, citizen_token, make_clinic, pnr

# The clock the server reads is stopped (`set_clock`): dates named here are not raced by midnight.
# 23:30 in Stockholm (UTC+1 in March) on 10 March 2026; an hour later it is the 11th there.
TODAY = date(2026, 3, 10)
LATE_TODAY = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
TOMORROW_IN_STOCKHOLM = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)

ROLES = {
    "rec": ["case_receiver"],
    "handler": ["case_handler"],
    "admin": ["local_admin"],
    "perm": ["permission_admin"],
    "reviewer": ["reviewer"],
}


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


def url(c: Clinic, tail: str = "") -> str:
    return f"{API}/units/{c.unit_id}/citizen-grants{tail}"


async def add_case_type(conn: AsyncConnection, unit_id: str, restricted: bool = True) -> str:
    stmt = (
        insert(case_types)
        .values(unit_id=uuid.UUID(unit_id), name="Provtagning", status="active", restricted=restricted)
        .returning(case_types.c.id)
    )
    return str((await conn.execute(stmt)).scalar_one())


async def grant(client: httpx.AsyncClient, c: Clinic, who: str = "rec", **body: Any) -> dict[str, Any]:
    r = await client.post(url(c), headers=c[who].headers, json={"personal_number": pnr(), **body})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_receivers_and_handlers_grant(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, set_clock: Callable[[datetime], None]
) -> None:
    set_clock(LATE_TODAY)
    number = pnr(1990, 3, 7)
    ten_digits = f"{number[2:8]}-{number[8:]}"
    r = await client.post(url(clinic), headers=clinic["rec"].headers, json={"personal_number": ten_digits})
    assert r.status_code == 201, r.text
    g = r.json()
    assert g["personal_number"] == number and g["case_type_id"] is None and g["valid_until"] is None
    assert g["active"] is True and set(g) == {
        "id",
        "personal_number",
        "case_type_id",
        "valid_until",
        "created_at",
        "active",
    }
    case_type = await add_case_type(conn, clinic.unit_id)
    h = await grant(client, clinic, "handler", case_type_id=case_type, valid_until="2026-04-09")
    assert h["case_type_id"] == case_type and h["valid_until"] == "2026-04-09" and h["active"] is True
    # Valid through the last day: a grant until today still holds, and is listed active...
    last_day = await grant(client, clinic, valid_until=TODAY.isoformat())
    assert last_day["active"] is True
    listed = {
        g["id"]: g["active"]
        for g in (await client.get(url(clinic), headers=clinic["rec"].headers)).json()["items"]
    }
    assert listed[last_day["id"]] is True
    # ... until Stockholm's next day begins (UTC is still on the 10th): listed inactive, and
    # that date is now in the past for a new grant.
    set_clock(TOMORROW_IN_STOCKHOLM)
    listed = {
        g["id"]: g["active"]
        for g in (await client.get(url(clinic), headers=clinic["rec"].headers)).json()["items"]
    }
    assert listed[last_day["id"]] is False and listed[h["id"]] is True
    r = await client.post(
        url(clinic),
        headers=clinic["rec"].headers,
        json={"personal_number": pnr(), "valid_until": TODAY.isoformat()},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "valid_until"]


@pytest.mark.parametrize("who", ["admin", "perm", "reviewer"])
async def test_other_roles_are_403(client: httpx.AsyncClient, clinic: Clinic, who: str) -> None:
    g = await grant(client, clinic)
    h = clinic[who].headers
    assert (await client.get(url(clinic), headers=h)).status_code == 403
    assert (await client.post(url(clinic), headers=h, json={"personal_number": pnr()})).status_code == 403
    assert (await client.delete(url(clinic, f"/{g['id']}"), headers=h)).status_code == 403
    assert (await client.post(url(clinic, "/revoke"), headers=h, json={"ids": [g["id"]]})).status_code == 403


async def test_case_type_must_be_a_restricted_one_of_this_unit(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    other = await make_clinic(client)
    for case_type in (
        await add_case_type(conn, other.unit_id),
        await add_case_type(conn, clinic.unit_id, restricted=False),
        str(uuid.uuid4()),
    ):
        r = await client.post(
            url(clinic),
            headers=clinic["rec"].headers,
            json={"personal_number": pnr(), "case_type_id": case_type},
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "case_type_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"personal_number": "198504121234"},  # bad check digit
        {"personal_number": "19850230-0000"},
        {"personal_number": "hello"},
        {"personal_number": None},
        {},
        {"personal_number": "PNR", "valid_until": "2026-02-30"},
        {"valid_until": "yesterday"},
        {"case_type_id": "not-a-uuid"},
        {"note": "x"},
    ],
)
async def test_bad_bodies_are_422(client: httpx.AsyncClient, clinic: Clinic, body: dict[str, Any]) -> None:
    full = {"personal_number": pnr(), **body}
    if full.get("personal_number") == "PNR":
        full["personal_number"] = pnr()
    if body == {}:
        full = {}
    r = await client.post(url(clinic), headers=clinic["rec"].headers, json=full)
    assert r.status_code == 422, r.text


async def test_valid_until_in_the_past_is_422(
    client: httpx.AsyncClient, clinic: Clinic, set_clock: Callable[[datetime], None]
) -> None:
    set_clock(LATE_TODAY)
    r = await client.post(
        url(clinic),
        headers=clinic["rec"].headers,
        json={"personal_number": pnr(), "valid_until": "2026-03-09"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "valid_until"]


async def test_expired_grants_are_listed_inactive_and_open_nothing_for_the_citizen(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    """What the citizen side reads (domain.md "Service area"): a unit no one may contact opens to
    the citizen by this unit's live grant only, not by an expired one or another unit's."""
    setup = await open_clinic(client, conn, ROLES, scope="none")
    here = setup.clinic
    number = pnr()
    await conn.execute(
        insert(citizen_grants).values(
            unit_id=uuid.UUID(here.unit_id), personal_number=number, valid_until=date(2020, 1, 1)
        )
    )
    r = await client.get(url(here), headers=here["rec"].headers, params={"personal_number": number})
    [expired] = r.json()["items"]
    assert expired["active"] is False
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    await grant(client, other, personal_number=number)
    who = bearer(await citizen_token(client, number))
    case_types_here = f"{API}/citizen/units/{here.unit_id}/case-types"
    assert (await client.get(case_types_here, headers=who)).status_code == 404
    assert here.unit_id not in [
        u["id"] for u in (await client.get(f"{API}/citizen/units", headers=who)).json()["items"]
    ]
    await grant(client, here, personal_number=number)
    r = await client.get(case_types_here, headers=who)
    assert r.status_code == 200 and [t["id"] for t in r.json()["items"]] == [setup.case_type_id]
    assert here.unit_id in [
        u["id"] for u in (await client.get(f"{API}/citizen/units", headers=who)).json()["items"]
    ]


async def test_list_filters_by_personal_number_and_pages(client: httpx.AsyncClient, clinic: Clinic) -> None:
    number = pnr(1972, 11, 30)
    mine = [await grant(client, clinic, personal_number=number) for _ in range(3)]
    await grant(client, clinic)
    h = clinic["handler"].headers
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        params: dict[str, Any] = {"personal_number": f"{number[2:8]}-{number[8:]}", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(url(clinic), headers=h, params=params)
        assert r.status_code == 200, r.text
        seen += [g["id"] for g in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(g["id"] for g in mine) and len(seen) == 3
    assert len((await client.get(url(clinic), headers=h)).json()["items"]) == 4
    for bad in ({"personal_number": "12345"}, {"cursor": "garbage!"}, {"limit": 0}, {"limit": 201}):
        assert (await client.get(url(clinic), headers=h, params=bad)).status_code == 422


async def test_delete_one(client: httpx.AsyncClient, clinic: Clinic) -> None:
    g = await grant(client, clinic)
    h = clinic["handler"].headers
    assert (await client.delete(url(clinic, f"/{g['id']}"), headers=h)).status_code == 204
    assert (await client.delete(url(clinic, f"/{g['id']}"), headers=h)).status_code == 404
    assert (await client.get(url(clinic), headers=h)).json()["items"] == []


async def test_bulk_revoke_touches_only_this_units_grants(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    a, b, keep = [await grant(client, clinic) for _ in range(3)]
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    foreign = await grant(client, other)
    body = {"ids": [a["id"], b["id"], a["id"], foreign["id"], str(uuid.uuid4())]}
    r = await client.post(url(clinic, "/revoke"), headers=clinic["rec"].headers, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["revoked"] == 2 and sorted(r.json()["revoked_ids"]) == sorted([a["id"], b["id"]])
    left = (await client.get(url(clinic), headers=clinic["rec"].headers)).json()["items"]
    assert [g["id"] for g in left] == [keep["id"]]
    still = (
        await conn.execute(select(citizen_grants.c.id).where(citizen_grants.c.id == uuid.UUID(foreign["id"])))
    ).scalar()
    assert still is not None
    # Only foreign ids: nothing revoked, still a 200 saying so.
    r = await client.post(
        url(clinic, "/revoke"), headers=clinic["rec"].headers, json={"ids": [foreign["id"]]}
    )
    assert r.json() == {"revoked": 0, "revoked_ids": []}
    for bad in ({"ids": []}, {"ids": ["x"]}, {"ids": [keep["id"]], "all": True}, {}):
        assert (
            await client.post(url(clinic, "/revoke"), headers=clinic["rec"].headers, json=bad)
        ).status_code == 422


async def test_other_units_grants_are_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    g = await grant(client, clinic)
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    oh = other["rec"].headers
    # No role at the unit.
    assert (await client.get(url(clinic), headers=oh)).status_code == 404
    assert (await client.post(url(clinic), headers=oh, json={"personal_number": pnr()})).status_code == 404
    assert (await client.delete(url(clinic, f"/{g['id']}"), headers=oh)).status_code == 404
    assert (await client.post(url(clinic, "/revoke"), headers=oh, json={"ids": [g["id"]]})).status_code == 404
    # This unit's grant under the other unit's path.
    assert (await client.delete(url(other, f"/{g['id']}"), headers=oh)).status_code == 404
    assert len((await client.get(url(clinic), headers=clinic["rec"].headers)).json()["items"]) == 1
    assert (await client.get(url(other), headers=oh)).json()["items"] == []


async def test_grant_changes_are_audited(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    number = pnr()
    g = await grant(client, clinic, personal_number=number)
    second = await grant(client, clinic, "handler", personal_number=number)
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    foreign = await grant(client, other, personal_number=number)
    await client.delete(url(clinic, f"/{g['id']}"), headers=clinic["rec"].headers)
    body = {"ids": [second["id"], foreign["id"]]}
    await client.post(url(clinic, "/revoke"), headers=clinic["handler"].headers, json=body)
    rows = (
        await conn.execute(
            select(audit_events.c.staff_hsa_id, audit_events.c.action, audit_events.c.detail)
            .where(
                audit_events.c.unit_id == uuid.UUID(clinic.unit_id), audit_events.c.personal_number == number
            )
            .order_by(audit_events.c.id)
        )
    ).all()
    rec, handler = clinic["rec"].hsa_id, clinic["handler"].hsa_id
    assert [(r[0], r[1], r[2]["change"], r[2]["grant_id"]) for r in rows] == [
        (rec, "citizen_grant_changed", "granted", g["id"]),
        (handler, "citizen_grant_changed", "granted", second["id"]),
        (rec, "citizen_grant_changed", "revoked", g["id"]),
        (handler, "citizen_grant_changed", "revoked", second["id"]),  # not the other unit's grant
    ]


async def test_listing_grants_by_personal_number_is_an_audited_citizen_search(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    number = pnr()
    r = await client.get(url(clinic), headers=clinic["handler"].headers)  # no citizen named: no event
    assert r.status_code == 200
    r = await client.get(url(clinic), headers=clinic["handler"].headers, params={"personal_number": number})
    assert r.status_code == 200, r.text
    rows = (
        await conn.execute(
            select(audit_events.c.action, audit_events.c.personal_number, audit_events.c.unit_hsa_id).where(
                audit_events.c.unit_id == uuid.UUID(clinic.unit_id)
            )
        )
    ).all()
    unit_hsa_id = (
        await conn.execute(select(units.c.hsa_id).where(units.c.id == uuid.UUID(clinic.unit_id)))
    ).scalar_one()
    # The unit's HSA-id, looked up by the insert itself.
    assert [tuple(r) for r in rows] == [("case_list_search", number, unit_hsa_id)]
