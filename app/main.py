"""create_app(): settings, lifespan (engine), middleware, problem handlers, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import problems
from app.api.query_guard import StrictQuery
from app.api.routes import (
    admin,
    audit,
    auth,
    case_types,
    citizen_cases,
    me,
    ops,
    outbound,
    staff_cases,
    statistics,
    unit_admin,
    units,
)
from app.config import ConfigurationError, Settings, get_settings
from app.db.engine import Database, create_engine, resolve_database_url
from app.db.migrations import schema_state
from app.observability import RequestContextMiddleware, configure_logging
from app.services.container import Services, build_services

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production()
    configure_logging(settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database(
            create_engine(resolve_database_url(settings.database_url, settings.embedded_pg_dir))
        )
        state = await schema_state(db.engine)
        if not state.ready:
            await db.dispose()
            raise ConfigurationError(f"refusing to start: {state.as_dict()['detail']}")
        app.state.services = build_services(settings, db)
        try:
            yield
        finally:
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="CareInbox API",
        version="1.0.0",
        description="Secure case inbox between citizens and their healthcare clinics.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(ops.router)
    # Starlette matches routes in order: the hot paths (inbox, case view, case creation) first.
    routers = (staff_cases, citizen_cases, auth, me, admin, units, unit_admin, case_types, audit)
    for module in (*routers, outbound, statistics):
        app.include_router(module.router, prefix=API_PREFIX, dependencies=[StrictQuery])
    return app


def attach_services(app: FastAPI, services: Services) -> None:
    """Tests build the services themselves and skip the lifespan."""
    app.state.services = services
