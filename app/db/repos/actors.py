"""The acting staff member's roles: the one query behind every staff request, prebuilt.

Every staff request loads its actor's roles (app/services/identity.py), so the statement is
compiled once (app/db/prepared.py) instead of built per request.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import region_role_assignments, staff, unit_role_assignments

_STAFF_ID = bindparam("staff_id", type_=staff.c.id.type)
_u = unit_role_assignments
_r = region_role_assignments
_ROLES = Prepared(
    union_all(
        select(literal("unit"), _u.c.unit_id, _u.c.role).where(_u.c.staff_id == _STAFF_ID),
        select(literal("region"), _r.c.region_id, _r.c.role).where(_r.c.staff_id == _STAFF_ID),
    )
)


async def staff_roles(conn: AsyncConnection, staff_id: UUID) -> list[tuple[str, UUID, str]]:
    """(scope, scope_id, role) for every role the person holds, in one round trip."""
    return [(row[0], row[1], row[2]) for row in await _ROLES.rows(conn, staff_id=staff_id)]
