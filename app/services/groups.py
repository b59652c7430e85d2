"""Groups of case handlers (domain.md glossary "group"): cases can be distributed to them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import decode_cursor, page
from app.db.repos import groups as repo
from app.domain.errors import Conflict, NotFound, field_error


async def _view(conn: AsyncConnection, group: dict[str, Any]) -> dict[str, Any]:
    members = await repo.members_of(conn, [group["id"]])
    return {**group, "members": members[group["id"]]}


async def _check_members(conn: AsyncConnection, unit_id: UUID, member_ids: list[UUID]) -> list[UUID]:
    """Members must hold case_handler at the unit; the 422 names every id that does not."""
    wanted = list(dict.fromkeys(member_ids))  # de-duplicated, order kept
    handlers = await repo.handlers_among(conn, unit_id, wanted)
    bad = [str(i) for i in wanted if i not in handlers]
    if bad:
        raise field_error(
            ["member_ids"], f"not a case handler at this unit: {', '.join(bad)}", "not_a_handler"
        )
    return wanted


async def list_groups(conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    result = page(
        await repo.list_groups(conn, unit_id, limit + 1, after), limit, lambda r: (r["name"], r["id"])
    )
    members = await repo.members_of(conn, [r["id"] for r in result["items"]])
    result["items"] = [{**r, "members": members[r["id"]]} for r in result["items"]]
    return result


async def get_group(conn: AsyncConnection, unit_id: UUID, group_id: UUID) -> dict[str, Any]:
    group = await repo.get_group(conn, unit_id, group_id)
    if group is None:
        raise NotFound("group not found")
    return await _view(conn, group)


async def create_group(
    conn: AsyncConnection, unit_id: UUID, name: str, member_ids: list[UUID]
) -> dict[str, Any]:
    members = await _check_members(conn, unit_id, member_ids)
    group = await repo.insert_group(conn, unit_id, name)
    if group is None:
        raise Conflict(f"the unit already has a group named {name!r}")
    await repo.replace_members(conn, group["id"], members)
    return await _view(conn, group)


async def update_group(
    conn: AsyncConnection, unit_id: UUID, group_id: UUID, changes: dict[str, Any]
) -> dict[str, Any]:
    """Partial: `name` renames, `member_ids` replaces the whole member list."""
    group = await repo.get_group(conn, unit_id, group_id, lock=True)
    if group is None:
        raise NotFound("group not found")
    if "member_ids" in changes:
        members = await _check_members(conn, unit_id, changes["member_ids"])
        await repo.replace_members(conn, group_id, members)
    if "name" in changes and changes["name"] != group["name"]:
        if not await repo.rename_group(conn, unit_id, group_id, changes["name"]):
            raise Conflict(f"the unit already has a group named {changes['name']!r}")
    return await get_group(conn, unit_id, group_id)


async def delete_group(conn: AsyncConnection, unit_id: UUID, group_id: UUID) -> None:
    """Refused (409) while an open case is assigned to the group.

    The schema would set such a case's group to NULL and leave it `assigned` to nobody. The row
    lock conflicts with the key-share lock any concurrent assignment to the group takes, so no
    case can be assigned between the count and the delete.
    """
    if await repo.get_group(conn, unit_id, group_id, lock=True) is None:
        raise NotFound("group not found")
    open_cases = await repo.open_case_count(conn, group_id)
    if open_cases:
        raise Conflict(
            f"{open_cases} open case(s) are assigned to this group; redistribute them first",
            open_cases=open_cases,
        )
    await repo.delete_group(conn, unit_id, group_id)
