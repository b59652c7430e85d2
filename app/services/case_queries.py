"""Reading cases, staff side: the unit's case list and the full case (PDL-audited).

Rows are shaped into plain dicts once (no per-row model validation); the route serialises the
page with orjson. Handlers see cases assigned to them, to their groups, or that they took part
in; a personal-number search shows all that citizen's cases at the unit (summaries only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, encode_cursor
from app.db.repos import audit, case_reads, case_view
from app.db.repos.case_reads import CaseFilters
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.errors import NotFound
from app.domain.policy import Permission


def sees_all_cases(actor: StaffActor, unit_id: UUID) -> bool:
    return actor.can(unit_id, Permission.CASE_READ_ALL)


def _name(given: str | None, family: str | None) -> str:
    return f"{given or ''} {family or ''}".strip()


def summary(r: Sequence[Any]) -> dict[str, Any]:
    """A row in case_reads.SUMMARY_COLS order (the case view's row starts the same) → the
    contract's case summary."""
    if r[15] is not None:
        assignee: dict[str, Any] | None = {"type": "group", "id": r[15], "name": r[16]}
    elif r[12] is not None:
        assignee = {"type": "staff", "id": r[12], "name": _name(r[13], r[14])}
    else:
        assignee = None
    return {
        "id": r[0],
        "reference": r[1],
        "status": r[2],
        "origin": r[3],
        "subject": r[4],
        "case_type": {"id": r[5], "name": r[6], "category": r[7]} if r[5] is not None else None,
        "citizen": {"personal_number": r[8], "name": _name(r[9], r[10]), "protected_identity": r[11]},
        "assignee": assignee,
        "created_at": r[17],
        "due_at": r[18],
        "closed_at": r[19],
        "closure": r[20],
        "unread_by_citizen": r[21],
        "version": r[22],
    }


def _cursor_key(item: dict[str, Any]) -> tuple[str, str]:
    return (item["created_at"].isoformat(), str(item["id"]))


async def list_cases(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    filters: CaseFilters,
    *,
    assignee_me: bool,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    after = decode_cursor(cursor, (cursor_time, cursor_id))
    if assignee_me:
        filters = replace(filters, assignee_staff_id=actor.staff_id)
    # A personal-number search is open to handlers too and shows every case of that citizen at
    # the unit: the scope is lifted, and the search itself is what the PDL log records.
    scoped = not sees_all_cases(actor, unit_id) and filters.personal_number is None
    rows = await case_reads.list_cases(
        conn,
        unit_id,
        filters,
        scope_staff_id=actor.staff_id if scoped else None,
        limit=limit,
        after=after,
    )
    if filters.personal_number is not None:
        await _audit(
            conn,
            actor,
            unit_id,
            AuditAction.CASE_LIST_SEARCH,
            filters.personal_number,
            None,
            {"result_count": min(len(rows), limit)},
        )
    items = [summary(r) for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(_cursor_key(items[-1])) if more else None}


def _json(value: Any) -> Any:
    # JSON built by PostgreSQL arrives as text unless the driver decoded it already.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def case_detail(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, case_id: UUID
) -> dict[str, Any]:
    row = await case_view.detail(conn, unit_id, case_id, actor.staff_id, sees_all_cases(actor, unit_id))
    if row is None:
        raise NotFound("case not found")
    out = summary(row)
    out["form"] = _json(row[23])
    out["answers"] = _json(row[24])
    out["messages"] = _json(row[26])
    out["notes"] = _json(row[27])
    out["events"] = _json(row[28])
    await case_view.record_case_read(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=unit_id,
        unit_hsa_id=row[25],
        personal_number=out["citizen"]["personal_number"],
        case_id=case_id,
    )
    return out


async def case_summary(conn: AsyncConnection, unit_id: UUID, case_id: UUID) -> dict[str, Any]:
    """The summary after a change (no audit event of its own: the change records one)."""
    row = await case_reads.summary(conn, unit_id, case_id)
    if row is None:
        raise NotFound("case not found")
    return summary(row)


async def _audit(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    action: AuditAction,
    personal_number: str | None,
    case_id: UUID | None,
    detail: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=unit_id,
        action=action,
        personal_number=personal_number,
        case_id=case_id,
        detail=detail,
    )
