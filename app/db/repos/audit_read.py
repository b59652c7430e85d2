"""Reading the PDL log: the reviewer's filtered list and export, and the citizen's own extract.

The statements are built by plain functions so tests can compile and EXPLAIN exactly what runs.
Lists are keyset-paginated on (occurred_at DESC, id DESC), served by ix_audit_events_unit_time
for a unit, and for a citizen by ix_audit_events_pnr_time and (list pages that showed them)
the GIN index ix_audit_events_shown_pnrs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from app.db.tables import audit_events, cases, staff, units
from app.domain.audit import AuditOutcome

a = audit_events

EVENT_COLS = (
    a.c.id,
    a.c.occurred_at,
    a.c.staff_hsa_id,
    a.c.staff_id,
    staff.c.given_name.label("staff_given_name"),
    staff.c.family_name.label("staff_family_name"),
    a.c.unit_hsa_id,
    a.c.personal_number,
    a.c.action,
    a.c.case_id,
    cases.c.reference.label("case_reference"),
    a.c.outcome,
    a.c.detail,
    a.c.personal_numbers,
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    personal_number: str | None = None
    staff_hsa_id: str | None = None
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    outcome: str | None = None


def about(personal_number: str) -> ColumnElement[bool]:
    """Events about a citizen: those naming them (`personal_number`, btree
    ix_audit_events_pnr_time) and the list pages that showed them (`personal_numbers`, GIN
    ix_audit_events_shown_pnrs); PostgreSQL combines both indexes in one bitmap scan."""
    return or_(a.c.personal_number == personal_number, a.c.personal_numbers.contains([personal_number]))


def unit_events_statement(
    unit_id: UUID, f: AuditFilter, after: tuple[datetime, int] | None, limit: int | None
) -> Select[Any]:
    stmt = (
        select(*EVENT_COLS)
        .select_from(
            a.outerjoin(staff, staff.c.id == a.c.staff_id).outerjoin(cases, cases.c.id == a.c.case_id)
        )
        .where(a.c.unit_id == unit_id)
        .order_by(a.c.occurred_at.desc(), a.c.id.desc())
    )
    if f.personal_number is not None:
        stmt = stmt.where(about(f.personal_number))
    if f.staff_hsa_id is not None:
        stmt = stmt.where(a.c.staff_hsa_id == f.staff_hsa_id)
    if f.action is not None:
        stmt = stmt.where(a.c.action == f.action)
    if f.outcome is not None:
        stmt = stmt.where(a.c.outcome == f.outcome)
    if f.since is not None:
        stmt = stmt.where(a.c.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(a.c.occurred_at < f.until)
    if after is not None:
        stmt = stmt.where(tuple_(a.c.occurred_at, a.c.id) < tuple_(*after))
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


async def list_unit_events(
    conn: AsyncConnection, unit_id: UUID, f: AuditFilter, after: tuple[datetime, int] | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.execute(unit_events_statement(unit_id, f, after, limit))
    return [dict(r._mapping) for r in rows]


async def stream_unit_events(
    conn: AsyncConnection, unit_id: UUID, f: AuditFilter, limit: int
) -> AsyncIterator[dict[str, Any]]:
    """Server-side cursor: an export never holds all rows as Python objects at once."""
    result = await conn.stream(
        unit_events_statement(unit_id, f, None, limit).execution_options(yield_per=2000)
    )
    async for row in result:
        yield dict(row._mapping)


def citizen_events_statement(
    personal_number: str, after: tuple[datetime, int] | None, limit: int
) -> Select[Any]:
    stmt = (
        select(
            a.c.id,
            a.c.occurred_at,
            a.c.action,
            a.c.unit_id,
            units.c.name.label("unit_name"),
            staff.c.given_name.label("staff_given_name"),
            staff.c.family_name.label("staff_family_name"),
            staff.c.title.label("staff_title"),
            staff.c.show_name_to_citizens,
            staff.c.protected_identity,
        )
        .select_from(a.join(units, units.c.id == a.c.unit_id).outerjoin(staff, staff.c.id == a.c.staff_id))
        # A denied attempt read nothing of the citizen's: the extract lists accesses to their
        # data; refusals are for the unit's reviewer (outcome filter of the unit's log).
        .where(about(personal_number), a.c.outcome != AuditOutcome.DENIED.value)
        .order_by(a.c.occurred_at.desc(), a.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(a.c.occurred_at, a.c.id) < tuple_(*after))
    return stmt


async def list_citizen_events(
    conn: AsyncConnection, personal_number: str, after: tuple[datetime, int] | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.execute(citizen_events_statement(personal_number, after, limit))
    return [dict(r._mapping) for r in rows]


async def unit_hsa_id(conn: AsyncConnection, unit_id: UUID) -> str | None:
    value: str | None = (await conn.execute(select(units.c.hsa_id).where(units.c.id == unit_id))).scalar()
    return value
