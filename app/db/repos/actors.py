"""The acting person, read fresh on every request: the one query behind every staff request and
the one behind every citizen request, both prebuilt.

A token names only its subject and itself (app/identity/tokens.py); who the subject is (HSA-id,
personal number), what they may do (roles) and whether the token was revoked at sign-out are
read here, in one round trip, so a change (a role removed, an account deleted, a sign-out)
holds from the next request on, in every API process. Compiled once (app/db/prepared.py)
instead of built per request, since every request pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, exists, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import citizens, region_role_assignments, revoked_tokens, staff, unit_role_assignments

_STAFF_ID = bindparam("staff_id", type_=staff.c.id.type)
_TOKEN_ID = bindparam("token_id", type_=revoked_tokens.c.jti.type)
_REVOKED = exists().where(revoked_tokens.c.jti == _TOKEN_ID).label("revoked")
_u = unit_role_assignments
_r = region_role_assignments
_ROLES = union_all(
    select(literal("unit").label("scope"), _u.c.unit_id.label("scope_id"), _u.c.role).where(
        _u.c.staff_id == _STAFF_ID
    ),
    select(literal("region"), _r.c.region_id, _r.c.role).where(_r.c.staff_id == _STAFF_ID),
).subquery("roles")
# One row per role, or one row with null role for a person who holds none; no row: no account.
_STAFF = Prepared(
    select(staff.c.hsa_id, _REVOKED, _ROLES.c.scope, _ROLES.c.scope_id, _ROLES.c.role)
    .select_from(staff.outerjoin(_ROLES, true()))
    .where(staff.c.id == _STAFF_ID)
)
_CITIZEN = Prepared(
    select(citizens.c.personal_number, _REVOKED).where(
        citizens.c.id == bindparam("citizen_id", type_=citizens.c.id.type)
    )
)


@dataclass(frozen=True, slots=True)
class StaffFacts:
    hsa_id: str
    revoked: bool
    roles: list[tuple[str, UUID, str]]  # (scope, scope_id, role)


async def staff_facts(conn: AsyncConnection, staff_id: UUID, token_id: UUID) -> StaffFacts | None:
    """The staff member's HSA-id and roles, and whether this token was revoked; None when the
    account does not exist (any more)."""
    rows = await _STAFF.rows(conn, staff_id=staff_id, token_id=token_id)
    if not rows:
        return None
    roles = [(row[2], row[3], row[4]) for row in rows if row[4] is not None]
    return StaffFacts(rows[0][0], bool(rows[0][1]), roles)


async def citizen_facts(conn: AsyncConnection, citizen_id: UUID, token_id: UUID) -> tuple[str, bool] | None:
    """(personal number, token revoked) or None when the citizen does not exist (any more)."""
    row = await _CITIZEN.row(conn, citizen_id=citizen_id, token_id=token_id)
    return None if row is None else (str(row[0]), bool(row[1]))


async def revoke_token(conn: AsyncConnection, token_id: UUID, expires_at: datetime) -> None:
    await conn.execute(
        insert(revoked_tokens).values(jti=token_id, expires_at=expires_at).on_conflict_do_nothing()
    )


async def purge_revoked_tokens(conn: AsyncConnection) -> int:
    """Revocations of tokens that have expired anyway: the token check refuses them by itself."""
    result = await conn.execute(revoked_tokens.delete().where(revoked_tokens.c.expires_at < func.now()))
    return int(result.rowcount)
