"""domain.md "Roles": a system admin has **no** case content and no audit log of units, not even
through a unit role granted to their own HSA-id (they may grant any role to others)."""

from __future__ import annotations

import httpx

from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, make_clinic


async def test_a_system_admin_gets_no_role_with_case_content(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    entry = {"hsa_id": SYSTEM_ADMIN_HSA, "given_name": "Sys", "family_name": "Admin", "title": "Förvaltare"}
    r = await client.post(f"{API}/admin/directory/staff", headers=clinic.admin.headers, json=entry)
    assert r.status_code == 204, r.text
    url = f"{API}/units/{clinic.unit_id}/role-assignments"
    for granter in (clinic.admin, clinic["admin"]):
        for role in ("case_receiver", "case_handler", "reviewer"):
            r = await client.post(
                url, headers=granter.headers, json={"hsa_id": f" {SYSTEM_ADMIN_HSA} ", "role": role}
            )
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["loc"] == ["body", "hsa_id"]
    # Administration without case content stays possible (e.g. bootstrapping a unit).
    r = await client.post(
        url, headers=clinic.admin.headers, json={"hsa_id": SYSTEM_ADMIN_HSA, "role": "local_admin"}
    )
    assert r.status_code == 201, r.text
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases", headers=clinic.admin.headers)
    assert r.status_code == 403


async def test_a_case_role_held_before_becoming_system_admin_opens_nothing(
    client: httpx.AsyncClient, conn: object
) -> None:
    """The role row exists (granted before the HSA-id was configured as a system admin), but the
    actor load ignores it: still no case content."""
    from sqlalchemy import insert, select
    from sqlalchemy.ext.asyncio import AsyncConnection

    from app.db.tables import staff, unit_role_assignments

    assert isinstance(conn, AsyncConnection)
    clinic = await make_clinic(client)
    admin_staff_id = (
        await conn.execute(select(staff.c.id).where(staff.c.hsa_id == SYSTEM_ADMIN_HSA))
    ).scalar_one()
    await conn.execute(
        insert(unit_role_assignments).values(
            unit_id=clinic.unit_id, staff_id=admin_staff_id, role="case_receiver"
        )
    )
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases", headers=clinic.admin.headers)
    assert r.status_code == 404, r.text  # no role that counts at this unit
