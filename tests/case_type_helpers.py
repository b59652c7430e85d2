"""Builders shared by the case-type tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import API, Clinic, Person, add_person, bearer, staff_token

FULL: dict[str, Any] = {
    "name": "Förnya recept",
    "category": "prescription_renewal",
    "description": "Här kan du förnya recept på läkemedel du redan har.",
    "terms_text": "Vi svarar inom två arbetsdagar.",
    "questions": [
        {"key": "medicine", "label": "Vilket läkemedel?", "type": "text", "required": True},
        {
            "key": "pharmacy",
            "label": "Apotek",
            "type": "single_choice",
            "required": False,
            "options": ["Apoteket", "Kronans", "Annat"],
        },
    ],
    "answer_templates": [{"title": "Receptet är förnyat", "body": "Ditt recept är förnyat."}],
    "citizen_attachments_allowed": False,
    "restricted": False,
}


def units_url(unit_id: str) -> str:
    return f"{API}/units/{unit_id}/case-types"


async def create(client: httpx.AsyncClient, clinic: Clinic, who: Person, **over: Any) -> dict[str, Any]:
    r = await client.post(units_url(clinic.unit_id), headers=who.headers, json={**FULL, **over})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def add_unit(client: httpx.AsyncClient, clinic: Clinic, n: int) -> str:
    """Another unit in the clinic's region."""
    r = await client.post(
        f"{API}/admin/units",
        headers=clinic.admin.headers,
        json={"name": f"Mottagning {n}", "hsa_id": f"SE2321000131-V{n:012d}", "region_id": clinic.region_id},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def grant(client: httpx.AsyncClient, clinic: Clinic, unit_id: str, hsa_id: str, role: str) -> None:
    r = await client.post(
        f"{API}/units/{unit_id}/role-assignments",
        headers=clinic.admin.headers,
        json={"hsa_id": hsa_id, "role": role},
    )
    assert r.status_code == 201, r.text


async def regional_admin(client: httpx.AsyncClient, clinic: Clinic) -> Person:
    hsa_id = await add_person(client, clinic.admin, title="Regional samordnare")
    r = await client.post(
        f"{API}/regions/{clinic.region_id}/role-assignments",
        headers=clinic.admin.headers,
        json={"hsa_id": hsa_id, "role": "regional_admin"},
    )
    assert r.status_code == 201, r.text
    token = await staff_token(client, hsa_id)
    return Person(hsa_id, token, bearer(token))
