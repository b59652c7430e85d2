"""PATCH /units/{unit_id}/settings and the unit view's `searchable`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types
from tests.fixtures.clinic import API, Clinic, make_clinic


async def add_case_type(conn: AsyncConnection, unit_id: str, status: str = "active", **extra: Any) -> str:
    """Straight into the table: the case-type API is another module's concern."""
    values = {"unit_id": uuid.UUID(unit_id), "name": f"Ärende {uuid.uuid4().hex[:6]}", "status": status}
    row = await conn.execute(insert(case_types).values(**values, **extra).returning(case_types.c.id))
    return str(row.scalar_one())


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(
        client,
        {
            "admin": ["local_admin"],
            "rec": ["case_receiver"],
            "perm": ["permission_admin"],
            "handler": ["case_handler"],
        },
    )


def url(c: Clinic) -> str:
    return f"{API}/units/{c.unit_id}/settings"


async def test_admin_sets_every_setting_and_gets_the_unit_view(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    r = await client.patch(
        url(clinic),
        headers=clinic["admin"].headers,
        json={
            "service_area": {"scope": "counties", "county_codes": ["14", " 01", "14", "13"]},
            "notification_emails": ["Inbox@Example.se", "inbox@example.se", "other@example.se"],
            "citizen_reminder_after_days": 3,
            "provider_reminder_enabled": True,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == clinic.unit_id and body["searchable"] is False
    assert body["settings"] == {
        "service_area": {"scope": "counties", "county_codes": ["01", "13", "14"]},
        "notification_emails": ["Inbox@Example.se", "other@example.se"],
        "citizen_reminder_after_days": 3,
        "provider_reminder_enabled": True,
    }
    r = await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic["rec"].headers)
    assert r.json() == body


async def test_partial_update_changes_only_what_was_sent(client: httpx.AsyncClient, clinic: Clinic) -> None:
    h = clinic["admin"].headers
    await client.patch(
        url(clinic),
        headers=h,
        json={"service_area": {"scope": "national"}, "citizen_reminder_after_days": 5},
    )
    r = await client.patch(url(clinic), headers=h, json={"provider_reminder_enabled": True})
    s = r.json()["settings"]
    assert s["service_area"] == {"scope": "national", "county_codes": []}
    assert s["citizen_reminder_after_days"] == 5 and s["provider_reminder_enabled"] is True
    # An explicit null turns the citizen reminder off.
    r = await client.patch(url(clinic), headers=h, json={"citizen_reminder_after_days": None})
    assert r.json()["settings"]["citizen_reminder_after_days"] is None
    assert r.json()["settings"]["service_area"]["scope"] == "national"
    r = await client.patch(url(clinic), headers=h, json={})
    assert r.status_code == 200 and r.json()["settings"]["provider_reminder_enabled"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"service_area": {"scope": "counties", "county_codes": []}},
        {"service_area": {"scope": "counties"}},
        {"service_area": {"scope": "counties", "county_codes": ["26"]}},
        {"service_area": {"scope": "counties", "county_codes": ["1"]}},
        {"service_area": {"scope": "counties", "county_codes": ["١٤"]}},
        {"service_area": {"scope": "national", "county_codes": ["14"]}},
        {"service_area": {"scope": "none", "county_codes": ["14"]}},
        {"service_area": {"scope": "regional"}},
        {"service_area": None},
        {"service_area": {"scope": "national", "extra": 1}},
        {"notification_emails": ["not-an-address"]},
        {"notification_emails": None},
        {"citizen_reminder_after_days": 0},
        {"citizen_reminder_after_days": 31},
        {"citizen_reminder_after_days": "many"},
        {"provider_reminder_enabled": None},
        {"searchable": True},
    ],
)
async def test_bad_settings_are_422(client: httpx.AsyncClient, clinic: Clinic, body: dict[str, Any]) -> None:
    r = await client.patch(url(clinic), headers=clinic["admin"].headers, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    r = await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic["admin"].headers)
    assert r.json()["settings"]["service_area"]["scope"] == "none"  # nothing changed


async def test_reminder_bounds_are_inclusive(client: httpx.AsyncClient, clinic: Clinic) -> None:
    for days in (1, 30):
        r = await client.patch(
            url(clinic), headers=clinic["admin"].headers, json={"citizen_reminder_after_days": days}
        )
        assert r.status_code == 200 and r.json()["settings"]["citizen_reminder_after_days"] == days


@pytest.mark.parametrize("who", ["rec", "perm", "handler"])
async def test_other_roles_are_403(client: httpx.AsyncClient, clinic: Clinic, who: str) -> None:
    r = await client.patch(url(clinic), headers=clinic[who].headers, json={"provider_reminder_enabled": True})
    assert r.status_code == 403


async def test_another_units_admin_and_the_system_admin_get_404(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    other = await make_clinic(client, {"admin": ["local_admin"]})
    body = {"provider_reminder_enabled": True}
    assert (await client.patch(url(clinic), headers=other["admin"].headers, json=body)).status_code == 404
    assert (await client.patch(url(clinic), headers=clinic.admin.headers, json=body)).status_code == 404
    missing = f"{API}/units/{uuid.uuid4()}/settings"
    assert (await client.patch(missing, headers=other["admin"].headers, json=body)).status_code == 404
    assert (await client.patch(url(clinic), json=body)).status_code == 401


async def test_searchable_needs_a_service_area_and_an_active_case_type(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    h = clinic["admin"].headers

    async def searchable() -> bool:
        r = await client.get(f"{API}/units/{clinic.unit_id}", headers=h)
        return bool(r.json()["searchable"])

    await client.patch(url(clinic), headers=h, json={"service_area": {"scope": "national"}})
    assert not await searchable()  # nothing to ask for yet
    await add_case_type(conn, clinic.unit_id, status="draft")
    await add_case_type(conn, clinic.unit_id, status="inactive")
    assert not await searchable()
    other = await make_clinic(client)
    await add_case_type(conn, other.unit_id)  # another unit's active case type does not count
    assert not await searchable()
    await add_case_type(conn, clinic.unit_id)
    assert await searchable()
    r = await client.patch(
        url(clinic), headers=h, json={"service_area": {"scope": "counties", "county_codes": ["14"]}}
    )
    assert r.json()["searchable"] is True
    r = await client.patch(url(clinic), headers=h, json={"service_area": {"scope": "none"}})
    assert r.json()["searchable"] is False


async def test_demo_unit_admin_data_is_idempotent(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    from app.demo import unit_admin as demo_unit_admin

    clinic = await make_clinic(client, {"admin": ["local_admin", "case_handler", "case_receiver"]})
    restricted = await add_case_type(conn, clinic.unit_id, restricted=True)
    ids = {"north": uuid.UUID(clinic.unit_id), "ct_restricted": uuid.UUID(restricted)}
    first = await demo_unit_admin.load(conn, ids)
    assert await demo_unit_admin.load(conn, ids) == first
    h, u = clinic["admin"].headers, f"{API}/units/{clinic.unit_id}"
    assert [g["name"] for g in (await client.get(f"{u}/groups", headers=h)).json()["items"]] == [
        "Sjuksköterskor"
    ]
    kinds = [t["kind"] for t in (await client.get(f"{u}/message-templates", headers=h)).json()["items"]]
    assert sorted(kinds) == ["information", "questions"]
    [grant] = (await client.get(f"{u}/citizen-grants", headers=h)).json()["items"]
    assert grant["case_type_id"] == restricted and grant["active"] is True
    settings = (await client.get(u, headers=h)).json()["settings"]
    assert settings["notification_emails"] == ["norrmalm@demo.careinbox.se"]
