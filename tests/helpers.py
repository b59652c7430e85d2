"""Builders for tests: log in, and set up a region, units and staff through the API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
SYSTEM_ADMIN_HSA = "SE2321000131-S000000000001"
_seq = itertools.count(1000)


def hsa(n: int | None = None) -> str:
    return f"SE2321000131-E{(n if n is not None else next(_seq)):012d}"


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def pnr(year: int = 1985, month: int = 4, day: int = 12, serial: int | None = None) -> str:
    """A valid 12-digit personnummer."""
    s = f"{(serial if serial is not None else next(_seq)) % 1000:03d}"
    nine = f"{year % 100:02d}{month:02d}{day:02d}{s}"
    return f"{year:04d}{month:02d}{day:02d}{s}{luhn_digit(nine)}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def staff_token(client: httpx.AsyncClient, hsa_id: str) -> str:
    r = await client.post(f"{API}/auth/staff/token", json={"hsa_id": hsa_id})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def citizen_token(client: httpx.AsyncClient, personal_number: str, **extra: Any) -> str:
    r = await client.post(f"{API}/auth/citizen/token", json={"personal_number": personal_number, **extra})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@dataclass
class Person:
    hsa_id: str
    token: str
    headers: dict[str, str] = field(default_factory=dict)
    staff_id: str | None = None


@dataclass
class Clinic:
    """A region with one unit and whoever the test asked for."""

    region_id: str
    unit_id: str
    admin: Person
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


async def system_admin(client: httpx.AsyncClient) -> Person:
    token = await staff_token(client, SYSTEM_ADMIN_HSA)
    return Person(SYSTEM_ADMIN_HSA, token, bearer(token))


async def add_person(
    client: httpx.AsyncClient,
    admin: Person,
    *,
    title: str = "Sjuksköterska",
    protected: bool = False,
    given: str = "Anna",
    family: str = "Andersson",
) -> str:
    hsa_id = hsa()
    r = await client.post(
        f"{API}/admin/directory/staff",
        headers=admin.headers,
        json={
            "hsa_id": hsa_id,
            "given_name": given,
            "family_name": family,
            "title": title,
            "email": f"{hsa_id.lower()}@example.se",
            "protected_identity": protected,
        },
    )
    assert r.status_code == 204, r.text
    return hsa_id


async def make_clinic(client: httpx.AsyncClient, roles: dict[str, list[str]] | None = None) -> Clinic:
    """roles: {"name": ["case_receiver", ...]} — each name becomes a logged-in person."""
    admin = await system_admin(client)
    n = next(_seq)
    r = await client.post(
        f"{API}/admin/regions",
        headers=admin.headers,
        json={"name": f"Region {n}", "county_code": "14", "hsa_id": f"SE2321000131-R{n:012d}"},
    )
    assert r.status_code == 201, r.text
    region_id = r.json()["id"]
    r = await client.post(
        f"{API}/admin/units",
        headers=admin.headers,
        json={"name": f"Vårdcentralen {n}", "hsa_id": f"SE2321000131-U{n:012d}", "region_id": region_id},
    )
    assert r.status_code == 201, r.text
    clinic = Clinic(region_id, r.json()["id"], admin)
    for name, role_list in (roles or {}).items():
        clinic.people[name] = await add_staff(client, clinic, role_list)
    return clinic


async def add_staff(client: httpx.AsyncClient, clinic: Clinic, roles: list[str], **person: Any) -> Person:
    hsa_id = await add_person(client, clinic.admin, **person)
    staff_id = None
    for role in roles:
        r = await client.post(
            f"{API}/units/{clinic.unit_id}/role-assignments",
            headers=clinic.admin.headers,
            json={"hsa_id": hsa_id, "role": role},
        )
        assert r.status_code == 201, r.text
        staff_id = r.json()["staff_id"]
    token = await staff_token(client, hsa_id)
    return Person(hsa_id, token, bearer(token), staff_id)
