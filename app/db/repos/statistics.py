"""A unit's statistics for a period: one statement, aggregated inside PostgreSQL.

Both halves read only an index built for them (migration 3f6c0a9d2b71): the citizen cases that
arrived in the period (`ix_cases_stats_received`, with the case type, deadline and first
response included) and those closed in it (`ix_cases_stats_closed`). Each half is grouped once
over GROUPING SETS — the whole unit, per category, per case type (within its category, so one
sort serves all three), per ISO week — so the cost is one pass over the period's index entries
whatever the number of groups. No message is read: the
first response is `cases.first_response_at`. No personal data is read or returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, bindparam, select, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import units

# For bulk loads (the bench's and the tests' seeded volume): the trigger that keeps
# cases.first_response_at fires per staff response, so a loader of many messages disables it for
# its INSERT and sets the figure for all cases at once afterwards, exactly as the trigger would.
RESPONSE_TRIGGER = "messages_first_response_insert"
FIRST_RESPONSE_BACKFILL = """
UPDATE cases c SET first_response_at = f.first
FROM (SELECT case_id, min(created_at) AS first FROM messages
      WHERE author_type = 'staff' AND kind IN ('answer', 'partial_reply', 'counter_question')
      GROUP BY case_id) f
WHERE c.id = f.case_id AND c.first_response_at IS DISTINCT FROM f.first
"""

_FIGURES_SQL = """
SELECT 'received' AS measure,
       GROUPING(ct.category, c.case_type_id) = 1 AS per_category,
       GROUPING(c.case_type_id) = 0 AS per_case_type,
       GROUPING(w.week) = 0 AS per_week,
       ct.category, c.case_type_id, max(ct.name) AS case_type_name,
       max(ct.category) AS case_type_category, w.week,
       count(*) AS n,
       count(*) FILTER (WHERE c.first_response_at <= c.due_at) AS within_deadline,
       count(*) FILTER (WHERE c.first_response_at IS NOT NULL OR c.due_at < now()) AS settled,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM c.first_response_at - c.created_at) / 60)
           FILTER (WHERE c.first_response_at IS NOT NULL) AS median_minutes
FROM cases c
LEFT JOIN case_types ct ON ct.id = c.case_type_id
CROSS JOIN LATERAL (SELECT CAST(date_trunc('week', c.created_at AT TIME ZONE 'Europe/Stockholm') AS date)
                    AS week) w
WHERE c.unit_id = :unit_id AND c.origin = 'citizen' AND c.created_at >= :start AND c.created_at < :end
GROUP BY GROUPING SETS ((), (ct.category), (ct.category, c.case_type_id), (w.week))
UNION ALL
SELECT 'closed',
       GROUPING(ct.category, c.case_type_id) = 1, GROUPING(c.case_type_id) = 0, GROUPING(w.week) = 0,
       ct.category, c.case_type_id, max(ct.name), max(ct.category), w.week,
       count(*), 0, 0, NULL
FROM cases c
LEFT JOIN case_types ct ON ct.id = c.case_type_id
CROSS JOIN LATERAL (SELECT CAST(date_trunc('week', c.closed_at AT TIME ZONE 'Europe/Stockholm') AS date)
                    AS week) w
WHERE c.unit_id = :unit_id AND c.origin = 'citizen' AND c.closed_at IS NOT NULL
  AND c.closed_at >= :start AND c.closed_at < :end
GROUP BY GROUPING SETS ((), (ct.category), (ct.category, c.case_type_id), (w.week))
"""
_FIGURES = text(_FIGURES_SQL).bindparams(
    bindparam("unit_id", type_=PgUUID(as_uuid=True)),
    bindparam("start", type_=DateTime(timezone=True)),
    bindparam("end", type_=DateTime(timezone=True)),
)


async def figures(
    conn: AsyncConnection, unit_id: UUID, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """One row per measure (`received` / `closed`) and group: the whole unit (no `per_*` flag),
    a category, a case type or a week (the Monday, Stockholm date)."""
    rows = await conn.execute(_FIGURES, {"unit_id": unit_id, "start": start, "end": end})
    return [dict(r._mapping) for r in rows]


async def unit_names(conn: AsyncConnection, unit_id: UUID) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(units.c.name, units.c.hsa_id).where(units.c.id == unit_id))
    ).one_or_none()
    return dict(row._mapping) if row else None
