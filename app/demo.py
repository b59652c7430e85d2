"""Demo data for `make run`: idempotent, so a second run finds what the first left.

The identities here are the ones the README lists for logging in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.db.engine import Database, create_engine
from app.db.tables import directory_entries, regions, units
from app.domain.text import search_key
from app.identity.ports import DirectoryPerson
from app.services.container import build_services

SYSTEM_ADMIN = "SE2321000131-S000000000001"
REGION = {"name": "Västra Götalandsregionen", "county_code": "14", "hsa_id": "SE2321000131-R000000000001"}
UNITS = {
    "north": {"name": "Vårdcentralen Norrmalm", "hsa_id": "SE2321000131-U000000000001"},
    "south": {"name": "Hudmottagningen Söder", "hsa_id": "SE2321000131-U000000000002"},
}


@dataclass(frozen=True)
class DemoStaff:
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    roles: dict[str, tuple[str, ...]]  # unit key -> roles
    protected: bool = False
    regional_admin: bool = False


STAFF = [
    DemoStaff(
        "SE2321000131-P000000000001", "Karin", "Mottagare", "Undersköterska", {"north": ("case_receiver",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000002", "Hans", "Handläggare", "Sjuksköterska", {"north": ("case_handler",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000003",
        "Rita",
        "Receptionist",
        "Distriktssköterska",
        {"north": ("case_receiver", "case_handler")},
    ),
    DemoStaff(
        "SE2321000131-P000000000004",
        "Lars",
        "Lokaladmin",
        "Verksamhetschef",
        {"north": ("local_admin",), "south": ("local_admin",)},
    ),
    DemoStaff(
        "SE2321000131-P000000000005", "Petra", "Behörighet", "Administratör", {"north": ("permission_admin",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000006",
        "Greta",
        "Granskare",
        "Informationssäkerhetssamordnare",
        {"north": ("reviewer",)},
    ),
    DemoStaff(
        "SE2321000131-P000000000007",
        "Sara",
        "Skyddad",
        "Läkare",
        {"north": ("case_handler",)},
        protected=True,
    ),
    DemoStaff(
        "SE2321000131-P000000000008",
        "Rolf",
        "Regionsson",
        "Regional e-tjänstesamordnare",
        {},
        regional_admin=True,
    ),
    DemoStaff(
        "SE2321000131-P000000000009",
        "Hedvig",
        "Hudläkare",
        "Specialistläkare",
        {"south": ("case_receiver", "case_handler")},
    ),
]

CITIZENS: list[dict[str, Any]] = [
    {
        "personal_number": "191212121212",
        "given_name": "Tolvan",
        "family_name": "Tolvansson",
        "county_code": "14",
    },
    {"personal_number": "199001012385", "given_name": "Maja", "family_name": "Svensson", "county_code": "14"},
    {"personal_number": "198504123459", "given_name": "Omar", "family_name": "Hassan", "county_code": "01"},
    {
        "personal_number": "197203034561",
        "given_name": "Eva",
        "family_name": "Lind",
        "county_code": "12",
        "protected_identity": True,
    },
]


async def _upsert_returning_id(conn: AsyncConnection, table: Any, values: dict[str, Any]) -> UUID:
    await conn.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=[table.c.hsa_id]))
    row_id: UUID = (
        await conn.execute(select(table.c.id).where(table.c.hsa_id == values["hsa_id"]))
    ).scalar_one()
    return row_id


async def load_demo(database_url: str, settings: Settings) -> dict[str, Any]:
    from app.db.repos import org, people
    from app.services import identity

    db = Database(create_engine(database_url, pool_size=1, max_overflow=0))
    svc = build_services(settings, db)
    ids: dict[str, Any] = {}
    try:
        async with db.transaction() as conn:
            region_id = await _upsert_returning_id(conn, regions, REGION)
            ids["region"] = region_id
            for key, unit in UNITS.items():
                ids[key] = await _upsert_returning_id(
                    conn,
                    units,
                    {
                        **unit,
                        "name_search": search_key(unit["name"]),
                        "region_id": region_id,
                        "service_area_scope": "national",
                    },
                )
            for s in STAFF:
                person = DirectoryPerson(
                    s.hsa_id,
                    s.given_name,
                    s.family_name,
                    s.title,
                    f"{s.given_name.lower()}@demo.careinbox.se",
                    "+46701234567",
                    s.protected,
                )
                await conn.execute(
                    insert(directory_entries).values(**_as_dict(person)).on_conflict_do_nothing()
                )
                staff_id = await people.upsert_staff_from_directory(conn, person)
                for unit_key, roles in s.roles.items():
                    for role in roles:
                        await org.insert_unit_role(conn, ids[unit_key], staff_id, role, staff_id)
                if s.regional_admin:
                    await org.insert_region_role(conn, region_id, staff_id, "regional_admin")
            for c in CITIZENS:
                await identity.citizen_login(conn, svc, dict(c))
            ids.update(await _extend(conn, ids))
    finally:
        await db.dispose()
    return ids


def _as_dict(person: DirectoryPerson) -> dict[str, Any]:
    return {f: getattr(person, f) for f in DirectoryPerson.__slots__}


async def _extend(conn: AsyncConnection, ids: dict[str, Any]) -> dict[str, Any]:
    """Later features (case types, cases) add their demo data here."""
    from app import demo_catalog, demo_unit_admin

    added: dict[str, Any] = {}
    added.update(await demo_catalog.load(conn, {**ids, **added}))
    added.update(await demo_unit_admin.load(conn, {**ids, **added}))
    from app import demo_cases

    added.update(await demo_cases.load(conn, {**ids, **added}))
    from app import demo_outbound

    added.update(await demo_outbound.load(conn, {**ids, **added}))
    return added
