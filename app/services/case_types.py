"""A unit's case types: create, edit, activate, deactivate, delete.

Editing never touches cases already sent: a case stores the form it was answered with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import decode_cursor, page
from app.db.repos import case_types as repo
from app.domain import case_types as rules
from app.domain.case_types import CaseTypeOrigin, CaseTypeStatus
from app.domain.errors import Conflict, NotFound, check_version


def view(row: Mapping[str, Any]) -> dict[str, Any]:
    central = (
        {"id": row["central_case_type_id"], "kind": row["central_kind"], "url": row["central_url"]}
        if row["central_case_type_id"]
        else None
    )
    return {**row, "central": central}


async def list_case_types(
    conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None, status: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await repo.list_case_types(conn, unit_id, limit + 1, after, status)
    result = page(rows, limit, lambda r: (r["name"], r["id"]))
    result["items"] = [view(r) for r in result["items"]]
    return result


async def _load(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, *, for_update: bool = False
) -> dict[str, Any]:
    row = await repo.get_case_type(conn, unit_id, case_type_id, for_update=for_update)
    if row is None:
        raise NotFound("case type not found")
    return row


async def get_case_type(conn: AsyncConnection, unit_id: UUID, case_type_id: UUID) -> dict[str, Any]:
    return view(await _load(conn, unit_id, case_type_id))


async def create_case_type(
    conn: AsyncConnection,
    unit_id: UUID,
    content: Mapping[str, Any],
    *,
    origin: CaseTypeOrigin = CaseTypeOrigin.LOCAL,
    template_id: UUID | None = None,
) -> dict[str, Any]:
    """A new draft. Copies (from a template, an import) come here too, with their origin."""
    values = rules.clean_content(content)
    new_id = await repo.insert_case_type(
        conn,
        unit_id,
        {**values, "status": CaseTypeStatus.DRAFT.value, "origin": origin.value, "template_id": template_id},
    )
    return view(await _load(conn, unit_id, new_id))


async def update_case_type(
    conn: AsyncConnection,
    unit_id: UUID,
    case_type_id: UUID,
    changes: Mapping[str, Any],
    if_match: frozenset[int] | None = None,
) -> dict[str, Any]:
    row = await _load(conn, unit_id, case_type_id, for_update=True)
    check_version("case type", row["version"], if_match)
    rules.check_central_patch(row["origin"], set(changes))
    values = rules.clean_content(changes, row["answer_templates"])
    if row["status"] == CaseTypeStatus.ACTIVE:
        # What citizens see must stay complete: an active type cannot lose name/category/terms.
        rules.require_activatable({**row, **values})
    if values:
        await repo.update_case_type(conn, unit_id, case_type_id, values)
    return view(await _load(conn, unit_id, case_type_id))


async def activate(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, if_match: frozenset[int] | None = None
) -> dict[str, Any]:
    row = await _load(conn, unit_id, case_type_id, for_update=True)
    check_version("case type", row["version"], if_match)
    rules.require_activatable(row)
    target = rules.activation_target(row["status"])
    if target is not None:
        await repo.update_case_type(conn, unit_id, case_type_id, {"status": target.value})
    return view(await _load(conn, unit_id, case_type_id))


async def deactivate(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, if_match: frozenset[int] | None = None
) -> dict[str, Any]:
    row = await _load(conn, unit_id, case_type_id, for_update=True)
    check_version("case type", row["version"], if_match)
    target = rules.deactivation_target(row["status"])
    if target is not None:
        await repo.update_case_type(conn, unit_id, case_type_id, {"status": target.value})
    return view(await _load(conn, unit_id, case_type_id))


async def delete_case_type(
    conn: AsyncConnection, unit_id: UUID, case_type_id: UUID, if_match: frozenset[int] | None = None
) -> None:
    # The row lock also waits out a case being created with this type right now.
    row = await _load(conn, unit_id, case_type_id, for_update=True)
    check_version("case type", row["version"], if_match)
    if await repo.case_type_in_use(conn, case_type_id):
        raise Conflict("cases use this case type; deactivate it instead of deleting it")
    await repo.delete_case_type(conn, unit_id, case_type_id)
