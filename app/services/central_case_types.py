"""Centrally administered case types: the national admin offers web booking and jump-out
services; a unit activates one with its own terms text, which makes an active case type there."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import decode_cursor, page
from app.db.repos import case_types as case_type_repo
from app.db.repos import central_case_types as repo
from app.domain.case_types import CaseTypeOrigin, CaseTypeStatus
from app.domain.errors import Conflict, NotFound
from app.services import case_types


async def create_central(
    conn: AsyncConnection, kind: str, name: str, category: str, url: str
) -> dict[str, Any]:
    return await repo.insert_central(conn, {"kind": kind, "name": name, "category": category, "url": url})


async def list_central(conn: AsyncConnection, limit: int, cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await repo.list_central(conn, limit + 1, after)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def list_for_unit(
    conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await repo.list_for_unit(conn, unit_id, limit + 1, after)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def activate_for_unit(
    conn: AsyncConnection, unit_id: UUID, central_id: UUID, terms_text: str
) -> tuple[dict[str, Any], bool]:
    """(the unit's case type, created?). Once per unit: an inactive one is activated again with
    the new terms text; an active one is a conflict (change its terms with PATCH instead)."""
    central = await repo.get_central(conn, central_id)
    if central is None:
        raise NotFound("central case type not found")
    values = {
        "name": central["name"],
        "category": central["category"],
        "terms_text": terms_text,
        "status": CaseTypeStatus.ACTIVE.value,
        "origin": CaseTypeOrigin.CENTRAL.value,
        "central_case_type_id": central_id,
    }
    new_id = await case_type_repo.insert_central_activation(conn, unit_id, values)
    if new_id is not None:
        return await case_types.get_case_type(conn, unit_id, new_id), True
    existing_id = await case_type_repo.id_for_central(conn, unit_id, central_id)
    assert existing_id is not None  # the insert just collided with it
    row = await case_type_repo.get_case_type(conn, unit_id, existing_id, for_update=True)
    assert row is not None
    if row["status"] == CaseTypeStatus.ACTIVE:
        raise Conflict("this central case type is already active at the unit", case_type_id=str(existing_id))
    await case_type_repo.update_case_type(
        conn, unit_id, existing_id, {"terms_text": terms_text, "status": CaseTypeStatus.ACTIVE.value}
    )
    return await case_types.get_case_type(conn, unit_id, existing_id), False
