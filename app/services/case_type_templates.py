"""Regional case-type templates: kept by the region's regional admins, read and copied by the
local admins of the region's units.

Scope (who gets 404 rather than 403): anyone with a role in the region itself or at one of its
units can see that the region exists; only regional admins write, and local admins of its units
read too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import decode_cursor, page
from app.db.repos import case_type_templates as repo
from app.domain import case_types as rules
from app.domain.actors import StaffActor
from app.domain.case_types import CaseTypeOrigin
from app.domain.errors import Forbidden, NotFound, check_version
from app.domain.policy import Permission as P
from app.domain.policy import allowed
from app.services import case_types


def _writes(actor: StaffActor, region_id: UUID) -> bool:
    return allowed(actor.region_roles.get(region_id, frozenset()), P.REGION_TEMPLATES_WRITE)


async def _units_here(conn: AsyncConnection, actor: StaffActor, region_id: UUID) -> list[UUID]:
    return await repo.units_in_region(conn, region_id, list(actor.unit_roles))


async def require_reader(conn: AsyncConnection, actor: StaffActor, region_id: UUID) -> None:
    if _writes(actor, region_id):
        return
    units = await _units_here(conn, actor, region_id)
    if not units and not actor.region_roles.get(region_id):
        raise NotFound("region not found")
    if not any(actor.can(u, P.CASE_TYPE_WRITE) for u in units):
        raise Forbidden("only regional admins and the region's local admins read its templates")


async def require_writer(conn: AsyncConnection, actor: StaffActor, region_id: UUID) -> None:
    if _writes(actor, region_id):
        return
    if actor.region_roles.get(region_id) or await _units_here(conn, actor, region_id):
        raise Forbidden("only the region's regional admins change its templates")
    raise NotFound("region not found")


async def _load(
    conn: AsyncConnection, region_id: UUID, template_id: UUID, *, for_update: bool = False
) -> dict[str, Any]:
    row = await repo.get_template(conn, region_id, template_id, for_update=for_update)
    if row is None:
        raise NotFound("case-type template not found")
    return row


async def list_templates(
    conn: AsyncConnection, actor: StaffActor, region_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    await require_reader(conn, actor, region_id)
    after = decode_cursor(cursor, (str, UUID))
    rows = await repo.list_templates(conn, region_id, limit + 1, after)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def get_template(
    conn: AsyncConnection, actor: StaffActor, region_id: UUID, template_id: UUID
) -> dict[str, Any]:
    await require_reader(conn, actor, region_id)
    return await _load(conn, region_id, template_id)


async def create_template(
    conn: AsyncConnection, actor: StaffActor, region_id: UUID, content: Mapping[str, Any]
) -> dict[str, Any]:
    await require_writer(conn, actor, region_id)
    new_id = await repo.insert_template(conn, region_id, rules.clean_content(content))
    return await _load(conn, region_id, new_id)


async def update_template(
    conn: AsyncConnection,
    actor: StaffActor,
    region_id: UUID,
    template_id: UUID,
    changes: Mapping[str, Any],
    if_match: frozenset[int] | None = None,
) -> dict[str, Any]:
    await require_writer(conn, actor, region_id)
    row = await _load(conn, region_id, template_id, for_update=True)
    check_version("template", row["version"], if_match)
    values = rules.clean_content(changes, row["answer_templates"])
    if values:
        await repo.update_template(conn, region_id, template_id, values)
    return await _load(conn, region_id, template_id)


async def delete_template(
    conn: AsyncConnection, actor: StaffActor, region_id: UUID, template_id: UUID
) -> None:
    await require_writer(conn, actor, region_id)
    await _load(conn, region_id, template_id, for_update=True)
    await repo.delete_template(conn, region_id, template_id)


async def copy_to_unit(conn: AsyncConnection, unit_id: UUID, template_id: UUID) -> dict[str, Any]:
    """A draft copy at the unit; the unit then edits, saves and activates it (the seed's flow).
    A template of another region is not found."""
    region_id = await repo.unit_region(conn, unit_id)
    row = await repo.get_template(conn, region_id, template_id) if region_id else None
    if row is None:
        raise NotFound("case-type template not found in this unit's region")
    content = {f: row[f] for f in rules.CONTENT_FIELDS if f != "answer_templates"}
    content["answer_templates"] = [{"title": t["title"], "body": t["body"]} for t in row["answer_templates"]]
    return await case_types.create_case_type(
        conn, unit_id, content, origin=CaseTypeOrigin.REGIONAL_TEMPLATE, template_id=template_id
    )
