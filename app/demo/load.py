"""`load_demo`: the whole demo in one transaction, idempotent, so a second `make run` finds what
the first left.

The order is the dependency order: the organisation and the people of `identities` first, then
the case types (`catalog`), the units' own settings, groups and grants (`unit_admin`), and last
an inbox of cases (`cases`) and two outbound sends (`outbound`), made through the same services
the API uses. Each step takes the ids the earlier ones returned, so no demo module imports
another's loader.

Before any of it, the same transaction claims the database for the demo (repos/demo_marker.py):
only an empty database or one the demo marked before is written to, and the claim's lock holds
until the load commits, so two loaders never both find the database empty.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import build_services
from app.db.engine import Database, create_engine
from app.db.repos import org, people
from app.db.repos.demo_marker import claim_for_demo
from app.db.tables import directory_entries, regions, units
from app.demo import cases, catalog, outbound, unit_admin
from app.demo.identities import CITIZENS, REGION, STAFF, UNITS
from app.domain.text import search_key
from app.identity.ports import DirectoryPerson
from app.services import identity
from app.services.rate_limits import RateLimits


class DemoRefused(Exception):
    """The database holds data the demo did not write: nothing was loaded."""


async def load_demo(database_url: str, settings: Settings) -> dict[str, Any]:
    db = Database(create_engine(database_url, pool_size=1, max_overflow=0))
    svc = build_services(settings, db)
    ids: dict[str, Any] = {}
    try:
        async with db.transaction() as conn:
            refusal = await claim_for_demo(conn)
            if refusal:
                raise DemoRefused(refusal)
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
            ids.update(await _extend(conn, ids, svc.limits))
    finally:
        await db.dispose()
    return ids


async def _upsert_returning_id(conn: AsyncConnection, table: Any, values: dict[str, Any]) -> UUID:
    await conn.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=[table.c.hsa_id]))
    row_id: UUID = (
        await conn.execute(select(table.c.id).where(table.c.hsa_id == values["hsa_id"]))
    ).scalar_one()
    return row_id


def _as_dict(person: DirectoryPerson) -> dict[str, Any]:
    return {f: getattr(person, f) for f in DirectoryPerson.__slots__}


async def _extend(conn: AsyncConnection, ids: dict[str, Any], limits: RateLimits) -> dict[str, Any]:
    """Case types, unit administration and cases, each given the ids made before it."""
    added: dict[str, Any] = {}
    added.update(await catalog.load(conn, {**ids, **added}))
    added.update(await unit_admin.load(conn, {**ids, **added}))
    added.update(await cases.load(conn, {**ids, **added}))
    added.update(await outbound.load(conn, {**ids, **added}, limits))
    return added
