"""Staff and citizens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import and_, case, false, func, not_, null, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import (
    citizens,
    region_role_assignments,
    regions,
    staff,
    unit_role_assignments,
    units,
)
from app.identity.ports import DirectoryPerson, RegisterPerson

STAFF_SETTINGS = (
    "signature",
    "show_name_to_citizens",
    "notify_on_new_case",
    "notify_on_assigned",
    "notification_email",
    "notification_phone",
)


async def upsert_staff_from_directory(conn: AsyncConnection, person: DirectoryPerson) -> UUID:
    """Create the staff row on first sight, or refresh the catalog fields.

    `show_name_to_citizens` defaults from the protected-identity flag when the row is new. When
    the catalog newly flags the person as protected it falls back to false and a custom
    signature (which likely carries the name) to the name-free default: the name must not keep
    reaching citizens. Otherwise both are the person's own choice.
    """
    catalog = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "title": person.title,
        "email": person.email,
        "phone": person.phone,
        "protected_identity": person.protected_identity,
    }
    stmt = insert(staff).values(
        hsa_id=person.hsa_id, show_name_to_citizens=not person.protected_identity, **catalog
    )
    newly_protected = and_(stmt.excluded.protected_identity, not_(staff.c.protected_identity))
    upsert = stmt.on_conflict_do_update(
        index_elements=[staff.c.hsa_id],
        set_={
            **{k: stmt.excluded[k] for k in catalog},
            "show_name_to_citizens": case((newly_protected, false()), else_=staff.c.show_name_to_citizens),
            "signature": case((newly_protected, null()), else_=staff.c.signature),
            "updated_at": func.now(),
        },
    ).returning(staff.c.id)
    staff_id: UUID = (await conn.execute(upsert)).scalar_one()
    return staff_id


async def staff_id_by_hsa(conn: AsyncConnection, hsa_id: str) -> UUID | None:
    return (await conn.execute(select(staff.c.id).where(staff.c.hsa_id == hsa_id))).scalar()


async def staff_profile(conn: AsyncConnection, staff_id: UUID) -> dict[str, Any] | None:
    s = staff
    row = (
        await conn.execute(
            select(
                s.c.id,
                s.c.hsa_id,
                s.c.given_name,
                s.c.family_name,
                s.c.title,
                s.c.email,
                s.c.phone,
                s.c.protected_identity,
                *[s.c[k] for k in STAFF_SETTINGS],
            ).where(s.c.id == staff_id)
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def staff_unit_memberships(conn: AsyncConnection, staff_id: UUID) -> list[dict[str, Any]]:
    u = unit_role_assignments
    stmt = (
        select(
            units.c.id.label("unit_id"),
            units.c.name.label("unit_name"),
            func.array_agg(u.c.role).label("roles"),
        )
        .join(units, units.c.id == u.c.unit_id)
        .where(u.c.staff_id == staff_id)
        .group_by(units.c.id, units.c.name)
        .order_by(units.c.name)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def staff_region_memberships(conn: AsyncConnection, staff_id: UUID) -> list[dict[str, Any]]:
    r = region_role_assignments
    stmt = (
        select(
            regions.c.id.label("region_id"),
            regions.c.name.label("region_name"),
            func.array_agg(r.c.role).label("roles"),
        )
        .join(regions, regions.c.id == r.c.region_id)
        .where(r.c.staff_id == staff_id)
        .group_by(regions.c.id, regions.c.name)
        .order_by(regions.c.name)
    )
    return [dict(row._mapping) for row in (await conn.execute(stmt)).all()]


async def update_staff_settings(conn: AsyncConnection, staff_id: UUID, values: dict[str, Any]) -> None:
    if values:
        await conn.execute(
            update(staff).where(staff.c.id == staff_id).values(**values, updated_at=func.now())
        )


CITIZEN_FIELDS = (
    "personal_number",
    "given_name",
    "family_name",
    "email",
    "phone",
    "notify_by_email",
    "notify_by_sms",
)


async def upsert_citizen(conn: AsyncConnection, person: RegisterPerson) -> UUID:
    register = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "county_code": person.county_code,
        "protected_identity": person.protected_identity,
    }
    stmt = insert(citizens).values(personal_number=person.personal_number, **register)
    upsert = stmt.on_conflict_do_update(
        index_elements=[citizens.c.personal_number],
        set_={**{k: stmt.excluded[k] for k in register}, "updated_at": func.now()},
    ).returning(citizens.c.id)
    citizen_id: UUID = (await conn.execute(upsert)).scalar_one()
    return citizen_id


async def citizen_profile(conn: AsyncConnection, citizen_id: UUID) -> dict[str, Any] | None:
    c = citizens
    row = (
        await conn.execute(
            select(*[c.c[k] for k in CITIZEN_FIELDS], c.c.county_code).where(c.c.id == citizen_id)
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def update_citizen(conn: AsyncConnection, citizen_id: UUID, values: dict[str, Any]) -> None:
    if values:
        await conn.execute(
            update(citizens).where(citizens.c.id == citizen_id).values(**values, updated_at=func.now())
        )
