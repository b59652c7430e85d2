"""Centrally administered case types (web booking, jump-out services)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.case_types import unit_activation_join
from app.db.tables import case_types as ct
from app.db.tables import central_case_types as cct

COLS = (cct.c.id, cct.c.kind, cct.c.name, cct.c.category, cct.c.url, cct.c.created_at)


async def insert_central(conn: AsyncConnection, values: dict[str, Any]) -> dict[str, Any]:
    row = (await conn.execute(insert(cct).values(**values).returning(*COLS))).one()
    return dict(row._mapping)


async def get_central(conn: AsyncConnection, central_id: UUID) -> dict[str, Any] | None:
    row = (await conn.execute(select(*COLS).where(cct.c.id == central_id))).one_or_none()
    return dict(row._mapping) if row else None


async def list_central(
    conn: AsyncConnection, limit: int, after: tuple[str, UUID] | None
) -> list[dict[str, Any]]:
    stmt = select(*COLS).order_by(cct.c.name, cct.c.id).limit(limit)
    if after:
        stmt = stmt.where(tuple_(cct.c.name, cct.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def list_for_unit(
    conn: AsyncConnection, unit_id: UUID, limit: int, after: tuple[str, UUID] | None
) -> list[dict[str, Any]]:
    """Each central case type with this unit's case type for it (null until activated)."""
    stmt = (
        select(*COLS, ct.c.id.label("case_type_id"), ct.c.status.label("case_type_status"))
        .select_from(unit_activation_join(unit_id))
        .order_by(cct.c.name, cct.c.id)
        .limit(limit)
    )
    if after:
        stmt = stmt.where(tuple_(cct.c.name, cct.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def id_by_name(conn: AsyncConnection, name: str) -> UUID | None:
    stmt = select(cct.c.id).where(cct.c.name == name).order_by(cct.c.created_at).limit(1)
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value
