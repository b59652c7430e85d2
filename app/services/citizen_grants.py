"""Citizen grants (domain.md "Service area"): approve a citizen to contact the unit, or hand out
one restricted case type, until a date (inclusive) or until further notice.

Expired grants stay listed (`active: false`) so staff can see and renew them, but have no effect:
the citizen side reads only `repos.citizen_grants.active_grants`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import citizen_grants as repo
from app.domain.actors import StaffActor
from app.domain.calendar import STOCKHOLM
from app.domain.errors import NotFound, field_error
from app.services.pagination import decode_cursor, page

MAX_BULK = 200


def today() -> date:
    """Dates in grants are Swedish calendar dates."""
    return datetime.now(STOCKHOLM).date()


def _view(row: dict[str, Any], on: date) -> dict[str, Any]:
    return {**row, "active": row["valid_until"] is None or row["valid_until"] >= on}


async def list_grants(
    conn: AsyncConnection, unit_id: UUID, personal_number: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (datetime.fromisoformat, UUID))
    rows = await repo.list_grants(conn, unit_id, personal_number, limit + 1, after)
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
    return _view(row, on)


async def delete_grant(conn: AsyncConnection, unit_id: UUID, grant_id: UUID) -> None:
    if not await repo.delete_grants(conn, unit_id, [grant_id]):
        raise NotFound("citizen grant not found")


async def revoke_grants(conn: AsyncConnection, unit_id: UUID, ids: list[UUID]) -> dict[str, Any]:
    """Bulk revoke. Ids of other units (or unknown ids) are not touched and not reported as
    errors; the answer says which ids were revoked, so 0 is a valid outcome."""
    revoked = await repo.delete_grants(conn, unit_id, list(dict.fromkeys(ids)))
    return {"revoked": len(revoked), "revoked_ids": revoked}
