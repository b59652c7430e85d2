"""A unit's message templates for outbound cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import message_templates as mt

COLS = (
    mt.c.id,
    mt.c.name,
    mt.c.kind,
    mt.c.subject,
    mt.c.body,
    mt.c.questions,
    mt.c.version,
    mt.c.created_at,
    mt.c.updated_at,
)
CONTENT = ("name", "kind", "subject", "body", "questions")


async def insert_template(conn: AsyncConnection, unit_id: UUID, content: dict[str, Any]) -> dict[str, Any]:
    stmt = insert(mt).values(unit_id=unit_id, **{k: content[k] for k in CONTENT}).returning(*COLS)
    return dict((await conn.execute(stmt)).one()._mapping)


async def get_template(
    conn: AsyncConnection, unit_id: UUID, template_id: UUID, *, lock: bool = False
) -> dict[str, Any] | None:
    stmt = select(*COLS).where(mt.c.id == template_id, mt.c.unit_id == unit_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_templates(
    conn: AsyncConnection, unit_id: UUID, limit: int | None = None, after: tuple[str, UUID] | None = None
) -> list[dict[str, Any]]:
    """Keyset page on (name, id); no limit = all (demo data)."""
    stmt = select(*COLS).where(mt.c.unit_id == unit_id).order_by(mt.c.name, mt.c.id).limit(limit)
    if after is not None:
        stmt = stmt.where(tuple_(mt.c.name, mt.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def update_template(
    conn: AsyncConnection, unit_id: UUID, template_id: UUID, content: dict[str, Any]
) -> dict[str, Any]:
    stmt = (
        update(mt)
        .where(mt.c.id == template_id, mt.c.unit_id == unit_id)
        .values(**{k: content[k] for k in CONTENT}, version=mt.c.version + 1, updated_at=func.now())
        .returning(*COLS)
    )
    return dict((await conn.execute(stmt)).one()._mapping)


async def delete_template(conn: AsyncConnection, unit_id: UUID, template_id: UUID) -> bool:
    stmt = delete(mt).where(mt.c.id == template_id, mt.c.unit_id == unit_id).returning(mt.c.id)
    return (await conn.execute(stmt)).first() is not None
