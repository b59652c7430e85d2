"""Role assignments at units and regions (domain.md "Roles"; api.md "Unit administration")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.clinic import API, Clinic, add_person, add_staff, hsa, make_clinic, staff_token

NIL = "00000000-0000-0000-0000-000000000000"


def _roles_url(clinic: Clinic) -> str:
    return f"{API}/units/{clinic.unit_id}/role-assignments"


async def _grant(
    client: httpx.AsyncClient, clinic: Clinic, headers: dict[str, str], hsa_id: str, role: str
) -> httpx.Response:
    return await client.post(_roles_url(clinic), headers=headers, json={"hsa_id": hsa_id, "role": role})


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(
        client,
        {
            "admin": ["local_admin"],
            "perm": ["permission_admin"],
            "rec": ["case_receiver"],
            "rev": ["reviewer"],
        },
    )


async def test_system_admin_bootstraps_the_first_local_admin(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    hsa_id = await add_person(client, clinic.admin)
    r = await _grant(client, clinic, clinic.admin.headers, f"  {hsa_id}\t", "local_admin")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["hsa_id"] == hsa_id and body["role"] == "local_admin"
    assert set(body) >= {"id", "staff_id", "hsa_id", "role"}
    # The new local admin can now run the unit's role assignments.
    token = await staff_token(client, hsa_id)
    r = await client.get(_roles_url(clinic), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and [a["role"] for a in r.json()["items"]] == ["local_admin"]


@pytest.mark.parametrize(
    "bad", ["", "SE123", "se2321000131-E1", "SE2321000131-" + "A" * 19, "SE2321000131-E 1"]
)
async def test_invalid_hsa_id_is_422(client: httpx.AsyncClient, clinic: Clinic, bad: str) -> None:
    r = await _grant(client, clinic, clinic["admin"].headers, bad, "case_handler")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "hsa_id"]


async def test_unknown_person_is_422(client: httpx.AsyncClient, clinic: Clinic) -> None:
    r = await _grant(client, clinic, clinic["admin"].headers, hsa(), "case_handler")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "hsa_id"]


async def test_unknown_role_is_422(client: httpx.AsyncClient, clinic: Clinic) -> None:
    hsa_id = await add_person(client, clinic.admin)
    for role in ("system_admin", "regional_admin", "boss", ""):
        assert (await _grant(client, clinic, clinic["admin"].headers, hsa_id, role)).status_code == 422


async def test_duplicate_is_409_but_a_second_role_is_fine(client: httpx.AsyncClient, clinic: Clinic) -> None:
    hsa_id = await add_person(client, clinic.admin)
    headers = clinic["admin"].headers
    assert (await _grant(client, clinic, headers, hsa_id, "case_handler")).status_code == 201
    r = await _grant(client, clinic, headers, f" {hsa_id} ", "case_handler")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert (await _grant(client, clinic, headers, hsa_id, "case_receiver")).status_code == 201


@pytest.mark.parametrize("role", ["case_receiver", "case_handler"])
async def test_permission_admin_grants_and_revokes_case_roles(
    client: httpx.AsyncClient, clinic: Clinic, role: str
) -> None:
    hsa_id = await add_person(client, clinic.admin)
    r = await _grant(client, clinic, clinic["perm"].headers, hsa_id, role)
    assert r.status_code == 201, r.text
    r = await client.delete(f"{_roles_url(clinic)}/{r.json()['id']}", headers=clinic["perm"].headers)
    assert r.status_code == 204


@pytest.mark.parametrize("role", ["local_admin", "permission_admin", "reviewer"])
async def test_permission_admin_may_not_grant_other_roles(
    client: httpx.AsyncClient, clinic: Clinic, role: str
) -> None:
    hsa_id = await add_person(client, clinic.admin)
    r = await _grant(client, clinic, clinic["perm"].headers, hsa_id, role)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_permission_admin_may_not_revoke_a_local_admin(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    listing = (await client.get(_roles_url(clinic), headers=clinic["perm"].headers)).json()["items"]
    local_admin = next(a for a in listing if a["role"] == "local_admin")
    r = await client.delete(f"{_roles_url(clinic)}/{local_admin['id']}", headers=clinic["perm"].headers)
    assert r.status_code == 403


@pytest.mark.parametrize(
    "role", ["case_receiver", "case_handler", "permission_admin", "local_admin", "reviewer"]
)
async def test_local_admin_grants_every_unit_role(
    client: httpx.AsyncClient, clinic: Clinic, role: str
) -> None:
    hsa_id = await add_person(client, clinic.admin)
    assert (await _grant(client, clinic, clinic["admin"].headers, hsa_id, role)).status_code == 201


@pytest.mark.parametrize("who", ["rec", "rev"])
async def test_roles_without_role_management_get_403(
    client: httpx.AsyncClient, clinic: Clinic, who: str
) -> None:
    headers = clinic[who].headers
    assert (await client.get(_roles_url(clinic), headers=headers)).status_code == 403
    hsa_id = await add_person(client, clinic.admin)
    assert (await _grant(client, clinic, headers, hsa_id, "case_handler")).status_code == 403


async def test_another_units_role_assignments_are_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    other = await make_clinic(client, {"admin": ["local_admin"]})
    hsa_id = await add_person(client, clinic.admin)
    headers = clinic["admin"].headers
    assert (await client.get(_roles_url(other), headers=headers)).status_code == 404
    assert (await _grant(client, other, headers, hsa_id, "case_handler")).status_code == 404
    theirs = (await client.get(_roles_url(other), headers=other["admin"].headers)).json()["items"][0]
    assert (await client.delete(f"{_roles_url(other)}/{theirs['id']}", headers=headers)).status_code == 404
    # ...and naming their assignment under our own unit does not reach it either.
    assert (await client.delete(f"{_roles_url(clinic)}/{theirs['id']}", headers=headers)).status_code == 404


async def test_system_admin_on_an_unknown_unit_is_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    hsa_id = await add_person(client, clinic.admin)
    r = await client.post(
        f"{API}/units/{NIL}/role-assignments",
        headers=clinic.admin.headers,
        json={"hsa_id": hsa_id, "role": "reviewer"},
    )
    assert r.status_code == 404


async def test_revoking_takes_effect_at_once(client: httpx.AsyncClient, clinic: Clinic) -> None:
    person = await add_staff(client, clinic, ["case_handler"])
    unit_url = f"{API}/units/{clinic.unit_id}"
    assert (await client.get(unit_url, headers=person.headers)).status_code == 200
    listing = (await client.get(_roles_url(clinic), headers=clinic["admin"].headers)).json()["items"]
    mine = next(a for a in listing if a["hsa_id"] == person.hsa_id)
    r = await client.delete(f"{_roles_url(clinic)}/{mine['id']}", headers=clinic["admin"].headers)
    assert r.status_code == 204
    assert (await client.get(unit_url, headers=person.headers)).status_code == 404
    r = await client.delete(f"{_roles_url(clinic)}/{mine['id']}", headers=clinic["admin"].headers)
    assert r.status_code == 404


async def test_unit_and_staff_picker_for_any_role(client: httpx.AsyncClient, clinic: Clinic) -> None:
    for who in ("admin", "perm", "rec", "rev"):
        r = await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic[who].headers)
        assert r.status_code == 200, who
        body = r.json()
        assert set(body) >= {"id", "hsa_id", "name", "region_id", "settings", "searchable"}
        r = await client.get(f"{API}/units/{clinic.unit_id}/staff", headers=clinic[who].headers)
        assert r.status_code == 200, who
    staff: list[dict[str, Any]] = r.json()["items"]
    assert {s["hsa_id"]: s["roles"] for s in staff} == {
        clinic[w].hsa_id: [role]
        for w, role in [
            ("admin", "local_admin"),
            ("perm", "permission_admin"),
            ("rec", "case_receiver"),
            ("rev", "reviewer"),
        ]
    }


async def test_unit_and_staff_are_404_without_a_role_there(client: httpx.AsyncClient, clinic: Clinic) -> None:
    other = await make_clinic(client, {"rec": ["case_receiver"]})
    for url in (f"{API}/units/{clinic.unit_id}", f"{API}/units/{clinic.unit_id}/staff", f"{API}/units/{NIL}"):
        assert (await client.get(url, headers=other["rec"].headers)).status_code == 404
    # The system admin administers units but holds no role in them.
    assert (
        await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic.admin.headers)
    ).status_code == 404


# --- regions -------------------------------------------------------------------------------


async def test_region_role_assignments(client: httpx.AsyncClient, clinic: Clinic) -> None:
    url = f"{API}/regions/{clinic.region_id}/role-assignments"
    headers = clinic.admin.headers
    hsa_id = await add_person(client, clinic.admin)
    r = await client.post(url, headers=headers, json={"hsa_id": f" {hsa_id} ", "role": "regional_admin"})
    assert r.status_code == 201, r.text
    assignment = r.json()
    assert assignment["hsa_id"] == hsa_id and assignment["role"] == "regional_admin"
    dup = await client.post(url, headers=headers, json={"hsa_id": hsa_id, "role": "regional_admin"})
    assert dup.status_code == 409
    assert [a["id"] for a in (await client.get(url, headers=headers)).json()["items"]] == [assignment["id"]]

    token = await staff_token(client, hsa_id)
    me = (await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})).json()
    assert me["regions"] == [
        {
            "region_id": clinic.region_id,
            "region_name": me["regions"][0]["region_name"],
            "roles": ["regional_admin"],
        }
    ]

    assert (await client.delete(f"{url}/{assignment['id']}", headers=headers)).status_code == 204
    assert (await client.delete(f"{url}/{assignment['id']}", headers=headers)).status_code == 404
    assert (await client.get(url, headers=headers)).json()["items"] == []


async def test_region_role_assignment_rules(client: httpx.AsyncClient, clinic: Clinic) -> None:
    url = f"{API}/regions/{clinic.region_id}/role-assignments"
    headers = clinic.admin.headers
    hsa_id = await add_person(client, clinic.admin)
    r = await client.post(url, headers=headers, json={"hsa_id": hsa(), "role": "regional_admin"})
    assert r.status_code == 422  # unknown person
    r = await client.post(url, headers=headers, json={"hsa_id": hsa_id, "role": "local_admin"})
    assert r.status_code == 422  # not a region role
    r = await client.post(url, headers=headers, json={"hsa_id": hsa_id, "role": "regional_admin", "x": 1})
    assert r.status_code == 422  # unknown field
    nil_url = f"{API}/regions/{NIL}/role-assignments"
    r = await client.post(nil_url, headers=headers, json={"hsa_id": hsa_id, "role": "regional_admin"})
    assert r.status_code == 404
    assert (await client.get(nil_url, headers=headers)).status_code == 404
    for who in ("admin", "perm"):
        r = await client.post(
            url, headers=clinic[who].headers, json={"hsa_id": hsa_id, "role": "regional_admin"}
        )
        assert r.status_code == 403
        assert (await client.get(url, headers=clinic[who].headers)).status_code == 403
