"""National administration, units and role assignments."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.db.keyset import decode_cursor, page
from app.db.repos import org, people
from app.domain.actors import StaffActor
from app.domain.errors import Conflict, Forbidden, NotFound, field_error
from app.domain.policy import NOT_FOR_SYSTEM_ADMINS, Role, may_grant
from app.domain.text import search_key
from app.identity.ports import DirectoryPerson


async def create_region(conn: AsyncConnection, name: str, county_code: str, hsa_id: str) -> dict[str, Any]:
    row = await org.insert_region(conn, name, county_code, hsa_id)
    if row is None:
        raise Conflict(f"a region with HSA-id {hsa_id} already exists")
    return row


async def list_regions(conn: AsyncConnection, limit: int, cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await org.list_regions(conn, limit + 1, after)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def create_unit(conn: AsyncConnection, hsa_id: str, name: str, region_id: UUID) -> dict[str, Any]:
    if not await org.region_exists(conn, region_id):
        raise field_error(["region_id"], "no such region")
    row = await org.insert_unit(conn, hsa_id, name, search_key(name), region_id)
    if row is None:
        raise Conflict(f"a unit with HSA-id {hsa_id} already exists")
    return row


async def list_units(
    conn: AsyncConnection, limit: int, cursor: str | None, region_id: UUID | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await org.list_units(conn, limit + 1, after, region_id)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def add_directory_person(conn: AsyncConnection, svc: Services, person: DirectoryPerson) -> None:
    if not svc.directory.is_stub:
        raise NotFound("the directory is the HSA catalog; it cannot be written here")
    await svc.directory.add(conn, person)


async def _staff_from_directory(conn: AsyncConnection, svc: Services, hsa_id: str) -> UUID:
    person = await svc.directory.lookup(conn, hsa_id)
    if person is None:
        raise field_error(["hsa_id"], "no person with this HSA-id in the HSA catalog")
    return await people.upsert_staff_from_directory(conn, person)


async def grant_unit_role(
    conn: AsyncConnection, svc: Services, actor: StaffActor, unit_id: UUID, hsa_id: str, role: Role
) -> dict[str, Any]:
    if not may_grant(actor.roles_at(unit_id), actor.is_system_admin, role):
        raise Forbidden(f"your roles at this unit do not allow granting {role.value}")
    if await org.get_unit(conn, unit_id) is None:  # a system admin can name any unit id
        raise NotFound("unit not found")
    if role in NOT_FOR_SYSTEM_ADMINS and hsa_id in svc.bootstrap_admins:
        raise field_error(
            ["hsa_id"], f"a system administrator holds no role with case content or audit log ({role.value})"
        )
    staff_id = await _staff_from_directory(conn, svc, hsa_id)
    assignment_id = await org.insert_unit_role(conn, unit_id, staff_id, role.value, actor.staff_id)
    if assignment_id is None:
        raise Conflict(f"{hsa_id} already holds {role.value} at this unit")
    row = await org.get_unit_role(conn, unit_id, assignment_id)
    assert row is not None
    return row


async def revoke_unit_role(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, assignment_id: UUID
) -> None:
    row = await org.get_unit_role(conn, unit_id, assignment_id)
    if row is None:
        raise NotFound("role assignment not found")
    if not may_grant(actor.roles_at(unit_id), actor.is_system_admin, row["role"]):
        raise Forbidden(f"your roles at this unit do not allow revoking {row['role']}")
    await org.delete_unit_role(conn, unit_id, assignment_id)
    if row["role"] == Role.CASE_HANDLER:
        await org.remove_from_unit_groups(conn, unit_id, row["staff_id"])


async def list_unit_roles(
    conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, str))
    rows = await org.list_unit_roles(conn, unit_id, limit + 1, after)
    return page(rows, limit, lambda r: (r["hsa_id"], r["role"]))


async def unit_staff(conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, str, UUID))
    rows = await org.unit_staff(conn, unit_id, limit + 1, after)
    result = page(rows, limit, lambda r: (r["family_name"], r["given_name"], r["id"]))
    result["items"] = [{**r, "roles": sorted(r["roles"])} for r in result["items"]]
    return result


async def grant_region_role(
    conn: AsyncConnection, svc: Services, region_id: UUID, hsa_id: str, role: str
) -> dict[str, Any]:
    if not await org.region_exists(conn, region_id):
        raise NotFound("region not found")
    staff_id = await _staff_from_directory(conn, svc, hsa_id)
    assignment_id = await org.insert_region_role(conn, region_id, staff_id, role)
    if assignment_id is None:
        raise Conflict(f"{hsa_id} already holds {role} in this region")
    row = await org.get_region_role(conn, region_id, assignment_id)
    assert row is not None
    return row


async def list_region_roles(
    conn: AsyncConnection, region_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    if not await org.region_exists(conn, region_id):
        raise NotFound("region not found")
    rows = await org.list_region_roles(conn, region_id, limit + 1, after)
    return page(rows, limit, lambda r: (r["hsa_id"], r["id"]))


async def revoke_region_role(conn: AsyncConnection, region_id: UUID, assignment_id: UUID) -> None:
    if await org.get_region_role(conn, region_id, assignment_id) is None:
        raise NotFound("role assignment not found")
    await org.delete_region_role(conn, region_id, assignment_id)
