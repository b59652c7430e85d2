"""The PDL log: one append-only row per staff access to a citizen's data.

Written in the same transaction as the access it records; the table refuses UPDATE and DELETE
(trigger in the initial migration). A refused access is the exception: it is written after the
request's transaction rolled back, in one of its own (app/services/denied_access.py).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import case_reach
from app.db.tables import audit_events, cases, citizens, units
from app.domain.audit import AuditOutcome, DenialReason, DeniedAccess


async def record(
    conn: AsyncConnection,
    *,
    staff_id: UUID,
    staff_hsa_id: str,
    unit_id: UUID,
    action: str,
    unit_hsa_id: str | None = None,
    personal_number: str | None,
    case_id: UUID | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        insert(audit_events).values(
            staff_id=staff_id,
            staff_hsa_id=staff_hsa_id,
            unit_id=unit_id,
            # Looked up in the same statement when the caller does not have it at hand.
            unit_hsa_id=unit_hsa_id
            if unit_hsa_id is not None
            else select(units.c.hsa_id).where(units.c.id == unit_id).scalar_subquery(),
            action=action,
            personal_number=personal_number,
            case_id=case_id,
            outcome=outcome,
            detail=detail or {},
        )
    )


async def record_denied(conn: AsyncConnection, denied: DeniedAccess) -> int:
    """The PDL event of a refused access, attributed to the case's citizen. One INSERT … SELECT
    that writes nothing (returns 0) when the case is not at the unit, or when it was refused as
    out of reach but is within the actor's reach after all (the 404 had another cause, e.g. an
    attachment id that is not on the case)."""
    where = [cases.c.id == denied.case_id, cases.c.unit_id == denied.unit_id]
    if denied.reason is DenialReason.OUT_OF_REACH:
        # IS NOT TRUE, not NOT: a way's comparison with a NULL assignee is NULL, and NOT NULL
        # would drop the case's row (a case assigned to a group would never be logged).
        where.append(case_reach.reached(denied.staff_id).is_not(True))
    found = (
        select(
            literal(denied.staff_id, audit_events.c.staff_id.type),
            literal(denied.staff_hsa_id, audit_events.c.staff_hsa_id.type),
            cases.c.unit_id,
            units.c.hsa_id,
            citizens.c.personal_number,
            literal(denied.action.value, audit_events.c.action.type),
            cases.c.id,
            literal(AuditOutcome.DENIED.value, audit_events.c.outcome.type),
            literal({"reason": denied.reason.value}, audit_events.c.detail.type),
        )
        .select_from(
            cases.join(citizens, citizens.c.id == cases.c.citizen_id).join(
                units, units.c.id == cases.c.unit_id
            )
        )
        .where(*where)
    )
    columns = [
        "staff_id",
        "staff_hsa_id",
        "unit_id",
        "unit_hsa_id",
        "personal_number",
        "action",
        "case_id",
        "outcome",
        "detail",
    ]
    result = await conn.execute(insert(audit_events).from_select(columns, found))
    return result.rowcount
