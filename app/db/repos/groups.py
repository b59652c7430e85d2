"""Groups of case handlers at a unit and their members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import cases, group_members, groups, staff, unit_role_assignments

GROUP_COLS = (groups.c.id, groups.c.name, groups.c.created_at)
MEMBER_COLS = (staff.c.id, staff.c.hsa_id, staff.c.given_name, staff.c.family_name, staff.c.title)


async def insert_group(conn: AsyncConnection, unit_id: UUID, name: str) -> dict[str, Any] | None:
    """None when the unit already has a group with this name."""
    stmt = (
        pg_insert(groups)
        .values(unit_id=unit_id, name=name)
        .on_conflict_do_nothing(constraint="uq_groups_unit_name")
        .returning(*GROUP_COLS)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def rename_group(conn: AsyncConnection, unit_id: UUID, group_id: UUID, name: str) -> bool:
    """False when the name is taken. A savepoint keeps the request's transaction usable."""
    try:
        async with conn.begin_nested():
            await conn.execute(
                update(groups).where(groups.c.id == group_id, groups.c.unit_id == unit_id).values(name=name)
            )
    except IntegrityError:
        return False
    return True


async def get_group(
    conn: AsyncConnection, unit_id: UUID, group_id: UUID, *, lock: bool = False
) -> dict[str, Any] | None:
    stmt = select(*GROUP_COLS).where(groups.c.id == group_id, groups.c.unit_id == unit_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_groups(
    conn: AsyncConnection, unit_id: UUID, limit: int | None = None, after: tuple[str, UUID] | None = None
) -> list[dict[str, Any]]:
    """Keyset page on (name, id); no limit = all (demo data)."""
    stmt = (
        select(*GROUP_COLS)
        .where(groups.c.unit_id == unit_id)
        .order_by(groups.c.name, groups.c.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(groups.c.name, groups.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def members_of(conn: AsyncConnection, group_ids: Iterable[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    ids = list(group_ids)
    out: dict[UUID, list[dict[str, Any]]] = {gid: [] for gid in ids}
    if not ids:
        return out
    stmt = (
        select(group_members.c.group_id, *MEMBER_COLS)
        .join(staff, staff.c.id == group_members.c.staff_id)
        .where(group_members.c.group_id.in_(ids))
        .order_by(staff.c.family_name, staff.c.given_name, staff.c.id)
    )
    for row in (await conn.execute(stmt)).all():
        member = dict(row._mapping)
        out[member.pop("group_id")].append(member)
    return out


async def replace_members(conn: AsyncConnection, group_id: UUID, staff_ids: list[UUID]) -> None:
    await conn.execute(delete(group_members).where(group_members.c.group_id == group_id))
    if staff_ids:
        await conn.execute(
            insert(group_members), [{"group_id": group_id, "staff_id": sid} for sid in staff_ids]
        )


async def handlers_among(conn: AsyncConnection, unit_id: UUID, staff_ids: list[UUID]) -> set[UUID]:
    """Those of `staff_ids` who hold case_handler at the unit.

    FOR SHARE: a concurrent revocation of the role waits for this transaction, and its clean-up
    of the unit's groups then sees the members added here.
    """
    if not staff_ids:
        return set()
    u = unit_role_assignments
    stmt = (
        select(u.c.staff_id)
        .where(u.c.unit_id == unit_id, u.c.role == "case_handler", u.c.staff_id.in_(staff_ids))
        .with_for_update(read=True)
    )
    return set((await conn.execute(stmt)).scalars().all())


async def open_case_count(conn: AsyncConnection, group_id: UUID) -> int:
    stmt = select(func.count()).where(cases.c.assignee_group_id == group_id, cases.c.status != "closed")
    return int((await conn.execute(stmt)).scalar_one())


async def delete_group(conn: AsyncConnection, unit_id: UUID, group_id: UUID) -> None:
    await conn.execute(delete(groups).where(groups.c.id == group_id, groups.c.unit_id == unit_id))
