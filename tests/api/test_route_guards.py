"""Every route is either declared public or bound to a guard (docs/identity-and-access.md, one guard
per route).

A guard is a dependency marked with `__careinbox_guard__` (app/api/deps.py). A new route that
forgets its guard fails here instead of quietly serving anyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.api.deps import GUARD_ATTR, AnyStaff
from app.main import create_app

# FastAPI's own documentation routes: no data behind them, public by design.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect"}


def _guards(dependant: Dependant) -> Iterator[str]:
    call = dependant.call
    if call is not None and hasattr(call, GUARD_ATTR):
        yield str(getattr(call, GUARD_ATTR))
    for sub in dependant.dependencies:
        yield from _guards(sub)


def route_guards(app: FastAPI) -> list[tuple[str, str, set[str]]]:
    """(methods, path as served, guard labels) for every route, included routers unfolded.

    FastAPI 0.165 nests included routers as `_IncludedRouter`; `iter_route_contexts` unfolds them
    and its contexts carry the full path and the effective dependant (include-level deps too).
    """
    out = []
    for ctx in iter_route_contexts(app.routes):
        path = ctx.path_format or ctx.path or "?"
        methods = ",".join(sorted(ctx.methods or []))
        if not isinstance(ctx.original_route, APIRoute):
            out.append((methods, path, {"framework"} if path in FRAMEWORK_ROUTES else set()))
            continue
        dependant: Any = ctx.dependant
        out.append((methods, path, set(_guards(dependant))))
    return out


def test_every_route_is_public_or_guarded() -> None:
    routes = route_guards(create_app())
    assert len(routes) > 15, "the walk must reach the routes inside included routers"
    unguarded = [f"{m} {p}" for m, p, g in routes if not g]
    assert not unguarded, f"routes without a guard: {unguarded}"


def test_scoped_paths_use_scoped_guards() -> None:
    """A /units/{unit_id}/ route must check the unit (404 outside it), not merely 'is staff'."""
    for methods, path, guards in route_guards(create_app()):
        if "{unit_id}" in path and not path.startswith("/api/v1/citizen/"):
            assert any(g.startswith("unit:") for g in guards), f"{methods} {path}: {guards}"
        if path.startswith("/api/v1/admin/"):
            assert "system" in guards, f"{methods} {path}: {guards}"


def test_the_public_routes_are_the_expected_ones() -> None:
    public = {p for _, p, g in route_guards(create_app()) if g == {"public"}}
    assert {
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/auth/staff/token",
        "/api/v1/auth/citizen/token",
    } <= public
    assert not any(p.startswith(("/api/v1/units", "/api/v1/admin", "/api/v1/me")) for p in public)


def test_the_walk_notices_an_unguarded_route() -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/open")
    async def open_route() -> None:
        return None

    @router.get("/closed")
    async def closed_route(actor: AnyStaff) -> None:
        return None

    app.include_router(router, prefix="/x")
    found = {p: g for _, p, g in route_guards(app)}
    assert found["/x/open"] == set()
    assert found["/x/closed"] == {"staff"}
