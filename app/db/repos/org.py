"""Regions, units and role assignments."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import (
    group_members,
    groups,
    region_role_assignments,
    regions,
    staff,
    unit_role_assignments,
    units,
)

REGION_COLS = (regions.c.id, regions.c.name, regions.c.county_code, regions.c.hsa_id, regions.c.created_at)
UNIT_SETTING_COLS = (
    units.c.service_area_scope,
    units.c.service_area_counties,
    units.c.notification_emails,
    units.c.citizen_reminder_after_days,
    units.c.provider_reminder_enabled,
)
UNIT_COLS = (units.c.id, units.c.hsa_id, units.c.name, units.c.region_id, units.c.created_at)


async def insert_region(
    conn: AsyncConnection, name: str, county_code: str, hsa_id: str
) -> dict[str, Any] | None:
    """None when the HSA-id is taken (the caller turns that into 409)."""
    stmt = (
        insert(regions)
        .values(name=name, county_code=county_code, hsa_id=hsa_id)
        .on_conflict_do_nothing(index_elements=[regions.c.hsa_id])
        .returning(*REGION_COLS)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_regions(
    conn: AsyncConnection, limit: int, after: tuple[str, UUID] | None
) -> list[dict[str, Any]]:
    stmt = select(*REGION_COLS).order_by(regions.c.name, regions.c.id).limit(limit)
    if after:
        stmt = stmt.where(tuple_(regions.c.name, regions.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def region_exists(conn: AsyncConnection, region_id: UUID) -> bool:
    return (await conn.execute(select(regions.c.id).where(regions.c.id == region_id))).first() is not None


async def insert_unit(
    conn: AsyncConnection, hsa_id: str, name: str, name_search: str, region_id: UUID
) -> dict[str, Any] | None:
    stmt = (
        insert(units)
        .values(hsa_id=hsa_id, name=name, name_search=name_search, region_id=region_id)
        .on_conflict_do_nothing(index_elements=[units.c.hsa_id])
        .returning(*UNIT_COLS)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_units(
    conn: AsyncConnection, limit: int, after: tuple[str, UUID] | None, region_id: UUID | None
) -> list[dict[str, Any]]:
    stmt = select(*UNIT_COLS).order_by(units.c.name, units.c.id).limit(limit)
    if after:
        stmt = stmt.where(tuple_(units.c.name, units.c.id) > tuple_(*after))
    if region_id:
        stmt = stmt.where(units.c.region_id == region_id)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def get_unit(conn: AsyncConnection, unit_id: UUID) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(*UNIT_COLS, *UNIT_SETTING_COLS).where(units.c.id == unit_id))
    ).one_or_none()
    return dict(row._mapping) if row else None


ASSIGNMENT_COLS = (
    unit_role_assignments.c.id,
    unit_role_assignments.c.staff_id,
    staff.c.hsa_id,
    unit_role_assignments.c.role,
    unit_role_assignments.c.created_at,
)


async def insert_unit_role(
    conn: AsyncConnection, unit_id: UUID, staff_id: UUID, role: str, granted_by: UUID
) -> UUID | None:
    stmt = (
        insert(unit_role_assignments)
        .values(unit_id=unit_id, staff_id=staff_id, role=role, granted_by=granted_by)
        .on_conflict_do_nothing(constraint="uq_unit_role")
        .returning(unit_role_assignments.c.id)
    )
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value


async def get_unit_role(conn: AsyncConnection, unit_id: UUID, assignment_id: UUID) -> dict[str, Any] | None:
    u = unit_role_assignments
    row = (
        await conn.execute(
            select(*ASSIGNMENT_COLS)
            .join(staff, staff.c.id == u.c.staff_id)
            .where(u.c.id == assignment_id, u.c.unit_id == unit_id)
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def list_unit_roles(
    conn: AsyncConnection, unit_id: UUID, limit: int, after: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
    """Keyset page on (hsa_id, role), unique at a unit."""
    u = unit_role_assignments
    stmt = (
        select(*ASSIGNMENT_COLS)
        .join(staff, staff.c.id == u.c.staff_id)
        .where(u.c.unit_id == unit_id)
        .order_by(staff.c.hsa_id, u.c.role)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(staff.c.hsa_id, u.c.role) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def lock_unit_role_holders(conn: AsyncConnection, unit_id: UUID, role: str) -> list[UUID]:
    """The ids of the unit's assignments of `role`, locked until the transaction ends (in id
    order, so two transactions locking the same rows never deadlock). A concurrent removal
    waits here and then sees the rows as they are after the first one committed."""
    u = unit_role_assignments
    rows = await conn.execute(
        select(u.c.id).where(u.c.unit_id == unit_id, u.c.role == role).order_by(u.c.id).with_for_update()
    )
    return [r[0] for r in rows]


async def delete_unit_role(conn: AsyncConnection, unit_id: UUID, assignment_id: UUID) -> None:
    u = unit_role_assignments
    await conn.execute(delete(u).where(u.c.id == assignment_id, u.c.unit_id == unit_id))


async def remove_from_unit_groups(conn: AsyncConnection, unit_id: UUID, staff_id: UUID) -> None:
    """A person who is no longer a handler at the unit leaves its groups."""
    unit_groups = select(groups.c.id).where(groups.c.unit_id == unit_id)
    await conn.execute(
        delete(group_members).where(
            group_members.c.staff_id == staff_id, group_members.c.group_id.in_(unit_groups)
        )
    )


async def unit_staff(
    conn: AsyncConnection, unit_id: UUID, limit: int, after: tuple[str, str, UUID] | None = None
) -> list[dict[str, Any]]:
    """Keyset page on (family_name, given_name, id)."""
    from sqlalchemy import func

    u = unit_role_assignments
    stmt = (
        select(
            staff.c.id,
            staff.c.hsa_id,
            staff.c.given_name,
            staff.c.family_name,
            staff.c.title,
            func.array_agg(u.c.role).label("roles"),
        )
        .join(u, u.c.staff_id == staff.c.id)
        .where(u.c.unit_id == unit_id)
        .group_by(staff.c.id)
        .order_by(staff.c.family_name, staff.c.given_name, staff.c.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(staff.c.family_name, staff.c.given_name, staff.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


REGION_ASSIGNMENT_COLS = (
    region_role_assignments.c.id,
    region_role_assignments.c.staff_id,
    staff.c.hsa_id,
    region_role_assignments.c.role,
    region_role_assignments.c.created_at,
)


async def insert_region_role(
    conn: AsyncConnection, region_id: UUID, staff_id: UUID, role: str
) -> UUID | None:
    stmt = (
        insert(region_role_assignments)
        .values(region_id=region_id, staff_id=staff_id, role=role)
        .on_conflict_do_nothing(constraint="uq_region_role")
        .returning(region_role_assignments.c.id)
    )
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value


async def list_region_roles(
    conn: AsyncConnection, region_id: UUID, limit: int, after: tuple[str, UUID] | None = None
) -> list[dict[str, Any]]:
    """Keyset page on (hsa_id, id)."""
    r = region_role_assignments
    stmt = (
        select(*REGION_ASSIGNMENT_COLS)
        .join(staff, staff.c.id == r.c.staff_id)
        .where(r.c.region_id == region_id)
        .order_by(staff.c.hsa_id, r.c.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(staff.c.hsa_id, r.c.id) > tuple_(*after))
    return [dict(row._mapping) for row in (await conn.execute(stmt)).all()]


async def get_region_role(
    conn: AsyncConnection, region_id: UUID, assignment_id: UUID
) -> dict[str, Any] | None:
    r = region_role_assignments
    row = (
        await conn.execute(
            select(*REGION_ASSIGNMENT_COLS)
            .join(staff, staff.c.id == r.c.staff_id)
            .where(r.c.id == assignment_id, r.c.region_id == region_id)
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def delete_region_role(conn: AsyncConnection, region_id: UUID, assignment_id: UUID) -> None:
    r = region_role_assignments
    await conn.execute(delete(r).where(r.c.id == assignment_id, r.c.region_id == region_id))
