"""Citizen grants (domain.md "Service area"): approve a citizen to contact the unit, or hand out
one restricted case type, until a date (inclusive) or until further notice.

Every grant and revocation writes a PDL audit event (`citizen_grant_changed`): it is a change
to what one citizen may do at the unit, shown in the citizen's own access-log extract.

Expired grants stay listed (`active: false`) so staff can see and renew them, but have no effect:
the citizen side's visibility (`repos.citizen_units.Who.grant`) counts only grants that hold on
the Swedish date (`valid_until` inclusive).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, page
from app.db.repos import audit
from app.db.repos import citizen_grants as repo
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.calendar import today
from app.domain.errors import NotFound, field_error

MAX_BULK = 200


async def _audit(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, change: str, grants: list[dict[str, Any]]
) -> None:
    for grant in grants:
        await audit.record(
            conn,
            staff_id=actor.staff_id,
            staff_hsa_id=actor.hsa_id,
            unit_id=unit_id,
            action=AuditAction.CITIZEN_GRANT_CHANGED,
            personal_number=grant["personal_number"],
            detail={
                "change": change,
                "grant_id": str(grant["id"]),
                "case_type_id": str(grant["case_type_id"]) if grant["case_type_id"] else None,
                "valid_until": grant["valid_until"].isoformat() if grant["valid_until"] else None,
            },
        )


def _view(row: dict[str, Any], on: date) -> dict[str, Any]:
    return {**row, "active": row["valid_until"] is None or row["valid_until"] >= on}


async def list_grants(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    personal_number: str | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    after = decode_cursor(cursor, (cursor_time, cursor_id))
    rows = await repo.list_grants(conn, unit_id, personal_number, limit + 1, after)
    if personal_number is not None:
        # Looking a citizen up by personal number is a citizen search in the PDL sense.
        await audit.record(
            conn,
            staff_id=actor.staff_id,
            staff_hsa_id=actor.hsa_id,
            unit_id=unit_id,
            action=AuditAction.CASE_LIST_SEARCH,
            personal_number=personal_number,
            detail={"list": "citizen_grants", "result_count": min(len(rows), limit)},
        )
    result = page(rows, limit, lambda r: (r["created_at"].isoformat(), r["id"]))
    on = today()
    return {**result, "items": [_view(r, on) for r in result["items"]]}


async def create_grant(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    personal_number: str,
    case_type_id: UUID | None,
    valid_until: date | None,
) -> dict[str, Any]:
    on = today()
    if valid_until is not None and valid_until < on:
        raise field_error(["valid_until"], "the date has passed; a grant must be valid today or later")
    if case_type_id is not None:
        case_type = await repo.case_type_of_unit(conn, unit_id, case_type_id)
        if case_type is None:
            raise field_error(["case_type_id"], "no such case type at this unit")
        if not case_type["restricted"]:
            # Every citizen who can contact the unit may already use it; a grant would mean nothing.
            raise field_error(["case_type_id"], "only a restricted case type is handed out")
    row = await repo.insert_grant(conn, unit_id, personal_number, case_type_id, valid_until, actor.staff_id)
    await _audit(conn, actor, unit_id, "granted", [row])
    return _view(row, on)


async def delete_grant(conn: AsyncConnection, actor: StaffActor, unit_id: UUID, grant_id: UUID) -> None:
    deleted = await repo.delete_grants(conn, unit_id, [grant_id])
    if not deleted:
        raise NotFound("citizen grant not found")
    await _audit(conn, actor, unit_id, "revoked", deleted)


async def revoke_grants(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, ids: list[UUID]
) -> dict[str, Any]:
    """Bulk revoke. Ids of other units (or unknown ids) are not touched and not reported as
    errors; the answer says which ids were revoked, so 0 is a valid outcome."""
    revoked = await repo.delete_grants(conn, unit_id, list(dict.fromkeys(ids)))
    await _audit(conn, actor, unit_id, "revoked", revoked)
    return {"revoked": len(revoked), "revoked_ids": [r["id"] for r in revoked]}
