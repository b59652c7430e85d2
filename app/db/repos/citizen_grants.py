"""Citizen grants: a citizen approved to contact a unit, or to use one restricted case type."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types
from app.db.tables import citizen_grants as g

COLS = (g.c.id, g.c.personal_number, g.c.case_type_id, g.c.valid_until, g.c.created_at)


async def case_type_of_unit(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID
) -> dict[str, Any] | None:
    stmt = select(case_types.c.id, case_types.c.restricted).where(
        case_types.c.id == case_type_id, case_types.c.unit_id == unit_id
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def insert_grant(
    conn: AsyncConnection,
    unit_id: UUID,
    personal_number: str,
    case_type_id: UUID | None,
    valid_until: date | None,
    granted_by: UUID | None,
) -> dict[str, Any]:
    stmt = (
        insert(g)
        .values(
            unit_id=unit_id,
            personal_number=personal_number,
            case_type_id=case_type_id,
            valid_until=valid_until,
            granted_by=granted_by,
        )
        .returning(*COLS)
    )
    return dict((await conn.execute(stmt)).one()._mapping)


async def list_grants(
    conn: AsyncConnection,
    unit_id: UUID,
    personal_number: str | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> list[dict[str, Any]]:
    """Newest first; keyset on (created_at, id)."""
    stmt = select(*COLS).where(g.c.unit_id == unit_id).order_by(g.c.created_at.desc(), g.c.id.desc())
    if personal_number is not None:
        stmt = stmt.where(g.c.personal_number == personal_number)
    if after is not None:
        # tuple_: a Python tuple of columns would compare element-wise in Python and drop the id.
        stmt = stmt.where(tuple_(g.c.created_at, g.c.id) < tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt.limit(limit))).all()]


async def delete_grants(conn: AsyncConnection, unit_id: UUID, ids: list[UUID]) -> list[dict[str, Any]]:
    """Deletes those of `ids` that belong to the unit and returns them (for the audit log).
    Ids of other units are left alone."""
    if not ids:
        return []
    stmt = (
        delete(g)
        .where(g.c.unit_id == unit_id, g.c.id.in_(ids))
        .returning(g.c.id, g.c.personal_number, g.c.case_type_id, g.c.valid_until)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]
