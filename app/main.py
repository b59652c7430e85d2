"""create_app(): settings, lifespan (engine), middleware, problem handlers, routers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import openapi_doc, problems
from app.api.headers import SecurityHeadersMiddleware
from app.api.query_guard import StrictQuery
from app.api.routes import auth, case_type_categories, docs, logout, ops, webhook_payloads
from app.api.routes.admin import central_case_types as national_central_case_types
from app.api.routes.admin import organisation, region_roles, region_templates
from app.api.routes.citizen import access_log
from app.api.routes.citizen import attachments as citizen_attachments
from app.api.routes.citizen import cases as citizen_cases
from app.api.routes.citizen import me as citizen_me
from app.api.routes.citizen import units as citizen_units
from app.api.routes.staff import attachments as staff_attachments
from app.api.routes.staff import (
    audit,
    case_stream,
    case_types,
    central_case_types,
    citizen_grants,
    follow_up,
    groups,
    me,
    message_templates,
    outbound,
    statistics,
    unit_settings,
    units,
    webhooks,
)
from app.api.routes.staff import cases as staff_cases
from app.config import ConfigurationError, Settings, get_settings
from app.container import Services, build_services
from app.db.engine import Database, create_engine, engine_options, resolve_database_url
from app.db.migrations import schema_state
from app.events.shutdown import before_exit_signals
from app.notify.relay import embedded_relay
from app.observability import RequestContextMiddleware, configure_logging

API_PREFIX = "/api/v1"
# Starlette matches routes in order: the hot paths (inbox, case view, case creation, outbound)
# first — after the one static path under them (`/cases/stream`), which `/cases/{case_id}` would
# take.
ROUTES = (
    case_stream,
    staff_cases,
    outbound,
    citizen_cases,
    citizen_units,
    auth,
    logout,
    me,
    citizen_me,
    organisation,
    region_roles,
    units,
    unit_settings,
    groups,
    message_templates,
    citizen_grants,
    case_type_categories,
    case_types,
    central_case_types,
    national_central_case_types,
    region_templates,
    audit,
    follow_up,
    statistics,
    access_log,
    webhooks,
    staff_attachments,
    citizen_attachments,
)

CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Last-Event-ID",
    "X-Request-ID",
]
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    "Content-Disposition",
]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production()
    settings.check_attachment_store()
    configure_logging(settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database(
            create_engine(
                resolve_database_url(settings.database_url, settings.embedded_pg_dir),
                **engine_options(settings),
            )
        )
        state = await schema_state(db.engine)
        if not state.ready:
            await db.dispose()
            raise ConfigurationError(f"refusing to start: {state.as_dict()['detail']}")
        app.state.services = services = build_services(settings, db)
        # Everything built so far (routes, schemas, table metadata, imported libraries) lives as
        # long as the process: out of the cyclic collector's sight, its full collections stop
        # walking it. Measured under load: inbox p99 103 ms → 31 ms at the same throughput.
        gc.freeze()
        try:
            # `make run`: the outbox worker (and without SMTP_HOST the var/mail/ sink) in this
            # process, so notifications arrive with no extra step; production runs it apart.
            async with embedded_relay(settings, db, services.attachment_store):
                with before_exit_signals(services.events.shut):
                    yield
        finally:
            await services.events.close()
            await services.attachment_store.close()
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="CareInbox API",
        version="1.0.0",
        description="Secure case inbox between citizens and their healthcare clinics.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # Served by app/api/routes/docs.py from installed assets, not FastAPI's CDN pages.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    problems.install(app)
    openapi_doc.install(app)
    app.add_middleware(RequestContextMiddleware)
    if settings.cors_origins:
        # Bearer tokens, not cookies: no credentials. The exposed headers are the ones a client
        # reads (concurrency, created resource, back-off, correlation, idempotent replay).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )
    # Outermost: the last-resort 500 of RequestContextMiddleware carries the headers too.
    app.add_middleware(SecurityHeadersMiddleware)
    app.include_router(ops.router)
    app.include_router(docs.router)
    for module in ROUTES:
        app.include_router(module.router, prefix=API_PREFIX, dependencies=[StrictQuery])
    app.webhooks.include_router(webhook_payloads.router)
    return app


def attach_services(app: FastAPI, services: Services) -> None:
    """Tests build the services themselves and skip the lifespan."""
    app.state.services = services
