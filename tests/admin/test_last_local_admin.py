"""A unit keeps a local admin (domain.md "Roles"; docs/security.md, "unit without administrator"):
the last one cannot be removed (409), a system admin replaces one by granting first, and two
simultaneous removals of the last two local admins cannot both succeed."""

from __future__ import annotations

import asyncio

import httpx

from tests.fixtures.clinic import API, Clinic, add_staff, make_clinic


def _roles_url(clinic: Clinic) -> str:
    return f"{API}/units/{clinic.unit_id}/role-assignments"


async def _local_admins(client: httpx.AsyncClient, clinic: Clinic) -> dict[str, str]:
    """HSA-id → assignment id of the unit's local admins."""
    r = await client.get(_roles_url(clinic), headers=clinic.admin.headers, params={"limit": 200})
    return {a["hsa_id"]: a["id"] for a in r.json()["items"] if a["role"] == "local_admin"}


async def test_the_last_local_admin_cannot_be_removed(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"boss": ["local_admin"]})
    boss = clinic["boss"]
    (only,) = (await _local_admins(client, clinic)).values()
    for who in (boss, clinic.admin):  # herself, or the system admin
        r = await client.delete(f"{_roles_url(clinic)}/{only}", headers=who.headers)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "last local admin" in r.json()["detail"]
    assert list((await _local_admins(client, clinic)).values()) == [only]

    # The system admin replaces her: grant the successor first, then remove her.
    successor = await add_staff(client, clinic, ["local_admin"])
    assert (
        await client.delete(f"{_roles_url(clinic)}/{only}", headers=clinic.admin.headers)
    ).status_code == 204
    assert list(await _local_admins(client, clinic)) == [successor.hsa_id]
    # Other roles are unaffected by the rule.
    handler = await add_staff(client, clinic, ["case_handler"])
    r = await client.get(_roles_url(clinic), headers=clinic.admin.headers)
    hid = next(a["id"] for a in r.json()["items"] if a["hsa_id"] == handler.hsa_id)
    assert (await client.delete(f"{_roles_url(clinic)}/{hid}", headers=successor.headers)).status_code == 204


async def test_two_simultaneous_removals_of_the_last_two_leave_one(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    for _ in range(3):  # a race can go either way on one try; each try must keep one
        clinic = await make_clinic(client, {"a": ["local_admin"], "b": ["local_admin"]})
        admins = await _local_admins(client, clinic)
        assert len(admins) == 2
        results = await asyncio.gather(
            *(
                client.delete(f"{_roles_url(clinic)}/{i}", headers=clinic.admin.headers)
                for i in admins.values()
            )
        )
        assert sorted(r.status_code for r in results) == [204, 409], [r.text for r in results]
        assert len(await _local_admins(client, clinic)) == 1
