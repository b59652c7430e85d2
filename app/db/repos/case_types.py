"""A unit's case types. Every query is scoped to the unit, so another unit's id is simply not
found. Central case types are joined in for their kind and URL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, exists, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types as ct
from app.db.tables import cases, central_case_types

CONTENT_COLS = (
    ct.c.name,
    ct.c.category,
    ct.c.description,
    ct.c.terms_text,
    ct.c.questions,
    ct.c.answer_templates,
    ct.c.citizen_attachments_allowed,
    ct.c.restricted,
)
VIEW_COLS = (
    ct.c.id,
    ct.c.unit_id,
    *CONTENT_COLS,
    ct.c.status,
    ct.c.origin,
    ct.c.template_id,
    ct.c.central_case_type_id,
    central_case_types.c.kind.label("central_kind"),
    central_case_types.c.url.label("central_url"),
    ct.c.version,
    ct.c.created_at,
    ct.c.updated_at,
)
_FROM = ct.outerjoin(central_case_types, central_case_types.c.id == ct.c.central_case_type_id)


async def insert_case_type(conn: AsyncConnection, unit_id: UUID, values: dict[str, Any]) -> UUID:
    new_id: UUID = (
        await conn.execute(insert(ct).values(unit_id=unit_id, **values).returning(ct.c.id))
    ).scalar_one()
    return new_id


async def insert_central_activation(
    conn: AsyncConnection, unit_id: UUID, values: dict[str, Any]
) -> UUID | None:
    """None when the unit already has this central case type (the partial unique index)."""
    stmt = (
        insert(ct)
        .values(unit_id=unit_id, **values)
        .on_conflict_do_nothing(
            index_elements=[ct.c.unit_id, ct.c.central_case_type_id],
            index_where=ct.c.central_case_type_id.isnot(None),
        )
        .returning(ct.c.id)
    )
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value


async def get_case_type(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, *, for_update: bool = False
) -> dict[str, Any] | None:
    stmt = select(*VIEW_COLS).select_from(_FROM).where(ct.c.id == case_type_id, ct.c.unit_id == unit_id)
    if for_update:
        # Locks out a concurrent edit, and a case being created with this type until we commit.
        stmt = stmt.with_for_update(of=ct)
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def list_case_types(
    conn: AsyncConnection,
    unit_id: UUID,
    limit: int,
    after: tuple[str, UUID] | None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    stmt = (
        select(*VIEW_COLS)
        .select_from(_FROM)
        .where(ct.c.unit_id == unit_id)
        .order_by(ct.c.name, ct.c.id)
        .limit(limit)
    )
    if after:
        stmt = stmt.where(tuple_(ct.c.name, ct.c.id) > tuple_(*after))
    if status:
        stmt = stmt.where(ct.c.status == status)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def update_case_type(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, values: dict[str, Any]
) -> None:
    """Every change bumps the version (the ETag) and updated_at."""
    await conn.execute(
        update(ct)
        .where(ct.c.id == case_type_id, ct.c.unit_id == unit_id)
        .values(**values, version=ct.c.version + 1, updated_at=func.now())
    )


async def delete_case_type(conn: AsyncConnection, unit_id: UUID, case_type_id: UUID) -> None:
    await conn.execute(delete(ct).where(ct.c.id == case_type_id, ct.c.unit_id == unit_id))


async def case_type_in_use(conn: AsyncConnection, case_type_id: UUID) -> bool:
    stmt = select(exists().where(cases.c.case_type_id == case_type_id))
    return bool((await conn.execute(stmt)).scalar())


async def id_by_name(conn: AsyncConnection, unit_id: UUID, name: str) -> UUID | None:
    """Demo data is loaded idempotently by name."""
    stmt = select(ct.c.id).where(ct.c.unit_id == unit_id, ct.c.name == name).order_by(ct.c.created_at)
    value: UUID | None = (await conn.execute(stmt.limit(1))).scalar()
    return value


async def id_for_central(conn: AsyncConnection, unit_id: UUID, central_id: UUID) -> UUID | None:
    stmt = select(ct.c.id).where(ct.c.unit_id == unit_id, ct.c.central_case_type_id == central_id)
    value: UUID | None = (await conn.execute(stmt)).scalar()
    return value


def unit_activation_join(unit_id: UUID) -> Any:
    """central_case_types LEFT JOIN this unit's activation of each (for the unit's list)."""
    return central_case_types.outerjoin(
        ct, and_(ct.c.central_case_type_id == central_case_types.c.id, ct.c.unit_id == unit_id)
    )
