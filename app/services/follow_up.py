"""Follow-up for case receivers: how the open cases stand, and which are past their deadline.

The overdue summaries carry no citizen identity, but each is one citizen's case (reference,
subject, deadline, who handles it): a page of them is an access to those citizens' data, so it is
PDL-logged as one event per page naming them (`follow_up_read`, written by the page's own
statement: app/db/repos/list_audit.py). The counts name nobody and are not logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, page
from app.db.repos import follow_up
from app.domain.actors import StaffActor
from app.domain.names import full_name


def assignee(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["assignee_staff_id"] is not None:
        name = full_name(row["given_name"], row["family_name"])
        return {"type": "staff", "id": row["assignee_staff_id"], "name": name}
    if row["assignee_group_id"] is not None:
        return {"type": "group", "id": row["assignee_group_id"], "name": row["group_name"] or ""}
    return None


async def unit_follow_up(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    limit: int,
    cursor: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    after = decode_cursor(cursor, (cursor_time, cursor_id))
    counts = {"new": 0, "awaiting_citizen": 0, "overdue": 0}
    assigned: list[dict[str, Any]] = []
    for row in await follow_up.open_counts(conn, unit_id, now):
        counts["overdue"] += row["overdue"]
        if row["status"] == "new":
            counts["new"] += row["n"]
        elif row["status"] == "awaiting_citizen":
            counts["awaiting_citizen"] += row["n"]
        elif row["status"] == "assigned":
            who = assignee(row)
            if who is not None:
                assigned.append({"assignee": who, "count": row["n"]})
    assigned.sort(key=lambda a: (-a["count"], a["assignee"]["name"], str(a["assignee"]["id"])))
    rows = await follow_up.overdue_cases(conn, unit_id, now, after, limit, (actor.staff_id, actor.hsa_id))
    overdue = page(
        [
            {
                "id": r["id"],
                "reference": r["reference"],
                "status": r["status"],
                "subject": r["subject"],
                "due_at": r["due_at"],
                "assignee": assignee(r),
            }
            for r in rows
        ],
        limit,
        lambda r: (r["due_at"].isoformat(), r["id"]),
    )
    return {
        "new": counts["new"],
        "assigned": assigned,
        "assigned_total": sum(a["count"] for a in assigned),
        "awaiting_citizen": counts["awaiting_citizen"],
        "overdue": counts["overdue"],
        "overdue_cases": overdue["items"],
        "next_cursor": overdue["next_cursor"],
        "as_of": now,
    }
