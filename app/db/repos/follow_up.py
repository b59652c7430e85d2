"""Follow-up of a unit's open cases: two statements, both on the partial index
ix_cases_unit_open_due (unit_id, due_at) WHERE status <> 'closed'.

Closed cases are the bulk of a unit's history; touching only open ones keeps the counts cheap
however old the unit is. The overdue page's statement also writes its PDL event (list_audit.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import list_audit
from app.db.tables import cases, groups, staff
from app.domain.audit import AuditAction

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
            # Not served: whom the page's PDL event names (list_audit.py reads them by key).
            c.c.citizen_id,
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


def audited_overdue_statement(
    unit_id: UUID,
    now: datetime,
    after: tuple[datetime, UUID] | None,
    limit: int,
    viewer: tuple[UUID, str],
) -> Select[Any]:
    """The overdue page (limit + 1 rows) and, in the same statement, its PDL event for `viewer`
    (staff id, HSA-id) naming the citizens of the `limit` cases shown."""
    return list_audit.audited_page(
        overdue_statement(unit_id, now, after, limit + 1),
        lambda rows: (rows.c.due_at, rows.c.id),
        action=AuditAction.FOLLOW_UP_READ,
        staff_id=literal(viewer[0], staff.c.id.type),
        staff_hsa_id=literal(viewer[1], staff.c.hsa_id.type),
        unit_id=literal(unit_id, c.c.unit_id.type),
        shown=limit,
    )


async def open_counts(conn: AsyncConnection, unit_id: UUID, now: datetime) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await conn.execute(counts_statement(unit_id, now))]


async def overdue_cases(
    conn: AsyncConnection,
    unit_id: UUID,
    now: datetime,
    after: tuple[datetime, UUID] | None,
    limit: int,
    viewer: tuple[UUID, str],
) -> list[dict[str, Any]]:
    """Up to limit + 1 rows (the extra one says "more"); the page is PDL-logged for `viewer`."""
    stmt = audited_overdue_statement(unit_id, now, after, limit, viewer)
    return [dict(r._mapping) for r in await conn.execute(stmt)]
