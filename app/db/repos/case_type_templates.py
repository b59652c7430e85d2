"""A region's case-type templates, always scoped to the region."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_type_templates as tpl
from app.db.tables import units

COLS = (
    tpl.c.id,
    tpl.c.region_id,
    tpl.c.name,
    tpl.c.category,
    tpl.c.description,
    tpl.c.terms_text,
    tpl.c.questions,
    tpl.c.answer_templates,
    tpl.c.citizen_attachments_allowed,
    tpl.c.restricted,
    tpl.c.version,
    tpl.c.created_at,
    tpl.c.updated_at,
)


async def insert_template(conn: AsyncConnection, region_id: UUID, values: dict[str, Any]) -> UUID:
    new_id: UUID = (
        await conn.execute(insert(tpl).values(region_id=region_id, **values).returning(tpl.c.id))
    ).scalar_one()
    return new_id


async def get_template(
    conn: AsyncConnection, region_id: UUID, template_id: UUID, *, for_update: bool = False
) -> dict[str, Any] | None:
    stmt = select(*COLS).where(tpl.c.id == template_id, tpl.c.region_id == region_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_templates(
    conn: AsyncConnection, region_id: UUID, limit: int, after: tuple[str, UUID] | None
) -> list[dict[str, Any]]:
    stmt = select(*COLS).where(tpl.c.region_id == region_id).order_by(tpl.c.name, tpl.c.id).limit(limit)
    if after:
        stmt = stmt.where(tuple_(tpl.c.name, tpl.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def update_template(
    conn: AsyncConnection, region_id: UUID, template_id: UUID, values: dict[str, Any]
) -> None:
    await conn.execute(
        update(tpl)
        .where(tpl.c.id == template_id, tpl.c.region_id == region_id)
        .values(**values, version=tpl.c.version + 1, updated_at=func.now())
    )


async def delete_template(conn: AsyncConnection, region_id: UUID, template_id: UUID) -> None:
    # Copies keep their content; their template_id becomes null (ON DELETE SET NULL).
    await conn.execute(delete(tpl).where(tpl.c.id == template_id, tpl.c.region_id == region_id))


async def unit_region(conn: AsyncConnection, unit_id: UUID) -> UUID | None:
    value: UUID | None = (await conn.execute(select(units.c.region_id).where(units.c.id == unit_id))).scalar()
    return value


async def units_in_region(conn: AsyncConnection, region_id: UUID, unit_ids: list[UUID]) -> list[UUID]:
    """Which of these units (the actor's) belong to the region."""
    if not unit_ids:
        return []
    stmt = select(units.c.id).where(units.c.region_id == region_id, units.c.id.in_(unit_ids))
    return list((await conn.execute(stmt)).scalars().all())


async def id_by_name(conn: AsyncConnection, region_id: UUID, name: str) -> UUID | None:
    stmt = select(tpl.c.id).where(tpl.c.region_id == region_id, tpl.c.name == name).limit(1)
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value
