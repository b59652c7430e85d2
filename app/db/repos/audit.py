"""The PDL log: one append-only row per staff access to a citizen's data.

Written in the same transaction as the access it records; the table refuses UPDATE and DELETE
(trigger in the initial migration).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import audit_events, units


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
