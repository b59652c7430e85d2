"""Follow-up of a unit's open cases: two statements, both on the partial index
ix_cases_unit_open_due (unit_id, due_at) WHERE status <> 'closed'.

Closed cases are the bulk of a unit's history; touching only open ones keeps the counts cheap
however old the unit is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import cases, groups, staff

c = cases
_OPEN = c.c.status != "closed"


def counts_statement(unit_id: UUID, now: datetime) -> Select[Any]:
    """One row per (status, assignee) among open cases, with names, and the overdue count."""
    grouped = (
        select(
            c.c.status,
            c.c.assignee_staff_id,
            c.c.assignee_group_id,
            func.count().label("n"),
            func.count().filter(c.c.due_at < now).label("overdue"),
        )
        .where(c.c.unit_id == unit_id, _OPEN)
        .group_by(c.c.status, c.c.assignee_staff_id, c.c.assignee_group_id)
        .subquery("g")
    )
    return select(
        grouped,
        staff.c.given_name,
        staff.c.family_name,
        groups.c.name.label("group_name"),
    ).select_from(
        grouped.outerjoin(staff, staff.c.id == grouped.c.assignee_staff_id).outerjoin(
            groups, groups.c.id == grouped.c.assignee_group_id
        )
    )


def overdue_statement(
    unit_id: UUID, now: datetime, after: tuple[datetime, UUID] | None, limit: int
) -> Select[Any]:
    stmt = (
        select(
            c.c.id,
            c.c.reference,
            c.c.status,
            c.c.subject,
            c.c.due_at,
            c.c.assignee_staff_id,
            c.c.assignee_group_id,
            staff.c.given_name,
            staff.c.family_name,
            groups.c.name.label("group_name"),
        )
        .select_from(
            c.outerjoin(staff, staff.c.id == c.c.assignee_staff_id).outerjoin(
                groups, groups.c.id == c.c.assignee_group_id
            )
        )
        .where(and_(c.c.unit_id == unit_id, _OPEN, c.c.due_at < now))
        .order_by(c.c.due_at, c.c.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(c.c.due_at, c.c.id) > tuple_(*after))
    return stmt


async def open_counts(conn: AsyncConnection, unit_id: UUID, now: datetime) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await conn.execute(counts_statement(unit_id, now))]


async def overdue_cases(
    conn: AsyncConnection, unit_id: UUID, now: datetime, after: tuple[datetime, UUID] | None, limit: int
) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await conn.execute(overdue_statement(unit_id, now, after, limit))]
