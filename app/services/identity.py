"""Log-in and the acting person's own profile."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.db.repos import actors, people
from app.domain.actors import CitizenActor, StaffActor
from app.domain.errors import NotFound, Unauthenticated
from app.domain.policy import NOT_FOR_SYSTEM_ADMINS, SystemRole
from app.domain.signature import default_signature
from app.identity.ports import DirectoryPerson
from app.identity.tokens import TokenClaims


async def staff_login(conn: AsyncConnection, svc: Services, credentials: dict[str, Any]) -> dict[str, Any]:
    hsa_id = await svc.staff_idp.authenticate(credentials)
    person = await svc.directory.lookup(conn, hsa_id)
    if person is None and hsa_id in svc.bootstrap_admins:
        # The first system admins must be able to log in before the catalog knows them.
        person = DirectoryPerson(hsa_id, "System", "Administrator", "Systemadministratör", None, None, False)
    if person is None:
        raise Unauthenticated("this person is not in the HSA catalog")
    staff_id = await people.upsert_staff_from_directory(conn, person)
    return _token_response(svc, svc.tokens.issue("staff", staff_id, hsa_id))


async def citizen_login(conn: AsyncConnection, svc: Services, credentials: dict[str, Any]) -> dict[str, Any]:
    person = await svc.citizen_idp.authenticate(credentials)
    await svc.register.record(conn, person)
    known = await svc.register.lookup(conn, person.personal_number) or person
    citizen_id = await people.upsert_citizen(conn, known)
    return _token_response(svc, svc.tokens.issue("citizen", citizen_id, person.personal_number))


def _token_response(svc: Services, token: str) -> dict[str, Any]:
    return {"access_token": token, "token_type": "bearer", "expires_in": svc.tokens.ttl_seconds}


async def load_staff_actor(conn: AsyncConnection, svc: Services, claims: TokenClaims) -> StaffActor:
    unit_roles: dict[UUID, set[str]] = {}
    region_roles: dict[UUID, set[str]] = {}
    for scope, scope_id, role in await actors.staff_roles(conn, claims.subject):
        (unit_roles if scope == "unit" else region_roles).setdefault(scope_id, set()).add(role)
    is_system_admin = claims.identifier in svc.bootstrap_admins
    system = frozenset({SystemRole.SYSTEM_ADMIN.value}) if is_system_admin else frozenset()
    # A unit role granted before the person became a system admin must not open case content.
    barred = NOT_FOR_SYSTEM_ADMINS if is_system_admin else frozenset()
    return StaffActor(
        staff_id=claims.subject,
        hsa_id=claims.identifier,
        unit_roles={k: frozenset(v - barred) for k, v in unit_roles.items() if v - barred},
        region_roles={k: frozenset(v) for k, v in region_roles.items()},
        system_roles=system,
    )


def citizen_actor(claims: TokenClaims) -> CitizenActor:
    return CitizenActor(citizen_id=claims.subject, personal_number=claims.identifier)


async def me(conn: AsyncConnection, actor: StaffActor) -> dict[str, Any]:
    profile = await people.staff_profile(conn, actor.staff_id)
    if profile is None:
        raise Unauthenticated("the account no longer exists")
    units = await people.staff_unit_memberships(conn, actor.staff_id)
    regions = await people.staff_region_memberships(conn, actor.staff_id)
    settings = {k: profile.pop(k) for k in people.STAFF_SETTINGS}
    if settings["signature"] is None:
        settings["signature"] = default_signature(
            profile["given_name"],
            profile["family_name"],
            profile["title"],
            # As messages are signed: name-free also for anyone who chose to hide their name.
            protected_identity=profile["protected_identity"] or not settings["show_name_to_citizens"],
            unit_name=units[0]["unit_name"] if units else None,
        )
    return {
        **profile,
        "settings": settings,
        "units": [{**u, "roles": sorted(u["roles"])} for u in units],
        "regions": [{**r, "roles": sorted(r["roles"])} for r in regions],
        "system_roles": sorted(actor.system_roles),
    }


def _without_null_flags(values: dict[str, Any], flags: tuple[str, ...]) -> dict[str, Any]:
    """A flag sent as null means "leave it"; other fields sent as null clear the value."""
    return {k: v for k, v in values.items() if not (k in flags and v is None)}


async def update_my_settings(
    conn: AsyncConnection, actor: StaffActor, values: dict[str, Any]
) -> dict[str, Any]:
    values = _without_null_flags(
        values, ("show_name_to_citizens", "notify_on_new_case", "notify_on_assigned")
    )
    if "signature" in values and not values["signature"]:
        values["signature"] = None  # a blank signature is the default one
    await people.update_staff_settings(conn, actor.staff_id, values)
    return await me(conn, actor)


async def directory_sync(conn: AsyncConnection, svc: Services, actor: StaffActor) -> dict[str, Any]:
    person = await svc.directory.lookup(conn, actor.hsa_id)
    if person is None:
        raise NotFound("this person is no longer in the HSA catalog")
    await people.upsert_staff_from_directory(conn, person)
    return await me(conn, actor)


async def citizen_me(conn: AsyncConnection, actor: CitizenActor) -> dict[str, Any]:
    profile = await people.citizen_profile(conn, actor.citizen_id)
    if profile is None:
        raise Unauthenticated("the account no longer exists")
    return profile


async def update_citizen_me(
    conn: AsyncConnection, actor: CitizenActor, values: dict[str, Any]
) -> dict[str, Any]:
    values = _without_null_flags(values, ("notify_by_email", "notify_by_sms"))
    await people.update_citizen(conn, actor.citizen_id, values)
    return await citizen_me(conn, actor)
