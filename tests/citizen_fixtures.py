"""Citizen-side test setup: units with a service area, case types, grants and cases in a given
state, written straight to the tables (the admin and staff APIs are tested on their own)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types, cases, citizen_grants, messages, staff, units
from app.domain.text import search_key
from tests.helpers import API, Clinic, bearer, citizen_token, make_clinic, pnr

_seq = itertools.count(1)

QUESTIONS: list[dict[str, Any]] = [
    {"key": "medicine", "label": "Vilket läkemedel?", "type": "text", "required": True, "options": []},
    {"key": "dose", "label": "Dos", "type": "single_choice", "required": False, "options": ["5 mg", "10 mg"]},
]


@dataclass
class Citizen:
    personal_number: str
    headers: dict[str, str]
    county_code: str | None


async def citizen(client: httpx.AsyncClient, county: str | None = "14", **extra: Any) -> Citizen:
    number = pnr(1980 + next(_seq) % 20, 1 + next(_seq) % 12, 1 + next(_seq) % 28)
    fields = {"county_code": county, "given_name": "Sven", "family_name": "Svensson", **extra}
    token = await citizen_token(client, number, **{k: v for k, v in fields.items() if v is not None})
    return Citizen(number, bearer(token), county)


async def set_unit(
    conn: AsyncConnection,
    unit_id: str | UUID,
    *,
    scope: str | None = None,
    counties: list[str] | None = None,
    name: str | None = None,
    emails: list[str] | None = None,
) -> None:
    values: dict[str, Any] = {}
    if scope is not None:
        values["service_area_scope"] = scope
    if counties is not None:
        values["service_area_counties"] = counties
    if name is not None:
        values |= {"name": name, "name_search": search_key(name)}
    if emails is not None:
        values["notification_emails"] = emails
    await conn.execute(update(units).where(units.c.id == unit_id).values(**values))


async def add_case_type(
    conn: AsyncConnection,
    unit_id: str | UUID,
    *,
    name: str = "Förnya recept",
    status: str = "active",
    restricted: bool = False,
    questions: list[dict[str, Any]] | None = None,
    attachments: bool = False,
) -> str:
    stmt = (
        insert(case_types)
        .values(
            unit_id=unit_id,
            name=name,
            category="prescription_renewal",
            description="Förnya ett recept du redan har.",
            terms_text="Vi svarar inom två arbetsdagar.",
            questions=QUESTIONS if questions is None else questions,
            citizen_attachments_allowed=attachments,
            restricted=restricted,
            status=status,
        )
        .returning(case_types.c.id)
    )
    return str((await conn.execute(stmt)).scalar_one())


async def add_grant(
    conn: AsyncConnection,
    unit_id: str | UUID,
    personal_number: str,
    case_type_id: str | None = None,
    valid_until: date | None = None,
) -> None:
    await conn.execute(
        insert(citizen_grants).values(
            unit_id=unit_id,
            personal_number=personal_number,
            case_type_id=case_type_id,
            valid_until=valid_until,
        )
    )


@dataclass
class Setup:
    clinic: Clinic
    case_type_id: str

    @property
    def unit_id(self) -> str:
        return self.clinic.unit_id


async def open_clinic(
    client: httpx.AsyncClient, conn: AsyncConnection, roles: dict[str, list[str]] | None = None, **unit: Any
) -> Setup:
    """A national unit with one active case type (and the staff asked for)."""
    clinic = await make_clinic(client, roles)
    await set_unit(conn, clinic.unit_id, scope=unit.pop("scope", "national"), **unit)
    return Setup(clinic, await add_case_type(conn, clinic.unit_id))


def new_case_body(setup: Setup, **extra: Any) -> dict[str, Any]:
    return {
        "unit_id": setup.unit_id,
        "case_type_id": setup.case_type_id,
        "answers": {"medicine": "Levaxin"},
        "terms_accepted": True,
        **extra,
    }


async def send_case(client: httpx.AsyncClient, who: Citizen, setup: Setup, **extra: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=new_case_body(setup, **extra))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def staff_writes(
    conn: AsyncConnection,
    case_id: str,
    staff_id: str,
    *,
    kind: str = "counter_question",
    body: str = "Hur länge har du haft besvären?",
    display_name: str = "Anna Andersson, Sjuksköterska",
    status: str = "awaiting_citizen",
    form: list[dict[str, Any]] | None = None,
    origin: str | None = None,
) -> None:
    """What the staff side would do: assign to `staff_id`, write a message, move the status."""
    name = (await conn.execute(select(staff.c.given_name).where(staff.c.id == staff_id))).scalar_one()
    await conn.execute(
        insert(messages).values(
            case_id=case_id,
            kind=kind,
            body=body,
            author_type="staff",
            author_staff_id=staff_id,
            author_display_name=display_name,
            author_staff_name=f"{name} Hemlig",
            # Tests run in one transaction, where now() stands still: keep the thread's order.
            created_at=func.clock_timestamp(),
        )
    )
    values: dict[str, Any] = {
        "status": status,
        "assignee_staff_id": staff_id,
        "unread_by_citizen": cases.c.unread_by_citizen + 1,
        "version": cases.c.version + 1,
    }
    if form is not None:
        values["form"] = json.loads(json.dumps(form))
    if origin is not None:
        values["origin"] = origin
    await conn.execute(update(cases).where(cases.c.id == case_id).values(**values))
