"""Request dependencies: the transaction, the actor, and the one policy entry point.

Every route binds exactly one guard: `public`, `any_staff`, `citizen`, `signed_in` (either kind,
for sign-out), `requires(permission)` (unit-scoped), `requires_region(permission)` or
`system_admin`. Every guard but `public` reads the actor from the database in the request's
transaction (app/services/identity.py): a revoked token or a removed account is refused at once.
tests/api/test_route_guards.py walks the app and fails on a route without one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.domain.actors import CitizenActor, StaffActor
from app.domain.audit import AuditAction
from app.domain.errors import DomainError, Forbidden, Unauthenticated
from app.domain.policy import Permission
from app.identity.tokens import TokenClaims
from app.services import denied_access, identity

GUARD_ATTR = "__careinbox_guard__"

# The descriptions are what Swagger UI's Authorize dialog shows beside each box.
_staff_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="StaffToken",
    description="Staff access token: the `access_token` of `POST /api/v1/auth/staff/token`, for every "
    "staff, unit, region and national administration operation. Paste the token alone, without `Bearer`.",
)
_citizen_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="CitizenToken",
    description="Citizen access token: the `access_token` of `POST /api/v1/auth/citizen/token`, for the "
    "`/citizen/...` operations. Paste the token alone, without `Bearer`.",
)


async def get_services(request: Request) -> Services:
    # async: a plain `def` dependency is run in the thread pool, a thread hop on every request.
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(get_services)]


def services_of(request: Request) -> Services:
    """The services without a dependency to solve (hot paths that have the request anyway)."""
    services: Services = request.app.state.services
    return services


async def _transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    # scope="function" (below) commits before the response is sent, so a client never sees a
    # success for a change that then failed to commit.
    services: Services = request.app.state.services
    try:
        async with services.db.transaction() as conn:
            yield conn
    except DomainError as error:
        # A refused access to a patient's case is PDL-logged; the refusal rolled the request's
        # transaction back, so its event is written now, after it (app/services/denied_access.py).
        if error.denied is not None:
            await denied_access.record(services.db, error.denied)
        raise


Conn = Annotated[AsyncConnection, Depends(_transaction, scope="function")]


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it: behind a proxy, the proxy's, unless uvicorn
    trusts that proxy's X-Forwarded-For (--proxy-headers, FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


def _mark(fn: Callable[..., Any], guard: str) -> Callable[..., Any]:
    setattr(fn, GUARD_ATTR, guard)
    return fn


async def _public() -> None:
    return None


public = _mark(_public, "public")
Public = Depends(public)


def _token(creds: HTTPAuthorizationCredentials | None) -> str:
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise Unauthenticated("a bearer access token is required")
    return creds.credentials


StaffCreds = Annotated[HTTPAuthorizationCredentials | None, Depends(_staff_bearer)]


async def _load_staff(
    conn: AsyncConnection, request: Request, creds: HTTPAuthorizationCredentials | None
) -> StaffActor:
    # The services straight from the app (not the Svc dependency): one node less to solve on
    # every staff request.
    svc: Services = request.app.state.services
    claims = svc.tokens.verify(_token(creds), "staff")
    return await identity.load_staff_actor(conn, svc, claims)


async def _staff_actor(conn: Conn, request: Request, creds: StaffCreds) -> StaffActor:
    return await _load_staff(conn, request, creds)


any_staff = _mark(_staff_actor, "staff")
AnyStaff = Annotated[StaffActor, Depends(any_staff)]


async def _citizen_actor(
    conn: Conn,
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_citizen_bearer)],
) -> CitizenActor:
    svc: Services = request.app.state.services
    claims = svc.tokens.verify(_token(creds), "citizen")
    return await identity.load_citizen_actor(conn, claims)


citizen = _mark(_citizen_actor, "citizen")
CitizenUser = Annotated[CitizenActor, Depends(citizen)]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Whoever presented a valid, unrevoked token of either kind, and that token."""

    token: str
    claims: TokenClaims
    actor: StaffActor | CitizenActor


async def _signed_in(
    conn: Conn,
    request: Request,
    staff_creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_staff_bearer)],
    citizen_creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_citizen_bearer)],
) -> SignedIn:
    # Both schemes read the one Authorization header; declaring both documents that either
    # kind of token is accepted. The token's audience tells which it is.
    svc: Services = request.app.state.services
    token = _token(staff_creds or citizen_creds)
    try:
        claims = svc.tokens.verify(token, "staff")
    except Unauthenticated:
        claims = svc.tokens.verify(token, "citizen")
    actor: StaffActor | CitizenActor
    if claims.kind == "staff":
        actor = await identity.load_staff_actor(conn, svc, claims)
    else:
        actor = await identity.load_citizen_actor(conn, claims)
    return SignedIn(token, claims, actor)


signed_in = _mark(_signed_in, "staff|citizen")
SignedInUser = Annotated[SignedIn, Depends(signed_in)]


def requires(
    *permissions: Permission, system_ok: bool = False, case_access: AuditAction | None = None
) -> Callable[..., Coroutine[Any, Any, StaffActor]]:
    """A staff actor holding one of `permissions` at the unit in the path.

    404 when the unit is out of reach, 403 when no role there allows it; `system_ok` lets the
    system admin through (role assignments, bootstrap of a unit's first local admin).
    `case_access`: the route acts on the case `{case_id}` in its path, so a 403 here (a member
    of the unit whose role may not) is a denied access to that case, PDL-logged as this action.
    """

    # One dependency with the token, the transaction and the actor's query in it, not a guard
    # on top of an actor dependency: FastAPI solves every node of the tree on every request,
    # and the staff guard is on every hot path (bench/analysis.md).
    async def guard(unit_id: UUID, conn: Conn, request: Request, creds: StaffCreds) -> StaffActor:
        actor = await _load_staff(conn, request, creds)
        try:
            actor.require(unit_id, *permissions, system_ok=system_ok)
        except Forbidden as error:
            if case_access is not None and (case_id := _case_id(request)) is not None:
                denied_access.tag(error, actor, unit_id, case_id, case_access)
            raise
        return actor

    label = "|".join(p.value for p in permissions) + ("|system" if system_ok else "")
    return _mark(guard, f"unit:{label}")


def _case_id(request: Request) -> UUID | None:
    """The path's case id, or None when it is not one (the route answers that with a 422)."""
    try:
        return UUID(str(request.path_params["case_id"]))
    except (KeyError, ValueError):
        return None


def requires_region(permission: Permission) -> Callable[..., Coroutine[Any, Any, StaffActor]]:
    async def guard(region_id: UUID, conn: Conn, request: Request, creds: StaffCreds) -> StaffActor:
        actor = await _load_staff(conn, request, creds)
        actor.require_region(region_id, permission)
        return actor

    return _mark(guard, f"region:{permission.value}")


async def _system_admin(conn: Conn, request: Request, creds: StaffCreds) -> StaffActor:
    actor = await _load_staff(conn, request, creds)
    actor.require_system()
    return actor


system_admin = _mark(_system_admin, "system")
SystemAdmin = Annotated[StaffActor, Depends(system_admin)]
