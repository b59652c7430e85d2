"""Reading cases, staff side: the unit's case list and the full case (both PDL-audited: a list
page as one event naming the citizens it shows, the case view as one event per case).

Rows are shaped into plain dicts once (no per-row model validation); the route serialises the
page with orjson. Which cases the actor sees is their `CaseReach` (app/domain/reach.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, encode_cursor
from app.db.prepared import NamedRow
from app.db.repos import case_reads, case_view
from app.db.repos.case_reads import CaseFilters
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.errors import NotFound
from app.domain.names import full_name
from app.domain.reach import CaseReach
from app.services import denied_access


def summary(r: NamedRow) -> dict[str, Any]:
    """A row with case_reads.SUMMARY_COLS (the case view's row has them too) → the contract's
    case summary."""
    return _summary(
        r,
        (r["case_type_name"], r["case_type_category"]),
        (
            r["citizen_personal_number"],
            r["citizen_given_name"],
            r["citizen_family_name"],
            r["citizen_protected_identity"],
        ),
        (r["assignee_given_name"], r["assignee_family_name"]),
        r["assignee_group_name"],
    )


def _summary(
    r: NamedRow,
    case_type: tuple[str, str] | None,
    citizen: tuple[str, str | None, str | None, bool],
    assignee_names: tuple[str | None, str | None] | None,
    group_name: str | None,
) -> dict[str, Any]:
    """The contract's case summary from a row's case columns and the names it shows."""
    if r["assignee_group_id"] is not None:
        assignee: dict[str, Any] | None = {"type": "group", "id": r["assignee_group_id"], "name": group_name}
    elif r["assignee_staff_id"] is not None:
        given, family = assignee_names or (None, None)
        assignee = {"type": "staff", "id": r["assignee_staff_id"], "name": full_name(given, family)}
    else:
        assignee = None
    case_type_id = r["case_type_id"]
    personal_number, given_name, family_name, protected = citizen
    return {
        "id": r["id"],
        "reference": r["reference"],
        "status": r["status"],
        "origin": r["origin"],
        "subject": r["subject"],
        "case_type": (
            {"id": case_type_id, "name": case_type[0], "category": case_type[1]}
            if case_type_id is not None and case_type is not None
            else None
        ),
        "citizen": {
            "personal_number": personal_number,
            "name": full_name(given_name, family_name),
            "protected_identity": protected,
        },
        "assignee": assignee,
        "created_at": r["created_at"],
        "due_at": r["due_at"],
        "closed_at": r["closed_at"],
        "closure": r["closure"],
        "unread_by_citizen": r["unread_by_citizen"],
        "version": r["version"],
    }


def page_summaries(rows: Sequence[NamedRow], names: case_reads.PageNames) -> list[dict[str, Any]]:
    """An inbox page's rows (case_reads.PAGE_COLS) with the names looked up for them."""
    return [
        _summary(
            r,
            names.case_types.get(r["case_type_id"]),
            names.citizens[r["citizen_id"]],
            names.staff.get(r["assignee_staff_id"]),
            names.groups.get(r["assignee_group_id"]),
        )
        for r in rows
    ]


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
    reach = CaseReach.of(actor, unit_id).in_inbox(citizen_search=filters.personal_number is not None)
    # The page's PDL event (a list read, or the personal-number search naming that citizen) is
    # written by the page's own statement: one round trip, never a page served unlogged.
    rows = await case_reads.list_cases(
        conn, unit_id, filters, reach=reach, viewer=(actor.staff_id, actor.hsa_id), limit=limit, after=after
    )
    page = rows[:limit]
    items = page_summaries(page, await case_reads.page_names(conn, page))
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(_cursor_key(items[-1])) if more else None}


def _json(value: Any) -> Any:
    # JSON built by PostgreSQL arrives as text unless the driver decoded it already.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def case_detail(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, case_id: UUID
) -> dict[str, Any]:
    row = await case_view.detail(conn, unit_id, case_id, CaseReach.of(actor, unit_id))
    if row is None:
        error = NotFound("case not found")
        denied_access.tag(error, actor, unit_id, case_id, AuditAction.CASE_READ)
        raise error
    out = summary(row)
    for field in ("form", "answers", "messages", "notes", "events"):
        out[field] = _json(row[field])
    await case_view.record_case_read(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=unit_id,
        unit_hsa_id=row["unit_hsa_id"],
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

